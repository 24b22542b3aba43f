-- days_sales_outstanding (snapshot, docs/kpis.md) for every calendar day D:
--   numerator   = open AR at the end of D: USD amount of invoices issued on or
--                 before D and not paid by D (paid_on empty or after D), a
--                 running sum of +amount on issued_on and −amount on paid_on;
--   denominator = USD amount issued in the 90 days ending on D, a running sum
--                 of +amount on issued_on and −amount on issued_on + 90;
--   value       = numerator / denominator × 90. No row without denominator.
with invoices as (
    select issued_on, paid_on, amount_usd
    from {{ ref('int_finance__invoices') }}
),

open_ar_deltas as (
    select issued_on as day, amount_usd as delta from invoices
    union all
    select paid_on as day, -amount_usd as delta from invoices where paid_on is not null
),

issued_deltas as (
    select issued_on as day, amount_usd as delta from invoices
    union all
    select cast(issued_on + interval 90 day as date) as day, -amount_usd as delta from invoices
),

open_ar as (
    {{ kpi_running_balance('open_ar_deltas', 'day', 'delta') }}
),

issued_90d as (
    {{ kpi_running_balance('issued_deltas', 'day', 'delta') }}
)

select
    'days_sales_outstanding' as kpi_id,
    open_ar.day,
    'all' as dimension,
    'all' as dimension_value,
    cast(open_ar.balance as double) / cast(issued_90d.balance as double) * 90 as value,
    open_ar.balance as numerator,
    issued_90d.balance as denominator
from open_ar
inner join issued_90d using (day)
where issued_90d.balance > 0
