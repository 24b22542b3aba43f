-- Daily parts of the general-ledger KPIs (docs/kpis.md), lines by posted_on in USD:
--   net_revenue        = Σ(credit − debit) on revenue accounts
--   gross_margin_pct   = (revenue − cogs) / revenue, cogs = Σ(debit − credit) on
--                        cogs accounts; so the numerator is Σ(credit − debit) over
--                        revenue and cogs lines. kpi_values gives no row when the
--                        window's revenue is not positive.
--   operating_expenses = Σ(debit − credit) on opex accounts, by cost_center
with lines as (
    select
        posted_on,
        cost_center,
        account_type,
        credit_usd - debit_usd as credit_minus_debit_usd
    from {{ ref('int_finance__gl_lines') }}
    where account_type in ('revenue', 'cogs', 'opex')
)

{{ kpi_daily_parts('net_revenue', 'lines', 'posted_on', 'credit_minus_debit_usd',
                   where="account_type = 'revenue'") }}
union all
{{ kpi_daily_parts('gross_margin_pct', 'lines', 'posted_on', 'credit_minus_debit_usd',
                   "case when account_type = 'revenue' then credit_minus_debit_usd else 0 end",
                   where="account_type in ('revenue', 'cogs')") }}
union all
{{ kpi_daily_parts('operating_expenses', 'lines', 'posted_on', '-credit_minus_debit_usd',
                   dimensions=['cost_center'], where="account_type = 'opex'") }}
