"""Deterministic demo data: landing extracts for every source of the contract.

``generate(landing, start, end, scale, seed)`` writes, for every day D of the
range, ``<landing>/<source>/<D>.csv|.parquet`` (format, columns and their
order from ``pipelines/sources/contract.yml``) and the reference files
``<landing>/reference/chart_of_accounts.csv`` and ``budget.csv``.

The company
-----------
A growing online retailer (orders +24 %/year) selling in four regions (NA in
USD, EU in EUR and GBP, APAC in JPY and AUD, LATAM in BRL) through web,
mobile, marketplace and retail, to consumers and invoiced business customers.
Demand has a weekly pattern, a yearly one with a Q4 peak and a Black Friday
to Cyber Monday spike, and holiday dips; the channel mix drifts to mobile and
the region mix to APAC. FX rates follow mean-reverting daily random walks
(published on weekdays only). The general ledger ties to the operational
data: one revenue line per fulfilled order, COGS, carrier and fee costs,
returns, payroll accrued daily per department from the employee roster,
rent, software, expense reports, advertising from marketing spend, and
customer payments of invoices. See the domain modules for the details:
``commerce``, ``support``, ``people``, ``finance``, ``defects``.

Extracts are change-data-capture: extract D holds the rows created or
changed on D (UTC business day), as of the end of D. An order reappears when
it ships, is delivered, cancelled or returned; a shipment when its delivery is
scanned; a ticket when it is answered, resolved and scored; an invoice when
it is paid (a third late, 1 % never); an employee on notice. Event
timestamps are never after their extract day; plan dates (promised_date,
due_on, terminated_on as a notice) may be.

The first extract of a range is an initial load: a snapshot of existing
customers and employees (former ones included) and the FX rates of the week
before, so the first days convert to USD.

Late-arriving changes (background): a quarter of marketplace orders sync
2-40 hours late, 6 % of delivery scans arrive 0.5-2.5 days late, 20 % of
invoice payments are reconciled 0.5-2.5 days late, one hire in five is keyed
1-5 days late, CSAT scores arrive up to two days after resolution.

Incidents (offsets in days from ``start``; dates for the demo start 2024-01-01)
-----------------------------------------------------------------------------
=======  ==================  =========================  =================================================
offset   kind                demo dates                 effect
=======  ==================  =========================  =================================================
290      carrier_delay       2024-10-17 .. 2024-10-30   FedEx shipments shipped in the window take 3-6
                                                        more days: on-time delivery drops, tickets rise,
                                                        NPS and CSAT dip
435      cost_overrun        2025-03 (whole month)      engineering: extra cloud spend of 45 % of the cost
                                                        center's run-rate (account 6300), not budgeted
560      support_backlog     2025-07-14 .. 2025-07-20   tickets x2 while desk capacity drops to 40 %: response
                                                        and resolution times stretch, backlog lingers for
                                                        weeks, CSAT and NPS fall
640      marketplace_outage  2025-10-02 .. 2025-10-04   marketplace orders of those days reach the
                                                        extract of 2025-10-05 (late-arriving batch)
1008     cost_overrun        2026-10 (whole month)      marketing: paid_search and social spend x1.8
                                                        (CAC up, marketing opex over budget)
1015     support_backlog     2026-10-12 .. 2026-10-18   as above
1036     carrier_delay       2026-11-02 .. 2026-11-15   as above
=======  ==================  =========================  =================================================

Scale
-----
``scale=1`` is about 9,000 source rows a day (about 10 million over three
years; orders about 3,000 rows a day including their change rows). Volumes
scale linearly, except the workforce (at least 12 employees so that every
department exists) and the per-day grids (web traffic: 8 rows, marketing
spend: up to 16, fx rates: 6 on weekdays, and the ledger's per-day journals:
payroll, rent and software per cost center, sales and returns per currency).
At least one order is placed every day, so every-day sources are never empty.

Determinism
-----------
Every day draws from its own ``numpy.random.default_rng([seed, domain, day])``
streams, and all state is carried forward day by day, so the same arguments
give byte-identical files, and extending ``end`` leaves the earlier days'
extracts unchanged. Memory is bounded: besides a few bytes per customer, only
rows with future events (at most about seven months ahead) are kept.
``defects=True`` (the default) injects a tiny share of rows that a strict
loader must quarantine (see ``pipelines.demo.defects``); with ``defects=False``
every contract rule holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from pipelines.sources.contract import load_contract

from . import defects as defect_rules
from .commerce import Commerce
from .finance import Ledger, chart_of_accounts, fx_rates
from .model import FX, Day, Incidents, calendar_days, day_number, month_key
from .output import Frame, write_csv, write_extract
from .people import People
from .support import Support

_EXTRACT = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(csv|parquet)$")


def _clear_range(directory: Path, start: date, end: date) -> None:
    """Remove earlier extracts of the range so a rerun leaves no stale or ambiguous files."""
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        return
    lo, hi = start.isoformat(), end.isoformat()
    for entry in os.scandir(directory):
        m = _EXTRACT.match(entry.name)
        if m and lo <= m.group(1) <= hi:
            os.unlink(entry.path)


def generate(
    landing: Path,
    start: date,
    end: date,
    scale: float = 0.02,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    defects: bool = True,
) -> dict[str, int]:
    """Write demo landing files for every day in [start, end]; return rows written per source (and per reference file).

    ``defects`` (default True) adds the few quarantinable rows documented in
    ``pipelines.demo.defects``; ``progress`` receives one message per month.
    """  # noqa: E501
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    contract = load_contract()
    landing = Path(landing)
    for name in contract.sources:
        _clear_range(landing / name, start, end)

    fx = FX(seed, end)
    incidents = Incidents(start)
    commerce, support, people = Commerce(scale), Support(scale), People(scale)
    ledger = Ledger(scale, start, fx)
    counts = dict.fromkeys(contract.sources, 0)
    month, month_rows = month_key(start), 0

    for d in calendar_days(start, end):
        num = day_number(d)
        day = Day(d, num, d == start, scale, seed, fx.rates(num), incidents)
        c = commerce.step(day)
        frames: dict[str, Frame | None] = {k: v for k, v in c.items() if k != "finance"}
        frames.update(support.step(day, commerce))
        frames["employees"] = people.step(day)
        frames["gl_journal_lines"] = ledger.step(day, c["finance"], people, commerce.expected_orders)
        frames["fx_rates"] = fx_rates(day, fx)
        if defects:
            defect_rules.inject(day, frames)

        for name, source in contract.sources.items():
            frame = frames.get(name)
            if frame is None or len(frame) == 0:
                if source.every_day:  # pragma: no cover - the model guarantees rows
                    raise RuntimeError(f"{name} has no rows on {d}, but it delivers every day")
                continue
            write_extract(landing / name / d.isoformat(), source, frame)
            counts[name] += len(frame)
            month_rows += len(frame)

        nxt = d + timedelta(days=1)
        if progress and (nxt.day == 1 or d == end):
            progress(f"{month}: {month_rows:,} rows")
            month_rows = 0
        month = month_key(nxt)

    reference = landing / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    refs = {"chart_of_accounts": chart_of_accounts(), "budget": ledger.budget(seed, start, end)}
    for name, frame in refs.items():
        table = contract.references[name]
        counts[name] = write_csv(reference / table.file, table, frame)
    return counts
