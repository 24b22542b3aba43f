"""KPI checks (docs/quality-gate.md): `kpi_<kpi_id>` on `kpi/<kpi_id>`, one verdict per KPI and as_of_date.

The suite `expectations/kpi_values.json` judges a slice of `marts.kpi_values`
partitioned by (kpi_id, as_of_date):

- every catalog window has a total row (dimension = dimension_value = 'all')
  whenever it has any row, and always for additive and snapshot KPIs (a
  snapshot that is a ratio of states, i.e. whose rows carry a denominator such
  as days_sales_outstanding, is treated like a ratio: no row without a
  positive denominator, see docs/kpis.md);
- every value is finite, not null/NaN, and within the KPI's catalog
  valid_range; window, dimension, dimension_value are set, the window is a
  catalog window, and (kpi_id, as_of_date, window, dimension, dimension_value)
  is unique;
- anomaly: the day-window total's robust z-score against a seasonal baseline
  (the median of the same weekday over the `history_weeks` weeks before, or
  that median scaled like last year's same weekday, whichever explains the day
  better; a ratio's scale shrinks with the square root of its denominator, a
  funnel plot's limits; `log_scale` KPIs judged on ln(value); see
  docs/quality-gate.md#anomalies), read from the whole relation so that days
  before the checked range count, judged with at least 4 weeks of history,
  must stay within `z_threshold`: `error` for KPIs whose catalog entry says
  `anomaly.blocking`, `warning` for the others;
- absurd: a day total more than `absurd_factor` times the largest of the 90
  days before always blocks (an order of 1e15 USD, a units mix-up).

Catalog values reach the suite's views as two temp tables registered here
from the Catalog object (`{catalog}`, `{windows}`), never hard-coded in JSON.
All KPIs and days of a call are validated together: one GX run per frame
(rows, values, totals, anomaly), failures attributed to (KPI, day) from the
offending rows; 1,000 days × 19 KPIs cost a few seconds.

Verdicts are `CheckOutcome`s, like the source checks' (see outcomes.py): a
failed error blocks publication of that KPI for that day (see
`record_kpi_check_failures` and the gate); a failed warning (e.g. a
non-blocking anomaly) is only reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from pipelines.okrs.catalog import Catalog, Kpi
from pipelines.quality import gx_runner
from pipelines.quality.kpi_gate import ensure_check_failures_table
from pipelines.quality.outcomes import (
    CheckOutcome,
    ExpectationOutcome,
    PartitionValidation,
    broken_run,
    judged,
    problems_text,
    validation_details,
)
from pipelines.warehouse import transaction

SUITE = "kpi_values"
RELATION = "marts.kpi_values"
CATALOG_TABLE = "_kpi_check_catalog"
WINDOWS_TABLE = "_kpi_check_windows"
SAMPLES_IN_REASON = 2


def check_name(kpi_id: str) -> str:
    return f"kpi_{kpi_id}"


def asset_name(kpi_id: str) -> str:
    return f"kpi/{kpi_id}"


def _kpi_of(outcome: CheckOutcome) -> str:
    if not outcome.check_name.startswith("kpi_") or not outcome.asset.startswith("kpi/"):
        raise ValueError(f"{outcome.check_name} on {outcome.asset} is not a KPI check")
    return outcome.check_name.removeprefix("kpi_")


def _days(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def _bound(value: float | None, side: str) -> str:
    if value is None:
        return "-inf" if side == "min" else "+inf"
    return f"{value:g}"


def valid_range_text(kpi: Kpi) -> str:
    """The catalog's valid_range as an interval, e.g. '[0, 1]' or '[0, +inf)'."""
    low, high = kpi.valid_range.min, kpi.valid_range.max
    return (
        ("[" if low is not None else "(")
        + f"{_bound(low, 'min')}, {_bound(high, 'max')}"
        + ("]" if high is not None else ")")
    )


def register_catalog(con, catalog: Catalog) -> dict[str, str]:
    """Create the suite's inputs as temp tables from the catalog; returns {input: table}."""
    con.execute(
        f"""create or replace temp table {CATALOG_TABLE} (
            kpi_id varchar primary key, additivity varchar, valid_min double, valid_max double,
            valid_range varchar, anomaly_blocking boolean, z_threshold double, history_weeks integer,
            absurd_factor double, log_scale boolean)"""
    )
    con.executemany(
        f"insert into {CATALOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                k.id,
                k.additivity,
                k.valid_range.min,
                k.valid_range.max,
                valid_range_text(k),
                k.anomaly.blocking,
                k.anomaly.z_threshold,
                k.anomaly.history_weeks,
                k.anomaly.absurd_factor,
                k.anomaly.log_scale,
            )
            for k in catalog.kpis
        ],
    )
    con.execute(f'create or replace temp table {WINDOWS_TABLE} ("window" varchar primary key)')
    con.executemany(f"insert into {WINDOWS_TABLE} values (?)", [(w,) for w in catalog.windows])
    return {"catalog": CATALOG_TABLE, "windows": WINDOWS_TABLE}


def _drop_catalog(con) -> None:
    for table in (CATALOG_TABLE, WINDOWS_TABLE):
        con.execute(f"drop table if exists {table}")


def check_kpi_values(
    con,
    catalog: Catalog,
    first_day: date,
    last_day: date,
    relation: str = RELATION,
    first_day_by_kpi: Mapping[str, date] | None = None,
) -> list[CheckOutcome]:
    """One CheckOutcome per catalog KPI and day in [first_day, last_day] (KPI order, then day).

    With `first_day_by_kpi`, only its KPIs are judged, each from its own first
    day (never before `first_day`). `relation` is the KPI mart (a table or a
    parenthesised subquery); the anomaly check reads its days before the
    first judged day as history. One batched GX run for all KPIs and days. A
    suite or runner failure makes every outcome a failed, blocking "BROKEN
    CHECK", never a pass.
    """
    firsts = (
        {k.id: first_day for k in catalog.kpis}
        if first_day_by_kpi is None
        else {k.id: max(first_day, first_day_by_kpi[k.id]) for k in catalog.kpis if k.id in first_day_by_kpi}
    )
    partitions = [
        (kpi.id, day) for kpi in catalog.kpis if kpi.id in firsts for day in _days(firsts[kpi.id], last_day)
    ]
    if not partitions:
        return []
    try:
        suite = gx_runner.load_suite(SUITE)
        inputs = register_catalog(con, catalog)
        try:
            results = gx_runner.validate_partitions(con, suite, relation, partitions, inputs=inputs)
        finally:
            _drop_catalog(con)
    except Exception as exc:  # a broken suite or runner must not pass as good data, nor crash the run
        return [_broken_run(kpi_id, day, exc) for kpi_id, day in partitions]
    return [_verdict(kpi_id, day, results[(kpi_id, day)], suite) for kpi_id, day in partitions]


# --------------------------------------------------------------------------- verdicts


def _format_sample(template: str, sample: dict) -> str | None:
    try:  # a None under a numeric format spec raises: the caller falls back to GX's wording
        return template.format_map(sample)
    except (KeyError, ValueError, TypeError, IndexError):
        return None


def _problem_text(problem: ExpectationOutcome, suite: gx_runner.Suite) -> str:
    """What failed, worded by the expectation's meta.message when it has one."""
    if problem.broken:
        return problem.describe(suite.partition_columns)
    template = (suite.expectations[problem.index].get("meta") or {}).get("message")
    samples = [s for s in problem.sample[:SAMPLES_IN_REASON] if isinstance(s, dict)]
    texts = [_format_sample(template, s) for s in samples] if template else []
    if not texts or None in texts:
        return problem.describe(suite.partition_columns)
    text = "; ".join(dict.fromkeys(texts))
    more = (problem.unexpected_count or 0) - len(samples)
    return text + (f" (+{more} more)" if more > 0 else "")


def _verdict(kpi_id: str, day: date, validation: PartitionValidation, suite: gx_runner.Suite) -> CheckOutcome:
    head = f"{kpi_id} {day.isoformat()}"
    problems = problems_text(validation, lambda o: _problem_text(o, suite))
    reason = f"{head}: " + (problems or f"{validation.rows} rows passed {validation.evaluated} expectations")
    details = {"kpi_id": kpi_id, **validation_details(suite, validation)}
    return judged(check_name(kpi_id), asset_name(kpi_id), day, validation, reason, details)


def _broken_run(kpi_id: str, day: date, exc: Exception) -> CheckOutcome:
    details = {"kpi_id": kpi_id, "suite": SUITE}
    head = f"{kpi_id} {day.isoformat()}: "
    return broken_run(check_name(kpi_id), asset_name(kpi_id), day, exc, details, head)


# --------------------------------------------------------------------------- gate input


def record_kpi_check_failures(
    con,
    outcomes: Iterable[CheckOutcome],
    first_day: date,
    last_day: date,
    first_day_by_kpi: Mapping[str, date] | None = None,
) -> int:
    """Replace the rows of `gate.kpi_check_failures` for as_of_dates in [first_day, last_day].

    With `first_day_by_kpi`, only the days judged (see check_kpi_values) are
    replaced: each of its KPIs from its own first day. The new rows are the
    blocking outcomes (failed, severity error) among `outcomes`, one per KPI
    and day, with the outcome's reason. Rows of other days are kept. Runs in
    one transaction (its own, or the caller's when one is open). Returns the
    number of failure rows written.
    """
    outcomes = list(outcomes)
    rows: dict[tuple[str, date], str] = {}
    for o in outcomes:
        kpi_id = _kpi_of(o)
        if o.partition is None or not first_day <= o.partition <= last_day:
            raise ValueError(
                f"{o.check_name} {o.partition} is outside the recorded range {first_day}..{last_day}"
            )
        if o.blocking:
            rows[(kpi_id, o.partition)] = o.reason
    ensure_check_failures_table(con)
    with transaction(con):
        if first_day_by_kpi is None:
            con.execute(
                "delete from gate.kpi_check_failures where as_of_date between ? and ?", [first_day, last_day]
            )
        else:
            con.executemany(
                "delete from gate.kpi_check_failures where kpi_id = ? and as_of_date between ? and ?",
                [(k, max(first_day, d), last_day) for k, d in sorted(first_day_by_kpi.items())],
            )
        if rows:
            con.executemany(
                "insert into gate.kpi_check_failures values (?, ?, ?)",
                [(kpi_id, day, reason) for (kpi_id, day), reason in sorted(rows.items())],
            )
    return len(rows)


def recompute_range(con) -> tuple[date, date] | None:
    """The as_of_dates the current run recomputed: (first, last), or None when there are none.

    From `intermediate.int_kpi_recompute_range` (recompute_from, last_day)
    when dbt built it; otherwise every day of `marts.kpi_values`. The first
    day is never before the calendar's first day (`intermediate.int_calendar`):
    recompute_from is the earliest event day a run's extracts touched, which
    can lie before the first partition, where no KPI values exist.
    """

    def exists(schema: str, table: str) -> bool:
        return bool(
            con.execute(
                """select count(*) from information_schema.tables
                   where table_catalog = current_database() and table_schema = ? and table_name = ?""",
                [schema, table],
            ).fetchone()[0]
        )

    if exists("intermediate", "int_kpi_recompute_range"):
        row = con.execute(
            "select recompute_from, last_day from intermediate.int_kpi_recompute_range"
        ).fetchone()
    elif exists("marts", "kpi_values"):
        row = con.execute("select min(as_of_date), max(as_of_date) from marts.kpi_values").fetchone()
    else:
        row = None
    if not row or row[0] is None or row[1] is None:
        return None
    first, last = row
    if exists("intermediate", "int_calendar"):
        start = con.execute("select min(day) from intermediate.int_calendar").fetchone()[0]
        first = max(first, start) if start else first
    return (first, last) if first <= last else None


__all__ = [
    "asset_name",
    "check_kpi_values",
    "check_name",
    "recompute_range",
    "record_kpi_check_failures",
    "register_catalog",
]
