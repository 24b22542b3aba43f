{#
  Daily parts of a KPI from an event-level relation: one row per day and
  slice (the total plus one slice per value of each dimension, via grouping
  sets), with the day's numerator and denominator. Windows are summed from
  these parts later (kpi_values), so ratios are always ratios of sums.
  Without a denominator the KPI is additive: its value is the numerator and a
  window without events is 0.
#}
{% macro kpi_daily_parts(kpi_id, relation, day, numerator, denominator=none, dimensions=[], where='true') -%}
    select
        '{{ kpi_id }}' as kpi_id,
        '{{ "additive" if denominator is none else "ratio" }}' as kind,
        {{ day }} as day,
        {{ slice_columns(dimensions) }},
        cast(sum({{ numerator }}) as double) as numerator,
        cast({{ 'null' if denominator is none else 'sum(' ~ denominator ~ ')' }} as double) as denominator
    from {{ relation }}
    where ({{ where }}) and {{ day }} is not null
    group by grouping sets (({{ day }}){% for d in dimensions %}, ({{ day }}, {{ d }}){% endfor %})
{%- endmacro %}

{# Raw samples of a percentile KPI, one row per sample and slice it belongs to. #}
{% macro kpi_samples(kpi_id, relation, day, sample, dimensions=[], where='true') -%}
    {% for slice in ['all'] + dimensions %}
    select
        '{{ kpi_id }}' as kpi_id,
        {{ day }} as day,
        '{{ slice }}' as dimension,
        {{ "'all'" if slice == 'all' else 'cast(' ~ slice ~ ' as varchar)' }} as dimension_value,
        cast({{ sample }} as double) as sample
    from {{ relation }}
    where ({{ where }}) and {{ day }} is not null and {{ sample }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{# dimension / dimension_value of a grouping-sets row: 'all'/'all' for the total. #}
{% macro slice_columns(dimensions) -%}
    {%- if dimensions -%}
        case {% for d in dimensions %}when grouping({{ d }}) = 0 then '{{ d }}' {% endfor %}else 'all' end as dimension,
        case {% for d in dimensions %}when grouping({{ d }}) = 0 then cast({{ d }} as varchar) {% endfor %}else 'all' end as dimension_value
    {%- else -%}
        'all' as dimension,
        'all' as dimension_value
    {%- endif -%}
{%- endmacro %}
