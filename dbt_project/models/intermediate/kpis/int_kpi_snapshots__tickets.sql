-- ticket_backlog (snapshot, docs/kpis.md) for every calendar day D, total and by
-- priority: tickets opened by the end of D and not resolved by the end of D,
-- as a running sum of +1 on opened_on and −1 on resolved_on.
{{ kpi_open_interval_snapshot('ticket_backlog', ref('int_support__tickets'), 'opened_on', 'resolved_on',
                              dimensions=['priority']) }}
