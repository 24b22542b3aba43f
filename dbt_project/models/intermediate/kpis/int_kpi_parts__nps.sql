-- Daily parts of nps (docs/kpis.md), by the day of response: 100 × (promoters
-- 9–10 − detractors 0–6) as the numerator, responses as the denominator.
{{ kpi_daily_parts('nps', ref('stg_support__nps_responses'), 'responded_on',
                   'case when score >= 9 then 100 when score <= 6 then -100 else 0 end', '1') }}
