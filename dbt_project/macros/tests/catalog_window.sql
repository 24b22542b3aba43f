{# Generic test: the column holds one of the KPI catalog's windows (okrs/kpis.yml). #}
{% test catalog_window(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} not in ({% for name in kpi_window_names() %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %})
{% endtest %}
