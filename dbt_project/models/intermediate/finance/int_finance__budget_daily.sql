-- The monthly budget spread evenly over the days of its month (SPEC §4), in
-- USD at the rate of the month's first day (7-day look-back). One row per
-- calendar day, cost center and account type. Months without a usable FX
-- rate have fx_missing = true and count nowhere.
with budget as (
    select
        budget.budget_month,
        budget.cost_center,
        budget.account_type,
        budget.currency,
        budget.amount,
        fx.usd_per_unit is null as fx_missing,
        {{ to_usd('budget.amount') }} as amount_usd,
        datediff('day', budget.budget_month, cast(budget.budget_month + interval 1 month as date)) as days_in_month
    from {{ ref('stg_finance__budget') }} as budget
    {{ fx_join('budget', 'currency', 'budget_month') }}
)

select
    calendar.day,
    budget.budget_month,
    budget.cost_center,
    budget.account_type,
    budget.fx_missing,
    budget.days_in_month,
    cast(budget.amount_usd / budget.days_in_month as decimal(38, 10)) as amount_usd
from budget
inner join {{ ref('int_calendar') }} as calendar
    on calendar.month_start = budget.budget_month
