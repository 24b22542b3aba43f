-- Objectives of every OKR file with their place in the alignment tree (docs/okrs.md):
-- depth (0 for a root), the path of ids from the root, and a sort key that lists
-- the tree in file order. Parents may be objectives of any OKR file.
with recursive

objectives as (
    select * from {{ source('okr', 'objectives') }}
),

tree (objective_id, depth, root_objective_id, path, sort_key) as (
    select
        objective_id,
        0,
        objective_id,
        objective_id,
        {{ okr_sort_component(1, 'sort_order') }}
    from objectives
    where parent_objective_id is null

    union all

    select
        child.objective_id,
        tree.depth + 1,
        tree.root_objective_id,
        tree.path || ' > ' || child.objective_id,
        tree.sort_key || '.' || {{ okr_sort_component(1, 'child.sort_order') }}
    from tree
    inner join objectives as child
        on child.parent_objective_id = tree.objective_id
    where tree.depth < 100  -- validation rejects cycles; this only guards the recursion
),

counts as (
    select
        objective_id,
        count(*) as key_result_count
    from {{ source('okr', 'key_results') }}
    group by objective_id
),

children as (
    select
        parent_objective_id as objective_id,
        count(*) as child_objective_count
    from objectives
    where parent_objective_id is not null
    group by parent_objective_id
)

select
    o.objective_id,
    o.title,
    o.owner,
    o.parent_objective_id,
    o.weight,
    o.period_start,
    o.period_end,
    o.source_file,
    tree.depth,
    tree.root_objective_id,
    tree.path,
    tree.sort_key,
    coalesce(counts.key_result_count, 0) as key_result_count,
    coalesce(children.child_objective_count, 0) as child_objective_count
from objectives as o
left join tree on tree.objective_id = o.objective_id
left join counts on counts.objective_id = o.objective_id
left join children on children.objective_id = o.objective_id
order by tree.sort_key
