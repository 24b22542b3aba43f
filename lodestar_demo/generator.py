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
1054     export_outage       2026-11-20 .. 2026-11-22   the web analytics export fails: no web_traffic
                                                        extract, a file rule of an every-day source, so
                                                        conversion_rate is stale from 2026-11-20 (the
                                                        stale path the demo shows in status and scorecard)
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
loader must quarantine (see ``lodestar_demo.defects``); with ``defects=False``
every contract rule holds.

Messy mode
----------
``messy=True`` (``lodestar generate --messy``) delivers the same company the
way foreign systems would. Every row stays valid under the contract's reading
rules (docs/landing-contract.md), so nothing of it may be quarantined or blocked; what changes:

- Local time and local midnight. Each source system stamps its own local
  time with the offset in force (DST included) and cuts its extract at its own
  midnight: commerce (customers, orders, shipments) in America/Los_Angeles,
  support (tickets, NPS) in Pacific/Honolulu (-10:00), people (employees) in
  Pacific/Auckland, finance (invoices) in Europe/London. A row version lands
  in the extract of the local date of its change (``updated_at``, or
  ``responded_at``): an order updated at ``2024-03-12T21:00:00-07:00`` is in
  the 2024-03-12 extract though that is 03-13 in UTC. A key changed twice in
  one local day appears once, in its latest version. The instants are those of
  the default output; Parquet keeps instants only (UTC), but shipments are cut
  the same way. Day-keyed sources (web_traffic, gl_journal_lines,
  marketing_spend, fx_rates) keep their day. No timestamp is after the end of
  its extract day in every zone (extract day + 1 at 12:00 UTC); rows dated
  before the first day go to the first extract (an initial load). To finish
  local day ``end`` the generator simulates UTC day ``end`` + 1 (not written).
- Spreadsheet CSV: marketing_spend every day and about 15 % of the other CSV
  extracts are saved as a spreadsheet saves them, with a UTF-8 byte-order mark
  and CRLF line ends; about a third of those have one line pasted twice (an
  exact duplicate line).
- A budget in two currencies: operations plans its opex in EUR and GBP every
  month, support in even months (``finance.BUDGET_SPLIT``); the lines add up
  after FX.
- Hires keyed ahead: about 40 % of hires are accepted offers keyed the day they
  are accepted, with ``hired_on`` one to five weeks later, and the initial HR
  load holds a few such offers (``people.OFFER_P``). Because the roster then
  differs, payroll and the ledger differ slightly from the default output;
  commerce and support rows are the default's.

Messy choices draw from their own random streams (``offers``, ``excel``), so
``messy=False`` output is byte-identical to what it was before messy mode.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from pipelines.sources.contract import load_contract

from . import defects as defect_rules
from .commerce import Commerce
from .finance import Ledger, chart_of_accounts, fx_rates
from .messy import SYSTEM_ZONES, LocalCuts, paste_twice, spreadsheet_styles
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
    messy: bool = False,
) -> dict[str, int]:
    """Write demo landing files for every day in [start, end]; return rows written per source (and per reference file).

    ``defects`` (default True) adds the few quarantinable rows documented in
    ``lodestar_demo.defects``; ``messy`` delivers the same company the way
    foreign systems would (see "Messy mode" above); ``progress`` receives one
    message per month.
    """  # noqa: E501
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    contract = load_contract()
    landing = Path(landing)
    for name in contract.sources:
        _clear_range(landing / name, start, end)

    # Messy mode needs UTC day end + 1: systems west of UTC finish day `end` during it.
    last = end + timedelta(days=1) if messy else end
    fx = FX(seed, last)
    incidents = Incidents(start)
    commerce, support, people = Commerce(scale), Support(scale), People(scale, offers_ahead=messy)
    ledger = Ledger(scale, start, fx)
    counts = dict.fromkeys(contract.sources, 0)
    cuts = LocalCuts(contract, day_number(start)) if messy else None
    csv_sources = [n for n, s in contract.sources.items() if s.format == "csv"]
    month_rows = 0
    budget = None

    def write_day(day: Day, frames: dict[str, Frame | None]) -> None:
        nonlocal month_rows
        if defects:
            defect_rules.inject(day, frames)
        styles = spreadsheet_styles(seed, day.num, csv_sources) if messy else {}
        for name, source in contract.sources.items():
            if day.incidents.active("export_outage", day.num, name):
                continue  # the extract is never delivered: its KPIs go stale for those days
            frame = frames.get(name)
            if frame is None or len(frame) == 0:
                if source.every_day:  # pragma: no cover - the model guarantees rows
                    hint = " (with --messy: no row on that local day at this scale)" if messy else ""
                    raise RuntimeError(f"{name} has no rows on {day.date}, but it delivers every day{hint}")
                continue
            if messy:
                frame = replace(frame, zone=SYSTEM_ZONES.get(source.system))
                if styles.get(name) is not None:
                    frame = paste_twice(frame, styles[name])
            write_extract(landing / name / day.date.isoformat(), source, frame, excel=name in styles)
            counts[name] += len(frame)
            month_rows += len(frame)
        nxt = day.date + timedelta(days=1)
        if progress and (nxt.day == 1 or day.date == end):
            progress(f"{month_key(day.date)}: {month_rows:,} rows")
            month_rows = 0

    previous: tuple[Day, dict[str, Frame | None]] | None = None
    for d in calendar_days(start, last):
        num = day_number(d)
        day = Day(d, num, d == start, scale, seed, fx.rates(num), incidents)
        c = commerce.step(day)
        frames: dict[str, Frame | None] = {k: v for k, v in c.items() if k != "finance"}
        frames.update(support.step(day, commerce))
        frames["employees"] = people.step(day)
        frames["gl_journal_lines"] = ledger.step(day, c["finance"], people, commerce.expected_orders)
        frames["fx_rates"] = fx_rates(day, fx)
        if d == end:  # the plan is based on the range's actuals, whatever is simulated after
            budget = ledger.budget(seed, start, end, split_currencies=messy)
        if cuts is None:
            write_day(day, frames)
            continue
        # messy: rows with a change instant go to their local day's extract, which is
        # complete once the next UTC day is in; dated rows (traffic, ledger, spend, rates)
        # stay with their day.
        for name in cuts.cuts:
            cuts.add(name, frames.pop(name), num)
        if previous is not None:
            prev_day, prev_frames = previous
            prev_frames.update({name: cuts.take(name, prev_day.num) for name in cuts.cuts})
            write_day(prev_day, prev_frames)
        previous = (day, frames)

    reference = landing / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    refs = {"chart_of_accounts": chart_of_accounts(), "budget": budget}
    for name, frame in refs.items():
        table = contract.references[name]
        counts[name] = write_csv(reference / table.file, table, frame)
    return counts
