{{ config(**kpi_union_config(['snapshot', 'snapshot_ratio'])) }}
-- Every snapshot KPI's state at the end of each calendar day, per slice: the
-- union of the snapshot models the catalog names.
{{ union_kpi_models(['snapshot', 'snapshot_ratio'], {
    'kpi_id': 'string', 'day': 'date', 'dimension': 'string', 'dimension_value': 'string',
    'value': 'double', 'numerator': 'double', 'denominator': 'double',
}, day_column='day') }}
