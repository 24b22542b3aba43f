{{ config(materialized='table') }}
-- The KPI catalog (okrs/kpis.yml, via the generated seed), one row per KPI,
-- with the dbt model that computes each KPI (from the models' meta.kpis).
{%- set producers = {} -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- for kpi in node.config.meta.get('kpis', []) -%}
            {%- do producers.update({kpi: node.name}) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}
select
    seed.kpi_id,
    seed.name,
    seed.description,
    seed.family,
    seed.owner,
    seed.unit,
    seed.direction,
    seed.additivity,
    coalesce(seed.dimensions, '') as dimensions,
    seed.valid_min,
    seed.valid_max,
    seed.anomaly_blocking,
    seed.anomaly_z_threshold,
    seed.anomaly_history_weeks,
    seed.anomaly_absurd_factor,
    {% if producers -%}
    case seed.kpi_id
        {%- for kpi, model in producers.items() | sort %}
        when '{{ kpi }}' then '{{ model }}'
        {%- endfor %}
    end
    {%- else -%}
    cast(null as varchar)
    {%- endif %} as dbt_model
from {{ ref('raw_kpi_catalog') }} as seed
