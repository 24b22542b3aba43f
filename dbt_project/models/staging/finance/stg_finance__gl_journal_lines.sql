{{ config(**staging_config('gl_journal_lines')) }}
-- General-ledger journal lines (balanced journals only: unbalanced ones were quarantined whole).
{{ latest_rows('gl_journal_lines') }}
