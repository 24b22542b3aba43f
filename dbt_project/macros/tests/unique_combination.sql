{# Generic test: the combination of columns is unique (no dbt_utils offline). #}
{% test unique_combination(model, columns) %}
select {% for c in columns %}{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}, count(*) as n
from {{ model }}
group by all
having count(*) > 1
{% endtest %}
