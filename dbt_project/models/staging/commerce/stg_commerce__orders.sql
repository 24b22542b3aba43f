{{ config(**staging_config('orders')) }}
-- Latest accepted version of each order, with its business day.
with latest as ({{ latest_version('orders') }})

select
    order_id,
    customer_id,
    ordered_at,
    {{ business_day('ordered_at') }} as ordered_on,
    channel,
    region,
    currency,
    gross_amount,
    discount_amount,
    shipping_amount,
    status,
    updated_at,
    _extract_date
from latest
