{{ config(**staging_config('marketing_spend')) }}
-- Marketing spend per day, channel and region (latest delivery of each key).
with latest as ({{ latest_version('marketing_spend') }})

select spend_date, channel, region, currency, amount, _extract_date
from latest
