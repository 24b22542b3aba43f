"""Kiwi & Koa: a small marketplace unlike the demo company, as a hand-written landing zone.

Sells in NZD, AUD, USD and GBP. Its source systems stamp local time:
Pacific/Auckland (+13:00 in January/February), Pacific/Honolulu (−10:00) and
America/Los_Angeles (−08:00), and each cuts its extract at its own midnight.
Five extract days around a month boundary: Fri 2026-01-30 .. Tue 2026-02-03
(no FX rates on the weekend).

The CSV extracts are committed as text under `landing/` (finance exports them
from Excel: CRLF, a UTF-8 BOM on 2026-02-01, quoted commas and a line break
inside a description). Shipments come as Parquet, which cannot be written by
hand: their rows are below and `build_landing` writes them. Parquet keeps only
the instant of a timestamp, not the offset it was written with.

`redelivery/` holds the first delivery of a day that finance later re-sent:
the run starts with it, then the final file from `landing/` replaces it.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
LANDING = HERE / "landing"
FIRST_DELIVERY = HERE / "redelivery"
START, END = date(2026, 1, 30), date(2026, 2, 3)
REDELIVERED = ("gl_journal_lines", date(2026, 2, 2))

SHIPMENT_COLUMNS = {
    "shipment_id": "VARCHAR",
    "order_id": "VARCHAR",
    "warehouse": "VARCHAR",
    "carrier": "VARCHAR",
    "shipped_at": "TIMESTAMPTZ",
    "promised_date": "DATE",
    "delivered_at": "TIMESTAMPTZ",
    "updated_at": "TIMESTAMPTZ",
}

# The shipping system's extract per day: (shipment_id, order_id, warehouse,
# carrier, shipped_at, promised_date, delivered_at, updated_at).
SHIPMENTS = {
    date(2026, 1, 31): [
        # in transit; delivered in the 2026-02-02 extract
        ("S-01", "K-1001", "AKL-1", "NZ Post", "2026-01-31T10:00:00+13:00", "2026-02-01", None,
         "2026-01-31T10:00:00+13:00"),
        # delivered on the evening of 31 Jan in Honolulu, which is 1 Feb in UTC and in Auckland
        ("S-03", "K-1002", "HNL-1", "UPS", "2026-01-30T15:00:00-10:00", "2026-01-31",
         "2026-01-31T21:00:00-10:00", "2026-01-31T21:00:00-10:00"),
    ],
    date(2026, 2, 2): [
        # 09:00 on 2 Feb in Auckland is 1 Feb in UTC: on time in UTC, late in Auckland
        ("S-01", "K-1001", "AKL-1", "NZ Post", "2026-01-31T10:00:00+13:00", "2026-02-01",
         "2026-02-02T09:00:00+13:00", "2026-02-02T09:00:00+13:00"),
        ("S-02", "K-1005", "SYD-1", "Aramex", "2026-02-01T16:00:00+13:00", "2026-02-03",
         "2026-02-02T15:00:00+11:00", "2026-02-02T15:00:00+11:00"),
        # delivered the evening of 2 Feb in Los Angeles, 3 Feb in UTC
        ("S-04", "K-1006", "LAX-1", "UPS", "2026-02-01T12:00:00-08:00", "2026-02-02",
         "2026-02-02T18:30:00-08:00", "2026-02-02T18:30:00-08:00"),
    ],
}  # fmt: skip


def write_shipments(landing: Path) -> None:
    """One Parquet file per extract day with the contract's types (TIMESTAMPTZ keeps the instant)."""
    folder = landing / "shipments"
    folder.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f"{name} {kind}" for name, kind in SHIPMENT_COLUMNS.items())
    con = duckdb.connect()
    try:
        for day, rows in SHIPMENTS.items():
            con.execute(f"create or replace table shipments ({columns})")
            con.executemany(f"insert into shipments values ({', '.join('?' * len(SHIPMENT_COLUMNS))})", rows)
            con.execute(f"copy shipments to '{folder / f'{day.isoformat()}.parquet'}' (format parquet)")
    finally:
        con.close()


def build_landing(target: Path, first_delivery: bool = False) -> Path:
    """The landing zone in `target`; with `first_delivery`, the re-delivered day as first sent."""
    shutil.copytree(LANDING, target)
    write_shipments(target)
    if first_delivery:
        redeliver(target, FIRST_DELIVERY)
    return target


def redeliver(target: Path, source_root: Path = LANDING) -> None:
    """Put the REDELIVERED extract from `source_root` into the landing zone `target`."""
    source, day = REDELIVERED
    shutil.copyfile(
        source_root / source / f"{day.isoformat()}.csv", target / source / f"{day.isoformat()}.csv"
    )
