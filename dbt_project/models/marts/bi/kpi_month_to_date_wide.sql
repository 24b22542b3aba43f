-- KPI values of the month_to_date window, one row per day and slice, one column per KPI
-- of the catalog (generated: see macros/bi/bi_marts.sql).
{{ config(post_hook="{{ bi_comment_kpi_columns('month_to_date') }}") }}
{{ bi_kpi_wide('month_to_date') }}
