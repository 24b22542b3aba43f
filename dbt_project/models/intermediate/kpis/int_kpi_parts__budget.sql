-- Daily parts of budget_variance_pct (docs/kpis.md): (opex − budgeted opex) over
-- budgeted opex, by cost_center. Opex is Σ(debit − credit) in USD on opex
-- accounts by posted_on; the budget is the opex budget of the same day and
-- cost center (monthly plan spread evenly over the month's days). A window or
-- cost center without budget has no denominator, hence no row. Budget days
-- are loaded days only: a window reaching before the first partition compares
-- the opex and budget of the days that exist.
with events as (
    select posted_on as day, cost_center, debit_usd - credit_usd as opex_usd, 0 as budget_usd
    from {{ ref('int_finance__gl_lines') }}
    where account_type = 'opex'
    union all
    select day, cost_center, 0 as opex_usd, amount_usd as budget_usd
    from {{ ref('int_finance__budget_daily') }}
    where account_type = 'opex'
)

{{ kpi_daily_parts('budget_variance_pct', 'events', 'day', 'opex_usd - budget_usd', 'budget_usd',
                   dimensions=['cost_center']) }}
