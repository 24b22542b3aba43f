{{ config(materialized='table') }}
-- Orders at their latest accepted version with amounts in USD at the rate of
-- the order's business day (versions without a usable rate were quarantined).
select
    orders.*,
    {{ to_usd('orders.gross_amount - orders.discount_amount', fx_rate('orders', 'currency', 'ordered_on')) }} as net_merchandise_usd
from {{ ref('stg_commerce__orders') }} as orders
{{ fx_join('orders', 'currency', 'ordered_on') }}
