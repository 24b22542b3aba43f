{{ config(**day_partitioned('ordered_on')) }}
-- Orders at their latest accepted version with amounts in USD at the rate of
-- the order's business day (versions without a usable rate were quarantined).
-- Kept by business day: a run rebuilds the days its changes reach.
select
    orders.* except (_extract_date),
    {{ to_usd('orders.gross_amount - orders.discount_amount', fx_rate('orders', 'currency', 'ordered_on')) }} as net_merchandise_usd
from {{ ref('stg_commerce__orders') }} as orders
{{ fx_join('orders', 'currency', 'ordered_on') }}
where true{{ changed_days_filter('orders.ordered_on') }}
