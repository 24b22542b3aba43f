{{
    config(**engine_config(dict(
        materialized='incremental',
        incremental_strategy='kpi_changed_rows',
        on_schema_change='fail',
        post_hook=[
            "{{ record_kpi_reference_fingerprints() }}",
            "{% if not is_incremental() %}{{ record_full_kpi_changes() }}{% endif %}",
        ],
    )))
}}
-- Every KPI for every day D, window W ending on D and slice (docs/kpis.md), in the
-- long shape BI reads:
--   additive   (int_kpi_daily_parts, kind additive): the window's sum; 0 over a
--              window without events (the total every day, a dimension slice
--              from the first day it was seen);
--   ratio      (int_kpi_daily_parts, kind ratio): window Σ numerator / window
--              Σ denominator, never a mean of daily ratios; no row unless the
--              window's denominator is positive;
--   percentile (int_kpi_daily_samples): continuous quantile of the window's raw
--              samples; no row without samples;
--   snapshot   (int_kpi_daily_snapshots): the state at the end of D, the same
--              value in all five windows;
--   derived    (int_kpi_derived__*): revenue_per_fte, from windowed net revenue
--              and the headcount snapshot.
-- Window sums are differences of per-slice cumulative sums (exact decimals):
-- Σ over [start, D] = cum(D) − cum(start − 1) (kpi_window_sums: ASOF joins on DuckDB), so the
-- cost is linear in days × slices, and a day-by-day run, a range run and a
-- full refresh give identical values.
--
-- Incremental: each KPI is recomputed for the as_of_dates from its own
-- recompute_from (int_kpi_recompute_plan: the earliest event day the run's
-- extracts touched in that KPI's sources) on; the strategy kpi_changed_rows
-- (macros/kpis/kpi_changes.sql) then deletes the stored rows of those days
-- that differ or should no longer exist (a ratio that lost its denominator),
-- inserts the new ones, and records the first changed day per KPI for the
-- quality gate. Everything else stays untouched.
{%- do ref('int_kpi_recompute_plan') %}  {# the plan is built first, also on a full build #}
with plan as (
    {% if is_incremental() %}
    select kpi_id, recompute_from from {{ ref('int_kpi_recompute_plan') }}
    {% else %}
    select cast(null as string) as kpi_id, cast(null as date) as recompute_from
    {% endif %}
),

windows as (
    select *
    from {{ ref('int_kpi_windows') }}
    {% if is_incremental() %}where as_of_date >= (select min(recompute_from) from plan){% endif %}
),

parts_slices as (
    {{ kpi_part_slices() }}
),

cumulative as (
    select
        kpi_id,
        dimension,
        dimension_value,
        day,
        sum(numerator) over running as cum_numerator,
        sum(denominator) over running as cum_denominator
    from {{ ref('int_kpi_daily_parts') }}
    window running as (
        partition by kpi_id, dimension, dimension_value
        order by day
        rows between unbounded preceding and current row
    )
),

-- every slice for every window to build: the total every day, a dimension
-- value from the first day it was seen
parts_spine as (
    select
        slices.kpi_id, slices.kind, slices.dimension, slices.dimension_value,
        windows.as_of_date, windows.{{ adapter.quote('window') }}, windows.window_start
    from parts_slices as slices
    inner join windows
        on slices.dimension = 'all' or windows.as_of_date >= slices.first_day
    where {{ kpi_in_plan('slices.kpi_id', 'windows.as_of_date') }}
),

windowed as (
    {{ kpi_window_sums('parts_spine', 'cumulative') }}
),

additive as (
    select
        kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value,
        cast(numerator as double) as value,
        cast(numerator as double) as numerator,
        cast(null as double) as denominator
    from windowed
    where kind = 'additive'
),

ratios as (
    select
        kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value,
        cast(numerator as double) / cast(denominator as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator
    from windowed
    where kind = 'ratio' and denominator > 0
),

samples as (
    select * from {{ ref('int_kpi_daily_samples') }}
),

percentile_windows as (
    select *
    from windows
    {% if is_incremental() %}
    where as_of_date >= (select min(recompute_from) from plan where kpi_id in (select kpi_id from samples))
    {% endif %}
),

percentiles as (
    select
        samples.kpi_id,
        windows.as_of_date,
        windows.{{ adapter.quote('window') }},
        samples.dimension,
        samples.dimension_value,
        {{ kpi_window_quantile('samples.sample', 'samples.quantile') }} as value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from percentile_windows as windows
    inner join samples
        on samples.day between windows.window_start and windows.as_of_date
    group by samples.kpi_id, windows.as_of_date, windows.{{ adapter.quote('window') }}, samples.dimension, samples.dimension_value
),

snapshots as (
    select
        snapshots.kpi_id, windows.as_of_date, windows.{{ adapter.quote('window') }}, snapshots.dimension, snapshots.dimension_value,
        snapshots.value, snapshots.numerator, snapshots.denominator
    from windows
    inner join {{ ref('int_kpi_daily_snapshots') }} as snapshots
        on snapshots.day = windows.as_of_date
),

derived as (
    select
        derived.kpi_id, derived.as_of_date, derived.{{ adapter.quote('window') }}, derived.dimension, derived.dimension_value,
        cast(derived.value as double) as value,
        cast(derived.numerator as double) as numerator,
        cast(derived.denominator as double) as denominator
    from {{ ref('int_kpi_daily_derived') }} as derived
    inner join windows using (as_of_date, {{ adapter.quote('window') }})
)

select kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value, numerator, denominator
from additive
union all
select kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value, numerator, denominator
from ratios
{% for part in ['percentiles', 'snapshots', 'derived'] %}
union all
select kpi_id, as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value, numerator, denominator
from {{ part }} as part  -- qualified: inside kpi_in_plan's subquery a bare kpi_id is the plan's own
where {{ kpi_in_plan('part.kpi_id', 'part.as_of_date') }}
{% endfor %}
