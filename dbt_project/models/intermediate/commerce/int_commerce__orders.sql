{{ config(materialized='table') }}
-- Orders at their latest version with amounts in USD at the rate of the
-- order's day. Orders without a usable FX rate have fx_missing = true and
-- count nowhere (SPEC §3: such rows are quarantined, never guessed).
select
    orders.*,
    fx.usd_per_unit is null as fx_missing,
    {{ to_usd('orders.gross_amount - orders.discount_amount') }} as net_merchandise_usd
from {{ ref('stg_commerce__orders') }} as orders
{{ fx_join('orders', 'currency', 'ordered_on') }}
