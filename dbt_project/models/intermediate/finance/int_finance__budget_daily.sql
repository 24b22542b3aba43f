-- The monthly budget spread evenly over the days of its month, in USD at the
-- rate of the month's first day (7-day look-back). One row per calendar day,
-- cost center, account type and currency line: a cost center that plans in
-- several currencies has several lines, which add up after conversion.
with budget as (
    select
        budget.budget_month,
        budget.cost_center,
        budget.account_type,
        budget.currency,
        budget.amount,
        {{ to_usd('budget.amount', fx_rate('budget', 'currency', 'budget_month')) }} as amount_usd,
        {{ days_between("budget.budget_month", "cast(budget.budget_month + interval 1 month as date)") }} as days_in_month
    from {{ ref('stg_finance__budget') }} as budget
    {{ fx_join('budget', 'currency', 'budget_month') }}
)

select
    calendar.day,
    budget.budget_month,
    budget.cost_center,
    budget.account_type,
    budget.currency,
    budget.days_in_month,
    cast(budget.amount_usd / budget.days_in_month as decimal(38, 10)) as amount_usd
from budget
inner join {{ ref('int_calendar') }} as calendar
    on calendar.month_start = budget.budget_month
