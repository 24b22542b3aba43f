{{ config(materialized='table') }}
-- Daily numerator/denominator parts of every additive and ratio KPI, per slice.
{% set parts_models = [
    'int_kpi_parts__orders',
    'int_kpi_parts__traffic',
    'int_kpi_parts__ledger',
    'int_kpi_parts__budget',
    'int_kpi_parts__acquisition',
    'int_kpi_parts__deliveries',
    'int_kpi_parts__fulfillment',
    'int_kpi_parts__tickets',
    'int_kpi_parts__nps',
] %}
{% for model in parts_models %}
select kpi_id, kind, day, dimension, dimension_value, numerator, denominator
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
