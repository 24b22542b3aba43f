-- The quarantine ledger: every row that counts in no KPI, with its file, line
-- and reasons. Ingestion's row rules (raw.quarantine) and the rules that need
-- FX (no usable rate, an implausible amount in USD) in one place.
select
    source,
    extract_date,
    source_file,
    line,
    column_name,
    reason,
    cast(raw_row as varchar) as raw_row,
    'ingest' as stage
from {{ source('ingest', 'quarantine') }}
union all
select
    source,
    extract_date,
    source_file,
    line,
    column_name,
    reason,
    cast(raw_row as varchar) as raw_row,
    'conversion' as stage
from {{ ref('int_quarantine__conversion') }}
