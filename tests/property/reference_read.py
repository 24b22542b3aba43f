"""The landing files read back as docs/landing-contract.md says, independently of the pipeline:
strict CSV (BOM accepted, `"` quoting) or Parquet, typed per the contract
tables, a timestamp without offset read in LODESTAR_TIMEZONE, then each key at
its latest version. `violations` re-checks the contract's row and file rules,
so a landing the strategy gets wrong is caught here, not blamed on the pipeline.

Amounts are exact Fractions and timestamps aware datetimes in UTC.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow.parquet as pq

from tests.property.contract_spec import DATE, ENUMS, REFERENCES, SOURCES, TS, Table

# Plausibility bounds in USD (docs/landing-contract.md), per source and amount column.
USD_BOUNDS = {
    "orders": {"gross_amount": 1e6, "discount_amount": 1e6, "shipping_amount": 1e6},
    "gl_journal_lines": {"debit": 1e9, "credit": 1e9},
    "invoices": {"amount": 1e8},
    "marketing_spend": {"amount": 1e7},
    "budget": {"amount": 1e10},
}
FX_LOOK_BACK = 7


def _parse(kind: str, value, zone: ZoneInfo):
    if value is None or value == "":
        return None
    if kind == TS:
        ts = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return (ts if ts.tzinfo else ts.replace(tzinfo=zone)).astimezone(UTC)
    if kind == DATE:
        return value if isinstance(value, date) else date.fromisoformat(value)
    if kind.startswith("DECIMAL"):
        return Fraction(Decimal(str(value)))
    if kind in ("INTEGER", "BIGINT"):
        return int(value)
    return str(value)


def _records(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    with path.open(encoding="utf-8-sig", newline="") as handle:  # utf-8-sig: a BOM is accepted
        return list(csv.DictReader(handle, delimiter=",", quotechar='"', strict=True))


def read_file(path: Path, table: Table, zone: ZoneInfo, extract: date | None) -> pd.DataFrame:
    """One file as typed contract columns plus _extract and _line (1-based record number)."""
    rows = [
        {c: _parse(kind, record.get(c), zone) for c, kind in table.columns.items()} | {"_line": n}
        for n, record in enumerate(_records(path), start=1)
    ]
    frame = pd.DataFrame(rows, columns=[*table.columns, "_line"], dtype=object)
    frame["_extract"] = extract
    frame["_file"] = str(path)
    return frame


@dataclass
class Read:
    """Every version of every source (in the range) and the reference files."""

    versions: dict[str, pd.DataFrame]
    references: dict[str, pd.DataFrame]
    files: dict[tuple[str, date], int]  # (source, extract day) -> rows read
    zone: ZoneInfo

    def latest(self, source: str) -> pd.DataFrame:
        """Each key at its latest version: greatest updated_at, then later extract, then later line."""
        table = SOURCES[source]
        order = ([table.version] if table.version else []) + ["_extract", "_line"]
        frame = self.versions[source].sort_values(order, kind="stable")
        return frame.drop_duplicates(list(table.key), keep="last").reset_index(drop=True)

    def business_day(self, ts: datetime | None) -> date | None:
        return None if ts is None else ts.astimezone(self.zone).date()


def read_landing(root: Path, start: date, end: date, zone: str) -> Read:
    tz = ZoneInfo(zone)
    versions, files = {}, {}
    for name, table in SOURCES.items():
        frames = []
        for path in sorted((root / name).glob("*")) if (root / name).exists() else []:
            day = date.fromisoformat(path.stem)
            if start <= day <= end:
                frames.append(read_file(path, table, tz, day))
                files[(name, day)] = len(frames[-1])
        columns = [*table.columns, "_line", "_extract", "_file"]
        versions[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    references = {
        name: read_file(root / "reference" / f"{name}.csv", table, tz, None)
        for name, table in REFERENCES.items()
    }
    return Read(versions, references, files, tz)


# ------------------------------------------------------------------- FX ----


class Fx:
    """USD per unit of a currency on a day: that day's rate or the latest of the 7 days before."""

    def __init__(self, read: Read):
        self.rates: dict[str, dict[date, Fraction]] = {}
        for row in read.latest("fx_rates").itertuples():
            self.rates.setdefault(row.currency, {})[row.rate_date] = row.usd_per_unit

    def rate(self, currency: str, day: date) -> Fraction | None:
        if currency == "USD":
            return Fraction(1)
        known = self.rates.get(currency, {})
        for back in range(FX_LOOK_BACK + 1):
            if day - timedelta(days=back) in known:
                return known[day - timedelta(days=back)]
        return None


def fx_day(read: Read, source: str, row) -> date:
    """The day whose rate converts a row's amounts (docs/kpis.md)."""
    if source == "orders":
        return read.business_day(row["ordered_at"])
    if source == "budget":
        return date.fromisoformat(row["budget_month"] + "-01")
    return row[
        {"gl_journal_lines": "posted_on", "invoices": "issued_on", "marketing_spend": "spend_date"}[source]
    ]


# ------------------------------------------------------------ the rules ----

# The row rules of docs/landing-contract.md (and contract.yml's not_before), per source: each must hold.
ROW_RULES = {
    "customers": lambda r: [r["updated_at"] >= r["created_at"]],
    "orders": lambda r: [
        0 <= r["discount_amount"] <= r["gross_amount"],
        r["shipping_amount"] >= 0,
        r["updated_at"] >= r["ordered_at"],
    ],
    "shipments": lambda r: [r["delivered_at"] is None or r["delivered_at"] >= r["shipped_at"]],
    "support_tickets": lambda r: [
        r["csat_score"] is None or 1 <= r["csat_score"] <= 5,
        all(r[c] is None or r[c] >= r["opened_at"] for c in ("first_response_at", "resolved_at")),
    ],
    "nps_responses": lambda r: [0 <= r["score"] <= 10],
    "web_traffic": lambda r: [0 <= r["sessions"] <= 10**9],
    "employees": lambda r: [
        0 < r["fte"] <= 1,
        r["terminated_on"] is None or r["terminated_on"] > r["hired_on"],
    ],
    "gl_journal_lines": lambda r: [r["debit"] >= 0, r["credit"] >= 0, r["line_number"] >= 1],
    "invoices": lambda r: [
        r["amount"] > 0,
        r["due_on"] >= r["issued_on"],
        r["paid_on"] is None or r["paid_on"] >= r["issued_on"],
    ],
    "marketing_spend": lambda r: [r["amount"] >= 0],
    "fx_rates": lambda r: [
        0 < r["usd_per_unit"] <= 100_000,
        r["currency"] != "USD" or r["usd_per_unit"] == 1,
    ],
    "budget": lambda r: [
        len(r["budget_month"]) == 7 and 1 <= int(r["budget_month"][5:]) <= 12,
        r["amount"] >= 0,
    ],
}


def _row_problems(read: Read, fx: Fx, source: str, row, extract: date | None) -> list[str]:
    table = SOURCES.get(source) or REFERENCES[source]
    problems = [f"{k} is missing" for k in table.key if row[k] is None]
    problems += [
        f"{c}={row[c]!r} not in {e}"
        for c, e in table.enums.items()
        if row[c] is not None and row[c] not in ENUMS[e]
    ]
    if extract is not None:
        limit = datetime.combine(extract + timedelta(days=1), time(12), UTC)  # end of D at UTC-12
        for c in table.events():
            value = row[c]
            late = value is not None and (value >= limit if table.columns[c] == TS else value > extract)
            problems += [f"{c}={value} is after extract day {extract}"] if late else []
    checks = ROW_RULES.get(source, lambda r: [])(row)
    problems += [f"rule {i} of {source} broken" for i, ok in enumerate(checks) if not ok]
    if source in USD_BOUNDS:
        rate = fx.rate(row["currency"], fx_day(read, source, row))
        if rate is None:
            problems.append(f"no {row['currency']} rate on {fx_day(read, source, row)} or the 7 days before")
        else:
            problems += [
                f"{c} is implausible" for c, bound in USD_BOUNDS[source].items() if row[c] * rate > bound
            ]
    return problems


def violations(read: Read, start: date, end: date) -> list[str]:
    """Every contract rule the landing breaks (empty for a valid landing)."""
    fx, problems = Fx(read), []
    accounts = set(read.references["chart_of_accounts"]["account_code"])
    for name, frame in [*read.versions.items(), *read.references.items()]:
        for row in frame.to_dict("records"):
            extract = row["_extract"] if name in SOURCES else None
            where = f"{name} {row['_file']} record {row['_line']}"
            problems += [f"{where}: {p}" for p in _row_problems(read, fx, name, row, extract)]
        table = SOURCES.get(name) or REFERENCES[name]
        keys = (
            list(table.key)
            + ([] if name in SOURCES else ["_file"])
            + (["_extract"] if name in SOURCES else [])
        )
        duplicated = frame[frame.duplicated(keys, keep=False)] if len(frame) else frame
        problems += [f"{name}: key {r} twice in one extract" for r in duplicated[keys].to_dict("records")]
    gl = read.versions["gl_journal_lines"]
    for (journal, extract), lines in gl.groupby(["journal_id", "_extract"]):
        if sum(lines["debit"]) != sum(lines["credit"]):
            problems.append(f"journal {journal} of {extract} does not balance")
    problems += [f"account {a} not in the chart" for a in set(gl["account_code"]) - accounts]
    for name, table in SOURCES.items():
        for day in pd.date_range(start, end).date if table.every_day else []:
            if not read.files.get((name, day)):
                problems.append(f"{name}: no rows on {day} (an every-day source)")
    return problems
