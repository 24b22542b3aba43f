"""Load one source partition (or reference file) into the raw tables.

Generic over the contract: no per-source code. For extract day D of a source:
find the file, read it strictly, type it, apply the row rules, then in one
transaction replace D's raw rows and quarantined rows and log the counts
(rows read = accepted + quarantined). A file rule violation blocks the
partition: nothing of D changes and the log says why.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.sources.contract import LINEAGE_COLUMNS, Contract, Reference, Source
from pipelines.sources.reader import FileRuleError, load_as_text
from pipelines.sources.rules import checked_select, quote_text_macro

# A file whose row count is this many times above or below the median of the
# source's recent partitions is "far outside its recent range" (SPEC §3).
VOLUME_FACTOR = 10
VOLUME_HISTORY = 28
VOLUME_MIN_HISTORY = 7


@dataclass
class PartitionResult:
    source: str
    extract_date: date | None
    status: str  # loaded | blocked | no_file
    source_file: str | None = None
    file_sha256: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    min_event_date: date | None = None

    @property
    def blocked(self) -> bool:
        return self.status == "blocked"


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


def find_extract(landing: Path, source: str, day: date) -> Path | None:
    candidates = [landing / source / f"{day.isoformat()}.{ext}" for ext in ("csv", "parquet")]
    found = [p for p in candidates if p.exists()]
    if len(found) > 1:
        raise FileRuleError(found[0].parent, f"ambiguous extract for {day}: both {found[0].name} and {found[1].name}")
    return found[0] if found else None


def _log(con: duckdb.DuckDBPyConnection, result: PartitionResult) -> None:
    row = asdict(result)
    row["warnings"] = json.dumps(row["warnings"]) if row["warnings"] else None
    con.execute(
        "delete from raw.ingest_log where source = ? and extract_date is not distinct from ?",
        [result.source, result.extract_date],
    )
    columns = list(row)
    con.execute(
        f"insert into raw.ingest_log ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [row[c] for c in columns],
    )


def _check_volume(con: duckdb.DuckDBPyConnection, source: str, day: date, rows: int, path: Path) -> None:
    history = con.execute(
        """
        select count(*), median(rows_read) from (
            select rows_read from raw.ingest_log
            where source = ? and status = 'loaded' and extract_date < ? and rows_read > 0
            order by extract_date desc limit ?)
        """,
        [source, day, VOLUME_HISTORY],
    ).fetchone()
    count, median = history
    if count < VOLUME_MIN_HISTORY or not median:
        return
    low, high = median / VOLUME_FACTOR, median * VOLUME_FACTOR
    if rows < low or rows > high:
        raise FileRuleError(
            path,
            f"volume {rows} rows is far outside the recent range {low:.0f}..{high:.0f} "
            f"(median {median:.0f} over the last {count} extracts)",
        )


def _temporal_columns(table: Source | Reference) -> list[str]:
    version = getattr(table, "version_column", None)
    return [c.name for c in table.columns.values() if c.is_temporal and c.name != version]


def _min_event_day(con: duckdb.DuckDBPyConnection, relation: str, table: Source, timezone: str, where: str = "true"):
    """Earliest business day any of the rows touches: where KPI windows must be recomputed from."""
    days = [
        f'"{c}"' if table.columns[c].type == "DATE" else f"cast(timezone('{timezone}', \"{c}\") as date)"
        for c in _temporal_columns(table)
    ]
    if not days:
        return None
    least = f"least({', '.join(days)})" if len(days) > 1 else days[0]
    return con.execute(f"select min({least}) from {relation} where {where}").fetchone()[0]


def _flag_unbalanced_groups(con: duckdb.DuckDBPyConnection, group_column: str) -> None:
    """Quarantine whole groups (journals) that do not balance or have a bad line."""
    con.execute(
        f"""
        update _checked set _reasons = list_append(_reasons, {{
            'column': '{group_column}',
            'reason': 'journal ' || "{group_column}" || ' is quarantined whole: ' || g.why}})
        from (
            select "{group_column}" as grp,
                   case when bool_or(len(_reasons) > 0) then 'it has a quarantined line'
                        else 'it does not balance (debit ' || sum(debit) || ', credit ' || sum(credit) || ')'
                   end as why
            from _checked
            group by all
            having bool_or(len(_reasons) > 0) or sum(debit) is distinct from sum(credit)
        ) as g
        where _checked."{group_column}" = g.grp and len(_reasons) = 0
        """
    )


def _load(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    table: Source | Reference,
    path: Path,
    day: date | None,
    timezone: str,
) -> PartitionResult:
    # Offset-less timestamps are parsed in the business time zone (SPEC §3).
    con.execute(f"set TimeZone = '{timezone}'")
    landed = load_as_text(con, path, table, "_landing")
    rows_read = con.execute("select count(*) from _landing").fetchone()[0]
    every_day = isinstance(table, Source) and table.every_day
    if rows_read == 0 and (every_day or isinstance(table, Reference)):
        raise FileRuleError(path, "empty extract where data is expected")
    if isinstance(table, Source) and day is not None:
        _check_volume(con, table.name, day, rows_read, path)

    con.execute(quote_text_macro())
    con.execute(
        f"create or replace temp table _checked as {checked_select(table, contract, day, timezone, '_landing')}"
    )
    balanced_by = getattr(table, "balanced_by", None)
    if balanced_by:
        _flag_unbalanced_groups(con, balanced_by)
    # A column whose every value fails to parse is a retyped column: a file rule.
    for column in table.columns.values():
        broken = con.execute(
            f"""select count("{column.name}"),
                       count(*) filter (where "{column.name}" is not null
                                        and try_cast("{column.name}" as {column.type}) is null)
                from _landing"""
        ).fetchone()
        if broken[0] > 0 and broken[0] == broken[1]:
            raise FileRuleError(path, f"column {column.name}: no value parses as {column.type}")

    columns = ", ".join(f'"{c}"' for c in table.columns)
    day_sql = "null" if day is None else f"date '{day.isoformat()}'"
    file_sql = "'" + str(path).replace("'", "''") + "'"
    min_event = None
    con.execute("begin transaction")
    try:
        if isinstance(table, Source):
            # Days touched by the new rows and by the rows this delivery replaces.
            candidates = [
                _min_event_day(con, "_checked", table, timezone, "len(_reasons) = 0"),
                _min_event_day(con, f"raw.{table.name}", table, timezone, f"_extract_date = {day_sql}"),
            ]
            min_event = min((d for d in candidates if d is not None), default=None)
            con.execute(f"delete from raw.{table.name} where _extract_date = {day_sql}")
        else:
            con.execute(f"delete from raw.{table.name}")
        con.execute(
            f"""insert into raw.{table.name} ({columns}, _extract_date, _source_file, _line)
                select {columns}, {day_sql}, {file_sql}, _line from _checked where len(_reasons) = 0"""
        )
        con.execute(
            f"delete from raw.quarantine where source = ? and extract_date is not distinct from {day_sql}",
            [table.name],
        )
        con.execute(
            f"""insert into raw.quarantine
                select ?, {day_sql}, {file_sql}, _line, _reasons[1].column,
                       array_to_string(list_transform(_reasons, lambda r: r.reason), '; '), _raw
                from _checked where len(_reasons) > 0 order by _line""",
            [table.name],
        )
        accepted, quarantined = con.execute(
            "select count(*) filter (where len(_reasons) = 0), count(*) filter (where len(_reasons) > 0) from _checked"
        ).fetchone()
        result = PartitionResult(
            source=table.name,
            extract_date=day,
            status="loaded",
            source_file=str(path),
            file_sha256=landed.sha256,
            rows_read=rows_read,
            rows_accepted=accepted,
            rows_quarantined=quarantined,
            warnings=landed.warnings,
            min_event_date=min_event,
        )
        if accepted + quarantined != rows_read:  # the counts must reconcile
            raise AssertionError(f"{path}: read {rows_read} != accepted {accepted} + quarantined {quarantined}")
        _log(con, result)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists _landing; drop table if exists _checked")
    return result


def ingest_partition(
    con: duckdb.DuckDBPyConnection, contract: Contract, source: Source, landing: Path, day: date, timezone: str
) -> PartitionResult:
    """Ingest extract day `day` of `source`; file-rule violations block, never raise."""
    path = None
    try:
        path = find_extract(landing, source.name, day)
        if path is None:
            if source.every_day:
                raise FileRuleError(landing / source.name, f"missing extract for {day} (expected every day)")
            result = PartitionResult(source=source.name, extract_date=day, status="no_file")
            _log(con, result)
            return result
        return _load(con, contract, source, path, day, timezone)
    except FileRuleError as exc:
        result = PartitionResult(
            source=source.name,
            extract_date=day,
            status="blocked",
            source_file=str(exc.path) if exc.path else None,
            message=str(exc),
        )
        _log(con, result)
        return result


def ingest_reference(
    con: duckdb.DuckDBPyConnection, contract: Contract, reference: Reference, landing: Path, timezone: str
) -> PartitionResult:
    """Load a reference file whole. A broken reference file raises: nothing can use it."""
    path = landing / "reference" / reference.file
    if not path.exists():
        raise FileRuleError(path, "reference file is missing")
    return _load(con, contract, reference, path, None, timezone)
