"""An in-memory landing (rows per source and extract day) and how it is written
as the contract's files: CSV (UTF-8, optional BOM, LF or CRLF, `"` quoting)
or Parquet (timestamps as instants).

Row values are Python objects: str, int, Decimal, date, Stamp or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.property.contract_spec import REFERENCES, SOURCES, Table

EXTRA_COLUMN = "_etl_batch"  # an unknown column: ignored by the pipeline, with a warning


@dataclass(frozen=True)
class Stamp:
    """A timestamp as a source system writes it: local wall-clock time and its
    UTC offset in minutes, or no offset (then it is read in LODESTAR_TIMEZONE)."""

    wall: datetime  # naive
    offset: int | None

    def text(self) -> str:
        text = self.wall.isoformat(timespec="seconds")
        if self.offset is None:
            return text
        sign = "+" if self.offset >= 0 else "-"
        hours, minutes = divmod(abs(self.offset), 60)
        return f"{text}{sign}{hours:02d}:{minutes:02d}"

    def instant(self) -> datetime:
        if self.offset is None:
            raise ValueError(f"{self.wall} has no offset: its instant depends on LODESTAR_TIMEZONE")
        return (self.wall - timedelta(minutes=self.offset)).replace(tzinfo=UTC)


@dataclass(frozen=True)
class FileStyle:
    parquet: bool = False
    bom: bool = False
    crlf: bool = False
    quote_all: bool = False  # quote every non-empty value, not only those that need it
    extra_column: bool = False


@dataclass(repr=False)
class Landing:
    """Everything a company delivers for the days start..end."""

    start: date
    end: date
    extracts: dict[str, dict[date, list[dict]]]  # source -> extract day -> rows (in file order)
    styles: dict[tuple[str, date], FileStyle]  # (source, day) -> how its file is written
    references: dict[str, list[dict]]  # chart_of_accounts / budget rows
    reference_styles: dict[str, FileStyle] = field(default_factory=dict)
    header_only: set[tuple[str, date]] = field(default_factory=set)  # empty extracts still written

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def __repr__(self) -> str:  # Hypothesis prints failing examples: keep it short
        counts = ", ".join(f"{s} {self.rows(s)}" for s in self.extracts)
        return f"Landing({self.start}..{self.end}: {counts})"

    def _repr_pretty_(self, printer, cycle) -> None:  # what Hypothesis' pretty-printer calls
        printer.text(repr(self))

    def rows(self, source: str) -> int:
        return sum(len(rows) for rows in self.extracts[source].values())


# ---------------------------------------------------------------- writing ----


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Stamp):
        return value.text()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_field(text: str, quote_all: bool) -> str:
    if text == "":
        return ""  # empty and unquoted: a null
    if quote_all or any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(path: Path, table: Table, rows: list[dict], style: FileStyle) -> None:
    names = list(table.columns) + ([EXTRA_COLUMN] if style.extra_column else [])
    lines = [",".join(_csv_field(n, style.quote_all) for n in names)]
    for i, row in enumerate(rows):
        values = [_text(row[c]) for c in table.columns] + ([f"b{i % 3}"] if style.extra_column else [])
        lines.append(",".join(_csv_field(v, style.quote_all) for v in values))
    newline = "\r\n" if style.crlf else "\n"
    text = ("\ufeff" if style.bom else "") + newline.join(lines) + newline
    path.write_bytes(text.encode("utf-8"))


def _arrow_type(kind: str) -> pa.DataType:
    if kind.startswith("DECIMAL"):
        precision, scale = kind[len("DECIMAL(") : -1].split(",")
        return pa.decimal128(int(precision), int(scale))
    return {
        "VARCHAR": pa.string(),
        "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
        "DATE": pa.date32(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
    }[kind]


def write_parquet(path: Path, table: Table, rows: list[dict], style: FileStyle) -> None:
    """Parquet keeps only the instant of a timestamp (its offset is lost)."""
    arrays, names = [], list(table.columns)
    for name, kind in table.columns.items():
        values = [row[name].instant() if isinstance(row[name], Stamp) else row[name] for row in rows]
        arrays.append(pa.array(values, type=_arrow_type(kind)))
    if style.extra_column:
        names.append(EXTRA_COLUMN)
        arrays.append(pa.array([f"b{i % 3}" for i in range(len(rows))], type=pa.string()))
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path)


def write_landing(landing: Landing, root: Path) -> Path:
    """Write every extract and reference file under `root`; returns `root`."""
    for source, by_day in landing.extracts.items():
        folder = root / source
        folder.mkdir(parents=True, exist_ok=True)
        for day, rows in sorted(by_day.items()):
            if not rows and (source, day) not in landing.header_only:
                continue  # a changes-only source without changes sends no file
            style = landing.styles.get((source, day), FileStyle())
            writer, suffix = (write_parquet, "parquet") if style.parquet else (write_csv, "csv")
            writer(folder / f"{day.isoformat()}.{suffix}", SOURCES[source], rows, style)
    (root / "reference").mkdir(parents=True, exist_ok=True)
    for name, rows in landing.references.items():
        style = landing.reference_styles.get(name, FileStyle())
        write_csv(root / "reference" / f"{name}.csv", REFERENCES[name], rows, style)
    return root


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
