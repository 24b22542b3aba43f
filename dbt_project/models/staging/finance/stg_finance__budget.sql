-- Monthly budget plan per cost center and account type (reference file).
select
    cast(budget_month || '-01' as date) as budget_month,
    cost_center,
    account_type,
    currency,
    amount
from {{ source('raw', 'budget') }}
