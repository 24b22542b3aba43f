-- The OKR scorecard on every loaded day D (docs/okrs.md): one row per day,
-- objective and key result of every OKR file, with its depth and path in the
-- alignment tree. Numbers come from the latest day of the item's period loaded
-- by D (`scored_on`): an ended period shows its final result, a period that has
-- not started yet is not_started. score_change_7d compares with 7 days before
-- scored_on. okr_scorecard is its latest day; `lodestar scorecard --date D`
-- reads day D.
with latest as (
    select distinct as_of_date from {{ source('gate', 'kpi_status') }}
),

objectives as (
    select * from {{ ref('okr_objectives') }}
),

key_results as (
    -- static fields of each KR; the target in force comes from its progress row
    select * from {{ ref('okr_key_results') }} where revision = 0
),

kr_daily as (
    select * from {{ ref('kr_progress_daily') }}
),

objective_daily as (
    select * from {{ ref('objective_progress_daily') }}
),

-- each item's last scored day up to D (an ASOF join: the day itself, or the
-- end of an ended period)
kr_last as (
    {{ last_row_by_day('latest', 'kr_daily', 'kr_id') }}
),

objective_last as (
    {{ last_row_by_day('latest', 'objective_daily', 'objective_id') }}
),

objective_rows as (
    select
        latest.as_of_date,
        'objective' as item_type,
        o.objective_id as item_id,
        o.parent_objective_id as parent_id,
        o.objective_id,
        o.title,
        o.owner,
        o.depth,
        o.path,
        o.sort_key,
        o.period_start,
        o.period_end,
        l.as_of_date as scored_on,
        null::string as kpi_id,
        null::string as kpi_window,
        null::string as filter_dimension,
        null::string as filter_value,
        null::string as kr_type,
        o.weight,
        null::double as baseline,
        null::double as target,
        null::double as value,
        null::double as progress,
        l.score,
        {{ okr_expected_and_status_on('l', 'objective_id', 'latest.as_of_date', 'o.period_start') }},
        null::string as stale_reason,
        l.key_results_measured,
        l.key_results_scored,
        prev.score as score_7d_before,
        l.score - prev.score as score_change_7d
    from objectives as o
    cross join latest
    left join objective_last as l on l.objective_id = o.objective_id and l.day = latest.as_of_date
    left join objective_daily as prev
        on prev.objective_id = o.objective_id
        and prev.as_of_date = l.as_of_date - 7
),

kr_rows as (
    select
        latest.as_of_date,
        'key_result' as item_type,
        kr.kr_id as item_id,
        kr.objective_id as parent_id,
        kr.objective_id,
        kr.title,
        o.owner,
        o.depth + 1 as depth,
        o.path || ' > ' || kr.kr_id as path,
        o.sort_key || '.' || {{ okr_sort_component(0, 'kr.sort_order') }} as sort_key,
        kr.period_start,
        kr.period_end,
        l.as_of_date as scored_on,
        kr.kpi_id,
        kr.kpi_window,
        kr.filter_dimension,
        kr.filter_value,
        kr.kr_type,
        kr.weight,
        kr.baseline,
        coalesce(l.target, kr.target) as target,
        l.value,
        l.progress,
        l.score,
        {{ okr_expected_and_status_on('l', 'kr_id', 'latest.as_of_date', 'kr.period_start') }},
        l.stale_reason,
        case when l.kr_id is not null then 1 else 0 end as key_results_measured,
        case when l.score is not null then 1 else 0 end as key_results_scored,
        prev.score as score_7d_before,
        l.score - prev.score as score_change_7d
    from key_results as kr
    cross join latest
    left join objectives as o on o.objective_id = kr.objective_id
    left join kr_last as l on l.kr_id = kr.kr_id and l.day = latest.as_of_date
    left join kr_daily as prev
        on prev.kr_id = kr.kr_id
        and prev.as_of_date = l.as_of_date - 7
)

select * from objective_rows
union all
select * from kr_rows
order by as_of_date, sort_key
