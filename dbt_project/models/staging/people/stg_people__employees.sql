{{ config(**staging_config('employees')) }}
-- Latest accepted version of each employee record.
{{ latest_rows('employees') }}
