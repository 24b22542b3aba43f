-- The chart of accounts (reference file).
select account_code, account_name, account_type, opex_category
from {{ source('raw', 'chart_of_accounts') }}
