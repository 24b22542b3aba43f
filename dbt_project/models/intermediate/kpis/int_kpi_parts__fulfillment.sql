-- Daily parts of avg_fulfillment_hours (docs/kpis.md), by the day of shipping:
-- Σ hours from the order's ordered_at to shipped_at (numerator) over the
-- number of shipments (denominator); the window's mean is the ratio of sums.
-- Shipments whose order is unknown or not counted are left out.
{{ kpi_daily_parts('avg_fulfillment_hours', ref('int_commerce__shipments'), 'shipped_on',
                   'fulfillment_hours', '1', where='order_found') }}
