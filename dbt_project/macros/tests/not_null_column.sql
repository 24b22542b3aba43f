{#
  Generic test: `column` has no null. dbt's not_null on a column declared
  `quote: true` (the column `window`, a keyword) hashes the column as the
  engine quotes it, so its id would differ between DuckDB and Spark and a
  build on one engine would report a test the other's manifest does not know;
  here the column is quoted when the test runs.
#}
{% test not_null_column(model, column) %}
select * from {{ model }} where {{ adapter.quote(column) }} is null
{% endtest %}
