-- Progress of every key result on every loaded day of its period (docs/okrs.md).
-- Loaded days are the days of gate.kpi_status. The value is the published KPI
-- value of the KR's KPI, window and filter (no filter: the total row); a KPI
-- that is stale (or has no publication status) on the day gives no value and
-- the status no_data, with the gate's reason.
with key_results as (
    select * from {{ ref('okr_key_results') }}
),

loaded_days as (
    select distinct as_of_date from {{ source('gate', 'kpi_status') }}
),

kpi_status as (
    select kpi_id, as_of_date, status, stale_since, reason
    from {{ source('gate', 'kpi_status') }}
),

kpi_values as (
    select kpi_id, as_of_date, {{ adapter.quote('window') }} as kpi_window, dimension, dimension_value, value
    from {{ source('gate', 'kpi_values') }}
),

-- one row per KR and loaded day, with the target revision in force that day
kr_days as (
    select
        kr.*,
        d.as_of_date
    from key_results as kr
    inner join loaded_days as d
        on d.as_of_date between kr.valid_from and kr.valid_to
),

measured as (
    select
        kd.*,
        s.status as kpi_status,
        s.stale_since,
        case
            when s.status = 'stale' then coalesce(s.reason, 'KPI is stale')
            when s.status is null then 'KPI has no publication status for this day'
        end as stale_reason,
        case when s.status = 'published' then v.value end as value
    from kr_days as kd
    left join kpi_status as s using (kpi_id, as_of_date)
    left join kpi_values as v
        on v.kpi_id = kd.kpi_id
        and v.as_of_date = kd.as_of_date
        and v.kpi_window = kd.kpi_window
        and v.dimension = coalesce(kd.filter_dimension, 'all')
        and v.dimension_value = coalesce(kd.filter_value, 'all')
),

scored as (
    select
        *,
        case
            when kr_type in ('increase', 'decrease')
                then (value - baseline) / (target - baseline)
        end as progress,
        case
            when kr_type in ('increase', 'decrease') then {{ okr_expected_progress('as_of_date', 'period_start', 'period_end') }}
            else 1::double
        end as expected
    from measured
),

final as (
    select
        *,
        case
            when value is null then null
            when kr_type in ('increase', 'decrease') then {{ okr_clamp01('progress') }}
            when kr_type = 'stay_above' then case when value >= target then 1::double else 0::double end
            when kr_type = 'stay_below' then case when value <= target then 1::double else 0::double end
        end as score
    from scored
)

select
    kr_id,
    as_of_date,
    objective_id,
    kpi_id,
    kpi_window,
    filter_dimension,
    filter_value,
    kr_type,
    weight,
    period_start,
    period_end,
    revision as target_revision,
    target,
    baseline,
    value,
    progress,
    score,
    expected,
    {{ okr_status_in_period('as_of_date', 'period_start', 'score', 'expected') }} as status,
    kpi_status,
    stale_since,
    stale_reason
from final
order by kr_id, as_of_date
