{{ config(materialized='table') }}
-- Per raw source, the earliest event day this run's extracts changed
-- (kpi_changed_sources: new and replaced rows, every version of each key
-- delivered, a new reference version in force). Staging re-derives the keys
-- the run touched; the models below rebuild their days from here on
-- (changed_from()); kpi_values its KPIs' windows (int_kpi_recompute_plan).
-- Without a range every source counts as changed from the beginning.
{%- set range = run_range() %}
{% if range is not none %}
select source, min(from_day) as from_day
from ({{ kpi_changed_sources(range[0], range[1]) }}) as changed
where from_day is not null
group by source
{% else %}
select source, date '0001-01-01' as from_day
from (values {% for name in contract_table_names() %}('{{ name }}'){{ ', ' if not loop.last }}{% endfor %}) as sources (source)
{% endif %}
