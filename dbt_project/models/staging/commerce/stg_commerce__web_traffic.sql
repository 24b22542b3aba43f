-- Sessions per day, region and channel (latest delivery of each key).
with latest as ({{ latest_version('web_traffic') }})

select traffic_date, region, channel, sessions
from latest
