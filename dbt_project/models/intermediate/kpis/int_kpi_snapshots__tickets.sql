{{ config(meta={'kpis': ['ticket_backlog']}) }}
-- ticket_backlog (SPEC §4, snapshot) for every calendar day D, total and by
-- priority: tickets opened by the end of D and not resolved by the end of D,
-- as a running sum of +1 on opened_on and −1 on resolved_on.
with deltas as (
    select opened_on as day, priority, 1 as delta
    from {{ ref('int_support__tickets') }}
    union all
    select resolved_on as day, priority, -1 as delta
    from {{ ref('int_support__tickets') }}
    where resolved_on is not null
),

backlog as (
    {{ kpi_running_balance('deltas', 'day', 'delta', dimensions=['priority']) }}
)

select
    'ticket_backlog' as kpi_id,
    day,
    dimension,
    dimension_value,
    balance as value,
    balance as numerator,
    cast(null as decimal(38, 10)) as denominator
from backlog
