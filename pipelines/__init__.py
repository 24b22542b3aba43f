"""Lodestar: a KPI and OKR warehouse (Dagster + dbt on DuckDB + Great Expectations)."""
