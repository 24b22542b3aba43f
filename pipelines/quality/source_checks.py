"""Source contracts checked per partition: `contract_<source>` on `raw/<source>`.

For each extract day of a source, the verdict comes from the ingest log first:

- `blocked` (a file rule broke: missing/ambiguous/unreadable file, missing or
  retyped columns, empty every-day extract, volume outlier): failed, with the
  ingest message that names the file and the problem. No GX run.
- `no_file` of a changes-only source: passed, nothing to check.
- no log entry: failed (the partition was never ingested, so nothing is known).
- `loaded`: the suite `expectations/<source>.json`, generated from the
  contract, judges the ACCEPTED rows of that day (quarantined rows were handled
  by ingestion and are not checked).

All loaded days of one call are validated together: one GX run per frame over
the concatenated rows, failures attributed to days by `_extract_date` (see
gx_runner.validate_partitions). A 1,000-day backfill costs a few GX runs per
source, not a few thousand.

Verdicts are `CheckOutcome`s (see outcomes.py): a failed error blocks the
day's KPIs; referential integrity between sources (shipments → orders,
tickets / NPS / invoices → customers) only warns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date

from pipelines.progress import Progress
from pipelines.quality import gx_runner
from pipelines.quality.outcomes import (
    CheckOutcome,
    ExpectationOutcome,
    PartitionValidation,
    broken_run,
    failed,
    judged,
    nothing_to_check,
    one_line,
    problems_text,
    validation_details,
)
from pipelines.sources.contract import Contract, load_contract

# Loaded days are validated together in batches of at most this many accepted
# rows: one GX run per frame and batch (GX on pandas ≈ 1 s per million rows).
MAX_BATCH_ROWS = 1_000_000


def check_name(table: str) -> str:
    return f"contract_{table}"


def asset_name(table: str) -> str:
    return f"raw/{table}"


def _as_date(day) -> date:
    return day if isinstance(day, date) else date.fromisoformat(str(day))


def _verdict(
    table: str, partition: date | None, validation: PartitionValidation, suite: gx_runner.Suite, extra: dict
) -> CheckOutcome:
    problems = problems_text(validation, lambda o: o.describe(suite.partition_column))
    if validation.errors:
        reason = f"{len(validation.errors)} of {validation.evaluated} expectations failed: {problems}"
    else:
        reason = problems or f"{validation.rows} accepted rows passed {validation.evaluated} expectations"
    details = {**extra, **validation_details(suite, validation)}
    return judged(check_name(table), asset_name(table), partition, validation, reason, details)


def _failed(table: str, partition: date | None, reason: str, details: dict) -> CheckOutcome:
    return failed(check_name(table), asset_name(table), partition, reason, details)


def _broken_run(table: str, partition: date | None, exc: Exception, details: dict) -> CheckOutcome:
    return broken_run(check_name(table), asset_name(table), partition, exc, details)


def _ingest_log(con, table: str, days: Sequence[date] | None) -> dict:
    columns = (
        "extract_date, status, source_file, message, rows_read, rows_accepted, rows_quarantined, warnings"
    )
    if days is None:
        rows = con.execute(
            f"select {columns} from raw.ingest_log where source = ? and extract_date is null", [table]
        ).fetchall()
    else:
        values = ", ".join(f"date '{d.isoformat()}'" for d in days)
        rows = con.execute(
            f"select {columns} from raw.ingest_log where source = ? and extract_date in ({values})", [table]
        ).fetchall()
    names = [c.strip() for c in columns.split(",")]
    out = {}
    for row in rows:
        entry = dict(zip(names, row, strict=True))
        entry["warnings"] = json.loads(entry["warnings"]) if entry["warnings"] else []
        out[entry.pop("extract_date")] = entry
    return out


def _ingest_details(entry: dict) -> dict:
    return {
        "ingest_status": entry["status"],
        "source_file": entry["source_file"],
        "rows_read": entry["rows_read"],
        "rows_accepted": entry["rows_accepted"],
        "rows_quarantined": entry["rows_quarantined"],
        "ingest_warnings": entry["warnings"],
    }


def check_source_partitions(
    con,
    source_name: str,
    days: Iterable[date | str | None],
    contract: Contract | None = None,
    max_rows: int = MAX_BATCH_ROWS,
    say=None,
) -> list[CheckOutcome]:
    """One CheckOutcome per day (input order, duplicates removed) for source `source_name`.

    `con` is the working DuckDB connection (its TimeZone is the business time
    zone). A reference table name with `days=[None]` is checked whole (see
    `check_reference`). Loaded days are validated together, `max_rows`
    accepted rows per GX batch at most. `say` (optional, a step's log) hears
    the days and rows checked so far between batches, at most every
    LODESTAR_PROGRESS_SECONDS (pipelines/progress.py).
    """
    contract = contract or load_contract()
    days = list(dict.fromkeys(days))
    if source_name in contract.references:
        if any(d is not None for d in days):
            raise ValueError(f"{source_name} is a reference table: it has no partitions (pass days=[None])")
        return check_reference(con, source_name, contract) if days else []
    source = contract.sources[source_name]  # KeyError: not a source
    days = [_as_date(d) for d in days]
    if not days:
        return []
    log = _ingest_log(con, source_name, days)

    verdicts: dict[date, CheckOutcome] = {}
    loaded: list[date] = []
    for day in days:
        entry = log.get(day)
        if entry is None:
            verdicts[day] = _failed(
                source_name,
                day,
                f"{source_name} {day}: not ingested (no raw.ingest_log entry): nothing is known of this day",
                {"ingest_status": None},
            )
        elif entry["status"] == "blocked":
            verdicts[day] = _failed(
                source_name,
                day,
                f"blocked by a file rule: {entry['message']}",
                _ingest_details(entry) | {"message": entry["message"]},
            )
        elif entry["status"] == "no_file":
            if source.every_day:
                verdicts[day] = _failed(
                    source_name,
                    day,
                    f"{source_name} {day}: no extract, but {source_name} delivers every day",
                    _ingest_details(entry),
                )
            else:
                verdicts[day] = nothing_to_check(
                    check_name(source_name),
                    asset_name(source_name),
                    day,
                    f"no extract for {day} ({source_name} delivers changes only): nothing to check",
                    _ingest_details(entry),
                )
        elif entry["status"] == "loaded":
            loaded.append(day)
        else:
            verdicts[day] = _failed(
                source_name, day, f"unknown ingest status {entry['status']!r}", _ingest_details(entry)
            )

    progress = Progress(say, f"{source_name}: checking", total=len(loaded), unit="loaded days")
    for chunk in _batches(loaded, log, max_rows):
        try:
            suite = gx_runner.load_suite(source_name)
            results = gx_runner.validate_partitions(con, suite, f"raw.{source_name}", chunk)
        except Exception as exc:  # a broken suite or runner must not pass as good data, nor crash the run
            for day in chunk:
                verdicts[day] = _broken_run(source_name, day, exc, _ingest_details(log[day]))
        else:
            for day in chunk:
                verdicts[day] = _verdict(source_name, day, results[day], suite, _ingest_details(log[day]))
        progress.advance(len(chunk), sum(log[day]["rows_accepted"] or 0 for day in chunk))
    return [verdicts[d] for d in days]


def _batches(days: list[date], log: dict, max_rows: int) -> list[list[date]]:
    """Consecutive groups of days with at most `max_rows` accepted rows each (memory stays bounded)."""
    batches: list[list[date]] = []
    rows = 0
    for day in days:
        accepted = log[day]["rows_accepted"] or 0
        if not batches or (rows + accepted > max_rows and batches[-1]):
            batches.append([])
            rows = 0
        batches[-1].append(day)
        rows += accepted
    return batches


def check_reference(con, name: str, contract: Contract | None = None) -> list[CheckOutcome]:
    """The contract of a reference table (chart_of_accounts, budget), checked on the whole table.

    Returns a list of one outcome (partition None), like check_source_partitions.
    """
    return [_check_reference(con, name, contract or load_contract())]


def _check_reference(con, name: str, contract: Contract) -> CheckOutcome:
    if name not in contract.references:
        raise KeyError(f"{name} is not a reference table")
    entry = _ingest_log(con, name, None).get(None)
    details = _ingest_details(entry) if entry else {"ingest_status": None}
    if entry is None:
        return _failed(name, None, f"reference {name} was never loaded (no raw.ingest_log entry)", details)
    in_force = con.execute(f"select count(*) from raw.{name}").fetchone()[0]
    if entry["status"] == "rejected" and not in_force:
        return _failed(name, None, f"reference {name} has no accepted version: {entry['message']}", details)
    if entry["status"] not in ("loaded", "rejected"):
        return _failed(name, None, f"reference {name} is {entry['status']}: {entry['message']}", details)
    try:
        suite = gx_runner.load_suite(name)
        validation = gx_runner.validate_relation(con, suite, f"raw.{name}")
    except Exception as exc:
        return _broken_run(name, None, exc, details)
    outcome = _verdict(name, None, validation, suite, details)
    if entry["status"] == "rejected" and outcome.passed:
        # The new file is reported; the version in force keeps its KPIs published.
        outcome.passed, outcome.severity = False, "warning"
        outcome.reason = one_line(
            f"new version rejected, the last accepted version ({in_force} rows) stays in force: {entry['message']}"
        )
    return outcome


__all__ = ["CheckOutcome", "ExpectationOutcome", "check_reference", "check_source_partitions"]
