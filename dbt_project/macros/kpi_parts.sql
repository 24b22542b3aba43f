{#
  Daily parts of a KPI from an event-level relation: one row per day and
  slice (the total plus one slice per value of each dimension, via grouping
  sets), with the day's numerator and denominator. Windows are summed from
  these parts later (kpi_values), so ratios are always ratios of sums.
  Without a denominator the KPI is additive: its value is the numerator and a
  window without events is 0.

  Numerators and denominators are exact DECIMAL(38,10) sums (each event is
  rounded once to 10 decimals): window sums are then independent of the
  order of addition, so a day-by-day run and a range run give the same bytes.
#}
{% macro kpi_daily_parts(kpi_id, relation, day, numerator, denominator=none, dimensions=[], where='true') -%}
    select
        '{{ kpi_id }}' as kpi_id,
        '{{ "additive" if denominator is none else "ratio" }}' as kind,
        {{ day }} as day,
        {{ slice_columns(dimensions) }},
        sum(cast({{ numerator }} as decimal(38, 10))) as numerator,
        {% if denominator is none %}cast(null as decimal(38, 10)){% else %}sum(cast({{ denominator }} as decimal(38, 10))){% endif %} as denominator
    from {{ relation }}
    where ({{ where }}) and {{ day }} is not null
    group by grouping sets (({{ day }}){% for d in dimensions %}, ({{ day }}, {{ d }}){% endfor %})
{%- endmacro %}

{#
  Raw samples of a percentile KPI, one row per sample and slice it belongs to.
  `quantile` is the continuous quantile the window takes of its samples; it
  must be one of kpi_quantile_levels().
#}
{% macro kpi_samples(kpi_id, relation, day, sample, dimensions=[], where='true', quantile=0.5) -%}
    {%- if quantile not in kpi_quantile_levels() -%}
        {{ exceptions.raise_compiler_error("kpi_samples(" ~ kpi_id ~ "): quantile " ~ quantile ~ " is not in kpi_quantile_levels() " ~ kpi_quantile_levels()) }}
    {%- endif -%}
    {% for slice in ['all'] + dimensions %}
    select
        '{{ kpi_id }}' as kpi_id,
        {{ day }} as day,
        '{{ slice }}' as dimension,
        {{ "'all'" if slice == 'all' else 'cast(' ~ slice ~ ' as string)' }} as dimension_value,
        cast({{ sample }} as double) as sample,
        cast({{ quantile }} as double) as quantile
    from {{ relation }}
    where ({{ where }}) and {{ day }} is not null and {{ sample }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{# dimension / dimension_value of a grouping-sets row: 'all'/'all' for the total. #}
{% macro slice_columns(dimensions) -%}
    {%- if dimensions -%}
        case {% for d in dimensions %}when grouping({{ d }}) = 0 then '{{ d }}' {% endfor %}else 'all' end as dimension,
        case {% for d in dimensions %}when grouping({{ d }}) = 0 then cast({{ d }} as string) {% endfor %}else 'all' end as dimension_value
    {%- else -%}
        'all' as dimension,
        'all' as dimension_value
    {%- endif -%}
{%- endmacro %}
