{{ config(meta={'dagster': {'ref': {'name': 'kpi_values'}}}) }}  {# a check of kpi_values in Dagster #}
-- Identity: gmv = orders × average_order_value on every day, window and slice
-- where average_order_value exists, and average_order_value exists exactly
-- where orders > 0.
with gmv as (
    select as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value
    from {{ ref('kpi_values') }} where kpi_id = 'gmv'
),

orders as (
    select as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value
    from {{ ref('kpi_values') }} where kpi_id = 'orders'
),

aov as (
    select as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value, value
    from {{ ref('kpi_values') }} where kpi_id = 'average_order_value'
)

select
    gmv.as_of_date, gmv.{{ adapter.quote('window') }}, gmv.dimension, gmv.dimension_value,
    gmv.value as gmv, orders.value as orders, aov.value as average_order_value
from gmv
full outer join orders using (as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value)
full outer join aov using (as_of_date, {{ adapter.quote('window') }}, dimension, dimension_value)
where gmv.value is null
   or orders.value is null
   or (orders.value > 0) <> (aov.value is not null)
   or abs(gmv.value - orders.value * coalesce(aov.value, 0)) > 1e-6 * greatest(1, abs(gmv.value))
