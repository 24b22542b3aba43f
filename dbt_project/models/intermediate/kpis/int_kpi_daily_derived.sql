-- Every derived KPI per window ending on each day and slice: the union of the
-- derived models the catalog names.
{{ union_kpi_models(['derived'], {
    'kpi_id': 'string', 'as_of_date': 'date', adapter.quote('window'): 'string', 'dimension': 'string',
    'dimension_value': 'string', 'value': 'double', 'numerator': 'double', 'denominator': 'double',
}) }}
