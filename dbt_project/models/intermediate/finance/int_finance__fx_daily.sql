{{ config(materialized='table') }}
-- USD per unit for every currency and day: the rate of that day or the latest
-- earlier one up to 7 days old (SPEC §3). No row: no usable rate, the amount
-- is not converted (it is quarantined, never guessed). USD is always 1.
-- The grid starts at the first day of the first partition's month, so budget
-- months (converted at their first day) are covered too. Rates stay exact
-- DECIMAL(18,8) as delivered.
with days as (
    select cast(day as date) as day
    from range(
        cast(date_trunc('month', date '{{ env_var("LODESTAR_START_DATE", "2024-01-01") }}') as date),
        (select max(day) from {{ ref('int_calendar') }}) + interval 1 day,
        interval 1 day
    ) as days(day)
),

currencies as (
    select distinct currency from {{ ref('stg_finance__fx_rates') }} where currency <> 'USD'
),

grid as (
    select days.day, currencies.currency
    from days
    cross join currencies
),

rated as (
    select grid.day, grid.currency, rates.usd_per_unit, rates.rate_date
    from grid
    asof left join {{ ref('stg_finance__fx_rates') }} as rates
        on grid.currency = rates.currency and grid.day >= rates.rate_date
)

select day, currency, cast(usd_per_unit as decimal(18, 8)) as usd_per_unit, rate_date
from rated
where rate_date >= day - 7
union all
select day, 'USD', cast(1 as decimal(18, 8)), day
from days
