{{ config(**staging_config('invoices')) }}
-- Latest accepted version of each invoice.
{{ latest_rows('invoices') }}
