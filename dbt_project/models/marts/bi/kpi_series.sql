-- The published KPI values in long form for BI tools: kpi_values with the
-- window as kpi_window (no reserved word to quote), a slice label to colour
-- series by, and the KPI's publication status of the day on every row, so a
-- stale value (the last good one kept by the gate) never looks fresh.
select
    v.kpi_id,
    v.as_of_date,
    v.{{ adapter.quote('window') }} as kpi_window,
    v.dimension,
    v.dimension_value,
    {{ bi_slice_label('v.dimension', 'v.dimension_value') }} as slice_label,
    v.value,
    v.numerator,
    v.denominator,
    coalesce(s.status, 'stale') as publication_status,
    coalesce(s.status = 'published', false) as is_published,
    s.stale_since,
    case
        when s.status is null then 'no publication status for the day'
        when s.status <> 'published' then s.reason
    end as stale_reason
from {{ source('gate', 'kpi_values') }} as v
left join {{ source('gate', 'kpi_status') }} as s
    on s.kpi_id = v.kpi_id
    and s.as_of_date = v.as_of_date
order by v.kpi_id, v.as_of_date, v.{{ adapter.quote('window') }}, v.dimension, v.dimension_value
