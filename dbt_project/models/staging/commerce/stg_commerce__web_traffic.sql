{{ config(**staging_config('web_traffic')) }}
-- Sessions per day, region and channel (latest delivery of each key).
{{ latest_rows('web_traffic') }}
