"""dbt on DuckDB: the KPI models and the OKR models as Dagster assets."""
