-- Rows read, accepted and quarantined per source partition (and reference
-- file), reconciled over the whole ledger: rows_read = rows_accepted +
-- rows_quarantined. Conversion quarantine (rows waiting for an FX rate, or
-- implausible in USD) counts against the partition whose rows are in force:
-- a loaded one.
with log as (
    select * from {{ source('ingest', 'ingest_log') }}
),

ledger as (
    select q.*
    from {{ ref('quarantine') }} as q
    semi join log
        on log.source = q.source
        and log.extract_date is not distinct from q.extract_date
        and (q.stage = 'ingest' or log.status = 'loaded')
),

reasons as (
    select
        source,
        extract_date,
        {{ regexp_replace_all('reason', "'''[^'']*'''", "'''…'''") }} as pattern,
        count(*) as n
    from ledger
    group by all
),

top_reasons as (
    select *
    from reasons
    qualify row_number() over (partition by source, extract_date order by n desc, pattern) = 1
),

conversion as (
    select source, extract_date, count(*) as n
    from ledger
    where stage = 'conversion'
    group by all
)

select
    log.source,
    log.extract_date,
    log.rows_read,
    log.rows_accepted - coalesce(conversion.n, 0) as rows_accepted,
    log.rows_quarantined + coalesce(conversion.n, 0) as rows_quarantined,
    coalesce(log.rows_duplicate, 0) as rows_duplicate,
    case
        when top_reasons.pattern is not null
            then top_reasons.pattern || ' (' || top_reasons.n || ' of '
                || (log.rows_quarantined + coalesce(conversion.n, 0)) || ' rows)'
    end as top_reason,
    log.status,
    log.message
from log
left join conversion
    on conversion.source = log.source and conversion.extract_date is not distinct from log.extract_date
left join top_reasons
    on top_reasons.source = log.source and top_reasons.extract_date is not distinct from log.extract_date
