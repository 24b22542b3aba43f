{{ config(**staging_config('shipments')) }}
-- Latest accepted version of each shipment, with business days of its events.
with latest as ({{ latest_version('shipments') }})

select
    shipment_id,
    order_id,
    warehouse,
    carrier,
    shipped_at,
    {{ business_day('shipped_at') }} as shipped_on,
    promised_date,
    delivered_at,
    {{ business_day('delivered_at') }} as delivered_on,
    updated_at,
    _extract_date
from latest
