{{ config(**staging_config('support_tickets')) }}
-- Latest accepted version of each support ticket, with business days of its events.
{{ latest_rows('support_tickets', business_days=['opened_at', 'resolved_at']) }}
