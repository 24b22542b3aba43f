"""Strict reading of one landing file into a VARCHAR staging table.

DuckDB's own readers do the parsing, with the contract's delimiter and quoting
and no sniffing: every value arrives as text with its line number, and the
typing and rules happen in SQL (pipelines/sources/rules.py) so that a bad
value quarantines its row instead of failing the file.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.sources.contract import Reference, Source


class FileRuleError(Exception):
    """A file breaks a file rule: the source's partition is blocked."""

    def __init__(self, path: Path | None, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


@dataclass
class LandedFile:
    path: Path
    sha256: str
    columns: list[str]
    warnings: list[str] = field(default_factory=list)
    rows: int = 0  # lines read into the text table


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_csv(path: Path):
    # utf-8-sig: a byte-order mark (Excel writes one) is not part of the first column's name
    return path.open(newline="", encoding="utf-8-sig")


def _csv_header(path: Path) -> list[str]:
    try:
        with _open_csv(path) as handle:
            return next(csv.reader(handle, delimiter=",", quotechar='"', strict=True), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileRuleError(path, f"unreadable header: {exc}") from exc


def _record_lines(path: Path, records: int) -> list[int] | None:
    """First physical line of each data record, when some record spans several lines.

    DuckDB numbers records, not lines; a quoted field with a line break (Excel
    exports them) would shift every later line number. None when records and
    lines coincide (the common case, checked by counting line breaks).
    """
    with path.open("rb") as handle:
        breaks = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    if breaks <= records + 1:  # header + one line per record (+ a final line break)
        return None
    starts, previous_end = [], 1  # the header ends on line 1
    with _open_csv(path) as handle:
        reader = csv.reader(handle, delimiter=",", quotechar='"', strict=True)
        next(reader, None)
        for row in reader:
            if row:
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    return starts


def _parquet_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    try:
        rows = con.execute(
            "select name from parquet_schema(?) where num_children is null", [str(path)]
        ).fetchall()
    except duckdb.Error as exc:
        raise FileRuleError(path, f"unreadable Parquet file: {exc}") from exc
    return [r[0] for r in rows]


def check_columns(path: Path, found: list[str], table: Source | Reference) -> list[str]:
    """Missing contract columns block the file; unknown extra columns are warnings."""
    missing = [c for c in table.columns if c not in found]
    if missing:
        raise FileRuleError(path, f"missing required columns {missing} (found {found})")
    duplicated = sorted({c for c in found if found.count(c) > 1})
    if duplicated:
        raise FileRuleError(path, f"duplicated columns {duplicated}")
    extra = [c for c in found if c not in table.columns]
    return [f"{path}: ignored unknown columns {extra}"] if extra else []


def create_text_table(con: duckdb.DuckDBPyConnection, table: Source | Reference, name: str) -> None:
    """The staging table of landed text: contract columns as VARCHAR plus lineage."""
    columns = ", ".join(f'"{c}" varchar' for c in table.columns)
    con.execute(
        f"create or replace temp table {name} ({columns}, _line bigint, _extract_date date, _source_file varchar)"
    )


def load_as_text(
    con: duckdb.DuckDBPyConnection, path: Path, table: Source | Reference, into: str, extract_day
) -> LandedFile:
    """Append `path` to the text table `into` (see create_text_table), one statement per file."""
    if path.suffix == ".csv":
        header = _csv_header(path)
        warnings = check_columns(path, header, table)
        # Every header column read as text: no sniffing, no silent repair.
        columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
        scan = (
            f"read_csv(?, header=true, delim=',', quote='\"', escape='\"', auto_detect=false, "
            f"strict_mode=true, columns={columns}, encoding='utf-8')"
        )
        line = "row_number() over () + 1"  # header is line 1
    else:
        header = _parquet_columns(con, path)
        warnings = check_columns(path, header, table)
        scan = "read_parquet(?, file_row_number=true)"
        line = "file_row_number + 1"  # 1-based row of the file
    select = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in table.columns)
    try:
        inserted = con.execute(
            f"insert into {into} select {select}, {line} as _line, ?, ? from {scan}",
            [extract_day, str(path), str(path)],
        ).fetchone()[0]
    except duckdb.Error as exc:
        raise FileRuleError(path, f"unreadable: {str(exc).splitlines()[0]}") from exc
    if path.suffix == ".csv" and (starts := _record_lines(path, inserted)):
        _renumber_lines(con, into, path, starts)
    return LandedFile(path=path, sha256=file_sha256(path), columns=header, warnings=warnings, rows=inserted)


def _renumber_lines(con: duckdb.DuckDBPyConnection, into: str, path: Path, starts: list[int]) -> None:
    """Replace record numbers of `path` in `into` by the physical line each record starts on."""
    con.execute("create or replace temp table _record_lines (record bigint, line bigint)")
    con.executemany("insert into _record_lines values (?, ?)", [(i + 2, n) for i, n in enumerate(starts)])
    con.execute(
        f"""update {into} set _line = r.line from _record_lines as r
            where {into}._source_file = ? and {into}._line = r.record""",
        [str(path)],
    )
    con.execute("drop table _record_lines")
