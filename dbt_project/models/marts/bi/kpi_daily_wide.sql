-- KPI values of the day window, one row per day and slice, one column per KPI
-- of the catalog (generated: see macros/bi/bi_marts.sql).
{{ config(post_hook="{{ bi_comment_kpi_columns('day') }}") }}
{{ bi_kpi_wide('day') }}
