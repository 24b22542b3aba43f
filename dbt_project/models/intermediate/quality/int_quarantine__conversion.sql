{{ config(**engine_config(dict(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}{{ delete_conversion_changes() }}{% endif %}",
))) }}
-- Accepted raw rows that fail a rule needing FX (see the conversion_quarantine
-- macro): no usable rate, or an amount above its plausibility bound in USD.
-- With raw.quarantine (the ingest rules) it makes the one quarantine ledger.
-- Incremental: a run re-judges only the rows whose verdict it may change
-- (conversion_changes: rows of its extract days, rows the changed FX rates
-- reach, every row of a reference table), after its pre-hook deleted their
-- old verdicts.
{%- do ref('int_changed_sources') %}
{% for source_name in converted_tables() %}
select * from ({{ conversion_quarantine(source_name, conversion_changes(source_name) if is_incremental() else none) }})
{% if not loop.last %}union all{% endif %}
{% endfor %}
