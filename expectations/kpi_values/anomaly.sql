-- One row per checked KPI and day with a finite day-window total, judged
-- against a robust, seasonal baseline: the median of the same weekday over the
-- history_weeks weeks before (so a weekly rhythm is not an anomaly), scaled by
-- last year's ratio of the same weekday to its own baseline when a year of
-- history exists (so a yearly peak such as Black Friday is expected), with a
-- robust scale of 1.4826 x the median absolute deviation (at least 5% of the
-- median). z is null (nothing judged) with fewer than 4 weeks of history.
-- absurd_ratio is |value| over the largest |day total| of the 90 days before
-- (at least 7 of them), for KPIs whose catalog sets an absurd_factor: a value
-- that many times above anything seen always blocks. Medians and lists are
-- taken in date order, so the same data gives the same bits.
with checked as (
    select r.kpi_id, r.as_of_date, r.value, c.z_threshold, c.history_weeks, c.anomaly_blocking, c.absurd_factor
    from {rows} as r
    join {catalog} as c on c.kpi_id = r.kpi_id
    where r."window" = 'day' and r.dimension = 'all' and r.dimension_value = 'all' and isfinite(r.value)
),
totals as (
    select kpi_id, as_of_date, value
    from {relation}
    where "window" = 'day' and dimension = 'all' and dimension_value = 'all' and isfinite(value)
),
lags as (
    select kpi_id, as_of_date, week,
           cast(as_of_date - cast(7 * week as integer) as date) as recent_day,
           cast(as_of_date - cast(364 + 7 * week as integer) as date) as last_year_day
    from (select distinct kpi_id, as_of_date, history_weeks from checked) as k,
         (select unnest(range(0, 53)) as week) as w
    where w.week <= k.history_weeks
),
history as (
    select l.kpi_id, l.as_of_date,
           list(recent.value order by l.week) filter (where l.week > 0 and recent.value is not null) as recent,
           list(last_year.value order by l.week) filter (where l.week > 0 and last_year.value is not null) as last_year,
           max(last_year.value) filter (where l.week = 0) as last_year_value
    from lags as l
    left join totals as recent on recent.kpi_id = l.kpi_id and recent.as_of_date = l.recent_day
    left join totals as last_year on last_year.kpi_id = l.kpi_id and last_year.as_of_date = l.last_year_day
    group by all
),
baseline as (
    select *,
           coalesce(len(recent), 0) as history_points,
           list_aggregate(recent, 'median') as recent_median,
           list_aggregate(last_year, 'median') as last_year_median
    from history
),
seasonal as (
    select *,
           list_aggregate(list_transform(recent, lambda x: abs(x - recent_median)), 'median') as recent_mad,
           case when len(last_year) >= 4 and last_year_value is not null and last_year_median > 0 and recent_median > 0
                then greatest(0.2, least(5.0, last_year_value / last_year_median))
                else 1.0 end as season
    from baseline
),
recent_max as (
    select c.kpi_id, c.as_of_date, max(abs(t.value)) as trailing_max, count(t.value) as trailing_points
    from checked as c
    join totals as t on t.kpi_id = c.kpi_id and t.as_of_date between c.as_of_date - 90 and c.as_of_date - 1
    group by all
),
scored as (
    select c.kpi_id, c.as_of_date, c.value, c.z_threshold, c.anomaly_blocking, c.absurd_factor,
           coalesce(s.history_points, 0) as history_points,
           s.recent_median * s.season as expected,
           s.season,
           s.season * greatest(1.4826 * s.recent_mad, 0.05 * abs(s.recent_median), 1e-9) as scale,
           t.trailing_max,
           case when t.trailing_points >= 7 and t.trailing_max > 0 and c.absurd_factor is not null
                then abs(c.value) / t.trailing_max end as absurd_ratio
    from checked as c
    left join seasonal as s on s.kpi_id = c.kpi_id and s.as_of_date = c.as_of_date
    left join recent_max as t on t.kpi_id = c.kpi_id and t.as_of_date = c.as_of_date
),
judged as (
    select *,
           case when history_points >= 4 then (value - expected) / scale end as z,
           case when season <> 1.0
                then ', scaled by ' || printf('%.2f', season) || ' for the season (the same weekday last year)'
                else '' end as season_note
    from scored
)
select kpi_id, as_of_date, value, z, expected, scale, history_points, season_note, z_threshold,
       trailing_max, absurd_ratio, absurd_factor,
       case when anomaly_blocking then abs(z) end as abs_z_blocking,
       case when not anomaly_blocking then abs(z) end as abs_z_warning
from judged
order by kpi_id, as_of_date
