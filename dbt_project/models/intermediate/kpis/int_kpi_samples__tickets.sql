-- Raw samples of the support percentile KPIs (docs/kpis.md), by channel and priority:
--   first_response_hours_median: hours to first response of tickets opened on
--     the day (tickets not yet answered have no sample), median of the window;
--   resolution_hours_p90: hours to resolution of tickets resolved on the day,
--     continuous 90th percentile of the window.
{{ kpi_samples('first_response_hours_median', ref('int_support__tickets'), 'opened_on',
               'first_response_hours', dimensions=['channel', 'priority'], quantile=0.5) }}
union all
{{ kpi_samples('resolution_hours_p90', ref('int_support__tickets'), 'resolved_on',
               'resolution_hours', dimensions=['channel', 'priority'], quantile=0.9) }}
