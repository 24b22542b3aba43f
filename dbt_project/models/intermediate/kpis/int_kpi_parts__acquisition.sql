-- Daily parts of customer_acquisition_cost (docs/kpis.md): marketing spend in USD
-- by spend_date (numerator) over customers created (denominator), by region.
with events as (
    select spend_date as day, region, amount_usd as spend_usd, 0 as new_customers
    from {{ ref('int_marketing__spend') }}
    union all
    select created_on as day, region, 0 as spend_usd, 1 as new_customers
    from {{ ref('stg_commerce__customers') }}
)

{{ kpi_daily_parts('customer_acquisition_cost', 'events', 'day', 'spend_usd', 'new_customers',
                   dimensions=['region']) }}
