-- Marketing spend per day, channel and region in USD at the rate of
-- spend_date. Rows without a usable FX rate have fx_missing = true and count
-- nowhere.
select
    spend.spend_date,
    spend.channel,
    spend.region,
    spend.currency,
    spend.amount,
    fx.usd_per_unit is null as fx_missing,
    {{ to_usd('spend.amount') }} as amount_usd
from {{ ref('stg_marketing__marketing_spend') }} as spend
{{ fx_join('spend', 'currency', 'spend_date') }}
