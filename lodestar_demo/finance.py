"""Finance: the general ledger, FX rates, chart of accounts and budget.

Every journal is built in integer minor units and balances by construction.
Daily postings:

- sales journal per currency: one revenue line per fulfilled order
  (4000, plus 4100 when it paid shipping; cost center sales), settled to the
  payment clearing account (consumers) or receivables (business, invoiced),
  with COGS (5000), carrier labels (5100) and payment/marketplace fees (5200)
  on cost center operations;
- returns journal per currency (4900 against the clearing account, stock back);
- payroll accrual per department (6000, 6010 against 2100), paid out on the
  15th and the last day of the month;
- rent amortisation (6200, prepaid on the first of the month), software and
  cloud (6300), expense reports (6400), advertising from marketing spend (6100);
- customer payments of invoices (1000 against 1100).

The budget is the plan of each month per cost center, set near the actual
run-rate (a planning bias per cost center plus noise), so variance is small
except in the documented cost overrun months, whose excess is not planned.
With ``split_currencies`` (messy mode) some cost centers plan their opex in two
currencies (``BUDGET_SPLIT``): the month's plan is shared between two lines
that add up after FX.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .model import (
    CURRENCIES,
    CURRENCY_INDEX,
    ENUMS,
    FX,
    Day,
    days_in_month,
    from_day_number,
    fx_published,
    ids,
    month_key,
    rng_for,
    yearly,
)
from .output import Frame
from .people import DEPARTMENTS, People

CHART_OF_ACCOUNTS = [
    ("1000", "Cash at bank", "asset", None),
    ("1010", "Payment processor clearing", "asset", None),
    ("1100", "Accounts receivable", "asset", None),
    ("1300", "Inventory", "asset", None),
    ("1400", "Prepaid expenses", "asset", None),
    ("2000", "Accounts payable", "liability", None),
    ("2100", "Accrued payroll", "liability", None),
    ("2150", "Employee reimbursements payable", "liability", None),
    ("3000", "Share capital", "equity", None),
    ("3100", "Retained earnings", "equity", None),
    ("4000", "Product revenue", "revenue", None),
    ("4100", "Shipping revenue", "revenue", None),
    ("4900", "Sales returns and allowances", "revenue", None),
    ("5000", "Cost of goods sold", "cogs", None),
    ("5100", "Fulfilment and carrier costs", "cogs", None),
    ("5200", "Payment and marketplace fees", "cogs", None),
    ("6000", "Salaries and wages", "opex", "salaries"),
    ("6010", "Payroll taxes and benefits", "opex", "salaries"),
    ("6100", "Advertising", "opex", "marketing"),
    ("6200", "Rent and facilities", "opex", "rent"),
    ("6300", "Software and cloud", "opex", "software"),
    ("6400", "Travel and entertainment", "opex", "travel"),
]
ACCOUNT_TYPE = {code: kind for code, _, kind, _ in CHART_OF_ACCOUNTS}
if not set(ACCOUNT_TYPE.values()) <= set(ENUMS["account_type"]):
    raise RuntimeError("chart of accounts uses an account_type outside the contract enum")

PAYROLL_OVERHEAD = 0.22
RENT_PER_FTE_MONTH = {"USD": 950.0, "EUR": 720.0}
SAAS_PER_FTE_MONTH_USD = 160.0
CLOUD_USD_PER_ORDER = 1.2
OVERRUN_SHARE = 0.45  # extra cloud spend in an engineering overrun month, of the cc's run-rate
EXPENSE_REPORTS_PER_FTE = {"sales": 0.08}  # per working day; others 0.025
BUDGET_BIAS = {  # plan relative to the actual run-rate (positive: budget above actuals)
    ("sales", "revenue"): 0.04,
    ("operations", "cogs"): 0.02,
    ("sales", "opex"): 0.02,
    ("marketing", "opex"): 0.01,
    ("engineering", "opex"): 0.04,
    ("support", "opex"): -0.02,
    ("operations", "opex"): 0.01,
    ("finance", "opex"): 0.03,
}
BUDGET_CURRENCY = {"support": "EUR", "operations": "EUR"}  # these cost centers plan in EUR
# messy mode: opex planned in two currencies (the UK sites plan in GBP), by cost center:
# (months it applies to, [(currency, share of the month's plan), ...])
BUDGET_SPLIT = {
    "operations": (range(1, 13), [("EUR", 0.7), ("GBP", 0.3)]),
    "support": (range(2, 13, 2), [("EUR", 0.8), ("GBP", 0.2)]),
}
BUDGET_NOISE = 0.025
BUDGET_MONTHS_AHEAD = 3
_CC_SALES, _CC_OPS, _CC_FIN = "sales", "operations", "finance"
_TYPES = ("revenue", "cogs", "opex")


class _Journal:
    """Lines of one journal; scalars and per-row arrays mix freely."""

    def __init__(self, currency: str, description: str):
        self.currency = currency
        self.description = description
        self.parts: list[tuple] = []

    def add(self, account: str, cc: str, debit=0, credit=0, description=None) -> None:
        debit, credit = np.asarray(debit, dtype=np.int64), np.asarray(credit, dtype=np.int64)
        n = debit.size if debit.ndim else credit.size if credit.ndim else 1
        if n == 0:
            return
        if description is None:
            description = self.description

        def full(value, dtype):
            return np.full(n, value, dtype=dtype) if np.ndim(value) == 0 else np.asarray(value, dtype=dtype)

        lines = (full(debit, np.int64), full(credit, np.int64), full(description, object))
        self.parts.append((account, cc, *lines))


class Ledger:
    def __init__(self, scale: float, start: date, fx: FX):
        self.scale = scale
        self.fx = fx
        self.start = start
        self.next_journal = 1
        self.accrued = dict.fromkeys(DEPARTMENTS, 0)
        self.rent_daily: dict[str, int] = {}
        self.actual_usd: dict[tuple[str, str, str], float] = {}
        self.excess_usd: dict[tuple[str, str], float] = {}
        self.days_seen: dict[str, int] = {}
        self._journals: list[_Journal] = []

    # ----------------------------------------------------------- day ----

    def step(self, day: Day, fin: dict, people: People, expected_orders: float) -> Frame:
        self._journals = []
        month = month_key(day.date)
        self.days_seen[month] = self.days_seen.get(month, 0) + 1
        if day.first:
            self._opening(day)
        if fin["fulfilled"] is not None:
            self._sales(fin["fulfilled"])
        if fin["returns"] is not None:
            self._returns(fin["returns"])
        payroll = people.payroll(day)
        self._payroll(day, payroll)
        self._rent(day, payroll)
        self._software(day, payroll, expected_orders, month)
        self._expenses(day, payroll)
        self._marketing(fin["marketing"], fin["marketing_excess_usd"], month)
        if fin["payments"] is not None:
            self._payments(fin["payments"])
        frame = self._frame(day)
        self._track(day, frame, month)
        return frame

    def _frame(self, day: Day) -> Frame:
        cols = {
            k: []
            for k in (
                "journal_id",
                "line_number",
                "account_code",
                "cost_center",
                "currency",
                "debit",
                "credit",
                "description",
            )
        }
        for j in self._journals:
            account = np.concatenate([np.full(len(p[2]), p[0], dtype=object) for p in j.parts])
            cc = np.concatenate([np.full(len(p[2]), p[1], dtype=object) for p in j.parts])
            debit = np.concatenate([p[2] for p in j.parts])
            credit = np.concatenate([p[3] for p in j.parts])
            desc = np.concatenate([p[4] for p in j.parts])
            keep = (debit != 0) | (credit != 0)
            if not keep.any():
                continue
            if debit.sum() != credit.sum():  # pragma: no cover - construction guarantees it
                raise AssertionError(f"journal {j.description} does not balance")
            k = int(keep.sum())
            cols["journal_id"].append(np.full(k, f"J{self.next_journal:07d}", dtype=object))
            self.next_journal += 1
            cols["line_number"].append(np.arange(1, k + 1, dtype=np.int64))
            cols["account_code"].append(account[keep])
            cols["cost_center"].append(cc[keep])
            cols["currency"].append(np.full(k, j.currency, dtype=object))
            cols["debit"].append(debit[keep])
            cols["credit"].append(credit[keep])
            cols["description"].append(desc[keep])
        out = {k: np.concatenate(v) for k, v in cols.items()}
        out["posted_on"] = np.full(len(out["debit"]), day.num, dtype=np.int64)
        return Frame(out)

    def _track(self, day: Day, frame: Frame, month: str) -> None:
        """Actual revenue / cogs / opex in USD per cost center and month, for the budget."""
        c = frame.columns
        kind = np.array([ACCOUNT_TYPE[a] for a in c["account_code"]])
        rate = day.fx[[CURRENCY_INDEX[x] for x in c["currency"]]]
        net = (c["debit"] - c["credit"]) * rate / 100
        for t in _TYPES:
            sel = kind == t
            if not sel.any():
                continue
            for cc in np.unique(c["cost_center"][sel]).tolist():
                m = sel & (c["cost_center"] == cc)
                amount = float(net[m].sum()) * (-1 if t == "revenue" else 1)
                key = (month, cc, t)
                self.actual_usd[key] = self.actual_usd.get(key, 0.0) + amount

    def _journal(self, currency: str, description: str) -> _Journal:
        j = _Journal(currency, description)
        self._journals.append(j)
        return j

    # ------------------------------------------------------ postings ----

    def _opening(self, day: Day) -> None:
        j = self._journal("USD", "opening balances")
        cash, stock = int(4_000_000_00 * self.scale) + 100_000_00, int(1_500_000_00 * self.scale) + 50_000_00
        j.add("1000", _CC_FIN, debit=cash)
        j.add("1300", _CC_OPS, debit=stock)
        j.add("3000", _CC_FIN, credit=(cash + stock) // 2)
        j.add("3100", _CC_FIN, credit=cash + stock - (cash + stock) // 2)

    def _sales(self, b: dict) -> None:
        for cur in np.unique(b["currency"]).tolist():
            m = b["currency"] == cur
            net = b["gross"][m] - b["discount"][m]
            ship = b["shipping"][m]
            business = b["business"][m]
            desc = np.strings.add("order ", ids("O", b["onum"][m], 7))
            j = self._journal(CURRENCIES[cur], "sales")
            j.add(
                "1010",
                _CC_FIN,
                debit=int((net + ship)[~business].sum()),
                description="card and marketplace receipts",
            )
            j.add("1100", _CC_FIN, debit=int((net + ship)[business].sum()), description="invoiced sales")
            j.add("4000", _CC_SALES, credit=net, description=desc)
            has_ship = ship > 0
            j.add("4100", _CC_SALES, credit=ship[has_ship], description=desc[has_ship])
            cost, label, fee = (int(b[k][m].sum()) for k in ("cost", "label", "fee"))
            j.add("5000", _CC_OPS, debit=cost, description="cost of goods sold")
            j.add("1300", _CC_OPS, credit=cost, description="cost of goods sold")
            j.add("5100", _CC_OPS, debit=label, description="carrier labels")
            j.add("2000", _CC_OPS, credit=label, description="carrier labels")
            j.add("5200", _CC_OPS, debit=fee, description="payment and marketplace fees")
            j.add("1010", _CC_FIN, credit=fee, description="payment and marketplace fees")

    def _returns(self, b: dict) -> None:
        for cur in np.unique(b["currency"]).tolist():
            m = b["currency"] == cur
            net = b["gross"][m] - b["discount"][m]
            j = self._journal(CURRENCIES[cur], "returns")
            j.add(
                "4900", _CC_SALES, debit=net, description=np.strings.add("return ", ids("O", b["onum"][m], 7))
            )
            j.add("1010", _CC_FIN, credit=int(net.sum()), description="refunds")
            cost = int(b["cost"][m].sum())
            j.add("1300", _CC_OPS, debit=cost, description="returned stock")
            j.add("5000", _CC_OPS, credit=cost, description="returned stock")

    def _payroll(self, day: Day, payroll: dict) -> None:
        payday = day.date.day == 15 or (day.date + timedelta(days=1)).day == 1
        for dept in DEPARTMENTS:
            cur, _fte, cost = payroll[dept]
            salary = int(round(cost * 100))
            overhead = int(round(cost * PAYROLL_OVERHEAD * 100))
            j = self._journal(cur, f"payroll accrual {dept}")
            j.add("6000", dept, debit=salary)
            j.add("6010", dept, debit=overhead)
            j.add("2100", dept, credit=salary + overhead)
            self.accrued[dept] += salary + overhead
            if payday and self.accrued[dept]:
                p = self._journal(cur, f"payroll run {dept}")
                p.add("2100", dept, debit=self.accrued[dept])
                p.add("1000", _CC_FIN, credit=self.accrued[dept])
                self.accrued[dept] = 0

    def _rent(self, day: Day, payroll: dict) -> None:
        if day.first or day.date.day == 1:
            dim = days_in_month(day.date.year, day.date.month)
            self.rent_daily = {}
            prepaid: dict[str, int] = {}
            for dept in DEPARTMENTS:
                cur, fte, _ = payroll[dept]
                self.rent_daily[dept] = int(round(max(fte, 1.0) * RENT_PER_FTE_MONTH[cur] * 100 / dim))
                prepaid[cur] = prepaid.get(cur, 0) + self.rent_daily[dept] * (dim - day.date.day + 1)
            for cur, amount in prepaid.items():
                j = self._journal(cur, "office rent, monthly in advance")
                j.add("1400", _CC_FIN, debit=amount)
                j.add("1000", _CC_FIN, credit=amount)
        by_cur: dict[str, _Journal] = {}
        for dept in DEPARTMENTS:
            cur = payroll[dept][0]
            if cur not in by_cur:
                by_cur[cur] = self._journal(cur, "rent amortisation")
            by_cur[cur].add("6200", dept, debit=self.rent_daily[dept])
        for cur, j in by_cur.items():
            total = sum(self.rent_daily[d] for d in DEPARTMENTS if payroll[d][0] == cur)
            j.add("1400", _CC_FIN, credit=total)

    def _software(self, day: Day, payroll: dict, expected_orders: float, month: str) -> None:
        j = self._journal("USD", "software subscriptions and cloud")
        total = 0
        for dept in DEPARTMENTS:
            cur, fte, cost = payroll[dept]
            usd = max(fte, 1.0) * SAAS_PER_FTE_MONTH_USD * 12 / 365
            if dept == "engineering":
                usd += CLOUD_USD_PER_ORDER * expected_orders
            cents = int(round(usd * 100))
            j.add("6300", dept, debit=cents)
            total += cents
            if dept == "engineering" and day.incidents.active("cost_overrun", day.num, dept):
                run_rate = (
                    cost * (1 + PAYROLL_OVERHEAD) * day.fx[CURRENCY_INDEX[cur]]
                    + self.rent_daily.get(dept, 0) / 100
                    + usd
                )
                extra = int(round(run_rate * OVERRUN_SHARE * 100))
                j.add("6300", dept, debit=extra, description="cloud overrun: runaway data pipeline")
                total += extra
                self.excess_usd[(month, dept)] = self.excess_usd.get((month, dept), 0.0) + extra / 100
        j.add("2000", _CC_FIN, credit=total)

    def _expenses(self, day: Day, payroll: dict) -> None:
        if day.dow >= 5:
            return
        rng = day.rng("finance")
        amounts, ccs = [], []
        for dept in DEPARTMENTS:
            lam = payroll[dept][1] * EXPENSE_REPORTS_PER_FTE.get(dept, 0.025)
            k = int(rng.poisson(lam))
            if k:
                amounts.extend(np.round(350 * np.exp(rng.normal(0, 0.7, k)) * 100).astype(np.int64).tolist())
                ccs.extend([dept] * k)
        if not amounts:
            return
        j = self._journal("USD", "expense report")
        for cc, amount in zip(ccs, amounts, strict=True):
            j.add("6400", cc, debit=amount)
        j.add("2150", _CC_FIN, credit=sum(amounts), description="expense reimbursements")

    def _marketing(self, spend: Frame, excess_usd: float, month: str) -> None:
        c = spend.columns
        for cur in np.unique(c["currency"]).tolist():
            m = c["currency"] == cur
            j = self._journal(cur, "advertising")
            j.add(
                "6100",
                "marketing",
                debit=c["amount"][m],
                description=np.strings.add(np.strings.add(c["channel"][m], " "), c["region"][m]),
            )
            j.add("2000", _CC_FIN, credit=int(c["amount"][m].sum()), description="advertising")
        if excess_usd:
            key = (month, "marketing")
            self.excess_usd[key] = self.excess_usd.get(key, 0.0) + excess_usd

    def _payments(self, b: dict) -> None:
        for cur in np.unique(b["currency"]).tolist():
            m = b["currency"] == cur
            j = self._journal(CURRENCIES[cur], "customer payments")
            j.add("1000", _CC_FIN, debit=int(b["amount"][m].sum()), description="customer payments")
            j.add(
                "1100",
                _CC_FIN,
                credit=b["amount"][m],
                description=np.strings.add("invoice ", ids("I", b["inum"][m], 7)),
            )

    # ---------------------------------------------------- references ----

    def budget(self, seed: int, start: date, end: date, split_currencies: bool = False) -> Frame:
        """Monthly plan per cost center: opex for all, revenue (sales) and cogs (operations).

        ``split_currencies``: the cost centers of BUDGET_SPLIT plan opex in two currencies.
        """
        months = []
        y, m = start.year, start.month
        last = (end.year, end.month)
        while (y, m) <= last or len(months) < 1:
            months.append((y, m))
            y, m = (y + (m == 12), m % 12 + 1)
        ahead = []
        for _ in range(BUDGET_MONTHS_AHEAD):
            ahead.append((y, m))
            y, m = (y + (m == 12), m % 12 + 1)
        # the run-rate base for months after the range: the last month with a full week of data
        base_month = next(
            (mm for mm in reversed(months) if self.days_seen.get(f"{mm[0]:04d}-{mm[1]:02d}", 0) >= 7),
            months[-1],
        )
        rows = []
        for y, m in months + ahead:
            key = f"{y:04d}-{m:02d}"
            first_day = date(y, m, 1)
            rng = rng_for(seed, "budget", (first_day - date(1970, 1, 1)).days)
            for cc in DEPARTMENTS:
                for t in _TYPES:
                    if t == "revenue" and cc != _CC_SALES or t == "cogs" and cc != _CC_OPS:
                        continue
                    noise = rng.normal(0, BUDGET_NOISE)
                    if (y, m) in months:
                        src, factor = key, 1.0
                    else:
                        src = f"{base_month[0]:04d}-{base_month[1]:02d}"
                        k = (y - base_month[0]) * 12 + (m - base_month[1])
                        factor = 1.015**k
                        if t != "opex":
                            factor *= yearly(date(y, m, 15)) / yearly(date(*base_month, 15))
                    seen = self.days_seen.get(src, 0)
                    actual = self.actual_usd.get((src, cc, t), 0.0) - self.excess_usd.get((src, cc), 0.0) * (
                        t == "opex"
                    )
                    usd = max(actual, 0.0) / max(seen, 1) * days_in_month(y, m) * factor
                    usd *= 1 + BUDGET_BIAS.get((cc, t), 0.0) + noise
                    cur = BUDGET_CURRENCY.get(cc, "USD") if t == "opex" else "USD"
                    rates = self.fx.rates((min(first_day, end) - date(1970, 1, 1)).days)
                    months_split, lines = BUDGET_SPLIT.get(cc, ((), []))
                    if not (split_currencies and t == "opex" and m in months_split):
                        lines = [(cur, None)]
                    for line_cur, share in lines:
                        amount = (usd if share is None else usd * share) / rates[CURRENCY_INDEX[line_cur]]
                        rows.append((key, cc, t, line_cur, max(int(round(amount / 100)) * 100_00, 0)))
        return Frame(
            {
                "budget_month": np.array([r[0] for r in rows]),
                "cost_center": np.array([r[1] for r in rows]),
                "account_type": np.array([r[2] for r in rows]),
                "currency": np.array([r[3] for r in rows]),
                "amount": np.array([r[4] for r in rows], dtype=np.int64),
            }
        )


def chart_of_accounts() -> Frame:
    return Frame(
        {
            "account_code": np.array([a[0] for a in CHART_OF_ACCOUNTS]),
            "account_name": np.array([a[1] for a in CHART_OF_ACCOUNTS]),
            "account_type": np.array([a[2] for a in CHART_OF_ACCOUNTS]),
            "opex_category": np.array([a[3] for a in CHART_OF_ACCOUNTS], dtype=object),
        }
    )


FX_HISTORY_DAYS = 7  # the first extract also carries the rates of the week before the range


def fx_rates(day: Day, fx: FX) -> Frame | None:
    """Published rates of the day; none on weekends and holidays. USD is 1.

    The first extract of a range is an initial load: it also holds the rates of
    the seven days before, so amounts on the first days (New Year's Day, a
    weekend) have a rate within the 7-day look-back.
    """
    first = day.num - FX_HISTORY_DAYS if day.first else day.num
    days = [n for n in range(first, day.num + 1) if fx_published(from_day_number(n))]
    if not days:
        return None
    n = len(CURRENCIES)
    return Frame(
        {
            "rate_date": np.repeat(np.array(days, dtype=np.int64), n),
            "currency": np.tile(np.array(CURRENCIES), len(days)),
            "usd_per_unit": np.round(np.concatenate([fx.rates(d) for d in days]) * 1e8).astype(np.int64),
        }
    )
