{{ config(meta={'kpis': ['headcount_fte']}) }}
-- headcount_fte (SPEC §4, snapshot) for every calendar day D, total and by
-- department: Σ fte of employees with hired_on ≤ D and terminated_on empty or
-- after D, as a running sum of +fte on hired_on and −fte on terminated_on.
with deltas as (
    select hired_on as day, department, fte as delta
    from {{ ref('stg_people__employees') }}
    union all
    select terminated_on as day, department, -fte as delta
    from {{ ref('stg_people__employees') }}
    where terminated_on is not null
),

headcount as (
    {{ kpi_running_balance('deltas', 'day', 'delta', dimensions=['department']) }}
)

select
    'headcount_fte' as kpi_id,
    day,
    dimension,
    dimension_value,
    balance as value,
    balance as numerator,
    cast(null as decimal(38, 10)) as denominator
from headcount
