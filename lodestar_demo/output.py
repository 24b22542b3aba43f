"""Writing one extract (a `Frame`) as the contract's CSV or Parquet file.

Columns are held as numpy arrays in a compact internal form, chosen by the
contract type of the column:

- VARCHAR: array of str (``None`` for null)
- TIMESTAMPTZ: int64 epoch seconds, UTC
- DATE: int64 days since 1970-01-01
- DECIMAL(p,s): int64 in units of 10**-s (cents for DECIMAL(18,2))
- INTEGER / BIGINT: int64

``NULL`` (int64 min) marks a null in every numeric column. The column order,
the file format and the types all come from the contract, never from here.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.sources.contract import Column, Reference, Source

NULL = np.iinfo(np.int64).min

_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


@dataclass
class Frame:
    """Rows of one source for one extract day, column name -> array."""

    columns: dict[str, np.ndarray]
    # Display offset (minutes east of UTC) of TIMESTAMPTZ values in CSV:
    # one number for the whole frame or one per row. Parquet is always UTC.
    offset_min: int | np.ndarray = 0
    # An IANA zone instead: every value shows the offset in force at its instant (DST).
    zone: str | None = None

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def take(self, index: np.ndarray) -> Frame:
        """The rows at `index` (positions or a boolean mask), with their offsets."""
        offset = self.offset_min if np.ndim(self.offset_min) == 0 else np.asarray(self.offset_min)[index]
        return Frame({k: v[index] for k, v in self.columns.items()}, offset, self.zone)

    @staticmethod
    def concat(frames: list[Frame]) -> Frame | None:
        frames = [f for f in frames if f is not None and len(f)]
        if not frames:
            return None
        if len(frames) == 1:
            return frames[0]
        names = frames[0].columns.keys()
        columns = {n: np.concatenate([f.columns[n] for f in frames]) for n in names}
        if all(np.isscalar(f.offset_min) and f.offset_min == frames[0].offset_min for f in frames):
            offset = frames[0].offset_min
        else:
            offset = np.concatenate(
                [np.broadcast_to(np.asarray(f.offset_min, dtype=np.int64), (len(f),)) for f in frames]
            )
        return Frame(columns, offset, frames[0].zone)


def decimal_scale(column: Column) -> int | None:
    m = _DECIMAL.fullmatch(column.type.replace(" ", ""))
    return int(m.group(2)) if m else None


# ---------------------------------------------------------------- CSV ----

_OFFSET_STEP = 900  # offsets change on quarter hours of UTC in every zone, DST included


@cache
def _offset_at(zone: str, step: int) -> int:
    offset = datetime.fromtimestamp(step * _OFFSET_STEP, ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds()) // 60


def zone_offsets(zone: str, seconds: np.ndarray) -> np.ndarray:
    """UTC offset in minutes of `zone` at each instant (epoch seconds)."""
    steps, index = np.unique(np.asarray(seconds, dtype=np.int64) // _OFFSET_STEP, return_inverse=True)
    return np.array([_offset_at(zone, s) for s in steps.tolist()], dtype=np.int64)[index]


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(int(minutes))
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _format_decimal(values: np.ndarray, scale: int) -> np.ndarray:
    neg = values < 0
    mag = np.abs(values)
    unit = 10**scale
    whole = (mag // unit).astype(str)
    if scale:
        frac = np.strings.zfill((mag % unit).astype(str), scale)
        text = np.strings.add(np.strings.add(whole, "."), frac)
    else:
        text = whole
    if neg.any():
        text = np.where(neg, np.strings.add("-", text), text)
    return text


def _format_column(column: Column, values: np.ndarray, offset_min, zone: str | None = None) -> list[str]:
    kind = column.type
    if kind == "VARCHAR":
        return ["" if v is None else v for v in values.tolist()]
    null = values == NULL
    safe = np.where(null, 0, values)
    if kind == "TIMESTAMPTZ":
        if zone is not None:
            offset_min = zone_offsets(zone, safe)
        local = safe + np.asarray(offset_min, dtype=np.int64) * 60
        text = np.datetime_as_string(local.astype("datetime64[s]"), unit="s")
        if np.isscalar(offset_min) or np.ndim(offset_min) == 0:
            text = np.strings.add(text, _offset_text(int(offset_min)))
        else:
            suffixes = np.array([_offset_text(m) for m in np.unique(offset_min)])
            idx = np.searchsorted(np.unique(offset_min), offset_min)
            text = np.strings.add(text, suffixes[idx])
    elif kind == "DATE":
        text = np.datetime_as_string(safe.astype("datetime64[D]"), unit="D")
    elif (scale := decimal_scale(column)) is not None:
        text = _format_decimal(safe, scale)
    elif kind in ("INTEGER", "BIGINT", "SMALLINT"):
        text = safe.astype(str)
    else:  # pragma: no cover - the contract uses no other types
        raise ValueError(f"cannot format {column.name} of type {kind}")
    out = text.tolist()
    if null.any():
        for i in np.flatnonzero(null).tolist():
            out[i] = ""
    return out


def _replace_into(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_csv(path: Path, table: Source | Reference, frame: Frame, excel: bool = False) -> int:
    """UTF-8, header in contract order, comma, minimal double-quote quoting.

    ``excel``: as a spreadsheet saves it, with a UTF-8 byte-order mark and CRLF line ends.
    """
    names = list(table.columns)
    cols = [_format_column(table.columns[n], frame.columns[n], frame.offset_min, frame.zone) for n in names]

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig" if excel else "utf-8") as fh:
            out = csv.writer(fh, lineterminator="\r\n" if excel else "\n", quoting=csv.QUOTE_MINIMAL)
            out.writerow(names)
            out.writerows(zip(*cols, strict=True))

    _replace_into(path, write)
    return len(frame)


# ------------------------------------------------------------ Parquet ----


def _arrow_type(column: Column) -> pa.DataType:
    kind = column.type
    if kind == "VARCHAR":
        return pa.string()
    if kind == "TIMESTAMPTZ":
        return pa.timestamp("us", tz="UTC")
    if kind == "DATE":
        return pa.date32()
    if kind == "INTEGER":
        return pa.int32()
    if kind == "BIGINT":
        return pa.int64()
    m = _DECIMAL.fullmatch(kind.replace(" ", ""))
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"no Arrow type for {column.name} of type {kind}")  # pragma: no cover


def _arrow_column(column: Column, values: np.ndarray) -> pa.Array:
    typ = _arrow_type(column)
    if column.type == "VARCHAR":
        return pa.array(values.tolist(), type=typ)
    null = values == NULL
    mask = null if null.any() else None
    safe = np.where(null, 0, values).astype(np.int64)
    if pa.types.is_timestamp(typ):
        return pa.array(safe * 1_000_000, type=typ, mask=mask)
    if pa.types.is_date32(typ):
        return pa.array(safe.astype(np.int32), type=typ, mask=mask)
    if pa.types.is_int32(typ):
        return pa.array(safe.astype(np.int32), type=typ, mask=mask)
    if pa.types.is_int64(typ):
        return pa.array(safe, type=typ, mask=mask)
    # decimal128: 16-byte little-endian two's complement from the scaled int64
    n = len(safe)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = safe
    words[:, 1] = safe >> 63
    validity = None
    if mask is not None:
        validity = pa.array(~null).buffers()[1]
    return pa.Array.from_buffers(
        typ, n, [validity, pa.py_buffer(words.tobytes())], null_count=int(null.sum())
    )


def arrow_schema(table: Source | Reference) -> pa.Schema:
    return pa.schema([pa.field(n, _arrow_type(c), nullable=not c.required) for n, c in table.columns.items()])


def write_parquet(path: Path, table: Source | Reference, frame: Frame) -> int:
    """Same columns as the CSV; timestamps tz-aware UTC, dates date32, decimals decimal128."""
    arrays = [_arrow_column(table.columns[n], frame.columns[n]) for n in table.columns]
    data = pa.Table.from_arrays(arrays, schema=arrow_schema(table))
    _replace_into(path, lambda tmp: pq.write_table(data, tmp, compression="snappy"))
    return len(frame)


def write_extract(path_without_suffix: Path, table: Source, frame: Frame, excel: bool = False) -> Path:
    """The extract as the contract's format; ``excel`` applies to CSV only (see write_csv)."""
    path = path_without_suffix.with_suffix(f".{table.format}")
    if table.format == "csv":
        write_csv(path, table, frame, excel)
    else:
        write_parquet(path, table, frame)
    return path
