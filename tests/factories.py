"""Valid landing rows for tests, built from the contract; override what a test breaks."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.sources.contract import load_contract

_DEFAULTS = {
    "VARCHAR": "X1",
    "DATE": "{day}",
    "TIMESTAMPTZ": "{day}T09:00:00+00:00",
    "INTEGER": "1",
    "BIGINT": "100",
}


def valid_row(source: str, day: date, **overrides) -> dict[str, str]:
    table = load_contract().table(source)
    enums = load_contract().enums
    row = {}
    for column in table.columns.values():
        if column.enum:
            value = enums[column.enum][0]
        elif column.type.startswith("DECIMAL"):
            value = "1.00" if column.min_exclusive is not None or column.max is not None else "10.00"
        else:
            value = _DEFAULTS[column.type].format(day=day.isoformat())
        row[column.name] = value
    if source == "orders":
        row.update(discount_amount="1.00", currency="USD")
    if source in ("fx_rates",):
        row.update(currency="USD", usd_per_unit="1")
    if source == "budget":
        row.update(budget_month=day.strftime("%Y-%m"))
    if source == "employees":
        row.update(terminated_on="")
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_extract(
    landing: Path, source: str, day: date, rows: list[dict[str, str]], fmt: str = "csv"
) -> Path:
    path = landing / source / f"{day.isoformat()}.{fmt}"
    if fmt == "csv":
        return write_csv(path, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path
