-- Every derived KPI per window ending on each day and slice: the union of the
-- derived models the catalog names.
{{ union_kpi_models(['derived'], {
    'kpi_id': 'varchar', 'as_of_date': 'date', '"window"': 'varchar', 'dimension': 'varchar',
    'dimension_value': 'varchar', 'value': 'double', 'numerator': 'double', 'denominator': 'double',
}) }}
