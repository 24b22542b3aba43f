"""Load one source partition (or reference file) into the raw tables.

Generic over the contract: no per-source code. For extract day D of a source:
find the file, read it strictly, type it, apply the row rules, then in one
transaction replace D's raw rows and quarantined rows and log the counts
(rows read = accepted + quarantined). A file rule violation blocks the
partition: nothing of D changes and the log says why.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.progress import Progress
from pipelines.sources.contract import LINEAGE_COLUMNS, Contract, Reference, Source
from pipelines.sources.landing import find_extract
from pipelines.sources.reader import FileRuleError, create_text_table, load_as_text
from pipelines.sources.rules import checked_select, quote_text_macro
from pipelines.warehouse import transaction

# A file whose row count is this many times above or below the median of the
# source's recent partitions is "far outside its recent range" (docs/landing-contract.md).
VOLUME_FACTOR = 10
VOLUME_HISTORY = 28
VOLUME_MIN_HISTORY = 7


@dataclass
class PartitionResult:
    source: str
    extract_date: date | None
    status: str  # loaded | blocked | no_file | rejected (a reference file; the last accepted one stays)
    source_file: str | None = None
    file_sha256: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0  # includes exact duplicate lines, which are accepted once
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    min_event_date: date | None = None

    @property
    def blocked(self) -> bool:
        return self.status == "blocked"

    @classmethod
    def blocked_by(cls, source: str, day: date | None, exc: FileRuleError) -> PartitionResult:
        """The result of a partition whose file broke a file rule."""
        return cls(
            source=source, extract_date=day, status="blocked", source_file=str(exc.path), message=str(exc)
        )


def ensure_schema(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    con.execute("create schema if not exists raw")
    for table in [*contract.sources.values(), *contract.references.values()]:
        columns = [f'"{c.name}" {c.type}' for c in table.columns.values()]
        columns += [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
        con.execute(f"create table if not exists raw.{table.name} ({', '.join(columns)})")
    con.execute(
        """
        create table if not exists raw.quarantine (
            source varchar, extract_date date, source_file varchar, line bigint,
            column_name varchar, reason varchar, raw_row varchar)
        """
    )
    con.execute(
        """
        create table if not exists raw.ingest_log (
            source varchar, extract_date date, status varchar, source_file varchar,
            file_sha256 varchar, rows_read bigint, rows_accepted bigint, rows_quarantined bigint,
            message varchar, warnings varchar, min_event_date date)
        """
    )
    # Warehouses created before duplicate lines were counted get the column.
    con.execute("alter table raw.ingest_log add column if not exists rows_duplicate bigint default 0")


def _log(con: duckdb.DuckDBPyConnection, results: list[PartitionResult]) -> None:
    """Replace the ingest log entries of these partitions."""
    if not results:
        return
    rows = []
    for result in results:
        row = asdict(result)
        row["warnings"] = json.dumps(row["warnings"]) if row["warnings"] else None
        rows.append(row)
    columns = list(rows[0])
    con.executemany(
        "delete from raw.ingest_log where source = ? and extract_date is not distinct from ?",
        [[r["source"], r["extract_date"]] for r in rows],
    )
    con.executemany(
        f"insert into raw.ingest_log ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[r[c] for c in columns] for r in rows],
    )


def _volume_history(con: duckdb.DuckDBPyConnection, source: str, before: date) -> list[int]:
    rows = con.execute(
        """select rows_read from raw.ingest_log
           where source = ? and status = 'loaded' and extract_date < ? and rows_read > 0
           order by extract_date desc limit ?""",
        [source, before, VOLUME_HISTORY],
    ).fetchall()
    return [r[0] for r in reversed(rows)]


def _volume_problem(history: list[int], rows: int, every_day: bool) -> str | None:
    recent = history[-VOLUME_HISTORY:]
    if len(recent) < VOLUME_MIN_HISTORY:
        return None
    median = statistics.median(recent)
    # A quiet day is normal for a source that only sends changes: only a
    # flood is suspicious there. An every-day source must also not run dry.
    low = median / VOLUME_FACTOR if every_day else 0
    high = median * VOLUME_FACTOR
    if low <= rows <= high:
        return None
    return (
        f"volume {rows} rows is far outside the recent range {low:.0f}..{high:.0f} "
        f"(median {median:.0f} over the last {len(recent)} extracts)"
    )


def _temporal_columns(table: Source | Reference) -> list[str]:
    version = getattr(table, "version_column", None)
    return [c.name for c in table.columns.values() if c.is_temporal and c.name != version]


def _event_day_expression(table: Source, timezone: str) -> str | None:
    """Earliest business day a row touches: where KPI windows must be recomputed from."""
    days = [
        f'"{c}"' if table.columns[c].type == "DATE" else f"cast(timezone('{timezone}', \"{c}\") as date)"
        for c in _temporal_columns(table)
    ]
    if not days:
        return None
    return f"least({', '.join(days)})" if len(days) > 1 else days[0]


def _flag_unbalanced_groups(con: duckdb.DuckDBPyConnection, group_column: str) -> None:
    """Quarantine whole groups (journals) that do not balance or have a bad line."""
    con.execute(
        f"""
        update _checked set _reasons = list_append(_reasons, {{
            'column': '{group_column}',
            'reason': 'journal ' || "{group_column}" || ' is quarantined whole: ' || g.why}})
        from (
            select _extract_date as day, "{group_column}" as grp,
                   case when bool_or(len(_reasons) > 0) then 'it has a quarantined line'
                        else 'it does not balance (debit ' || sum(debit) || ', credit ' || sum(credit) || ')'
                   end as why
            from _checked
            group by all
            having bool_or(len(_reasons) > 0) or sum(debit) is distinct from sum(credit)
        ) as g
        where _checked."{group_column}" = g.grp and _checked._extract_date is not distinct from g.day
          and len(_reasons) = 0
        """
    )


def _retyped_columns(con: duckdb.DuckDBPyConnection, table: Source | Reference) -> dict:
    """Per extract day, the columns whose every value fails to parse (a file rule)."""
    checks = ", ".join(
        f'count("{c.name}") > 0 and count("{c.name}") = count(*) filter ('
        f'where "{c.name}" is not null and try_cast("{c.name}" as {c.type}) is null) as "{c.name}"'
        for c in table.columns.values()
    )
    cursor = con.execute(f"select _extract_date, {checks} from _landing group by all")
    names = [d[0] for d in cursor.description][1:]
    return {row[0]: [n for n, bad in zip(names, row[1:], strict=True) if bad] for row in cursor.fetchall()}


def _ingest_files(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    table: Source | Reference,
    found: dict[date | None, Path],
    timezone: str,
    results: dict[date | None, PartitionResult],
    say=None,
) -> None:
    """Read, check and load the files of `found` in one batch; add a result per day.

    `say` (a step's log) hears how many files and rows were read so far, at
    most every LODESTAR_PROGRESS_SECONDS (pipelines/progress.py).
    """
    source = isinstance(table, Source)
    every_day = source and table.every_day

    def block(day, path, problem):
        results[day] = PartitionResult.blocked_by(table.name, day, FileRuleError(path, problem))
        con.execute("delete from _landing where _extract_date is not distinct from ?", [day])

    # Offset-less timestamps are parsed in the business time zone (docs/landing-contract.md).
    con.execute(f"set TimeZone = '{timezone}'")
    create_text_table(con, table, "_landing")
    landed = {}
    progress = Progress(say, f"{table.name}: reading", total=len(found))
    for day, path in found.items():
        try:
            landed[day] = load_as_text(con, path, table, "_landing", day)
        except FileRuleError as exc:
            results[day] = PartitionResult.blocked_by(table.name, day, exc)
        progress.advance(1, landed[day].rows if day in landed else 0)

    counts = dict(con.execute("select _extract_date, count(*) from _landing group by all").fetchall())
    retyped = _retyped_columns(con, table) if landed else {}
    history = _volume_history(con, table.name, min(d for d in landed if d)) if source and landed else []
    for day in sorted(landed, key=lambda d: d or date.min):
        path, rows = landed[day].path, counts.get(day, 0)
        if rows == 0 and (every_day or not source):
            block(day, path, "empty extract where data is expected")
        elif retyped.get(day):
            column = retyped[day][0]
            block(day, path, f"column {column}: no value parses as {table.columns[column].type}")
        elif source and (problem := _volume_problem(history, rows, every_day)):
            block(day, path, problem)
        elif rows:
            history.append(rows)
    loaded = {d: f for d, f in landed.items() if d not in results}
    if not loaded:
        return

    duplicates = _drop_exact_duplicates(con, table)
    con.execute(quote_text_macro())
    con.execute(f"create or replace temp table _checked as {checked_select(table, contract, '_landing')}")
    _flag_ambiguous_keys(con, table)
    if getattr(table, "balanced_by", None):
        _flag_unbalanced_groups(con, table.balanced_by)
    if not source:
        _reject_whole_file_if_any_row_is_bad(con, table, loaded)

    columns = ", ".join(f'"{c}"' for c in table.columns)
    con.execute("create or replace temp table _days (day date)")
    con.executemany("insert into _days values (?)", [(d,) for d in loaded])
    # Reference files have no extract day (NULL): compare through a sentinel.
    day_filter = (
        "coalesce(_extract_date, date '0001-01-01') in (select coalesce(day, date '0001-01-01') from _days)"
    )
    rejected = (
        not source and con.execute("select count(*) from _checked where len(_reasons) = 0").fetchone()[0] == 0
    )
    try:
        with transaction(con):
            min_events: dict = {}
            event_day = _event_day_expression(table, timezone) if source else None
            if event_day:
                # Days touched by the new rows and by the rows this delivery replaces.
                for relation, where in (("_checked", "len(_reasons) = 0"), (f"raw.{table.name}", "true")):
                    for day, first in con.execute(
                        f"select _extract_date, min({event_day}) from {relation} where {where} and {day_filter} group by all"
                    ).fetchall():
                        if first is not None:
                            min_events[day] = min(first, min_events.get(day, first))
            if not rejected:  # a rejected reference file leaves the version in force untouched
                con.execute(f"delete from raw.{table.name} where {day_filter}")
                con.execute(
                    f"""insert into raw.{table.name} ({columns}, _extract_date, _source_file, _line)
                        select {columns}, _extract_date, _source_file, _line from _checked
                        where len(_reasons) = 0 order by _extract_date, _line"""
                )
            con.execute(
                f"delete from raw.quarantine where source = ? and {day_filter.replace('_extract_date', 'extract_date')}",
                [table.name],
            )
            con.execute(
                """insert into raw.quarantine
                   select ?, _extract_date, _source_file, _line, _reasons[1].column,
                          array_to_string(list_transform(_reasons, lambda r: r.reason), '; '), _raw
                   from _checked where len(_reasons) > 0 order by _extract_date, _line""",
                [table.name],
            )
            split = dict(
                (day, (accepted, quarantined))
                for day, accepted, quarantined in con.execute(
                    """select _extract_date, count(*) filter (where len(_reasons) = 0),
                              count(*) filter (where len(_reasons) > 0)
                       from _checked group by all"""
                ).fetchall()
            )
            for day, file in loaded.items():
                accepted, quarantined = split.get(day, (0, 0))
                doubled = duplicates.get(day, [])
                accepted += len(doubled)  # an exact duplicate line is accepted, and counted once
                rows_read = counts.get(day, 0)
                if accepted + quarantined != rows_read:  # the counts must reconcile
                    raise AssertionError(
                        f"{file.path}: read {rows_read} != accepted {accepted} + quarantined {quarantined}"
                    )
                results[day] = PartitionResult(
                    source=table.name,
                    extract_date=day,
                    status="rejected" if rejected else "loaded",
                    source_file=str(file.path),
                    file_sha256=file.sha256,
                    rows_read=rows_read,
                    rows_accepted=accepted,
                    rows_quarantined=quarantined,
                    rows_duplicate=len(doubled),
                    message=_rejection_message(con, table, file.path) if rejected else None,
                    warnings=file.warnings + _duplicate_warnings(file.path, doubled),
                    min_event_date=min_events.get(day),
                )
            _log(con, [results[d] for d in loaded])
    finally:
        con.execute("drop table if exists _checked; drop table if exists _days")


def _drop_exact_duplicates(con: duckdb.DuckDBPyConnection, table: Source | Reference) -> dict:
    """Remove lines that repeat an earlier line of the same file exactly; {day: [(line, first line)]}.

    Excel and some exporters write a row twice: it is one row, counted once,
    with a warning. Rows that differ in any column are not duplicates (see
    _flag_ambiguous_keys).
    """
    values = ", ".join(f'"{c}"' for c in table.columns)
    con.execute(
        f"""create or replace temp table _duplicate_lines as
            select _extract_date, _line, first_line from (
                select _extract_date, _line,
                       min(_line) over (partition by _extract_date, _source_file, {values}) as first_line
                from _landing)
            where _line <> first_line"""
    )
    found = con.execute(
        "select _extract_date, _line, first_line from _duplicate_lines order by _extract_date, _line"
    ).fetchall()
    con.execute(
        """delete from _landing using _duplicate_lines as d
           where _landing._line = d._line and _landing._extract_date is not distinct from d._extract_date"""
    )
    con.execute("drop table _duplicate_lines")
    duplicates: dict = {}
    for day, line, first in found:
        duplicates.setdefault(day, []).append((line, first))
    return duplicates


def _duplicate_warnings(path: Path, doubled: list[tuple[int, int]]) -> list[str]:
    if not doubled:
        return []
    shown = ", ".join(f"line {line} repeats line {first}" for line, first in doubled[:5])
    more = f" and {len(doubled) - 5} more" if len(doubled) > 5 else ""
    return [f"{path}: {len(doubled)} exact duplicate line(s) counted once ({shown}{more})"]


def _flag_ambiguous_keys(con: duckdb.DuckDBPyConnection, table: Source | Reference) -> None:
    """Quarantine every row of a key that appears with different values in one extract.

    Two different rows for one key and one version (updated_at) in one file, or
    one key twice in a source without versions: nothing says which one is
    true, so neither is used; the rest of the file stands.
    """
    version = getattr(table, "version_column", None)
    identity = [*table.key, *([version] if version else [])]
    cols = ", ".join(f'"{c}"' for c in identity)
    described = " || ', ' || ".join(f"'{c} ' || coalesce(cast(\"{c}\" as varchar), 'null')" for c in identity)
    what = "with the same " + version if version else "twice"
    match = " and ".join(f'_checked."{c}" is not distinct from g."{c}"' for c in identity)
    con.execute(
        f"""
        update _checked set _reasons = list_append(_reasons, {{
            'column': '{table.key[0]}',
            'reason': 'ambiguous: ' || g.described || ' appears {what} on lines ' || g.lines
                      || ' of this extract with different values; none of them is used'}})
        from (
            select _extract_date, {cols}, any_value({described}) as described,
                   array_to_string(list(_line order by _line), ', ') as lines
            from _checked
            where {" and ".join(f'"{c}" is not null' for c in table.key)}
            group by all
            having count(*) > 1
        ) as g
        where _checked._extract_date is not distinct from g._extract_date and {match}
        """
    )


def _reject_whole_file_if_any_row_is_bad(con: duckdb.DuckDBPyConnection, table: Reference, loaded) -> None:
    """A reference file is one version of the table: with a bad row, none of its rows is used."""
    bad = con.execute("select count(*) from _checked where len(_reasons) > 0").fetchone()[0]
    if bad:
        con.execute(
            """update _checked set _reasons = [{'column': null,
                   'reason': 'not loaded: the file is rejected whole because ' || ? || ' of its rows break a rule'}]
               where len(_reasons) = 0""",
            [str(bad)],
        )


def _rejection_message(con: duckdb.DuckDBPyConnection, table: Reference, path: Path) -> str:
    problems = con.execute(
        """select 'line ' || _line || ': ' || array_to_string(list_transform(_reasons, lambda r: r.reason), '; ')
           from _checked where not starts_with(_reasons[1].reason, 'not loaded:') order by _line limit 3"""
    ).fetchall()
    bad = con.execute(
        "select count(*) from _checked where not starts_with(_reasons[1].reason, 'not loaded:')"
    ).fetchone()[0]
    return (
        f"{path}: rejected, {bad} row(s) break a rule: "
        + "; ".join(p[0] for p in problems)
        + ("; ..." if bad > 3 else "")
    )


def ingest_days(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    source: Source,
    landing: Path,
    days: list[date],
    timezone: str,
    say=None,
) -> list[PartitionResult]:
    """Ingest the extract days of `source`; file-rule violations block their day, never raise.

    `say` (optional, a step's log) hears the reading's progress on long loops.
    """
    results: dict[date | None, PartitionResult] = {}
    found: dict[date | None, Path] = {}
    for day in days:
        try:
            path = find_extract(landing, source.name, day)
        except FileRuleError as exc:
            results[day] = PartitionResult.blocked_by(source.name, day, exc)
            continue
        if path is not None:
            found[day] = path
        elif source.every_day:
            problem = FileRuleError(landing / source.name, f"missing extract for {day} (expected every day)")
            results[day] = PartitionResult.blocked_by(source.name, day, problem)
        else:
            results[day] = PartitionResult(source=source.name, extract_date=day, status="no_file")
    _ingest_files(con, contract, source, found, timezone, results, say=say)
    _log(con, [r for d, r in results.items() if r.status != "loaded"])
    return [results[day] for day in days]


def ingest_partition(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    source: Source,
    landing: Path,
    day: date,
    timezone: str,
) -> PartitionResult:
    """Ingest one extract day (see ingest_days)."""
    return ingest_days(con, contract, source, landing, [day], timezone)[0]


def ingest_reference(
    con: duckdb.DuckDBPyConnection, contract: Contract, reference: Reference, landing: Path, timezone: str
) -> PartitionResult:
    """Load a reference file whole, or reject it whole.

    A reference file is the new version of a whole table (the budget, the chart
    of accounts). When it is missing, unreadable or has a bad row, it is
    rejected: its problems are reported (ingest log, quarantine) and the last
    accepted version stays in force, so its KPIs keep their history.
    """
    path = landing / "reference" / reference.file
    results: dict[date | None, PartitionResult] = {}
    if path.exists():
        _ingest_files(con, contract, reference, {None: path}, timezone, results)
        result = results[None]
    else:
        result = PartitionResult.blocked_by(
            reference.name, None, FileRuleError(path, "reference file is missing")
        )
    if result.status == "blocked":  # a file rule: nothing of it was read
        result.status = "rejected"
        _log(con, [result])
    return result
