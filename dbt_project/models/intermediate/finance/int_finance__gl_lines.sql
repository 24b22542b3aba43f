{{ config(**day_partitioned('posted_on')) }}
-- General-ledger lines with their account type (chart of accounts) and USD
-- amounts at the rate of posted_on (journals with a line without a usable
-- rate were quarantined whole). Kept by business day: a run rebuilds the days
-- its changes reach.
select
    lines.journal_id,
    lines.line_number,
    lines.posted_on,
    lines.account_code,
    accounts.account_type,
    lines.cost_center,
    lines.currency,
    lines.debit,
    lines.credit,
    {{ to_usd('lines.debit', fx_rate('lines', 'currency', 'posted_on')) }} as debit_usd,
    {{ to_usd('lines.credit', fx_rate('lines', 'currency', 'posted_on')) }} as credit_usd
from {{ ref('stg_finance__gl_journal_lines') }} as lines
left join {{ ref('stg_finance__chart_of_accounts') }} as accounts
    on accounts.account_code = lines.account_code
{{ fx_join('lines', 'currency', 'posted_on') }}
where true{{ changed_days_filter('lines.posted_on') }}
