{{ config(**staging_config('invoices')) }}
-- Latest accepted version of each invoice.
with latest as ({{ latest_version('invoices') }})

select invoice_id, customer_id, issued_on, due_on, currency, amount, paid_on, updated_at, _extract_date
from latest
