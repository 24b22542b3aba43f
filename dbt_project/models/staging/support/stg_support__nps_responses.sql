{{ config(**staging_config('nps_responses')) }}
-- NPS survey responses with their business day.
{{ latest_rows('nps_responses', business_days=['responded_at']) }}
