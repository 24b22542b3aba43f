{{ config(materialized='table') }}
-- Every snapshot KPI's state at the end of each calendar day, per slice.
{% set snapshot_models = [
    'int_kpi_snapshots__receivables',
    'int_kpi_snapshots__tickets',
    'int_kpi_snapshots__employees',
] %}
{% for model in snapshot_models %}
select
    kpi_id, day, dimension, dimension_value,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
