-- One row per key result, ready for a table widget: owner, period, KPI and
-- slice, target in force, value, score against the expected pace and status
-- (with its label and colour) on the latest loaded day of the KR's period
-- (scored_on), the same day okr_scorecard reports.
with key_results as (
    select * from {{ ref('okr_key_results') }}
),

objectives as (
    select * from {{ ref('okr_objectives') }}
),

kpis as (
    select kpi_id, name as kpi_name, unit from {{ ref('kpi_catalog') }}
),

latest_day as (
    {{ bi_latest_day() }}
),

kr_last as (
    {{ bi_last_scored(ref('kr_progress_daily'), 'kr_id') }}
),

revisions as (
    select kr_id, count(*) as target_revisions, min_by(target, revision) as original_target
    from key_results
    group by kr_id
),

measured as (
    select
        kr.kr_id,
        kr.title as kr_title,
        kr.objective_id,
        o.title as objective_title,
        o.owner,
        regexp_replace(kr.source_file, '\.ya?ml$', '') as okr_set,
        kr.period_start,
        kr.period_end,
        kr.kpi_id,
        k.kpi_name,
        k.unit,
        kr.kpi_window,
        kr.filter_dimension,
        kr.filter_value,
        case when kr.filter_dimension is null then 'all' else kr.filter_dimension || ' = ' || kr.filter_value end
            as slice_label,
        kr.kr_type,
        kr.weight,
        kr.baseline,
        r.original_target,
        coalesce(l.target, kr.target) as target,
        coalesce(l.target_revision, 0) as target_revision,
        r.target_revisions - 1 as target_revision_count,
        l.value,
        l.progress,
        l.score,
        {{ okr_expected_and_status_on('l', 'kr_id', 'ld.latest_loaded_date', 'kr.period_start') }},
        l.kpi_status as kpi_publication_status,
        l.stale_since,
        l.stale_reason,
        l.as_of_date as scored_on,
        ld.latest_loaded_date,
        kr.sort_order
    from key_results as kr
    cross join latest_day as ld
    left join revisions as r on r.kr_id = kr.kr_id
    left join objectives as o on o.objective_id = kr.objective_id
    left join kpis as k on k.kpi_id = kr.kpi_id
    left join kr_last as l on l.kr_id = kr.kr_id
    where kr.revision = 0
)

select
    *,
    score - expected as pace_gap,
    -- the KPI value on pace: where the value should be today to end on target
    case
        when kr_type in ('increase', 'decrease') then baseline + expected * (target - baseline)
        else target
    end as expected_value,
    {{ bi_status_label('status') }} as status_label,
    {{ bi_status_color('status') }} as status_color,
    {{ days_between("period_start", "period_end") }} + 1 as period_days,
    case
        when scored_on is null then 0
        else {{ days_between("period_start", "scored_on") }} + 1
    end as days_elapsed,
    {{ bi_period_state() }} as period_state
from measured
order by objective_id, sort_order, kr_id
