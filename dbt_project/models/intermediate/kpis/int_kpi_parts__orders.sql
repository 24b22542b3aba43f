-- Daily parts of the order KPIs: orders placed and not cancelled (docs/kpis.md).
{% set placed = "status <> 'cancelled'" %}
{{ kpi_daily_parts('gmv', ref('int_commerce__orders'), 'ordered_on', 'net_merchandise_usd',
                   dimensions=['region', 'channel'], where=placed) }}
union all
{{ kpi_daily_parts('orders', ref('int_commerce__orders'), 'ordered_on', '1',
                   dimensions=['region', 'channel'], where=placed) }}
union all
{{ kpi_daily_parts('average_order_value', ref('int_commerce__orders'), 'ordered_on', 'net_merchandise_usd', '1',
                   dimensions=['region', 'channel'], where=placed) }}
