"""A Hypothesis strategy for small, random, contract-VALID landings
(docs/landing-contract.md) of a company that is not the demo company.

Hypothesis draws the shape of a landing: its days, each source system's UTC
offset, the currencies, the file format of each source, and a seed. The rows
come from a `random.Random` with that seed: a landing has hundreds of values,
and drawing each through Hypothesis would exceed its data budget for no gain
(one example runs the pipeline for ~30 s, so the tests do not shrink anyway).

What a landing exercises (`Features.full()`; `Features.today()` leaves out
what the pipeline on main does not implement yet):
- timestamps stamped with each system's own offset (-10:00..+14:00), some rows
  with another offset, some without offset (CSV only), many late in the local
  evening, and events that arrive in a later extract;
- CDC: orders shipped/cancelled/returned later, shipments delivered later,
  tickets answered/resolved/scored later, invoices paid later, employees
  terminated or changed later; sources without updated_at re-state a key in a
  later extract (fx correction, traffic and spend restatements, nps rescore);
- currencies USD, EUR, GBP, JPY, CHF with fx rates on weekdays only (and an
  occasional holiday), the first extract carrying the history back to 10 days
  before the first month;
- a budget where a cost center plans opex in two currencies;
- employees hired in the future (plan dates), inside and beyond the range;
- net credits: opex and cogs reversals (values outside today's valid ranges);
- CSV with a BOM, CRLF line ends, quoted commas, quotes and newlines, an
  unknown extra column; header-only extracts of changes-only sources; Parquet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from tests.property.contract_spec import ENUMS, SOURCES
from tests.property.landing_files import FileStyle, Landing, Stamp, money

SYSTEMS = ("commerce", "support", "people", "finance", "marketing")
# Real offsets from -10:00 to +14:00, quarter hours included.
OFFSETS = [-600, -540, -480, -420, -360, -300, -240, -210, -180, 0, 60, 120, 180, 210, 240]
OFFSETS += [270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 840]
RATES = {"EUR": "1.08", "GBP": "1.27", "JPY": "0.0066", "CHF": "1.13"}
UNITS_PER_USD = {"USD": 1, "EUR": 1, "GBP": 1, "CHF": 1, "JPY": 150}  # JPY amounts are ~150x larger
COST_CENTERS = ["CC-100", "CC-200", "CC-300", "CC-400"]  # CC-400 has no budget
BUDGETED = COST_CENTERS[:3]
DEPARTMENTS = ["Engineering", "Sales", "Support", "Finance, Legal"]
CARRIERS = ["DHL", "UPS", "FedEx", "Colissimo, La Poste"]
DESCRIPTIONS = [
    None,
    "Monthly accrual",
    "Accrual, March close",
    'Invoice "INV-7" settled',
    "Line one\nline two",
    "Café – déjà vu",
    'Reversal, see ticket\nFIN-12, "urgent"',
]
CHART = [
    ("1000", "Cash", "asset", None),
    ("1200", "Accounts receivable", "asset", None),
    ("1300", "Inventory", "asset", None),
    ("2000", "Accounts payable", "liability", None),
    ("3000", "Retained earnings", "equity", None),
    ("4000", "Product revenue", "revenue", None),
    ("4100", "Services revenue, recurring", "revenue", None),
    ("5000", "Cost of goods sold", "cogs", None),
    ("6000", "Salaries", "opex", "people"),
    ("6100", "Rent", "opex", "facilities"),
    ("6200", "Software, SaaS", "opex", "it"),
]
OPEX_ACCOUNTS = ["6000", "6100", "6200"]
DAY_END = 86399  # last second of a day


@dataclass(frozen=True)
class Features:
    offsets: bool  # UTC offsets other than +00:00
    bom: bool  # UTF-8 byte-order marks
    future_hires: bool  # hired_on after the extract day (a plan date)
    two_currency_budget: bool  # a cost center planning one month in two currencies
    net_credits: bool  # opex and cogs reversals

    @classmethod
    def full(cls) -> Features:
        return cls(True, True, True, True, True)

    @classmethod
    def today(cls) -> Features:
        """What the pipeline on main handles already (the sanity variant)."""
        return cls(False, False, False, False, False)


def _month_start(day: date) -> date:
    return day.replace(day=1)


class _Builder:
    """Builds the rows of every source, day by day, keeping the state that later versions change."""

    def __init__(self, rng, start, n_days, offsets, currencies, formats, features):
        self.rng, self.features = rng, features
        self.start, self.end = start, start + timedelta(days=n_days - 1)
        self.days = [start + timedelta(days=i) for i in range(n_days)]
        self.offsets, self.currencies, self.formats = offsets, currencies, formats
        self.extracts = {s: {d: [] for d in self.days} for s in SOURCES}
        self.emitted: set[tuple[str, date, str]] = set()  # one version per key and extract

    # ---- helpers
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def emit(self, source: str, day: date, key: str, row: dict) -> None:
        assert (source, day, key) not in self.emitted, (source, day, key)
        self.emitted.add((source, day, key))
        self.extracts[source][day].append(row)

    def free(self, source: str, day: date, key: str) -> bool:
        return (source, day, key) not in self.emitted

    def style(self, source: str) -> int | None:
        """UTC offset (minutes) of an entity's timestamps, or None: no offset (CSV only)."""
        system = SOURCES[source].system
        if self.formats[source] == "csv" and self.chance(0.15):
            return None
        if self.features.offsets and self.chance(0.15):
            return self.rng.choice(OFFSETS)
        return self.offsets[system]

    def at(self, day: date, offset: int | None, evening: bool | None = None) -> Stamp:
        """A local time on `day`; without offset never before 05:00 (no DST gap or overlap)."""
        low = 5 * 3600 if offset is None else 0
        if evening if evening is not None else self.chance(0.35):
            low = max(low, 20 * 3600)
        seconds = self.rng.randint(low, DAY_END)
        return Stamp(datetime.combine(day, time()) + timedelta(seconds=seconds), offset)

    def after(self, stamp: Stamp, day: date) -> Stamp:
        """A local time on `day` (same offset) at or after `stamp`."""
        if stamp.wall.date() < day:
            return self.at(day, stamp.offset, evening=False)
        left = DAY_END - (stamp.wall - datetime.combine(day, time())).seconds
        return Stamp(stamp.wall + timedelta(seconds=self.rng.randint(0, max(left, 0))), stamp.offset)

    def event_day(self, day: date, late: float = 0.15) -> date:
        """The day an event happened: mostly the extract day, sometimes the day before."""
        return day - timedelta(days=1) if day > self.start and self.chance(late) else day

    def amount(self, currency: str, low: int, high: int) -> Decimal:
        return money(self.rng.randint(low, high) * UNITS_PER_USD[currency])

    def customer(self) -> str:
        return f"C{self.rng.randint(1, 40):03d}"

    def pick(self, enum: str) -> str:
        return self.rng.choice(ENUMS[enum])

    # ---- sources
    def customers(self) -> None:
        known: list[dict] = []
        for day in self.days:
            for row in [r for r in known if r["_day"] < day and self.chance(0.15)]:
                update = dict(row, region=self.pick("region"), segment=self.pick("segment"))
                update["updated_at"] = self.at(day, row["created_at"].offset)
                self.emit("customers", day, row["customer_id"], _public(update))
            for _ in range(self.rng.randint(0, 3)):
                created = self.at(self.event_day(day), self.style("customers"))
                row = {
                    "customer_id": f"C{len(known) + 1:03d}",
                    "created_at": created,
                    "region": self.pick("region"),
                    "segment": self.pick("segment"),
                    "updated_at": self.after(created, day),
                }
                known.append(dict(row, _day=day))
                self.emit("customers", day, row["customer_id"], row)

    def orders_and_shipments(self) -> None:
        orders: list[dict] = []
        for day in self.days:
            for order in [
                o for o in orders if o["_day"] < day and o["status"] not in ("cancelled", "returned")
            ]:
                if self.chance(0.4):
                    self._advance_order(order, day)
            for i in range(self.rng.randint(2, 5)):
                offset = self.style("orders")
                ordered = self.at(self.event_day(day), offset)
                currency = self.rng.choice(self.currencies)
                gross = self.amount(currency, 500, 300_000)
                discount = self.rng.choice(
                    [Decimal("0.00"), (gross * Decimal("0.1")).quantize(Decimal("0.01"))]
                )
                order = {
                    "order_id": f"O{day:%m%d}-{i}",
                    "customer_id": self.customer(),
                    "ordered_at": ordered,
                    "channel": self.pick("order_channel"),
                    "region": self.pick("region"),
                    "currency": currency,
                    "gross_amount": gross,
                    "discount_amount": discount,
                    "shipping_amount": self.amount(currency, 0, 2_000),
                    "status": self.rng.choice(["placed"] * 8 + ["cancelled"]),
                    "updated_at": self.after(ordered, day),
                }
                orders.append(dict(order, _day=day, _shipment=None))
                self.emit("orders", day, order["order_id"], order)

    def _advance_order(self, order: dict, day: date) -> None:
        """A later version of an order (and of its shipment)."""
        shipment = order["_shipment"]
        if order["status"] == "placed":
            order["status"] = self.rng.choice(["shipped", "shipped", "cancelled"])
        elif order["status"] == "shipped" and shipment is not None:
            order["status"] = "delivered"
        elif order["status"] == "delivered":
            order["status"] = "returned"
        else:
            return
        order["updated_at"] = self.at(day, order["ordered_at"].offset)
        self.emit("orders", day, order["order_id"], _public(order))
        if order["status"] == "shipped":
            offset = order["ordered_at"].offset
            if offset is None and self.formats["shipments"] != "csv":
                offset = self.offsets["commerce"]  # Parquet keeps instants only
            shipped = self.at(day, offset)
            delivered = self.after(shipped, day) if self.chance(0.15) else None
            shipment = {
                "shipment_id": "S" + order["order_id"][1:],
                "order_id": order["order_id"],
                "warehouse": self.rng.choice(["WH-1", "WH-2"]),
                "carrier": self.rng.choice(CARRIERS),
                "shipped_at": shipped,
                "promised_date": order["ordered_at"].wall.date() + timedelta(days=self.rng.randint(1, 4)),
                "delivered_at": delivered,
                "updated_at": self.after(delivered or shipped, day),
            }
            order["_shipment"] = shipment
            self.emit("shipments", day, shipment["shipment_id"], dict(shipment))
        elif order["status"] == "delivered" and shipment["delivered_at"] is None:
            shipment["delivered_at"] = self.at(day, shipment["shipped_at"].offset)
            shipment["updated_at"] = self.after(shipment["delivered_at"], day)
            self.emit("shipments", day, shipment["shipment_id"], dict(shipment))

    def support_tickets(self) -> None:
        tickets: list[dict] = []
        for day in self.days:
            for ticket in [t for t in tickets if t["_day"] < day and self.chance(0.4)]:
                self._advance_ticket(ticket, day)
            for i in range(self.rng.randint(1, 4)):
                opened = self.at(self.event_day(day), self.style("support_tickets"))
                first = self.after(opened, day) if self.chance(0.5) else None
                resolved = self.after(first, day) if first and self.chance(0.3) else None
                ticket = {
                    "ticket_id": f"T{day:%m%d}-{i}",
                    "customer_id": self.customer(),
                    "channel": self.pick("ticket_channel"),
                    "priority": self.pick("ticket_priority"),
                    "opened_at": opened,
                    "first_response_at": first,
                    "resolved_at": resolved,
                    "csat_score": self.rng.choice([None, 1, 2, 3, 4, 5]) if resolved else None,
                    "updated_at": self.after(resolved or first or opened, day),
                }
                tickets.append(dict(ticket, _day=day))
                self.emit("support_tickets", day, ticket["ticket_id"], ticket)

    def _advance_ticket(self, ticket: dict, day: date) -> None:
        changed = self.at(day, ticket["opened_at"].offset)  # when this version's change happened
        if ticket["first_response_at"] is None:
            ticket["first_response_at"] = changed
            if self.chance(0.3):
                ticket["resolved_at"] = changed = self.after(changed, day)
        elif ticket["resolved_at"] is None:
            ticket["resolved_at"] = changed
            ticket["csat_score"] = self.rng.choice([None, 1, 2, 3, 4, 5])
        elif ticket["csat_score"] is None:
            ticket["csat_score"] = self.rng.randint(1, 5)  # the survey answer arrives later
        else:
            ticket["priority"] = self.pick("ticket_priority")
        ticket["updated_at"] = self.after(changed, day)
        self.emit("support_tickets", day, ticket["ticket_id"], _public(ticket))

    def nps_responses(self) -> None:
        sent: list[dict] = []
        for day in self.days:
            if sent and self.chance(0.15):  # a re-scored response re-sent: the latest extract wins
                row = dict(self.rng.choice(sent), score=self.rng.randint(0, 10))
                self.emit("nps_responses", day, row["response_id"], row)
            for i in range(self.rng.randint(0, 3)):
                row = {
                    "response_id": f"R{day:%m%d}-{i}",
                    "customer_id": self.customer(),
                    "responded_at": self.at(self.event_day(day), self.style("nps_responses")),
                    "score": self.rng.randint(0, 10),
                }
                sent.append(row)
                self.emit("nps_responses", day, row["response_id"], row)

    def web_traffic(self) -> None:
        combos = [(r, c) for r in ENUMS["region"] for c in ENUMS["traffic_channel"]]
        for day in self.days:
            dates = [day] + ([day - timedelta(days=1)] if day > self.start and self.chance(0.3) else [])
            for traffic_date in dates:
                for region, channel in self.rng.sample(combos, self.rng.randint(2, len(combos))):
                    sessions = 0 if self.chance(0.1) else self.rng.randint(60, 5_000)
                    row = {
                        "traffic_date": traffic_date,
                        "region": region,
                        "channel": channel,
                        "sessions": sessions,
                    }
                    self.emit("web_traffic", day, f"{traffic_date}{region}{channel}", row)

    def employees(self) -> None:
        staff: list[dict] = []

        def hire(day: date, hired_on: date) -> None:
            row = {
                "employee_id": f"E{len(staff) + 1:03d}",
                "department": self.rng.choice(DEPARTMENTS),
                "hired_on": hired_on,
                "terminated_on": None,
                "fte": self.rng.choice([Decimal("1.00"), Decimal("0.80"), Decimal("0.50"), Decimal("0.25")]),
                "updated_at": self.at(day, self.style("employees")),
            }
            staff.append(dict(row, _day=day))
            self.emit("employees", day, row["employee_id"], row)

        for _ in range(self.rng.randint(3, 6)):
            hire(self.start, self.start - timedelta(days=self.rng.randint(1, 900)))
        if self.features.future_hires:  # plan dates: one starts inside the range, one after it
            hire(self.start, self.start + timedelta(days=self.rng.randint(1, len(self.days) - 1)))
            hire(self.start, self.end + timedelta(days=self.rng.randint(1, 60)))
        for day in self.days[1:]:
            if self.chance(0.4):
                ahead = self.rng.randint(1, 20) if self.features.future_hires and self.chance(0.5) else 0
                hire(
                    day,
                    day + timedelta(days=ahead) if ahead else day - timedelta(days=self.rng.randint(0, 5)),
                )
            for person in [
                p for p in staff if p["_day"] < day and self.free("employees", day, p["employee_id"])
            ]:
                if person["terminated_on"] is None and self.chance(0.1):
                    leaves = day + timedelta(days=self.rng.randint(-2, 10))
                    person["terminated_on"] = max(leaves, person["hired_on"] + timedelta(days=1))
                elif self.chance(0.08):
                    person["fte"] = self.rng.choice([Decimal("1.00"), Decimal("0.60")])
                else:
                    continue
                person["updated_at"] = self.at(day, person["updated_at"].offset)
                self.emit("employees", day, person["employee_id"], _public(person))

    def gl_journal_lines(self) -> None:
        for day in self.days:
            kinds = ["sale", "cogs", "opex"] if day == self.start else []
            extra = ["sale", "sale", "opex", "opex", "cogs", "refund"]
            extra += ["opex_reversal", "cogs_reversal"] if self.features.net_credits else []
            kinds += [self.rng.choice(extra) for _ in range(self.rng.randint(1, 3))]
            for i, kind in enumerate(kinds):
                self._journal(day, f"J{day:%m%d}-{i}", kind)

    def _journal(self, day: date, journal_id: str, kind: str) -> None:
        """A balanced journal: the debit side and the credit side add up to the same cents."""
        currency = self.rng.choice(self.currencies)
        posted_on = self.event_day(day, late=0.2)
        total = self.rng.randint(2_000, 400_000) * UNITS_PER_USD[currency]
        revenue = self.rng.choice(["4000", "4100"])
        opex = self.rng.choice(OPEX_ACCOUNTS)
        debit_side, credit_side = {
            "sale": (["1200"], ["4000", "4100"]),
            "cogs": (["5000"], ["1300"]),
            "opex": ([opex, self.rng.choice(OPEX_ACCOUNTS)], ["1000"]),
            "refund": ([revenue], ["1200"]),
            "opex_reversal": (["1000"], [opex]),
            "cogs_reversal": (["1300"], ["5000"]),
        }[kind]
        lines = [(a, c, 0) for a, c in zip(debit_side, self._split(total, len(debit_side)), strict=True)]
        lines += [(a, 0, c) for a, c in zip(credit_side, self._split(total, len(credit_side)), strict=True)]
        for n, (account, debit, credit) in enumerate(lines, start=1):
            row = {
                "journal_id": journal_id,
                "line_number": n,
                "posted_on": posted_on,
                "account_code": account,
                "cost_center": self.rng.choice(COST_CENTERS) if account.startswith("6") else "CC-100",
                "currency": currency,
                "debit": money(debit),
                "credit": money(credit),
                "description": self.rng.choice(DESCRIPTIONS),
            }
            self.emit("gl_journal_lines", day, f"{journal_id}/{n}", row)

    def _split(self, cents: int, parts: int) -> list[int]:
        cuts = sorted(self.rng.randint(1, cents - 1) for _ in range(parts - 1))
        return [b - a for a, b in zip([0, *cuts], [*cuts, cents], strict=True)]

    def invoices(self) -> None:
        open_invoices: list[dict] = []
        for day in self.days:
            for invoice in [v for v in open_invoices if v["_day"] < day and self.chance(0.3)]:
                invoice["paid_on"] = max(invoice["issued_on"], self.event_day(day, late=0.3))
                invoice["updated_at"] = self.at(day, invoice["updated_at"].offset)
                open_invoices.remove(invoice)
                self.emit("invoices", day, invoice["invoice_id"], _public(invoice))
            for i in range(self.rng.randint(0, 2)):
                issued = self.event_day(day, late=0.3)
                currency = self.rng.choice(self.currencies)
                row = {
                    "invoice_id": f"I{day:%m%d}-{i}",
                    "customer_id": self.customer(),
                    "issued_on": issued,
                    "due_on": issued + timedelta(days=self.rng.choice([0, 15, 30, 45])),
                    "currency": currency,
                    "amount": self.amount(currency, 1_000, 2_000_000),
                    "paid_on": None,
                    "updated_at": self.at(day, self.style("invoices")),
                }
                open_invoices.append(dict(row, _day=day))
                self.emit("invoices", day, row["invoice_id"], row)

    def marketing_spend(self) -> None:
        sent: list[dict] = []
        for day in self.days:
            if sent and self.chance(0.25):  # a restated spend: the latest extract wins
                row = dict(self.rng.choice(sent))
                row["amount"] = self.amount(row["currency"], 0, 200_000)
                self.emit("marketing_spend", day, f"{row['spend_date']}{row['channel']}{row['region']}", row)
            for _ in range(self.rng.randint(1, 3)):
                spend_date = self.event_day(day, late=0.2)
                channel, region = self.pick("marketing_channel"), self.pick("region")
                key = f"{spend_date}{channel}{region}"
                if not self.free("marketing_spend", day, key):
                    continue
                currency = self.rng.choice(self.currencies)
                row = {
                    "spend_date": spend_date,
                    "channel": channel,
                    "region": region,
                    "currency": currency,
                    "amount": self.amount(currency, 0, 200_000),
                }
                sent.append(row)
                self.emit("marketing_spend", day, key, row)

    def fx_rates(self) -> None:
        """Weekday rates; the first extract carries the history the look-back needs."""
        foreign = [c for c in self.currencies if c != "USD"]
        with_usd = self.chance(0.5)
        first = _month_start(self.start) - timedelta(days=10)
        history = [first + timedelta(days=i) for i in range((self.start - first).days + 1)]
        for day in self.days:
            rate_dates = history if day == self.start else [day]
            for rate_date in rate_dates:
                holiday = day != self.start and self.chance(0.1)
                if rate_date.weekday() >= 5 or holiday:
                    continue
                for currency in foreign + (["USD"] if with_usd else []):
                    self._rate(day, rate_date, currency)
            earlier = [r for d in self.days if d < day for r in self.extracts["fx_rates"][d]]
            if earlier and self.chance(0.15):  # a corrected rate re-sent later
                row = self.rng.choice(earlier)
                if row["currency"] != "USD":
                    self._rate(day, row["rate_date"], row["currency"])

    def _rate(self, day: date, rate_date: date, currency: str) -> None:
        if currency == "USD":
            rate = Decimal("1.00000000")
        else:
            drift = Decimal(self.rng.randint(-2_000, 2_000)) / 100_000
            rate = (Decimal(RATES[currency]) * (1 + drift)).quantize(Decimal("0.00000001"))
        row = {"rate_date": rate_date, "currency": currency, "usd_per_unit": rate}
        self.emit("fx_rates", day, f"{rate_date}{currency}", row)

    def references(self) -> dict[str, list[dict]]:
        chart = [
            {"account_code": a, "account_name": n, "account_type": t, "opex_category": c}
            for a, n, t, c in CHART
        ]
        months = sorted({d.strftime("%Y-%m") for d in self.days})
        budget = []
        for month in months:
            for cost_center in BUDGETED:
                currencies = [self.rng.choice(self.currencies)]
                if self.features.two_currency_budget and cost_center == "CC-200":
                    currencies = [
                        "USD",
                        self.rng.choice([c for c in self.currencies if c != "USD"] or ["EUR"]),
                    ]
                for currency in currencies:
                    budget.append(self._budget(month, cost_center, "opex", currency))
            budget.append(self._budget(month, "CC-100", "revenue", self.rng.choice(self.currencies)))
            budget.append(self._budget(month, "CC-300", "cogs", self.rng.choice(self.currencies)))
        return {"chart_of_accounts": chart, "budget": budget}

    def _budget(self, month: str, cost_center: str, account_type: str, currency: str) -> dict:
        amount = self.amount(currency, 200_000, 6_000_000)
        return {
            "budget_month": month,
            "cost_center": cost_center,
            "account_type": account_type,
            "currency": currency,
            "amount": amount,
        }

    # ---- files
    def file_style(self, source: str) -> FileStyle:
        fmt = self.formats.get(source, "csv")
        parquet = fmt == "parquet" or (fmt == "mixed" and self.chance(0.5))
        return FileStyle(
            parquet=parquet,
            bom=self.features.bom and self.chance(0.3),
            crlf=self.chance(0.3),
            quote_all=self.chance(0.2),
            extra_column=self.chance(0.1),
        )

    def build(self) -> Landing:
        self.customers()
        self.orders_and_shipments()
        self.support_tickets()
        self.nps_responses()
        self.web_traffic()
        self.employees()
        self.gl_journal_lines()
        self.invoices()
        self.marketing_spend()
        self.fx_rates()
        references = self.references()
        styles = {(s, d): self.file_style(s) for s in SOURCES for d in self.days}
        header_only = {
            (s, d)
            for s in SOURCES
            for d in self.days
            if not SOURCES[s].every_day and not self.extracts[s][d] and self.chance(0.3)
        }
        if not any(style.parquet for style in styles.values()):  # at least one Parquet extract
            styles[("web_traffic", self.start)] = replace(styles[("web_traffic", self.start)], parquet=True)
        reference_styles = {name: self.file_style("reference") for name in references}
        if self.features.bom:  # at least one BOM
            reference_styles["budget"] = replace(reference_styles["budget"], bom=True)
        return Landing(self.start, self.end, self.extracts, styles, references, reference_styles, header_only)


def _public(row: dict) -> dict:
    """The contract columns of a row (without the builder's _state keys), as a new dict."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


@st.composite
def landing_strategy(draw, features: Features | None = None) -> Landing:
    """A contract-valid landing of 4-8 days in 2025 (see the module docstring)."""
    features = features or Features.full()
    n_days = draw(st.integers(4, 8))
    # Two thirds of the landings cross a month end (a third a quarter end):
    # month_to_date and quarter_to_date restart, a second budget month begins.
    boundary = draw(st.sampled_from(["month", "quarter", None]))
    if boundary is None:
        start = draw(st.dates(date(2025, 1, 1), date(2025, 12, 20)))
    else:
        month = draw(st.sampled_from(range(1, 13) if boundary == "month" else (3, 6, 9, 12)))
        first_of_next = date(2025 + month // 12, month % 12 + 1, 1)
        start = first_of_next - timedelta(days=draw(st.integers(1, n_days - 1)))
    offsets = {s: draw(st.sampled_from(OFFSETS)) if features.offsets else 0 for s in SYSTEMS}
    foreign = draw(st.lists(st.sampled_from(sorted(RATES)), min_size=1, max_size=3, unique=True))
    formats = {s: draw(st.sampled_from(["csv", "parquet", "mixed"])) for s in SOURCES}
    seed = draw(st.integers(0, 2**32 - 1))
    builder = _Builder(random.Random(seed), start, n_days, offsets, ["USD", *foreign], formats, features)
    return builder.build()
