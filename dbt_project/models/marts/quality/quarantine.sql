-- The quarantine ledger: every row that counts in no KPI, with its file, line
-- and reasons. Ingestion's row rules (raw.quarantine) and the rules that need
-- FX (no usable rate, an implausible amount in USD) in one place.
{%- set stages = [
    ('ingest', source('ingest', 'quarantine')),
    ('conversion', ref('int_quarantine__conversion')),
] %}
{% for stage, ledger in stages %}
select
    source,
    extract_date,
    source_file,
    line,
    column_name,
    reason,
    cast(raw_row as string) as raw_row,
    '{{ stage }}' as stage
from {{ ledger }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
