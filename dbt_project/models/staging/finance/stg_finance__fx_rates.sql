{{ config(**staging_config('fx_rates')) }}
-- Published FX rates: USD per unit of currency, by rate date.
with latest as ({{ latest_version('fx_rates') }})

select rate_date, currency, usd_per_unit, _extract_date
from latest
