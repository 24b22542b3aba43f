-- Invoices at their latest version with the amount in USD at the rate of
-- issued_on. Invoices without a usable FX rate have fx_missing = true and
-- count nowhere.
select
    invoices.invoice_id,
    invoices.customer_id,
    invoices.issued_on,
    invoices.due_on,
    invoices.paid_on,
    invoices.currency,
    invoices.amount,
    fx.usd_per_unit is null as fx_missing,
    {{ to_usd('invoices.amount') }} as amount_usd
from {{ ref('stg_finance__invoices') }} as invoices
{{ fx_join('invoices', 'currency', 'issued_on') }}
