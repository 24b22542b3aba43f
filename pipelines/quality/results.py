"""The record of check runs (`audit.dq_results`) and the quarantine summary.

`audit.dq_results` holds the LATEST outcome per (check_name, partition_date):
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

from pipelines.quality.source_checks import CheckOutcome
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
    for o in outcomes:  # one row per (check, day): the last one given wins
        latest[(o.check_name, o.partition)] = o
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
                where d.check_name = n.check_name
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
                    where d.check_name = n.check_name
                      and d.partition_date is not distinct from cast(n.partition_date as date)
                )
                """
            )
    finally:
        con.unregister(staged)
    return len(frame)


QUARANTINE_SUMMARY_COMMENTS = {
    "source": "Source (or reference table) name.",
    "extract_date": "Extract day; NULL for reference files.",
    "rows_read": "Rows read from the extract file.",
    "rows_accepted": "Rows loaded into raw (rows_read = rows_accepted + rows_quarantined).",
    "rows_quarantined": "Rows that broke a row rule and went to raw.quarantine.",
    "top_reason": "Most frequent quarantine reason (quoted values replaced by …), with its row count.",
    "status": "Ingest status of the partition: loaded, blocked (file rule broken) or no_file.",
}


def create_quarantine_summary(con) -> None:
    """(Re)create the view `audit.quarantine_summary` over raw.ingest_log and raw.quarantine.

    One row per ingested source partition (and reference file). A view, so it
    is always current; the publisher materialises it into the marts.
    """
    con.execute("create schema if not exists audit")
    con.execute(
        """
        create or replace view audit.quarantine_summary as
        with reasons as (
            select source, extract_date,
                   regexp_replace(reason, '''[^'']*''', '''…''', 'g') as pattern,
                   count(*) as n
            from raw.quarantine
            group by all
        ),
        ranked as (
            select *, row_number() over (partition by source, extract_date order by n desc, pattern) as rank
            from reasons
        )
        select l.source, l.extract_date, l.rows_read, l.rows_accepted, l.rows_quarantined,
               case when r.pattern is not null
                    then r.pattern || ' (' || r.n || ' of ' || l.rows_quarantined || ' rows)'
               end as top_reason,
               l.status
        from raw.ingest_log as l
        left join ranked as r
          on r.rank = 1 and r.source = l.source and r.extract_date is not distinct from l.extract_date
        """
    )
    con.execute(
        "comment on view audit.quarantine_summary is "
        + _sql_text(
            "Rows read, accepted and quarantined per source and extract day, with the top quarantine reason."
        )
    )
    for name, comment in QUARANTINE_SUMMARY_COMMENTS.items():
        try:
            con.execute(f"comment on column audit.quarantine_summary.{name} is {_sql_text(comment)}")
        except Exception:  # column comments on views are not supported by every DuckDB version
            break
