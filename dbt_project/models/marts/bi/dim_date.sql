-- Calendar for BI joins: every day of the years that hold loaded days, with its
-- week, month, quarter and year, and period flags relative to the latest loaded
-- day (the data's "today"), so a dashboard filter such as "last 28 days" or
-- "quarter to date" needs no date arithmetic and stays right on old data.
with loaded_days as (
    select distinct as_of_date from {{ source('gate', 'kpi_status') }}
),

bounds as (
    select
        max(as_of_date) as latest,
        date_trunc('year', min(as_of_date))::date as first_day,
        (date_trunc('year', max(as_of_date)) + interval 1 year - interval 1 day)::date as last_day
    from loaded_days
),

days as (
    select unnest(generate_series(first_day, last_day, interval 1 day))::date as date_day, latest
    from bounds
    where latest is not null
)

select
    d.date_day,
    year(d.date_day) as year_number,
    quarter(d.date_day) as quarter_number,
    month(d.date_day) as month_number,
    day(d.date_day) as day_of_month,
    dayofyear(d.date_day) as day_of_year,
    date_diff('day', date_trunc('quarter', d.date_day)::date, d.date_day) + 1 as day_of_quarter,
    isodow(d.date_day) as day_of_week,
    dayname(d.date_day) as day_name,
    isodow(d.date_day) >= 6 as is_weekend,
    isoyear(d.date_day) as iso_year,
    week(d.date_day) as iso_week,
    isoyear(d.date_day) || '-W' || lpad(week(d.date_day)::string, 2, '0') as iso_week_label,
    date_trunc('week', d.date_day)::date as week_start,
    strftime(d.date_day, '%Y-%m') as year_month,
    monthname(d.date_day) as month_name,
    date_trunc('month', d.date_day)::date as month_start,
    last_day(d.date_day) as month_end,
    year(d.date_day) || '-Q' || quarter(d.date_day) as year_quarter,
    date_trunc('quarter', d.date_day)::date as quarter_start,
    (date_trunc('quarter', d.date_day) + interval 3 month - interval 1 day)::date as quarter_end,
    d.date_day = last_day(d.date_day) as is_month_end,
    d.date_day = (date_trunc('quarter', d.date_day) + interval 3 month - interval 1 day)::date as is_quarter_end,
    (d.date_day - interval 1 year)::date as same_day_last_year,
    l.as_of_date is not null as is_loaded,
    d.date_day = d.latest as is_latest_loaded,
    date_diff('day', d.date_day, d.latest) as days_before_latest,
    d.date_day between d.latest - 6 and d.latest as is_last_7_days,
    d.date_day between d.latest - 27 and d.latest as is_last_28_days,
    d.date_day between d.latest - 89 and d.latest as is_last_90_days,
    d.date_day <= d.latest and date_trunc('month', d.date_day) = date_trunc('month', d.latest) as is_month_to_date,
    d.date_day <= d.latest and date_trunc('quarter', d.date_day) = date_trunc('quarter', d.latest) as is_quarter_to_date,
    d.date_day <= d.latest and year(d.date_day) = year(d.latest) as is_year_to_date
from days as d
left join loaded_days as l on l.as_of_date = d.date_day
order by d.date_day
