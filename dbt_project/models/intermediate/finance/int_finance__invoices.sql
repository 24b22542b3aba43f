-- Invoices at their latest accepted version with the amount in USD at the
-- rate of issued_on.
select
    invoices.* except (updated_at, _extract_date),
    {{ to_usd('invoices.amount', fx_rate('invoices', 'currency', 'issued_on')) }} as amount_usd
from {{ ref('stg_finance__invoices') }} as invoices
{{ fx_join('invoices', 'currency', 'issued_on') }}
