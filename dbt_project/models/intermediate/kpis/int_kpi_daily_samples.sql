{{ config(materialized='table') }}
-- Raw samples of every percentile KPI, per day and slice, with the KPI's quantile level.
{% set samples_models = [
    'int_kpi_samples__tickets',
] %}
{% for model in samples_models %}
select kpi_id, day, dimension, dimension_value, sample, quantile
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
