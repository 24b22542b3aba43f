{{ config(**staging_config('customers')) }}
-- Latest accepted version of each customer, with the business day it was created.
{{ latest_rows('customers', business_days=['created_at']) }}
