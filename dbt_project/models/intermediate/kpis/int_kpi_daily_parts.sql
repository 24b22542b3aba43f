{{ config(**kpi_union_config(['additive', 'ratio'])) }}
-- Daily numerator/denominator parts of every additive and ratio KPI, per slice:
-- the union of the parts models the catalog names (okrs/kpis.yml).
{{ union_kpi_models(['additive', 'ratio'], {
    'kpi_id': 'string', 'kind': 'string', 'day': 'date', 'dimension': 'string',
    'dimension_value': 'string', 'numerator': 'decimal(38, 10)', 'denominator': 'decimal(38, 10)',
}, day_column='day') }}
