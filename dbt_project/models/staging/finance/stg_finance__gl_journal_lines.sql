{{ config(**staging_config('gl_journal_lines')) }}
-- General-ledger journal lines (balanced journals only: unbalanced ones were quarantined whole).
with latest as ({{ latest_version('gl_journal_lines') }})

select journal_id, line_number, posted_on, account_code, cost_center, currency, debit, credit, description, _extract_date
from latest
