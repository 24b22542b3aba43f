-- Shipments at their latest version with their order's time: fulfillment
-- hours (shipped_at - the order's ordered_at) and whether the delivery came on
-- or before the promised date. Shipments whose order is unknown (or
-- quarantined) have order_found = false and no fulfillment_hours.
select
    shipments.shipment_id,
    shipments.order_id,
    shipments.warehouse,
    shipments.carrier,
    shipments.shipped_at,
    shipments.shipped_on,
    shipments.promised_date,
    shipments.delivered_at,
    shipments.delivered_on,
    orders.order_id is not null as order_found,
    orders.ordered_at,
    {{ hours_between('orders.ordered_at', 'shipments.shipped_at') }} as fulfillment_hours,
    shipments.delivered_on <= shipments.promised_date as delivered_on_time
from {{ ref('stg_commerce__shipments') }} as shipments
left join {{ ref('int_commerce__orders') }} as orders
    on orders.order_id = shipments.order_id
