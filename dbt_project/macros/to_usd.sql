{#
  Join daily FX rates for converting amounts of `relation` to USD at `day`.
  Use as:  from x {{ fx_join('x', 'currency', 'ordered_on') }}  then  x.amount * fx.usd_per_unit
#}
{% macro fx_join(alias, currency, day) -%}
    left join {{ ref('int_finance__fx_daily') }} as fx
        on fx.currency = {{ alias }}.{{ currency }} and fx.day = {{ alias }}.{{ day }}
{%- endmacro %}
