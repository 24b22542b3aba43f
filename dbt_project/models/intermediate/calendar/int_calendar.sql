{{ config(materialized='table') }}
-- Every business day from the first partition to the last loaded day, with
-- the start of its month and quarter.
select
    cast(day as date) as day,
    cast(date_trunc('month', day) as date) as month_start,
    cast(date_trunc('quarter', day) as date) as quarter_start
from {{ date_spine(
    "date '" ~ env_var("LODESTAR_START_DATE", "2024-01-01") ~ "'",
    "coalesce(" ~ last_loaded_day() ~ ", date '" ~ env_var("LODESTAR_START_DATE", "2024-01-01") ~ "')"
) }} as days
