{{ config(**staging_config('support_tickets')) }}
-- Latest accepted version of each support ticket, with business days of its events.
with latest as ({{ latest_version('support_tickets') }})

select
    ticket_id,
    customer_id,
    channel,
    priority,
    opened_at,
    {{ business_day('opened_at') }} as opened_on,
    first_response_at,
    resolved_at,
    {{ business_day('resolved_at') }} as resolved_on,
    csat_score,
    updated_at,
    _extract_date
from latest
