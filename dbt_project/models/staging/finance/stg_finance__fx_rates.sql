-- Published FX rates: USD per unit of currency, by rate date.
with latest as ({{ latest_version('fx_rates') }})

select rate_date, currency, usd_per_unit
from latest
