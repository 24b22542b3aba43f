-- Daily parts of on_time_delivery_rate (docs/kpis.md), by the day of delivery:
-- shipments delivered on or before their promised_date (numerator) over
-- shipments delivered (denominator), by carrier.
{{ kpi_daily_parts('on_time_delivery_rate', ref('stg_commerce__shipments'), 'delivered_on',
                   'case when delivered_on <= promised_date then 1 else 0 end', '1',
                   dimensions=['carrier']) }}
