{{ config(**staging_config('shipments')) }}
-- Latest accepted version of each shipment, with business days of its events.
{{ latest_rows('shipments', business_days=['shipped_at', 'delivered_at']) }}
