-- Support tickets at their latest version with their durations in hours
-- (first response and resolution, measured from opened_at) and the business
-- day of each event.
select
    ticket_id,
    customer_id,
    channel,
    priority,
    opened_at,
    opened_on,
    first_response_at,
    {{ hours_between('opened_at', 'first_response_at') }} as first_response_hours,
    resolved_at,
    resolved_on,
    {{ hours_between('opened_at', 'resolved_at') }} as resolution_hours,
    csat_score
from {{ ref('stg_support__support_tickets') }}
