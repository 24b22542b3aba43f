{{ config(**staging_config('web_traffic')) }}
-- Sessions per day, region and channel (latest delivery of each key).
with latest as ({{ latest_version('web_traffic') }})

select traffic_date, region, channel, sessions, _extract_date
from latest
