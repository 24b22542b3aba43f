{#
  Join daily FX rates for converting amounts of `relation` to USD at `day`.
  Use as:  from x {{ fx_join('x', 'currency', 'ordered_on') }}  then  {{ to_usd('x.amount') }}
  A row without a usable rate has fx.usd_per_unit null (flag it fx_missing).
#}
{% macro fx_join(alias, currency, day) -%}
    left join {{ ref('int_finance__fx_daily') }} as fx
        on fx.currency = {{ alias }}.{{ currency }} and fx.day = {{ alias }}.{{ day }}
{%- endmacro %}

{#
  An amount in USD at the joined rate, as an exact DECIMAL(38,10): the
  widening cast keeps large amounts from overflowing DECIMAL(18,x) products,
  and exact sums do not depend on the order of addition.
#}
{% macro to_usd(amount, fx_alias='fx') -%}
    cast(cast({{ amount }} as decimal(38, 2)) * {{ fx_alias }}.usd_per_unit as decimal(38, 10))
{%- endmacro %}
