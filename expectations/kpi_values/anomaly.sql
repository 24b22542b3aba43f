-- One row per checked KPI and day with a finite day-window total, judged
-- against a robust, seasonal baseline (docs/quality-gate.md#anomalies):
--
-- expected: the median of the same weekday over the history_weeks weeks before
--   (so a weekly rhythm is not an anomaly). When a year of history exists the
--   day is also judged against that median scaled by last year's ratio of the
--   same weekday to its own baseline, and the closer of the two counts: a
--   recurring peak such as Black Friday is expected, and one noisy day last
--   year cannot make an ordinary day look anomalous.
-- scale, at least 5% of the expected value (a constant history still has one):
--   * a ratio (the row has a denominator): the robust spread of the history
--     days around their pooled ratio, each weighted by the square root of its
--     denominator relative to the average one, divided by the same weight of
--     the judged day: a day with 2 survey answers gets a wider band than a day
--     with 200 (a funnel plot's control limits), and small days in the history
--     do not widen the band of a large one;
--   * otherwise, day to day: 1.4826 x the median absolute deviation of every
--     day of those weeks from its own weekday's median (all days, not one
--     weekday, so the spread rests on ~56 points rather than 8).
-- log_scale KPIs (positive, skewed, e.g. durations) are judged on ln(value);
--   a value <= 0 is not judged. z is null (nothing judged) with fewer than 4
--   weeks of the same weekday before.
-- absurd_ratio is |value| over the largest |day total| of the 90 days before
-- (at least 7 of them), for KPIs whose catalog sets an absurd_factor: a value
-- that many times above anything seen always blocks. Medians and lists are
-- taken in date order, so the same data gives the same bits.
with checked as (
    select r.kpi_id, r.as_of_date, r.value, r.denominator,
           case when c.log_scale then case when r.value > 0 then ln(r.value) end else r.value end as x,
           c.log_scale, c.z_threshold, c.history_weeks, c.anomaly_blocking, c.absurd_factor
    from {rows} as r
    join {catalog} as c on c.kpi_id = r.kpi_id
    where r."window" = 'day' and r.dimension = 'all' and r.dimension_value = 'all' and isfinite(r.value)
),
totals as (
    select t.kpi_id, t.as_of_date, t.value, t.denominator,
           case when c.log_scale then case when t.value > 0 then ln(t.value) end else t.value end as x
    from {relation} as t
    join {catalog} as c on c.kpi_id = t.kpi_id
    where t."window" = 'day' and t.dimension = 'all' and t.dimension_value = 'all' and isfinite(t.value)
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
           list(recent.x order by l.week) filter (where l.week > 0 and recent.x is not null) as recent,
           list(last_year.x order by l.week) filter (where l.week > 0 and last_year.x is not null) as last_year,
           max(last_year.x) filter (where l.week = 0) as last_year_x
    from lags as l
    left join totals as recent on recent.kpi_id = l.kpi_id and recent.as_of_date = l.recent_day
    left join totals as last_year on last_year.kpi_id = l.kpi_id and last_year.as_of_date = l.last_year_day
    group by all
),
baseline as (
    select kpi_id, as_of_date, last_year_x,
           coalesce(len(recent), 0) as history_points,
           len(last_year) as last_year_points,
           list_aggregate(recent, 'median') as recent_median,
           list_aggregate(last_year, 'median') as last_year_median
    from history
),
history_days as (
    select c.kpi_id, c.as_of_date, t.x, t.denominator,
           median(t.x) over (partition by c.kpi_id, c.as_of_date, (c.as_of_date - t.as_of_date) % 7) as weekday_median,
           sum(t.x * t.denominator) over whole / sum(t.denominator) over whole as pooled,
           avg(t.denominator) over whole as mean_denominator
    from checked as c
    join totals as t on t.kpi_id = c.kpi_id
        and t.as_of_date between c.as_of_date - 7 * c.history_weeks and c.as_of_date - 1
        and t.x is not null
    window whole as (partition by c.kpi_id, c.as_of_date)
),
spread as (
    select kpi_id, as_of_date,
           1.4826 * median(abs(x - weekday_median)) as day_to_day,
           1.4826 * median(abs(x - pooled) * sqrt(denominator / mean_denominator))
               filter (where denominator > 0 and mean_denominator > 0) as per_unit,
           any_value(mean_denominator) as mean_denominator
    from history_days
    group by all
),
recent_max as (
    select c.kpi_id, c.as_of_date, max(abs(t.value)) as trailing_max, count(t.value) as trailing_points
    from checked as c
    join totals as t on t.kpi_id = c.kpi_id and t.as_of_date between c.as_of_date - 90 and c.as_of_date - 1
    group by all
),
scored as (
    select c.*,
           coalesce(b.history_points, 0) as history_points,
           b.recent_median,
           case when b.last_year_points >= 4 and b.last_year_x is not null
                then case when c.log_scale then greatest(ln(0.2), least(ln(5.0), b.last_year_x - b.last_year_median))
                          when b.last_year_median > 0 and b.recent_median > 0
                          then ln(greatest(0.2, least(5.0, b.last_year_x / b.last_year_median))) end
           end as season_shift,  -- last year's same weekday against its baseline, on a log scale
           greatest(
               case when c.denominator > 0 and s.mean_denominator > 0 and s.per_unit is not null
                    then s.per_unit / sqrt(c.denominator / s.mean_denominator)
                    else s.day_to_day end,
               case when c.log_scale then ln(1.05) else 0.05 * abs(b.recent_median) end,
               1e-9) as base_scale,
           t.trailing_max,
           case when t.trailing_points >= 7 and t.trailing_max > 0 and c.absurd_factor is not null
                then abs(c.value) / t.trailing_max end as absurd_ratio
    from checked as c
    left join baseline as b on b.kpi_id = c.kpi_id and b.as_of_date = c.as_of_date
    left join spread as s on s.kpi_id = c.kpi_id and s.as_of_date = c.as_of_date
    left join recent_max as t on t.kpi_id = c.kpi_id and t.as_of_date = c.as_of_date
),
hypotheses as (
    -- the recent weeks as they are, and (when a year of history exists) shifted the way last
    -- year's same weekday was; the one that explains the day better is kept
    select s.*, h.shift,
           case when s.log_scale then s.recent_median + h.shift else s.recent_median * exp(h.shift) end as expected_x,
           case when s.log_scale then s.base_scale else s.base_scale * exp(h.shift) end as scale
    from scored as s,
         lateral (select 0.0 as shift union all select s.season_shift where s.season_shift <> 0) as h
),
judged as (
    select *,
           case when history_points >= 4 and x is not null then (x - expected_x) / scale end as z,
           case when log_scale then exp(expected_x) else expected_x end as expected,
           case when shift <> 0
                then ', scaled by ' || printf('%.2f', exp(shift)) || ' for the season (the same weekday last year)'
                else '' end
           || case when log_scale then ', on a log scale' else '' end as season_note
    from hypotheses
    qualify row_number() over (partition by kpi_id, as_of_date order by abs(x - expected_x) / scale, shift) = 1
)
select kpi_id, as_of_date, value, z, expected, scale, history_points, season_note, z_threshold,
       trailing_max, absurd_ratio, absurd_factor,
       case when anomaly_blocking then abs(z) end as abs_z_blocking,
       case when not anomaly_blocking then abs(z) end as abs_z_warning
from judged
order by kpi_id, as_of_date
