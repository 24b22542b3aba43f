"""Commerce system: customers, orders, shipments, web traffic, marketing spend,
and the B2B invoices raised for business orders.

An order's whole life is decided the moment it is placed (cancellation,
fulfilment, carrier transit, delivery scan, return, invoice payment); its
versions are filed in `Schedule`s and surface on the day each change becomes
visible. The finance side receives fulfilled orders, returns and invoice
payments on the day they happen.
"""

from __future__ import annotations

import numpy as np

from .model import (
    BUSINESS_CHANNEL_MIX,
    BUSINESS_WEEKDAY,
    CARRIERS,
    CURRENCIES,
    CURRENCY_INDEX,
    DAY,
    ENUMS,
    HOUR,
    MINOR_UNIT,
    NEVER,
    ORDER_CHANNELS,
    ORDER_WEEKDAY,
    REGION_NAMES,
    REGIONS,
    WAREHOUSES,
    Day,
    categorical,
    channel_mix,
    check_keys,
    growth,
    ids,
    intraday,
    region_shares,
    round_to,
)
from .output import NULL, Frame
from .store import Grow, Schedule

# ---- volumes at scale factor 1, on TREND_ANCHOR at a yearly level of 1 ----
ORDERS_SF1 = 850.0  # orders placed per day
NEW_CUSTOMERS_SF1 = 300.0  # accounts created per day
ORDER_GROWTH = 0.24  # per year
CUSTOMER_GROWTH = 0.20
FIRST_ORDER_P = 0.80  # a new account orders on its first day
BUSINESS_ORDER_SHARE = 0.20  # of repeat orders on a weekday
BUSINESS_NEW_SHARE = 0.10
CUSTOMER_UPDATE_RATE = 0.0003  # profile changes per customer per day
INITIAL_CUSTOMER_DAYS = 150  # first-day snapshot holds this many days of sign-ups

CANCEL_P = 0.035
LOST_P = 0.003
LATE_SCAN_P = 0.06  # delivery scans that reach the extract 0.5-2.5 days late
MARKETPLACE_LATE_P = 0.25  # marketplace orders that sync 2-40 hours late
RETURN_P = {"web": 0.08, "mobile": 0.07, "marketplace": 0.06, "retail": 0.04}
CHANNEL_BASKET = {"web": 1.0, "mobile": 0.92, "marketplace": 0.88, "retail": 0.85}
FEE_RATE = {"web": 0.029, "mobile": 0.029, "marketplace": 0.15, "retail": 0.018}
LABEL_USD = {"NA": 6.2, "EU": 6.8, "APAC": 7.5, "LATAM": 5.4}
CONVERSION = {"web": 0.026, "mobile": 0.017}
MARKETING_MIX = {"paid_search": 0.40, "social": 0.30, "affiliate": 0.15, "display": 0.15}
USD_BILLED = ("paid_search", "social")  # ad platforms bill in USD, others in local currency
for _name, _mapping, _enum in (
    ("return rates", RETURN_P, "order_channel"),
    ("baskets", CHANNEL_BASKET, "order_channel"),
    ("fees", FEE_RATE, "order_channel"),
    ("labels", LABEL_USD, "region"),
    ("conversion", CONVERSION, "traffic_channel"),
    ("marketing mix", MARKETING_MIX, "marketing_channel"),
):
    check_keys(_name, _mapping, _enum)

STATUS = ENUMS["order_status"]
PLACED, SHIPPED, DELIVERED, CANCELLED, RETURNED = (
    STATUS.index(s) for s in ("placed", "shipped", "delivered", "cancelled", "returned")
)
SEGMENTS = ENUMS["segment"]
CONSUMER, BUSINESS = SEGMENTS.index("consumer"), SEGMENTS.index("business")
RETAIL = ORDER_CHANNELS.index("retail")
MARKETPLACE = ORDER_CHANNELS.index("marketplace")
REGION_OFFSET = np.array([REGIONS[r].utc_offset_min for r in REGION_NAMES], dtype=np.int64)
REGION_CURRENCIES = [list(REGIONS[r].currencies) for r in REGION_NAMES]

_STR = {
    "region": np.array(REGION_NAMES),
    "channel": np.array(ORDER_CHANNELS),
    "status": np.array(STATUS),
    "segment": np.array(SEGMENTS),
    "currency": np.array(CURRENCIES),
    "carrier": np.array(CARRIERS),
    "warehouse": np.array(WAREHOUSES),
}


def _latest(batch: dict, columns: list[str], before: int) -> np.ndarray:
    """The latest of the given visible-time columns that is before `before`."""
    stacked = np.stack([batch[c] for c in columns], axis=1)
    return np.where(stacked < before, stacked, -1).max(axis=1)


class Customers:
    def __init__(self):
        self.region = Grow(np.int8)
        self.segment = Grow(np.int8)
        self.currency = Grow(np.int8)
        self.created = Grow(np.int64)
        self.pools = {(r, s): Grow(np.int32) for r in range(len(REGION_NAMES)) for s in range(len(SEGMENTS))}

    def __len__(self) -> int:
        return len(self.region)

    def add(self, region, segment, currency, created) -> np.ndarray:
        first = len(self.region)
        self.region.extend(region)
        self.segment.extend(segment)
        self.currency.extend(currency)
        self.created.extend(created)
        index = np.arange(first, len(self.region), dtype=np.int32)
        for (r, s), pool in self.pools.items():
            pool.extend(index[(np.asarray(region) == r) & (np.asarray(segment) == s)])
        return index

    def upgrade(self, index: np.ndarray) -> None:
        """Consumers that became business customers (they stay findable as consumers too)."""
        self.segment.view[index] = BUSINESS
        for r in range(len(REGION_NAMES)):
            self.pools[(r, BUSINESS)].extend(index[self.region.view[index] == r])

    def pick(self, rng, region: np.ndarray, segment: np.ndarray) -> np.ndarray:
        out = np.empty(len(region), dtype=np.int64)
        for (r, s), pool in self.pools.items():
            sel = np.flatnonzero((region == r) & (segment == s))
            if len(sel) == 0:
                continue
            if len(pool) == 0:  # tiny scales: fall back to any customer of the region
                pool = self.pools[(r, 1 - s)]
            out[sel] = pool.view[rng.integers(0, len(pool), size=len(sel))]
        return out

    def frame(self, index: np.ndarray, updated: np.ndarray) -> Frame:
        return Frame(
            {
                "customer_id": ids("C", index + 1, 7),
                "created_at": self.created.view[index],
                "region": _STR["region"][self.region.view[index]],
                "segment": _STR["segment"][self.segment.view[index]],
                "updated_at": updated,
            }
        )


class Commerce:
    def __init__(self, scale: float):
        self.scale = scale
        self.customers = Customers()
        self.orders = Schedule()
        self.shipments = Schedule()
        self.invoices = Schedule()
        self.fulfilled = Schedule()  # by fulfilment time (ship, or sale for retail)
        self.returns = Schedule()  # by return time
        self.payments = Schedule()  # by invoice payment time
        self.next_order = self.next_shipment = self.next_invoice = 1
        self.late_num, self.late_den = 0.35, 5.0  # EWMA of late deliveries (starts near 7%)
        self.expected_new_customers = np.zeros(len(REGION_NAMES))
        self.expected_orders = 0.0

    @property
    def late_share(self) -> float:
        return self.late_num / self.late_den

    # ------------------------------------------------------------ day ----

    def step(self, day: Day) -> dict:
        rng = day.rng("customers")
        shares = region_shares(day.date)
        level = day.season * ORDER_WEEKDAY[day.dow]
        self.expected_orders = ORDERS_SF1 * self.scale * level * growth(day.date, ORDER_GROWTH)
        self.expected_new_customers = (
            NEW_CUSTOMERS_SF1 * self.scale * level * growth(day.date, CUSTOMER_GROWTH) * shares
        )

        frames = []
        if day.first:
            frames.append(self._snapshot(day, rng, shares))
        n_before = len(self.customers)
        new_index = self._new_customers(day, rng)
        frames.append(self.customers.frame(new_index, self.customers.created.view[new_index]))
        if not day.first:
            frames.append(self._customer_updates(day, rng, n_before))

        self._new_orders(day, day.rng("orders"), new_index, shares)
        out = {
            "customers": Frame.concat(frames),
            "orders": self._render_orders(day),
            "shipments": self._render_shipments(day),
            "invoices": self._render_invoices(day),
            "web_traffic": self._web_traffic(day, day.rng("traffic"), shares),
        }
        out["marketing_spend"], marketing_excess = self._marketing(day, day.rng("marketing"))
        out["finance"] = {
            "fulfilled": self.fulfilled.pop(day.num),
            "returns": self.returns.pop(day.num),
            "payments": self.payments.pop(day.num),
            "marketing": out["marketing_spend"],
            "marketing_excess_usd": marketing_excess,
        }
        return out

    # ------------------------------------------------------ customers ----

    def _snapshot(self, day: Day, rng, shares) -> Frame:
        """First extract: every existing account (signed up in the two years before)."""
        n = max(int(round(self.expected_new_customers.sum() * INITIAL_CUSTOMER_DAYS)), 16)
        region = rng.choice(len(REGION_NAMES), size=n, p=shares)
        segment = np.where(rng.random(n) < 0.12, BUSINESS, CONSUMER)
        # at least one account per region and segment so every pool can be drawn from
        combos = np.array([(r, s) for r in range(len(REGION_NAMES)) for s in range(len(SEGMENTS))])
        region = np.r_[region, combos[:, 0]]
        segment = np.r_[segment, combos[:, 1]]
        n = len(region)
        age = (730 * rng.random(n) ** 1.6).astype(np.int64) + 1
        created = day.d0 - age * DAY + rng.integers(0, DAY, size=n)
        created.sort()
        region = region[np.argsort(rng.random(n))]  # decouple order of creation from region
        currency = self._currency(rng, region)
        touched = rng.random(n) < 0.5
        updated = np.where(touched, created + ((day.d0 - created) * rng.random(n)).astype(np.int64), created)
        index = self.customers.add(region, segment, currency, created)
        return self.customers.frame(index, updated)

    def _currency(self, rng, region: np.ndarray) -> np.ndarray:
        out = np.empty(len(region), dtype=np.int8)
        for r, name in enumerate(REGION_NAMES):
            sel = np.flatnonzero(region == r)
            cur = REGIONS[name].currencies
            codes = np.array([CURRENCY_INDEX[c] for c in cur])
            out[sel] = codes[rng.choice(len(codes), size=len(sel), p=np.array(list(cur.values())))]
        return out

    def _new_customers(self, day: Day, rng) -> np.ndarray:
        counts = rng.poisson(self.expected_new_customers)
        region = np.repeat(np.arange(len(REGION_NAMES)), counts)
        n = len(region)
        business_p = BUSINESS_NEW_SHARE * BUSINESS_WEEKDAY[day.dow]
        segment = np.where(rng.random(n) < business_p, BUSINESS, CONSUMER)
        created = intraday(rng, day.d0, n, REGION_OFFSET[region])
        order = np.argsort(created, kind="stable")
        region, segment, created = region[order], segment[order], created[order]
        return self.customers.add(region, segment, self._currency(rng, region), created)

    def _customer_updates(self, day: Day, rng, n_before: int) -> Frame | None:
        k = rng.poisson(CUSTOMER_UPDATE_RATE * n_before)
        if k == 0 or n_before == 0:
            return None
        index = np.unique(rng.integers(0, n_before, size=k))
        upgrade = index[(rng.random(len(index)) < 0.08) & (self.customers.segment.view[index] == CONSUMER)]
        if len(upgrade):
            self.customers.upgrade(upgrade)
        updated = intraday(rng, day.d0, len(index), REGION_OFFSET[self.customers.region.view[index]])
        return self.customers.frame(index, updated)

    # --------------------------------------------------------- orders ----

    def _new_orders(self, day: Day, rng, new_index: np.ndarray, shares) -> None:
        cust = self.customers
        first = new_index[rng.random(len(new_index)) < FIRST_ORDER_P]
        repeat = rng.poisson(
            max(self.expected_orders - FIRST_ORDER_P * self.expected_new_customers.sum(), 0.0)
        )
        if repeat + len(first) == 0:
            repeat = 1  # every-day source: never an empty orders extract
        rep_region = rng.choice(len(REGION_NAMES), size=repeat, p=shares)
        rep_segment = np.where(
            rng.random(repeat) < BUSINESS_ORDER_SHARE * BUSINESS_WEEKDAY[day.dow], BUSINESS, CONSUMER
        )
        customer = np.r_[first, cust.pick(rng, rep_region, rep_segment)].astype(np.int64)
        region = cust.region.view[customer].astype(np.int64)
        t_order = np.r_[
            np.minimum(cust.created.view[first] + rng.integers(60, 2 * HOUR, size=len(first)), day.d1 - 1),
            intraday(rng, day.d0, repeat, REGION_OFFSET[region[len(first) :]]),
        ]
        order = np.argsort(t_order, kind="stable")
        customer, region, t_order = customer[order], region[order], t_order[order]
        n = len(customer)
        segment = cust.segment.view[customer].astype(np.int64)
        currency = cust.currency.view[customer].astype(np.int64)
        business = segment == BUSINESS

        mix = np.stack([channel_mix(r, day.date) for r in REGION_NAMES])[region]
        mix[business] = np.array([BUSINESS_CHANNEL_MIX[c] for c in ORDER_CHANNELS])
        channel = categorical(rng, mix)
        retail = channel == RETAIL

        # amounts: a USD basket converted at today's rate, rounded to the currency's unit
        basket = np.where(
            business, 320.0 * np.exp(rng.normal(0, 0.7, n)), 78.0 * np.exp(rng.normal(0, 0.65, n))
        )
        basket *= np.array([CHANNEL_BASKET[c] for c in ORDER_CHANNELS])[channel]
        basket = np.maximum(basket, 3.0)
        rate = day.fx[currency]
        unit = MINOR_UNIT[currency]
        gross = np.maximum(round_to(basket * 100 / rate, unit), unit)
        peak = day.season > 1.1
        blackfriday = day.season > 1.6
        discount_p = 0.70 if blackfriday else 0.42 if peak else 0.28
        has_discount = rng.random(n) < discount_p
        pct = rng.uniform(0.15, 0.40, n) if blackfriday else rng.uniform(0.05, 0.30, n)
        discount = np.minimum(round_to(gross * pct * has_discount, unit), gross - unit).clip(0)
        ship_usd = np.where(
            business,
            np.where(basket < 250, 15.0, 0.0),
            np.where(basket < 75, rng.choice([4.99, 5.99, 7.99], n), 0.0),
        )
        ship_usd[retail] = 0.0
        shipping = round_to(ship_usd * 100 / rate, unit)
        cost = round_to(gross * rng.uniform(0.40, 0.50, n), unit)
        label_usd = np.array([LABEL_USD[r] for r in REGION_NAMES])[region] * np.exp(rng.normal(0, 0.2, n))
        label = np.where(retail, 0, round_to(label_usd * 100 / rate, unit))
        fee_rate = np.array([FEE_RATE[c] for c in ORDER_CHANNELS])[channel] * ~business
        fee = round_to((gross - discount + shipping) * fee_rate, unit)

        # lifecycle
        cancel = ~retail & (rng.random(n) < np.where(business, 0.02, CANCEL_P))
        t_cancel = np.where(cancel, t_order + rng.integers(HOUR // 5, 20 * HOUR, n), NEVER)
        shipped = ~retail & ~cancel
        fulfil_h = 16.0 * np.exp(rng.normal(0, 0.55, n)) * (1 + 0.8 * max(0.0, day.season - 1.0))
        t_ship = np.where(shipped, t_order + (fulfil_h * HOUR).astype(np.int64), NEVER)

        carrier = np.zeros(n, dtype=np.int64)
        warehouse = np.zeros(n, dtype=np.int64)
        transit = np.zeros(n)
        for r, name in enumerate(REGION_NAMES):
            sel = np.flatnonzero(region == r)
            spec = REGIONS[name].carriers
            pick = rng.choice(len(spec), size=len(sel), p=[s for s, _ in spec.values()])
            carrier[sel] = np.array([CARRIERS.index(c) for c in spec])[pick]
            transit[sel] = np.array([m for _, m in spec.values()])[pick]
            whs = REGIONS[name].warehouses
            warehouse[sel] = np.array([WAREHOUSES.index(w) for w in whs])[rng.integers(0, len(whs), len(sel))]
        transit *= rng.gamma(5.0, 1 / 5.0, n)
        for inc, a, b in day.incidents.of_kind("carrier_delay"):
            ship_day = t_ship // DAY
            hit = shipped & (carrier == CARRIERS.index(inc.subject)) & (ship_day >= a) & (ship_day <= b)
            transit[hit] += rng.uniform(3.0, 6.0, int(hit.sum()))
        deliver_day = (t_ship + (transit * DAY).astype(np.int64)) // DAY
        local_time = (rng.integers(9 * HOUR, 20 * HOUR, n) - REGION_OFFSET[region] * 60) % DAY
        t_del = deliver_day * DAY + local_time
        t_del = np.where(t_del <= t_ship, t_del + DAY, t_del)
        delivered = shipped & (rng.random(n) >= LOST_P)
        t_del = np.where(delivered, t_del, NEVER)
        t_del = np.where(retail, t_order, t_del)  # a store sale is delivered on the spot
        lag = np.where(
            rng.random(n) < LATE_SCAN_P, rng.integers(12 * HOUR, 60 * HOUR, n), rng.integers(60, HOUR, n)
        )
        vis_del = np.where(delivered, t_del + lag, np.where(retail, t_order, NEVER))
        promised = t_order // DAY + np.array([REGIONS[r].sla_days for r in REGION_NAMES])[region]

        returned = (
            (delivered | retail)
            & ~business
            & (rng.random(n) < np.array([RETURN_P[c] for c in ORDER_CHANNELS])[channel])
        )
        t_ret = np.where(
            returned, np.where(retail, t_order, t_del) + rng.integers(2 * DAY, 28 * DAY, n), NEVER
        )

        marketplace = channel == MARKETPLACE
        t_arr = np.where(
            marketplace & (rng.random(n) < MARKETPLACE_LATE_P),
            t_order + rng.integers(2 * HOUR, 40 * HOUR, n),
            t_order,
        )
        for _inc, a, b in day.incidents.of_kind("marketplace_outage"):
            if a <= day.num <= b:
                t_arr = np.where(marketplace, (b + 1) * DAY + rng.integers(HOUR, 6 * HOUR, n), t_arr)

        def visible(t):
            return np.where(t < NEVER, np.maximum(t, t_arr), NEVER)

        onum = np.arange(self.next_order, self.next_order + n, dtype=np.int64)
        self.next_order += n
        orders = {
            "onum": onum,
            "customer": customer + 1,
            "region": region,
            "channel": channel,
            "currency": currency,
            "gross": gross,
            "discount": discount,
            "shipping": shipping,
            "t_order": t_order,
            "v_place": t_arr,
            "v_cancel": visible(t_cancel),
            "v_ship": visible(t_ship),
            "v_del": visible(vis_del),
            "v_ret": visible(t_ret),
        }
        self.orders.add(orders, ["v_place", "v_cancel", "v_ship", "v_del", "v_ret"])

        ns = int(shipped.sum())
        snum = np.zeros(n, dtype=np.int64)
        snum[shipped] = np.arange(self.next_shipment, self.next_shipment + ns)
        self.next_shipment += ns
        sel = shipped
        self.shipments.add(
            {
                "snum": snum[sel],
                "onum": onum[sel],
                "warehouse": warehouse[sel],
                "carrier": carrier[sel],
                "t_ship": t_ship[sel],
                "promised": promised[sel],
                "t_del": t_del[sel],
                "v_del": np.where(delivered[sel], vis_del[sel], NEVER),
            },
            ["t_ship", "v_del"],
        )

        kept = ~cancel
        t_fulfil = np.where(retail, t_order, t_ship)
        fin = {
            "onum": onum,
            "channel": channel,
            "business": business,
            "currency": currency,
            "gross": gross,
            "discount": discount,
            "shipping": shipping,
            "cost": cost,
            "label": label,
            "fee": fee,
            "t_fulfil": t_fulfil,
            "t_ret": t_ret,
        }
        self.fulfilled.add({k: v[kept] for k, v in fin.items()}, ["t_fulfil"])
        self.returns.add({k: v[returned] for k, v in fin.items()}, ["t_ret"])

        self._new_invoices(
            rng, business & kept, onum, customer + 1, region, currency, gross - discount + shipping, t_fulfil
        )

    def _new_invoices(self, rng, sel, onum, customer, region, currency, amount, t_issue) -> None:
        n = int(sel.sum())
        if n == 0:
            return
        region, t_issue = region[sel], t_issue[sel]
        terms = rng.choice([30, 45, 60], size=n, p=[0.7, 0.2, 0.1])
        kind = rng.choice(4, size=n, p=[0.60, 0.35, 0.04, 0.01])  # on time, late, very late, never
        days = np.select(
            [kind == 0, kind == 1, kind == 2],
            [rng.uniform(3, terms), terms + 1 + rng.gamma(2.0, 7.5, n), terms + rng.uniform(60, 150, n)],
            0.0,
        )
        pay_day = (t_issue + (days * DAY).astype(np.int64)) // DAY
        pay_day += np.select(
            [(pay_day + 3) % 7 == 5, (pay_day + 3) % 7 == 6], [2, 1], 0
        )  # weekends -> Monday
        t_pay = pay_day * DAY + (rng.integers(9 * HOUR, 17 * HOUR, n) - REGION_OFFSET[region] * 60) % DAY
        t_pay = np.where(t_pay <= t_issue, t_issue + HOUR, t_pay)
        t_pay = np.where(kind == 3, NEVER, t_pay)
        lag = np.where(
            rng.random(n) < 0.2, rng.integers(DAY // 2, 5 * DAY // 2, n), rng.integers(60, 2 * HOUR, n)
        )
        inum = np.arange(self.next_invoice, self.next_invoice + n, dtype=np.int64)
        self.next_invoice += n
        invoices = {
            "inum": inum,
            "onum": onum[sel],
            "customer": customer[sel],
            "currency": currency[sel],
            "amount": amount[sel],
            "t_issue": t_issue,
            "terms": terms.astype(np.int64),
            "t_pay": t_pay,
            "v_pay": np.where(t_pay < NEVER, t_pay + lag, NEVER),
        }
        self.invoices.add(invoices, ["t_issue", "v_pay"])
        self.payments.add(invoices, ["t_pay"])

    # ------------------------------------------------------ rendering ----

    def _render_orders(self, day: Day) -> Frame:
        b = self.orders.pop(day.num)
        if b is None:  # pragma: no cover - _new_orders always places at least one
            raise RuntimeError("no orders on an every-day source")
        end = day.d1
        status = np.full(len(b["onum"]), PLACED)
        status[b["v_cancel"] < end] = CANCELLED
        status[b["v_ship"] < end] = SHIPPED
        status[b["v_del"] < end] = DELIVERED
        status[b["v_ret"] < end] = RETURNED
        return Frame(
            {
                "order_id": ids("O", b["onum"], 7),
                "customer_id": ids("C", b["customer"], 7),
                "ordered_at": b["t_order"],
                "channel": _STR["channel"][b["channel"]],
                "region": _STR["region"][b["region"]],
                "currency": _STR["currency"][b["currency"]],
                "gross_amount": b["gross"],
                "discount_amount": b["discount"],
                "shipping_amount": b["shipping"],
                "status": _STR["status"][status],
                "updated_at": _latest(b, ["v_place", "v_cancel", "v_ship", "v_del", "v_ret"], end),
            },
            offset_min=REGION_OFFSET[b["region"]],
        )

    def _render_shipments(self, day: Day) -> Frame | None:
        b = self.shipments.pop(day.num)
        if b is None:
            return None
        end = day.d1
        seen = b["v_del"] < end
        delivered_at = np.where(seen, b["t_del"], NULL)
        late = seen & (b["v_del"] >= day.d0) & (b["t_del"] // DAY > b["promised"])
        fresh = int((seen & (b["v_del"] >= day.d0)).sum())
        self.late_num = 0.85 * self.late_num + int(late.sum())
        self.late_den = 0.85 * self.late_den + fresh
        return Frame(
            {
                "shipment_id": ids("S", b["snum"], 7),
                "order_id": ids("O", b["onum"], 7),
                "warehouse": _STR["warehouse"][b["warehouse"]],
                "carrier": _STR["carrier"][b["carrier"]],
                "shipped_at": b["t_ship"],
                "promised_date": b["promised"],
                "delivered_at": delivered_at,
                "updated_at": _latest(b, ["t_ship", "v_del"], end),
            }
        )

    def _render_invoices(self, day: Day) -> Frame | None:
        b = self.invoices.pop(day.num)
        if b is None:
            return None
        end = day.d1
        issued = b["t_issue"] // DAY
        paid = b["v_pay"] < end
        return Frame(
            {
                "invoice_id": ids("I", b["inum"], 7),
                "customer_id": ids("C", b["customer"], 7),
                "issued_on": issued,
                "due_on": issued + b["terms"],
                "currency": _STR["currency"][b["currency"]],
                "amount": b["amount"],
                "paid_on": np.where(paid, b["t_pay"] // DAY, NULL),
                "updated_at": _latest(b, ["t_issue", "v_pay"], end),
            }
        )

    # ------------------------------------------------- traffic, spend ----

    def _web_traffic(self, day: Day, rng, shares) -> Frame:
        channels = ENUMS["traffic_channel"]
        region, channel, sessions = [], [], []
        business = BUSINESS_ORDER_SHARE * 0.8
        lift = 1 + 0.5 * max(0.0, day.season - 1.0)  # shoppers convert better in the peak
        for r, name in enumerate(REGION_NAMES):
            mix = channel_mix(name, day.date)
            for c in channels:
                k = ORDER_CHANNELS.index(c)
                share = (1 - business) * mix[k] + business * BUSINESS_CHANNEL_MIX[c]
                expected = self.expected_orders * shares[r] * share
                region.append(name)
                channel.append(c)
                sessions.append(expected / (CONVERSION[c] * lift) * np.exp(rng.normal(0, 0.08)))
        n = len(region)
        return Frame(
            {
                "traffic_date": np.full(n, day.num, dtype=np.int64),
                "region": np.array(region),
                "channel": np.array(channel),
                "sessions": np.maximum(np.round(sessions), 1).astype(np.int64),
            }
        )

    def _marketing(self, day: Day, rng) -> tuple[Frame, float]:
        flight_off = day.date.isocalendar().week % 6 == 5  # display runs in flights
        overspend = day.incidents.active("cost_overrun", day.num, "marketing")
        pricey = 1 + 0.25 * max(0.0, day.season - 1.0)
        rows = []
        excess_usd = 0.0
        for r, name in enumerate(REGION_NAMES):
            budget = self.expected_new_customers[r] * REGIONS[name].cac_usd * pricey
            local = list(REGIONS[name].currencies)[0]
            for ch in ENUMS["marketing_channel"]:
                if ch == "display" and flight_off:
                    continue
                usd = budget * MARKETING_MIX[ch] * np.exp(rng.normal(0, 0.12))
                if overspend and ch in USD_BILLED:
                    excess_usd += usd * 0.8
                    usd *= 1.8
                cur = "USD" if ch in USD_BILLED else local
                unit = int(MINOR_UNIT[CURRENCY_INDEX[cur]])
                cents = int(round(usd * 100 / day.fx[CURRENCY_INDEX[cur]] / unit)) * unit
                rows.append((ch, name, cur, max(cents, unit)))
        n = len(rows)
        return Frame(
            {
                "spend_date": np.full(n, day.num, dtype=np.int64),
                "channel": np.array([r[0] for r in rows]),
                "region": np.array([r[1] for r in rows]),
                "currency": np.array([r[2] for r in rows]),
                "amount": np.array([r[3] for r in rows], dtype=np.int64),
            }
        ), excess_usd
