-- The hand-written baseline of `make bench`: plain DuckDB SQL over the same
-- landing files the pipeline reads, computing the same KPI table for six KPIs
-- (gmv, orders, average_order_value, conversion_rate, net_revenue, nps) in
-- four windows (day, trailing_7d, trailing_28d, month_to_date) for the total
-- and, for the order KPIs, per region and per channel.
--
-- What it leaves out, and so what the pipeline pays for on top: the landing
-- contract (no quarantine, no file rules), data-quality checks, incremental
-- bookkeeping, the other 13 KPIs, OKRs and publication. Same reading rules
-- otherwise: latest version per key (version column, then the later extract),
-- business day in UTC, USD at the latest rate of the event day or the 7 days
-- before, ratios as sums over sums.
--
-- benchmarks/bench.py fills in {landing} and {last_day} (the last extract day
-- read) and runs it in its own process.

create or replace macro extract_day(f) as
    cast(regexp_extract(f, '(\d{{4}}-\d{{2}}-\d{{2}})\.\w+$', 1) as date);

create or replace table fx as
select rate_date, currency, usd_per_unit
from read_csv('{landing}/fx_rates/*.csv', header = true, filename = true,
              columns = {{'rate_date': 'date', 'currency': 'varchar', 'usd_per_unit': 'decimal(18,8)'}})
where extract_day(filename) <= date '{last_day}'
qualify row_number() over (partition by rate_date, currency order by extract_day(filename) desc) = 1;

create or replace table orders as
with versions as (
    select *, extract_day(filename) as extract_date
    from read_csv('{landing}/orders/*.csv', header = true, filename = true, columns = {{
        'order_id': 'varchar', 'customer_id': 'varchar', 'ordered_at': 'timestamptz',
        'channel': 'varchar', 'region': 'varchar', 'currency': 'varchar',
        'gross_amount': 'decimal(18,2)', 'discount_amount': 'decimal(18,2)',
        'shipping_amount': 'decimal(18,2)', 'status': 'varchar', 'updated_at': 'timestamptz'}})
    where extract_day(filename) <= date '{last_day}'
),
latest as (
    select *, cast(timezone('UTC', ordered_at) as date) as day
    from versions
    qualify row_number() over (partition by order_id order by updated_at desc, extract_date desc) = 1
)
select latest.day, latest.region, latest.channel, latest.status,
       (latest.gross_amount - latest.discount_amount)
         * case when latest.currency = 'USD' then 1 when fx.rate_date >= latest.day - 7 then fx.usd_per_unit end
         as net_usd
from latest
asof left join fx on fx.currency = latest.currency and latest.day >= fx.rate_date;

create or replace table sessions as
select traffic_date as day, region, channel, sessions
from read_parquet('{landing}/web_traffic/*.parquet', filename = true)
where extract_day(filename) <= date '{last_day}'
qualify row_number() over (partition by traffic_date, region, channel order by extract_day(filename) desc) = 1;

create or replace table revenue_lines as
with lines as (
    select * from read_parquet('{landing}/gl_journal_lines/*.parquet', filename = true)
    where extract_day(filename) <= date '{last_day}'
    qualify row_number() over (partition by journal_id, line_number order by extract_day(filename) desc) = 1
),
accounts as (
    select cast(account_code as varchar) as account_code, account_type
    from read_csv('{landing}/reference/chart_of_accounts.csv', header = true, all_varchar = true)
)
select lines.posted_on as day,
       (lines.credit - lines.debit)
         * case when lines.currency = 'USD' then 1 when fx.rate_date >= lines.posted_on - 7 then fx.usd_per_unit end
         as amount_usd
from lines
join accounts on accounts.account_code = cast(lines.account_code as varchar) and accounts.account_type = 'revenue'
asof left join fx on fx.currency = lines.currency and lines.posted_on >= fx.rate_date;

create or replace table nps_responses as
select cast(timezone('UTC', responded_at) as date) as day, score
from read_csv('{landing}/nps_responses/*.csv', header = true, filename = true, columns = {{
    'response_id': 'varchar', 'customer_id': 'varchar', 'responded_at': 'timestamptz', 'score': 'integer'}})
where extract_day(filename) <= date '{last_day}'
qualify row_number() over (partition by response_id order by extract_day(filename) desc) = 1;

-- Daily parts: (kpi_id, day, dimension, dimension_value, numerator, denominator).
create or replace table parts as
with placed as (select * from orders where status <> 'cancelled'),
order_parts as (
    select 'all' as dimension, 'all' as dimension_value, day, sum(net_usd) as gmv, count(*) as n from placed group by all
    union all
    select 'region', region, day, sum(net_usd), count(*) from placed group by all
    union all
    select 'channel', channel, day, sum(net_usd), count(*) from placed group by all
),
conversions as (
    select day, region, channel, 1 as converted, 0 as sessions from placed where channel in ('web', 'mobile')
    union all
    select day, region, channel, 0, sessions from sessions
)
select 'gmv' as kpi_id, day, dimension, dimension_value, gmv as numerator, null as denominator from order_parts
union all select 'orders', day, dimension, dimension_value, n, null from order_parts
union all select 'average_order_value', day, dimension, dimension_value, gmv, n from order_parts
union all select 'conversion_rate', day, 'all', 'all', sum(converted), sum(sessions) from conversions group by all
union all select 'conversion_rate', day, 'region', region, sum(converted), sum(sessions) from conversions group by all
union all select 'conversion_rate', day, 'channel', channel, sum(converted), sum(sessions) from conversions group by all
union all select 'net_revenue', day, 'all', 'all', sum(amount_usd), null from revenue_lines group by all
union all
select 'nps', day, 'all', 'all',
       sum(case when score >= 9 then 100 when score <= 6 then -100 else 0 end), count(*)
from nps_responses group by all;

-- Every day of the loaded range for every slice seen, then windows as running sums.
create or replace table baseline_kpi_values as
with days as (
    select cast(unnest(generate_series((select min(day) from parts), date '{last_day}', interval 1 day)) as date) as day
),
slices as (select distinct kpi_id, dimension, dimension_value from parts),
dense as (
    select s.kpi_id, d.day, s.dimension, s.dimension_value,
           coalesce(p.numerator, 0) as numerator, coalesce(p.denominator, 0) as denominator
    from slices as s cross join days as d
    left join parts as p using (kpi_id, day, dimension, dimension_value)
),
windows as (
    select kpi_id, day as as_of_date, dimension, dimension_value,
           numerator as n_day, denominator as d_day,
           sum(numerator) over w7 as n_7, sum(denominator) over w7 as d_7,
           sum(numerator) over w28 as n_28, sum(denominator) over w28 as d_28,
           sum(numerator) over mtd as n_mtd, sum(denominator) over mtd as d_mtd
    from dense
    window w7 as (partition by kpi_id, dimension, dimension_value order by day rows between 6 preceding and current row),
           w28 as (partition by kpi_id, dimension, dimension_value order by day rows between 27 preceding and current row),
           mtd as (partition by kpi_id, dimension, dimension_value, date_trunc('month', day) order by day
                   rows between unbounded preceding and current row)
),
long as (
    unpivot windows
    on (n_day, d_day) as "day", (n_7, d_7) as trailing_7d, (n_28, d_28) as trailing_28d, (n_mtd, d_mtd) as month_to_date
    into name "window" value numerator, denominator
)
select kpi_id, as_of_date, "window", dimension, dimension_value,
       case when kpi_id in ('gmv', 'orders', 'net_revenue') then cast(numerator as double)
            when denominator > 0 then cast(numerator as double) / cast(denominator as double) end as value
from long
where kpi_id in ('gmv', 'orders', 'net_revenue') or denominator > 0;
