{{ config(materialized='table') }}
-- Daily numerator/denominator parts of every additive and ratio KPI, per slice.
{% set parts_models = [
    'int_kpi_parts__orders',
] %}
{% for model in parts_models %}
select kpi_id, kind, day, dimension, dimension_value, numerator, denominator
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
