{#
  Conversion to USD (the landing contract's FX rule): an amount converts at the
  rate of its day or the latest earlier rate up to 7 days old (day − 7
  included); USD is always 1. Without a usable rate there is no conversion:
  such rows are quarantined (int_quarantine__conversion), never guessed.

  Use as:  from x {{ fx_join('x', 'currency', 'ordered_on') }}
  then     {{ to_usd('x.amount', fx_rate('x', 'currency', 'ordered_on')) }}
#}
{% macro fx_join(alias, currency, day) -%}
    {{ return(adapter.dispatch('fx_join')(alias, currency, day)) }}
{%- endmacro %}

{% macro duckdb__fx_join(alias, currency, day) -%}
    asof left join {{ ref('stg_finance__fx_rates') }} as fx
        on fx.currency = {{ alias }}.{{ currency }} and {{ alias }}.{{ day }} >= fx.rate_date
{%- endmacro %}

{#
  Spark has no ASOF join: each rate is spread over the days it is the latest
  rate, at most the 7 days of the look-back, and joined on the day. Days
  beyond the look-back find no rate, as fx_rate() would reject it.
#}
{% macro spark__fx_join(alias, currency, day) -%}
    left join (
        select currency, rate_date, usd_per_unit, explode(sequence(rate_date, valid_to)) as fx_day
        from (
            select
                currency,
                rate_date,
                usd_per_unit,
                least(
                    date_add(rate_date, 7),
                    coalesce(date_add(lead(rate_date) over (partition by currency order by rate_date), -1),
                             date_add(rate_date, 7))
                ) as valid_to
            from {{ ref('stg_finance__fx_rates') }}
        ) as rates
    ) as fx
        on fx.currency = {{ alias }}.{{ currency }} and fx.fx_day = {{ alias }}.{{ day }}
{%- endmacro %}

{# USD per unit for the joined row (null: no usable rate). #}
{% macro fx_rate(alias, currency, day) -%}
    case
        when {{ alias }}.{{ currency }} = 'USD' then cast(1 as decimal(18, 8))
        when fx.rate_date >= {{ alias }}.{{ day }} - 7 then fx.usd_per_unit
    end
{%- endmacro %}

{#
  An amount in USD at `rate`, as an exact DECIMAL(38,10): the widening cast
  keeps large amounts from overflowing DECIMAL(18,x) products, and exact sums
  do not depend on the order of addition.
#}
{% macro to_usd(amount, rate) -%}
    cast(cast({{ amount }} as decimal(38, 2)) * {{ rate }} as decimal(38, 10))
{%- endmacro %}
