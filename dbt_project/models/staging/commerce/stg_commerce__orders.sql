{{ config(**staging_config('orders')) }}
-- Latest accepted version of each order, with its business day.
{{ latest_rows('orders', business_days=['ordered_at']) }}
