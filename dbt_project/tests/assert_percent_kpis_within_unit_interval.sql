{{ config(meta={'dagster': {'ref': {'name': 'kpi_values'}}}) }}  {# a check of kpi_values in Dagster #}
-- Percent KPIs whose catalog range is [0, 1] (shares of a count: on-time
-- delivery, csat) are fractions within [0, 1], never 0–100.
select kpi_values.*
from {{ ref('kpi_values') }} as kpi_values
inner join {{ ref('kpi_catalog') }} as catalog using (kpi_id)
where catalog.unit = 'percent'
  and catalog.valid_min = 0
  and catalog.valid_max = 1
  and (kpi_values.value < 0 or kpi_values.value > 1)
