-- Daily parts of conversion_rate (docs/kpis.md): web and mobile orders placed and
-- not cancelled (numerator) over web and mobile sessions (denominator), by
-- region and by channel; a channel slice is that channel's orders over its
-- sessions.
with events as (
    select ordered_on as day, region, channel, 1 as converted, 0 as sessions
    from {{ ref('int_commerce__orders') }}
    where status <> 'cancelled' and channel in ('web', 'mobile')
    union all
    select traffic_date as day, region, channel, 0 as converted, sessions
    from {{ ref('stg_commerce__web_traffic') }}
)

{{ kpi_daily_parts('conversion_rate', 'events', 'day', 'converted', 'sessions',
                   dimensions=['region', 'channel']) }}
