{{ config(**staging_config('nps_responses')) }}
-- NPS survey responses with their business day.
with latest as ({{ latest_version('nps_responses') }})

select
    response_id,
    customer_id,
    responded_at,
    {{ business_day('responded_at') }} as responded_on,
    score,
    _extract_date
from latest
