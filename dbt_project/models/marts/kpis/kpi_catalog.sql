{{ config(materialized='table') }}
-- The KPI catalog (okrs/kpis.yml), one row per KPI, from the generated
-- macro kpi_catalog_entries() (pipelines/okrs/catalog_dbt.py).
{% set columns = {
    'kpi_id': 'string', 'name': 'string', 'description': 'string', 'family': 'string',
    'owner': 'string', 'unit': 'string', 'direction': 'string', 'additivity': 'string',
    'dimensions': 'string', 'valid_min': 'double', 'valid_max': 'double',
    'anomaly_blocking': 'boolean', 'anomaly_z_threshold': 'double', 'anomaly_history_weeks': 'integer',
    'anomaly_absurd_factor': 'double', 'dbt_model': 'string',
} %}
select
    {%- for name, type in columns.items() %}
    cast({{ name }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from (values
    {%- for kpi in kpi_catalog_entries() %}
    ({% for name in columns %}{{ sql_literal(kpi[name]) }}{{ ', ' if not loop.last }}{% endfor %}){{ ',' if not loop.last }}
    {%- endfor %}
) as catalog ({{ columns | join(', ') }})
