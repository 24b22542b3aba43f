{{ config(**kpi_union_config(['percentile'])) }}
-- Raw samples of every percentile KPI, per day and slice, with the KPI's
-- quantile level: the union of the samples models the catalog names.
{{ union_kpi_models(['percentile'], {
    'kpi_id': 'string', 'day': 'date', 'dimension': 'string', 'dimension_value': 'string',
    'sample': 'double', 'quantile': 'double',
}, day_column='day') }}
