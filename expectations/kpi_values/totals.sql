-- One row per checked KPI, day and catalog window: rows in the window, total
-- rows (dimension = dimension_value = 'all') and the total rows required: 1
-- when the window has any row, and always for additive and snapshot KPIs,
-- except a snapshot that is a ratio of states (its rows carry a
-- denominator), which like every ratio has no row without a positive
-- denominator (see docs/kpis.md).
with ratio_like as (
    select kpi_id, bool_or(denominator is not null) as carries_denominator
    from {relation}
    group by kpi_id
),
expected as (
    select p.kpi_id, p.as_of_date, w."window", c.additivity,
           coalesce(d.carries_denominator, false) as carries_denominator
    from {partitions} as p
    cross join {windows} as w
    left join {catalog} as c on c.kpi_id = p.kpi_id
    left join ratio_like as d on d.kpi_id = p.kpi_id
),
found as (
    select kpi_id, as_of_date, "window", count(*) as rows_in_window,
           count(*) filter (where dimension = 'all' and dimension_value = 'all') as total_rows
    from {rows}
    group by all
)
select e.kpi_id, e.as_of_date, e."window", e.additivity,
       coalesce(f.rows_in_window, 0) as rows_in_window,
       coalesce(f.total_rows, 0) as total_rows,
       case when coalesce(f.rows_in_window, 0) > 0 then 1
            when e.additivity in ('additive', 'snapshot') and not e.carries_denominator then 1
            else 0 end as required_total_rows,
       case when coalesce(f.rows_in_window, 0) > 0
                then 'the window has ' || f.rows_in_window || case when f.rows_in_window = 1 then ' row' else ' rows' end
            when e.additivity in ('additive', 'snapshot') and not e.carries_denominator
                then e.additivity || ' KPIs have a total every day'
       end as required_because
from expected as e
left join found as f on f.kpi_id = e.kpi_id and f.as_of_date = e.as_of_date and f."window" = e."window"
order by e.kpi_id, e.as_of_date, e."window"
