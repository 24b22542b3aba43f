-- Monthly budget plan lines per cost center, account type and currency (reference
-- file), without the lines quarantined for want of an FX rate or as implausible.
select
    cast(budget_month || '-01' as date) as budget_month,
    cost_center,
    account_type,
    currency,
    amount
from ({{ convertible_rows('budget') }}) as budget
