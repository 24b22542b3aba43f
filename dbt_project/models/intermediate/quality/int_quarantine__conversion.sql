{{ config(materialized='table') }}
-- Accepted raw rows that fail a rule needing FX (see the conversion_quarantine
-- macro): no usable rate, or an amount above its plausibility bound in USD.
-- With raw.quarantine (the ingest rules) it makes the one quarantine ledger.
{% for source_name in converted_tables() %}
select * from ({{ conversion_quarantine(source_name) }})
{% if not loop.last %}union all{% endif %}
{% endfor %}
