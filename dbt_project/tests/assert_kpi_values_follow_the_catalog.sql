{{ config(meta={'dagster': {'ref': {'name': 'kpi_values'}}}) }}  {# a check of kpi_values in Dagster #}
-- Every kpi_values row is a catalog KPI, window and slice (okrs/kpis.yml): the
-- window is one of the catalog's, the dimension 'all' or one of the KPI's own.
with catalog (kpi_id, dimension) as (
    values
    {%- for kpi in kpi_catalog_entries() %}
    ('{{ kpi["kpi_id"] }}', 'all'){% for d in kpi["dimensions"] %}, ('{{ kpi["kpi_id"] }}', '{{ d }}'){% endfor %}{{ ',' if not loop.last }}
    {%- endfor %}
)

select v.kpi_id, v.{{ adapter.quote('window') }}, v.dimension, count(*) as rows
from {{ ref('kpi_values') }} as v
where v.{{ adapter.quote('window') }} not in ({% for name in kpi_window_names() %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %})
   or not exists (select 1 from catalog as c where c.kpi_id = v.kpi_id and c.dimension = v.dimension)
group by all
