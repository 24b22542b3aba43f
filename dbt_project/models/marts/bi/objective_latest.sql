-- One row per objective, ready for a table widget or a tree: owner, period,
-- place in the alignment tree, score against the expected pace and status
-- (with label and colour) on the latest loaded day of its period (scored_on),
-- and how many of its own key results are in each status.
with objectives as (
    select * from {{ ref('okr_objectives') }}
),

latest_day as (
    {{ bi_latest_day() }}
),

objective_last as (
    {{ bi_last_scored(ref('objective_progress_daily'), 'objective_id') }}
),

kr_counts as (
    select
        objective_id,
        count(*) as key_results,
        count(*) filter (where status = 'achieved') as key_results_achieved,
        count(*) filter (where status = 'on_track') as key_results_on_track,
        count(*) filter (where status = 'at_risk') as key_results_at_risk,
        count(*) filter (where status = 'off_track') as key_results_off_track,
        count(*) filter (where status = 'no_data') as key_results_no_data,
        count(*) filter (where status = 'not_started') as key_results_not_started
    from {{ ref('kr_latest') }}
    group by objective_id
),

measured as (
    select
        o.objective_id,
        o.title as objective_title,
        o.owner,
        regexp_replace(o.source_file, '\.ya?ml$', '') as okr_set,
        o.period_start,
        o.period_end,
        o.parent_objective_id,
        parent.title as parent_objective_title,
        o.root_objective_id,
        o.depth,
        o.path,
        o.sort_key,
        o.weight,
        l.score,
        {{ okr_expected_and_status_on('l', 'objective_id', 'ld.latest_loaded_date', 'o.period_start') }},
        l.as_of_date as scored_on,
        ld.latest_loaded_date,
        coalesce(l.key_results_measured, 0) as subtree_key_results_measured,
        coalesce(l.key_results_scored, 0) as subtree_key_results_scored,
        coalesce(c.key_results, 0) as key_results,
        coalesce(c.key_results_achieved, 0) as key_results_achieved,
        coalesce(c.key_results_on_track, 0) as key_results_on_track,
        coalesce(c.key_results_at_risk, 0) as key_results_at_risk,
        coalesce(c.key_results_off_track, 0) as key_results_off_track,
        coalesce(c.key_results_no_data, 0) as key_results_no_data,
        coalesce(c.key_results_not_started, 0) as key_results_not_started,
        o.child_objective_count
    from objectives as o
    cross join latest_day as ld
    left join objectives as parent on parent.objective_id = o.parent_objective_id
    left join objective_last as l on l.objective_id = o.objective_id
    left join kr_counts as c on c.objective_id = o.objective_id
)

select
    *,
    score - expected as pace_gap,
    {{ bi_status_label('status') }} as status_label,
    {{ bi_status_color('status') }} as status_color,
    {{ bi_period_state() }} as period_state
from measured
order by sort_key
