-- Key results with their versioned targets: one row per key result and target
-- revision, valid from valid_from to valid_to (inclusive). The revisions of a
-- key result tile its period exactly, so "the target in force on D" is the row
-- with valid_from <= D <= valid_to (docs/okrs.md).
select
    kr.kr_id,
    t.revision,
    kr.objective_id,
    kr.title,
    kr.kpi_id,
    kr.kpi_window,
    kr.filter_dimension,
    kr.filter_value,
    kr.kr_type,
    kr.baseline,
    t.target,
    t.valid_from,
    t.valid_to,
    t.revision = max(t.revision) over (partition by kr.kr_id) as is_latest_revision,
    kr.weight,
    kr.period_start,
    kr.period_end,
    kr.sort_order,
    kr.source_file
from {{ source('okr', 'key_results') }} as kr
inner join {{ source('okr', 'kr_targets') }} as t on t.kr_id = kr.kr_id
order by kr.kr_id, t.revision
