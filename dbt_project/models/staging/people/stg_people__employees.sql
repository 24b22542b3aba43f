{{ config(**staging_config('employees')) }}
-- Latest accepted version of each employee record.
with latest as ({{ latest_version('employees') }})

select employee_id, department, hired_on, terminated_on, fte, updated_at, _extract_date
from latest
