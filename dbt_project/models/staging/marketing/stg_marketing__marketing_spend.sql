{{ config(**staging_config('marketing_spend')) }}
-- Marketing spend per day, channel and region (latest delivery of each key).
{{ latest_rows('marketing_spend') }}
