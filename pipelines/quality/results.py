"""The record of check runs (`audit.dq_results`).

`audit.dq_results` holds the LATEST outcome per (check_name, asset, partition_date):
recording a check for a day replaces that check's earlier row for the day
(reference tables have partition_date NULL and are replaced the same way).
Everything in a row except `run_id` and `checked_at` is a function of the data
and the suites (details_json is serialised with sorted keys). When the new
outcome equals the recorded one in every other column, the recorded row is
kept as it is, `run_id` and `checked_at` included: re-checking unchanged data
leaves the table, and so the published bytes, unchanged. `checked_at` is
therefore when the outcome last changed, not when it was last confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd

from pipelines.quality.outcomes import CheckOutcome, warned
from pipelines.warehouse import transaction

DQ_COLUMNS = {
    "check_name": ("varchar not null", "Check name, e.g. contract_orders (source contract) or a KPI check."),
    "asset": ("varchar not null", "Checked asset, e.g. raw/orders."),
    "partition_date": ("date", "Checked day (extract day for sources); NULL for unpartitioned tables."),
    "passed": (
        "boolean not null",
        "Whether every expectation held (and the partition was not blocked by a file rule).",
    ),
    "severity": (
        "varchar not null",
        "error: a failure blocks publication of dependent KPIs; warning: only "
        "warning-level expectations (e.g. referential integrity) failed, reported but not blocking.",
    ),
    "rows_checked": ("bigint", "Rows the check judged (accepted rows of the partition)."),
    "unexpected_count": (
        "bigint",
        "Rows (or groups) that broke an expectation, errors and warnings together.",
    ),
    "reason": ("varchar", "One line: what failed, with an example, or why the partition is blocked."),
    "details_json": (
        "varchar",
        "JSON: ingest counts, source file, every failed expectation with counts and samples.",
    ),
    "run_id": ("varchar", "Run that recorded this outcome (e.g. the Dagster run id); not part of the data."),
    "checked_at": ("timestamptz", "When this outcome was recorded; not part of the data."),
}


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_results_table(con) -> None:
    """Create `audit.dq_results` (with table and column comments) if it does not exist."""
    con.execute("create schema if not exists audit")
    columns = ", ".join(f"{name} {kind}" for name, (kind, _) in DQ_COLUMNS.items())
    con.execute(f"create table if not exists audit.dq_results ({columns})")
    con.execute(
        "comment on table audit.dq_results is "
        + _sql_text("Latest outcome of every quality check per check and partition day.")
    )
    for name, (_, comment) in DQ_COLUMNS.items():
        con.execute(f"comment on column audit.dq_results.{name} is {_sql_text(comment)}")


def _frame(outcomes: list[CheckOutcome], run_id: str | None, checked_at: datetime) -> pd.DataFrame:
    latest: dict[tuple, CheckOutcome] = {}
    for o in outcomes:  # one row per (check, asset, day): the last one given wins
        latest[(o.check_name, o.asset, o.partition)] = o
    rows = [
        {
            "check_name": o.check_name,
            "asset": o.asset,
            "partition_date": o.partition,
            "passed": bool(o.passed),
            "severity": o.severity,
            "rows_checked": int(o.rows_checked),
            "unexpected_count": int(o.unexpected_count),
            "reason": o.reason,
            "details_json": o.details_json(),
            "run_id": run_id,
            "checked_at": checked_at,
        }
        for o in latest.values()
    ]
    return pd.DataFrame(rows, columns=list(DQ_COLUMNS))


# Columns that make up an outcome; a recorded row equal in all of them is kept as it is.
_OUTCOME_COLUMNS = (
    "asset",
    "passed",
    "severity",
    "rows_checked",
    "unexpected_count",
    "reason",
    "details_json",
)


def record_results(con, outcomes: Iterable[CheckOutcome], run_id: str | None = None) -> int:
    """Write outcomes to `audit.dq_results`, replacing each check's earlier row for the same day.

    An earlier row whose outcome is unchanged (same asset, passed, severity,
    counts, reason and details) is kept, with its run_id and checked_at.
    Runs in one transaction (its own, or the caller's when one is open).
    Returns the number of (check, day) outcomes recorded, unchanged ones included.
    """
    outcomes = list(outcomes)
    if not outcomes:
        return 0
    ensure_results_table(con)
    frame = _frame(outcomes, run_id, datetime.now(UTC))
    staged = "_dq_results_new"
    con.register(staged, frame)
    try:
        with transaction(con):
            changed = " or ".join(f"d.{c} is distinct from n.{c}" for c in _OUTCOME_COLUMNS)
            con.execute(
                f"""
                delete from audit.dq_results as d
                using {staged} as n
                where d.check_name = n.check_name and d.asset = n.asset
                  and d.partition_date is not distinct from cast(n.partition_date as date)
                  and ({changed})
                """
            )
            columns = ", ".join(DQ_COLUMNS)
            con.execute(
                f"""
                insert into audit.dq_results ({columns})
                select n.check_name, n.asset, cast(n.partition_date as date), n.passed, n.severity,
                       n.rows_checked, n.unexpected_count, n.reason, n.details_json, n.run_id, n.checked_at
                from {staged} as n
                where not exists (
                    select 1 from audit.dq_results as d
                    where d.check_name = n.check_name and d.asset = n.asset
                      and d.partition_date is not distinct from cast(n.partition_date as date)
                )
                """
            )
    finally:
        con.unregister(staged)
    return len(frame)


def recorded_in_run(con, run_id: str) -> set[tuple]:
    """(check_name, asset, partition_date) of the outcomes `run_id` recorded as new or changed.

    An unchanged outcome keeps the run that first recorded it, so these are
    what a run has to tell: the rest was told before (and is in dq_results).
    """
    ensure_results_table(con)
    rows = con.execute(
        "select check_name, asset, partition_date from audit.dq_results where run_id = ?", [run_id]
    ).fetchall()
    return set(rows)


IGNORED_FILE_CHECK = "landing_file"


def record_ignored_files(con, folder: str, ignored: Iterable, run_id: str | None = None) -> None:
    """One warning row per file of `<landing>/<folder>` that is not loaded; files gone since drop theirs.

    `ignored` holds `pipelines.sources.landing.IgnoredFile`s; `folder` is a
    source name or `reference` (which also owns the landing zone's top level).
    """
    outcomes = [
        warned(
            IGNORED_FILE_CHECK,
            f"landing/{f.path}",
            None,
            f"landing/{f.path} is ignored, nothing of it is loaded: {f.reason}",
        )
        for f in ignored
    ]
    ensure_results_table(con)
    scope = (
        "asset like 'landing/reference/%' or asset not like 'landing/%/%'"
        if folder == "reference"
        else "asset like ?"
    )
    params = [] if folder == "reference" else [f"landing/{folder}/%"]
    keep = [o.asset for o in outcomes]
    with transaction(con):
        con.execute(
            f"delete from audit.dq_results where check_name = '{IGNORED_FILE_CHECK}' and ({scope})"
            + (f" and asset not in ({', '.join('?' for _ in keep)})" if keep else ""),
            params + keep,
        )
        record_results(con, outcomes, run_id=run_id)
