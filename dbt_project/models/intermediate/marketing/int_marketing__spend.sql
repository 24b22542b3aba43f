-- Marketing spend per day, channel and region in USD at the rate of
-- spend_date.
select
    spend.* except (_extract_date),
    {{ to_usd('spend.amount', fx_rate('spend', 'currency', 'spend_date')) }} as amount_usd
from {{ ref('stg_marketing__marketing_spend') }} as spend
{{ fx_join('spend', 'currency', 'spend_date') }}
