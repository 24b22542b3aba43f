-- Daily parts of csat (docs/kpis.md), by the day of resolution: tickets scored 4
-- or 5 (numerator) over tickets resolved with a score (denominator), by channel.
{{ kpi_daily_parts('csat', ref('int_support__tickets'), 'resolved_on',
                   'case when csat_score >= 4 then 1 else 0 end', '1',
                   dimensions=['channel'], where='csat_score is not null') }}
