{{ config(materialized='table') }}
-- The as_of_dates this run (re)computes for some KPI: from the earliest
-- recompute_from of int_kpi_recompute_plan to the last loaded day.
select
    (select min(recompute_from) from {{ ref('int_kpi_recompute_plan') }}) as recompute_from,
    {{ last_loaded_day() }} as last_day
