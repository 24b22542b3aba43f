-- headcount_fte (snapshot, docs/kpis.md) for every calendar day D, total and by
-- department: Σ fte of employees with hired_on ≤ D and terminated_on empty or
-- after D, as a running sum of +fte on hired_on and −fte on terminated_on.
{{ kpi_open_interval_snapshot('headcount_fte', ref('stg_people__employees'), 'hired_on', 'terminated_on',
                              weight='fte', dimensions=['department']) }}
