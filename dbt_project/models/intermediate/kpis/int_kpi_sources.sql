{{ config(materialized='table') }}
-- Which landing sources each KPI reads: its catalog model walked up the dbt
-- lineage to the raw sources (kpi_source_map). The quality gate blocks a KPI
-- for a day when one of these sources failed its checks.
{% set pairs = [] %}
{% for kpi_id, sources in kpi_source_map().items() %}
    {% for source in sources %}{% do pairs.append((kpi_id, source)) %}{% endfor %}
{% endfor %}
select kpi_id, source
from (values
    {%- for kpi_id, source in pairs %}
    ('{{ kpi_id }}', '{{ source }}'){{ ',' if not loop.last }}
    {%- else %}
    (cast(null as string), cast(null as string))
    {%- endfor %}
) as lineage (kpi_id, source)
where kpi_id is not null
order by kpi_id, source
