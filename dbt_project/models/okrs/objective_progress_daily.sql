-- Progress of every objective on every loaded day of its period (docs/okrs.md): the
-- weighted mean of the scores of its key results and child objectives (a child
-- objective weighs its `weight`, default 1), at any depth of the alignment tree.
-- Children without a score that day (no data, or outside their own period) are
-- left out; with none left the objective is no_data. Expected progress is the
-- weighted mean of the same children's expected progress.
--
-- The nested weighted means are computed by flattening: an objective's score is
-- the sum, over the scored key results k of its subtree, of
--     score(k) * product of weight(child) / total scored weight(node)
-- along the path from the objective down to k. This equals the level-by-level
-- roll-up exactly and works for any depth with one recursive CTE.
with recursive

objectives as (
    select objective_id, parent_objective_id, weight, period_start, period_end, depth
    from {{ ref('okr_objectives') }}
),

loaded_days as (
    select distinct as_of_date from {{ source('gate', 'kpi_status') }}
),

kr as (
    select kr_id, objective_id, as_of_date, weight, score, expected
    from {{ ref('kr_progress_daily') }}
),

-- (ancestor, descendant) pairs, an objective being its own descendant
closure (ancestor_id, descendant_id, hops) as (
    select objective_id, objective_id, 0 from objectives
    union all
    select closure.ancestor_id, child.objective_id, closure.hops + 1
    from closure
    inner join objectives as child on child.parent_objective_id = closure.descendant_id
    where closure.hops < 100  -- validation rejects cycles; this only guards the recursion
),

-- objectives that have a score on a day: a scored key result somewhere below
scored_objectives as (
    select distinct closure.ancestor_id as objective_id, kr.as_of_date
    from closure
    inner join kr on kr.objective_id = closure.descendant_id
    where kr.score is not null
),

-- the total weight of each objective's scored children (KRs and objectives) per day
scored_weight as (
    select objective_id, as_of_date, sum(weight) as total_weight
    from (
        select objective_id, as_of_date, weight from kr where score is not null
        union all
        select child.parent_objective_id, so.as_of_date, child.weight
        from scored_objectives as so
        inner join objectives as child on child.objective_id = so.objective_id
        where child.parent_objective_id is not null
    )
    group by objective_id, as_of_date
),

-- share of each scored descendant objective in its ancestor's score per day
shares (ancestor_id, objective_id, as_of_date, share, hops) as (
    select objective_id, objective_id, as_of_date, 1.0::double, 0
    from scored_objectives
    union all
    select
        shares.ancestor_id,
        child.objective_id,
        shares.as_of_date,
        shares.share * child.weight / sw.total_weight,
        shares.hops + 1
    from shares
    inner join objectives as child on child.parent_objective_id = shares.objective_id
    inner join scored_objectives as so
        on so.objective_id = child.objective_id
        and so.as_of_date = shares.as_of_date
    inner join scored_weight as sw
        on sw.objective_id = shares.objective_id
        and sw.as_of_date = shares.as_of_date
    where shares.hops < 100
),

rolled_up as (
    select
        shares.ancestor_id as objective_id,
        shares.as_of_date,
        sum(shares.share * kr.weight / sw.total_weight * kr.score) as score,
        sum(shares.share * kr.weight / sw.total_weight * kr.expected) as expected
    from shares
    inner join kr
        on kr.objective_id = shares.objective_id
        and kr.as_of_date = shares.as_of_date
        and kr.score is not null
    inner join scored_weight as sw
        on sw.objective_id = shares.objective_id
        and sw.as_of_date = shares.as_of_date
    group by shares.ancestor_id, shares.as_of_date
),

-- how many key results of the subtree had a row and a score that day
coverage as (
    select
        closure.ancestor_id as objective_id,
        kr.as_of_date,
        count(*) as key_results_measured,
        count(kr.score) as key_results_scored
    from closure
    inner join kr on kr.objective_id = closure.descendant_id
    group by closure.ancestor_id, kr.as_of_date
),

objective_days as (
    select o.*, d.as_of_date
    from objectives as o
    inner join loaded_days as d on d.as_of_date between o.period_start and o.period_end
),

final as (
    select
        od.objective_id,
        od.as_of_date,
        od.parent_objective_id,
        od.depth,
        od.weight,
        od.period_start,
        od.period_end,
        -- round away the float noise of the weighted sums (a mean of 1s is 1)
        {{ okr_clamp01('round(r.score, 12)') }} as score,
        {{ okr_clamp01('round(r.expected, 12)') }} as expected,
        coalesce(c.key_results_measured, 0) as key_results_measured,
        coalesce(c.key_results_scored, 0) as key_results_scored
    from objective_days as od
    left join rolled_up as r using (objective_id, as_of_date)
    left join coverage as c using (objective_id, as_of_date)
)

select
    objective_id,
    as_of_date,
    parent_objective_id,
    depth,
    weight,
    period_start,
    period_end,
    score,
    expected,
    {{ okr_status_in_period('as_of_date', 'period_start', 'score', 'expected') }} as status,
    key_results_measured,
    key_results_scored
from final
order by objective_id, as_of_date
