-- Amounts that could not be converted to USD (SPEC §3): no rate for their
-- currency on their day or the 7 days before. They count in no KPI; this
-- lists them so that nothing is lost silently. They come back by themselves
-- when the missing rates arrive (the fx_rates extract is re-delivered).
{% set converted = [
    {'source': 'orders', 'relation': ref('int_commerce__orders'), 'key': 'order_id',
     'day': 'ordered_on', 'amount': 'gross_amount - discount_amount'},
    {'source': 'gl_journal_lines', 'relation': ref('int_finance__gl_lines'),
     'key': "journal_id || '/' || line_number", 'day': 'posted_on', 'amount': 'debit - credit'},
    {'source': 'invoices', 'relation': ref('int_finance__invoices'), 'key': 'invoice_id',
     'day': 'issued_on', 'amount': 'amount'},
    {'source': 'marketing_spend', 'relation': ref('int_marketing__spend'),
     'key': "spend_date || '/' || channel || '/' || region", 'day': 'spend_date', 'amount': 'amount'},
] %}
with unconverted as (
    {% for item in converted %}
    select
        '{{ item.source }}' as source,
        cast({{ item.key }} as varchar) as record_key,
        currency,
        {{ item.day }} as rate_day,
        cast({{ item.amount }} as decimal(18, 2)) as amount
    from {{ item.relation }}
    where fx_missing
    union all
    {% endfor %}
    select
        'budget' as source,
        strftime(budget.budget_month, '%Y-%m') || '/' || budget.cost_center || '/' || budget.account_type,
        budget.currency,
        budget.budget_month,
        budget.amount
    from {{ ref('stg_finance__budget') }} as budget
    {{ fx_join('budget', 'currency', 'budget_month') }}
    where fx.usd_per_unit is null
      and budget.budget_month <= (select max(day) from {{ ref('int_calendar') }})
)

select
    source,
    record_key,
    currency,
    rate_day,
    amount,
    'no ' || currency || ' rate on ' || rate_day || ' or the 7 days before' as reason
from unconverted
