-- KPI values of the trailing_7d window, one row per day and slice, one column per KPI
-- of the catalog (generated: see macros/bi/bi_marts.sql).
{{ config(post_hook="{{ bi_comment_kpi_columns('trailing_7d') }}") }}
{{ bi_kpi_wide('trailing_7d') }}
