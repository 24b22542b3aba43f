-- The KPI catalog in BI shape: one row per KPI with its display name, unit,
-- direction and the number formats BI tools take (d3 for Superset, Evidence
-- and Vega; Excel-style for Metabase and spreadsheets), so values can be
-- joined and formatted without hand work.
with catalog as (
    select * from {{ ref('kpi_catalog') }}
),

units (unit, unit_label, display_format, excel_format, value_suffix) as (
    values
        ('usd', 'US dollars', '$,.0f', '$#,##0', ''),
        ('percent', 'percent (stored as a fraction: 0.92 is 92%)', '.1%', '0.0%', ''),
        ('hours', 'hours', ',.1f', '#,##0.0', ' h'),
        ('days', 'days', ',.1f', '#,##0.0', ' days'),
        ('count', 'count', ',.0f', '#,##0', ''),
        ('score', 'score', ',.1f', '#,##0.0', ''),
        ('fte', 'full-time equivalents', ',.1f', '#,##0.0', ' FTE')
)

select
    c.kpi_id,
    c.name as kpi_name,
    c.description,
    c.family,
    c.owner,
    c.unit,
    u.unit_label,
    u.display_format,
    u.excel_format,
    u.value_suffix,
    c.direction,
    c.direction = 'higher_is_better' as higher_is_better,
    c.additivity,
    c.additivity = 'snapshot' as is_snapshot,
    c.dimensions,
    c.valid_min,
    c.valid_max,
    c.dbt_model
from catalog as c
left join units as u on u.unit = c.unit
order by c.kpi_id
