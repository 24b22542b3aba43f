-- Orders at their latest version with amounts in USD at the rate of the
-- order's day. Orders without a usable FX rate have fx_missing = true and
-- count nowhere (see int_quarantine__fx).
select
    orders.*,
    fx.usd_per_unit is null as fx_missing,
    (orders.gross_amount - orders.discount_amount) * fx.usd_per_unit as net_merchandise_usd
from {{ ref('stg_commerce__orders') }} as orders
{{ fx_join('orders', 'currency', 'ordered_on') }}
