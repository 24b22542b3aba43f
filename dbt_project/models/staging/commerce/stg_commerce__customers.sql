{{ config(**staging_config('customers')) }}
-- Latest accepted version of each customer, with the business day it was created.
with latest as ({{ latest_version('customers') }})

select
    customer_id,
    created_at,
    {{ business_day('created_at') }} as created_on,
    region,
    segment,
    updated_at,
    _extract_date
from latest
