{# Generic test: no two rows share the same values of the given columns (no dbt_utils offline). #}
{% test okr_unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{# Generic test: every row satisfies a boolean SQL expression over its columns. #}
{% test okr_expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
