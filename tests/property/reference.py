"""The 19 KPIs of docs/kpis.md computed independently from a landing, with pandas.

Nothing of the pipeline is reused (no dbt SQL, no pipeline Python): the
landing files are read back by reference_read.py, each key at its latest
version, amounts in USD with the 7-day FX look-back, business days in
LODESTAR_TIMEZONE; then each formula is applied to the raw rows of each
window (no daily parts). Sums are exact Fractions, converted to float last.

Slices (documented choices where docs/kpis.md leaves room, matching the pipeline):
- the total row ('all'/'all') of an additive or snapshot KPI exists every day
  (0 over an empty window); ratios and percentiles have no row without a
  positive denominator / without samples;
- a dimension row of an additive or snapshot KPI exists from the first day
  its value is seen (an event on or before D), then every day (0 when the
  window is empty); ratio and percentile dimension rows follow the total's rule;
- the budget of a window counts only days from the first loaded day on, like
  opex ("windows reaching before the first day of data sum what exists").
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction

import pandas as pd

from tests.property.reference_read import Fx, Read

WINDOWS = ("day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date")
KPIS = (
    "gmv", "orders", "average_order_value", "conversion_rate", "net_revenue", "gross_margin_pct",
    "operating_expenses", "budget_variance_pct", "customer_acquisition_cost", "days_sales_outstanding",
    "on_time_delivery_rate", "avg_fulfillment_hours", "first_response_hours_median", "resolution_hours_p90",
    "csat", "nps", "ticket_backlog", "headcount_fte", "revenue_per_fte",
)  # fmt: skip
Key = tuple[str, date, str, str, str]  # kpi_id, as_of_date, window, dimension, dimension_value


def window_start(day: date, window: str) -> date:
    return {
        "day": day,
        "trailing_7d": day - timedelta(days=6),
        "trailing_28d": day - timedelta(days=27),
        "month_to_date": day.replace(day=1),
        "quarter_to_date": date(day.year, 3 * ((day.month - 1) // 3) + 1, 1),
    }[window]


def _hours(earlier, later) -> float | None:
    return None if earlier is None or later is None else (later - earlier).total_seconds() / 3600


def quantile_cont(values: list[float], q: float) -> float:
    """Continuous quantile: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Facts:
    """The event-level rows each KPI reads, at their latest version, in USD and business days."""

    def __init__(self, read: Read, first_day: date, last_day: date):
        fx, bday = Fx(read), read.business_day
        orders = read.latest("orders")
        orders["day"] = orders["ordered_at"].map(bday)
        rates = [fx.rate(c, d) for c, d in zip(orders["currency"], orders["day"], strict=True)]
        orders["usd"] = [
            (g - d) * r
            for g, d, r in zip(orders["gross_amount"], orders["discount_amount"], rates, strict=True)
        ]
        self.orders = orders
        self.placed = orders[orders["status"] != "cancelled"].assign(one=1)

        customers = read.latest("customers")
        self.customers = customers.assign(day=customers["created_at"].map(bday))

        shipments = read.latest("shipments")
        ordered_at = dict(zip(orders["order_id"], orders["ordered_at"], strict=True))
        self.shipments = shipments.assign(
            shipped_day=shipments["shipped_at"].map(bday),
            delivered_day=shipments["delivered_at"].map(bday),
            hours=[
                _hours(ordered_at.get(o), s)
                for o, s in zip(shipments["order_id"], shipments["shipped_at"], strict=True)
            ],
        )

        tickets = read.latest("support_tickets")
        self.tickets = tickets.assign(
            opened_day=tickets["opened_at"].map(bday),
            resolved_day=tickets["resolved_at"].map(bday),
            first_response_hours=[
                _hours(o, f) for o, f in zip(tickets["opened_at"], tickets["first_response_at"], strict=True)
            ],
            resolution_hours=[
                _hours(o, r) for o, r in zip(tickets["opened_at"], tickets["resolved_at"], strict=True)
            ],
        )

        nps = read.latest("nps_responses")
        self.nps = nps.assign(day=nps["responded_at"].map(bday))
        self.traffic = read.latest("web_traffic")
        self.employees = read.latest("employees")

        chart = read.references["chart_of_accounts"]
        account_type = dict(zip(chart["account_code"], chart["account_type"], strict=True))
        gl = read.latest("gl_journal_lines")
        rate = [fx.rate(c, d) for c, d in zip(gl["currency"], gl["posted_on"], strict=True)]
        self.gl = gl.assign(
            account_type=gl["account_code"].map(account_type),
            credit_minus_debit=[(c - d) * r for c, d, r in zip(gl["credit"], gl["debit"], rate, strict=True)],
        )

        invoices = read.latest("invoices")
        self.invoices = invoices.assign(
            usd=[
                a * fx.rate(c, d)
                for a, c, d in zip(
                    invoices["amount"], invoices["currency"], invoices["issued_on"], strict=True
                )
            ]
        )
        spend = read.latest("marketing_spend")
        self.spend = spend.assign(
            usd=[
                a * fx.rate(c, d)
                for a, c, d in zip(spend["amount"], spend["currency"], spend["spend_date"], strict=True)
            ]
        )
        self.budget_days = self._budget_days(read, fx, first_day, last_day)

    @staticmethod
    def _budget_days(read: Read, fx: Fx, first_day: date, last_day: date) -> pd.DataFrame:
        """The opex budget spread evenly over its month's days, for the loaded days."""
        rows = []
        for b in read.references["budget"].to_dict("records"):
            if b["account_type"] != "opex":
                continue
            month = date.fromisoformat(b["budget_month"] + "-01")
            length = calendar.monthrange(month.year, month.month)[1]
            daily = b["amount"] * fx.rate(b["currency"], month) / length
            for i in range(length):
                day = month + timedelta(days=i)
                if first_day <= day <= last_day:
                    rows.append({"day": day, "cost_center": b["cost_center"], "budget": daily})
        return pd.DataFrame(rows, columns=["day", "cost_center", "budget"], dtype=object)


# ------------------------------------------------------------ shapes ----

Slices = dict[tuple[str, str], object]


def _where(frame: pd.DataFrame, column: str, test: Callable[[object], bool]) -> pd.DataFrame:
    """Rows whose `column` passes `test` (nulls never do)."""
    keep = [not pd.isna(v) and test(v) for v in frame[column]]
    return frame.loc[pd.Series(keep, index=frame.index, dtype=bool)]


def _in(frame: pd.DataFrame, day_column: str, first: date, last: date) -> pd.DataFrame:
    return _where(frame, day_column, lambda d: first <= d <= last)


def _groups(frame: pd.DataFrame, dimensions: list[str]):
    yield "all", "all", frame
    for dimension in dimensions:
        for value, part in frame.groupby(dimension):
            yield dimension, value, part


def additive(frame, day_column, value_column, dimensions, first, last) -> Slices:
    """Window sum; a dimension value has a row from the first day it is seen."""
    seen = _in(frame, day_column, date.min, last)
    window = _in(seen, day_column, first, last)
    out = {("all", "all"): sum(window[value_column], Fraction(0))}
    for dimension in dimensions:
        for value in set(seen[dimension]):
            out[(dimension, value)] = sum(window.loc[window[dimension] == value, value_column], Fraction(0))
    return out


def ratio(frame, day_column, numerator, denominator, dimensions, first, last) -> Slices:
    """Σ numerator / Σ denominator of the window; no row unless Σ denominator > 0."""
    out = {}
    for dimension, value, part in _groups(_in(frame, day_column, first, last), dimensions):
        den = sum(part[denominator], Fraction(0))
        if den > 0:
            out[(dimension, value)] = sum(part[numerator], Fraction(0)) / den
    return out


def percentile(frame, day_column, sample, q, dimensions, first, last) -> Slices:
    window = _in(frame, day_column, first, last)
    window = window[window[sample].notna()]
    return {
        (dimension, value): quantile_cont(list(part[sample]), q)
        for dimension, value, part in _groups(window, dimensions)
        if len(part)
    }


def snapshot(frame, start_column, end_column, weight, dimensions, day) -> Slices:
    """Σ weight of the rows open at the end of `day` (start <= day, end empty or after it)."""
    seen = _where(frame, start_column, lambda d: d <= day)
    closed = set(_where(seen, end_column, lambda d: d <= day).index)
    open_ = seen.loc[[i not in closed for i in seen.index]]
    out = {("all", "all"): sum(open_[weight], Fraction(0))}
    for dimension in dimensions:
        for value in set(seen[dimension]):
            out[(dimension, value)] = sum(open_.loc[open_[dimension] == value, weight], Fraction(0))
    return out


# --------------------------------------------------------------- KPIs ----


def _kpis(f: Facts) -> dict[str, Callable[[date, date, str], Slices]]:
    """Each KPI as a function of (window start, as_of_date, window name)."""
    region_channel = ["region", "channel"]
    web = f.placed[f.placed["channel"].isin(["web", "mobile"])].assign(num=1, den=0)
    sessions = f.traffic.assign(day=f.traffic["traffic_date"], num=0, den=f.traffic["sessions"])
    conversions = pd.concat([web, sessions], ignore_index=True)
    gl = f.gl
    revenue = gl[gl["account_type"] == "revenue"]
    opex = gl[gl["account_type"] == "opex"].assign(opex=lambda x: -x["credit_minus_debit"])
    margin = gl[gl["account_type"].isin(["revenue", "cogs"])].assign(
        den=lambda x: [
            v if t == "revenue" else 0
            for v, t in zip(x["credit_minus_debit"], x["account_type"], strict=True)
        ]
    )
    variance = pd.concat(
        [
            opex.assign(day=opex["posted_on"], num=opex["opex"], den=0),
            f.budget_days.assign(num=-f.budget_days["budget"], den=f.budget_days["budget"]),
        ],
        ignore_index=True,
    )
    acquisition = pd.concat(
        [
            f.spend.assign(day=f.spend["spend_date"], num=f.spend["usd"], den=0),
            f.customers.assign(num=0, den=1),
        ],
        ignore_index=True,
    )
    delivered = f.shipments[f.shipments["delivered_day"].notna()]
    delivered = delivered.assign(
        num=[
            int(d <= p) for d, p in zip(delivered["delivered_day"], delivered["promised_date"], strict=True)
        ],
        den=1,
    )
    fulfilled = f.shipments[f.shipments["hours"].notna()].assign(den=1)
    scored = f.tickets[f.tickets["resolved_day"].notna() & f.tickets["csat_score"].notna()]
    scored = scored.assign(num=[int(s >= 4) for s in scored["csat_score"]], den=1)
    nps = f.nps.assign(num=[100 if s >= 9 else -100 if s <= 6 else 0 for s in f.nps["score"]], den=1)
    tickets = f.tickets.assign(one=1)

    def dso(day: date) -> Slices:
        issued = _where(f.invoices, "issued_on", lambda d: d <= day)
        paid = set(_where(issued, "paid_on", lambda d: d <= day).index)
        unpaid = issued.loc[[i not in paid for i in issued.index]]
        recent = _where(issued, "issued_on", lambda d: d > day - timedelta(days=90))
        den = sum(recent["usd"], Fraction(0))
        return {("all", "all"): sum(unpaid["usd"], Fraction(0)) / den * 90} if den > 0 else {}

    def headcount(day: date) -> Slices:
        return snapshot(f.employees, "hired_on", "terminated_on", "fte", ["department"], day)

    def revenue_per_fte(first: date, day: date) -> Slices:
        net = sum(_in(revenue, "posted_on", first, day)["credit_minus_debit"], Fraction(0))
        fte = headcount(day)[("all", "all")]
        return {("all", "all"): net * 365 / ((day - first).days + 1) / fte} if fte > 0 else {}

    return {
        "gmv": lambda s, d, w: additive(f.placed, "day", "usd", region_channel, s, d),
        "orders": lambda s, d, w: additive(f.placed, "day", "one", region_channel, s, d),
        "average_order_value": lambda s, d, w: ratio(f.placed, "day", "usd", "one", region_channel, s, d),
        "conversion_rate": lambda s, d, w: ratio(conversions, "day", "num", "den", region_channel, s, d),
        "net_revenue": lambda s, d, w: additive(revenue, "posted_on", "credit_minus_debit", [], s, d),
        "gross_margin_pct": lambda s, d, w: ratio(margin, "posted_on", "credit_minus_debit", "den", [], s, d),
        "operating_expenses": lambda s, d, w: additive(opex, "posted_on", "opex", ["cost_center"], s, d),
        "budget_variance_pct": lambda s, d, w: ratio(variance, "day", "num", "den", ["cost_center"], s, d),
        "customer_acquisition_cost": lambda s, d, w: ratio(
            acquisition, "day", "num", "den", ["region"], s, d
        ),
        "days_sales_outstanding": lambda s, d, w: dso(d),
        "on_time_delivery_rate": lambda s, d, w: ratio(
            delivered, "delivered_day", "num", "den", ["carrier"], s, d
        ),
        "avg_fulfillment_hours": lambda s, d, w: ratio(fulfilled, "shipped_day", "hours", "den", [], s, d),
        "first_response_hours_median": lambda s, d, w: percentile(
            f.tickets, "opened_day", "first_response_hours", 0.5, ["channel", "priority"], s, d
        ),
        "resolution_hours_p90": lambda s, d, w: percentile(
            f.tickets, "resolved_day", "resolution_hours", 0.9, ["channel", "priority"], s, d
        ),
        "csat": lambda s, d, w: ratio(scored, "resolved_day", "num", "den", ["channel"], s, d),
        "nps": lambda s, d, w: ratio(nps, "day", "num", "den", [], s, d),
        "ticket_backlog": lambda s, d, w: snapshot(
            tickets, "opened_day", "resolved_day", "one", ["priority"], d
        ),
        "headcount_fte": lambda s, d, w: headcount(d),
        "revenue_per_fte": lambda s, d, w: revenue_per_fte(s, d),
    }


def reference_kpi_values(read: Read, first_day: date, last_day: date, kpis=KPIS) -> dict[Key, float]:
    """Every KPI value for every day first_day..last_day, window and slice."""
    formulas = _kpis(Facts(read, first_day, last_day))
    out: dict[Key, float] = {}
    day = first_day
    while day <= last_day:
        for window in WINDOWS:
            first = window_start(day, window)
            for kpi in kpis:
                for (dimension, value), number in formulas[kpi](first, day, window).items():
                    out[(kpi, day, window, dimension, str(value))] = float(number)
        day += timedelta(days=1)
    return out
