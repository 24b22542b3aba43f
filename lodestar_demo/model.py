"""The demo company: calendar, seasonality, growth, regions, FX and incidents.

Everything here is a pure function of the date (and the seed for FX), so a
day's behaviour does not depend on the range being generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pipelines.sources.contract import load_contract

DAY = 86_400
HOUR = 3_600
EPOCH = date(1970, 1, 1)
TREND_ANCHOR = date(2024, 1, 1)  # growth() == 1 here, whatever range is generated
NEVER = np.int64(2**62)  # "this event never happens" in event-time arrays

CONTRACT = load_contract()
ENUMS = CONTRACT.enums


def day_number(d: date) -> int:
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


_DOMAINS = (
    "customers",
    "orders",
    "traffic",
    "marketing",
    "tickets",
    "nps",
    "people",
    "finance",
    "defects",
    "budget",
    # messy mode only (appended: the streams above keep their numbers)
    "offers",
    "excel",
)


def rng_for(seed: int, domain: str, day_num: int) -> np.random.Generator:
    """Independent stream per (seed, domain, day): a day is reproducible on its own."""
    return np.random.default_rng([seed, _DOMAINS.index(domain), day_num + 1_000_000])


def check_keys(what: str, mapping: dict, enum: str) -> None:
    if set(mapping) != set(ENUMS[enum]):
        raise RuntimeError(
            f"demo model {what} covers {sorted(mapping)}, contract enum {enum} is {ENUMS[enum]}"
        )


# ------------------------------------------------------------ regions ----


@dataclass(frozen=True)
class Region:
    share: float  # of orders and new customers on TREND_ANCHOR
    share_trend: float  # change of share per year
    utc_offset_min: int  # local time for intraday patterns and CSV display
    currencies: dict  # currency -> share of customers
    channel_mix: dict  # order channel -> share (consumer)
    carriers: dict  # carrier -> (share, mean transit days)
    warehouses: tuple
    sla_days: int  # promised_date = order day + sla_days
    cac_usd: float  # marketing cost per new customer


# fmt: off
# Per region: share of orders and new customers on TREND_ANCHOR, its change per
# year, UTC offset (minutes), promised delivery (days after the order day) and
# marketing cost per new customer (USD).
_FIGURES = {
    #        share  trend   offset  sla  cac
    "NA":    (0.44, -0.012, -300,    5, 48.0),
    "EU":    (0.30,  0.0,     60,    5, 41.0),
    "APAC":  (0.16,  0.010,  540,    5, 37.0),
    "LATAM": (0.10,  0.002, -180,   10, 23.0),
}
# fmt: on
_CURRENCIES = {
    "NA": {"USD": 1.0},
    "EU": {"EUR": 0.75, "GBP": 0.25},
    "APAC": {"JPY": 0.55, "AUD": 0.45},
    "LATAM": {"BRL": 1.0},
}
_CHANNEL_MIX = {
    "NA": {"web": 0.42, "mobile": 0.28, "marketplace": 0.18, "retail": 0.12},
    "EU": {"web": 0.45, "mobile": 0.25, "marketplace": 0.15, "retail": 0.15},
    "APAC": {"web": 0.30, "mobile": 0.40, "marketplace": 0.22, "retail": 0.08},
    "LATAM": {"web": 0.32, "mobile": 0.38, "marketplace": 0.25, "retail": 0.05},
}
_CARRIERS = {  # carrier -> (share, mean transit days)
    "NA": {"UPS": (0.40, 2.4), "FedEx": (0.35, 2.2), "USPS": (0.25, 2.7)},
    "EU": {"DHL": (0.45, 2.1), "DPD": (0.35, 2.5), "Royal Mail": (0.20, 2.0)},
    "APAC": {"Yamato": (0.40, 2.4), "Australia Post": (0.35, 2.9), "DHL": (0.25, 3.2)},
    "LATAM": {"Correios": (0.60, 4.8), "DHL": (0.40, 3.6)},
}
_WAREHOUSES = {"NA": ("EWR1", "RNO1"), "EU": ("AMS1",), "APAC": ("SIN1", "SYD1"), "LATAM": ("GRU1",)}

REGIONS: dict[str, Region] = {
    name: Region(
        share=share,
        share_trend=trend,
        utc_offset_min=offset,
        currencies=_CURRENCIES[name],
        channel_mix=_CHANNEL_MIX[name],
        carriers=_CARRIERS[name],
        warehouses=_WAREHOUSES[name],
        sla_days=sla,
        cac_usd=cac,
    )
    for name, (share, trend, offset, sla, cac) in _FIGURES.items()
}
check_keys("regions", REGIONS, "region")
for _r in REGIONS.values():
    check_keys("channel mix", _r.channel_mix, "order_channel")

REGION_NAMES = list(ENUMS["region"])
ORDER_CHANNELS = list(ENUMS["order_channel"])
BUSINESS_CHANNEL_MIX = {"web": 0.78, "mobile": 0.05, "marketplace": 0.05, "retail": 0.12}
check_keys("business channel mix", BUSINESS_CHANNEL_MIX, "order_channel")
MOBILE_SHIFT_PER_YEAR = 0.03  # share moving from web to mobile each year

CARRIERS = sorted({c for r in REGIONS.values() for c in r.carriers})
WAREHOUSES = [w for r in REGIONS.values() for w in r.warehouses]

# ----------------------------------------------------------------- FX ----

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "AUD", "BRL"]
CURRENCY_INDEX = {c: i for i, c in enumerate(CURRENCIES)}
# usd_per_unit around which each rate mean-reverts, and its daily log volatility
FX_BASE = {
    "USD": (1.0, 0.0),
    "EUR": (1.09, 0.0040),
    "GBP": (1.27, 0.0045),
    "JPY": (0.0069, 0.0055),
    "AUD": (0.66, 0.0060),
    "BRL": (0.20, 0.0090),
}
# smallest amount unit in cents: JPY amounts are whole yen
MINOR_UNIT = np.array([100 if c == "JPY" else 1 for c in CURRENCIES], dtype=np.int64)
FX_EPOCH = date(2000, 1, 1)
FX_REVERSION = 0.004


class FX:
    """Daily mean-reverting random walk of usd_per_unit, the same for any range.

    The walk starts on FX_EPOCH and uses one random stream per calendar year,
    so the rate of a day depends only on the seed and the day.
    """

    def __init__(self, seed: int, last_day: date):
        if last_day < FX_EPOCH:
            raise ValueError(f"dates before {FX_EPOCH} are not supported")
        first = day_number(FX_EPOCH)
        n = day_number(last_day) - first + 2
        mu = np.log([FX_BASE[c][0] for c in CURRENCIES])
        vol = np.array([FX_BASE[c][1] for c in CURRENCIES])
        shocks = []
        for year in range(FX_EPOCH.year, last_day.year + 2):
            shocks.append(np.random.default_rng([seed, 99, year]).standard_normal((366, len(CURRENCIES))))
        x = mu.copy()
        out = np.empty((n, len(CURRENCIES)))
        for i in range(n):
            d = from_day_number(first + i)
            eps = shocks[d.year - FX_EPOCH.year][d.timetuple().tm_yday - 1]
            x = x + FX_REVERSION * (mu - x) + vol * eps
            out[i] = x
        self._first = first
        self._rates = np.exp(out)
        self._rates[:, CURRENCY_INDEX["USD"]] = 1.0

    def rates(self, day_num: int) -> np.ndarray:
        """usd_per_unit of every currency (CURRENCIES order) on a day."""
        return self._rates[day_num - self._first]


def fx_published(d: date) -> bool:
    """Rates are published on weekdays except 1 January and 25 December."""
    return d.weekday() < 5 and (d.month, d.day) not in ((1, 1), (12, 25))


# --------------------------------------------------------- seasonality ----

# demand level by month (at mid-month; interpolated in between): Q4 peak
_MONTH_LEVEL = [0.90, 0.87, 0.95, 0.97, 1.00, 0.97, 0.95, 0.96, 0.98, 1.03, 1.18, 1.25]
ORDER_WEEKDAY = [1.00, 0.98, 0.97, 0.99, 1.03, 1.08, 1.04]  # Mon..Sun
BUSINESS_WEEKDAY = [1.0, 1.0, 1.0, 1.0, 0.95, 0.30, 0.20]
TICKET_WEEKDAY = [1.15, 1.10, 1.05, 1.05, 1.00, 0.75, 0.70]


def yearly(d: date) -> float:
    """Smooth yearly demand level with a Q4 peak (mean about 1)."""
    mid = date(d.year, d.month, 15)
    if d >= mid:
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 15)
        a, b, t = _MONTH_LEVEL[d.month - 1], _MONTH_LEVEL[d.month % 12], (d - mid).days / (nxt - mid).days
    else:
        prv = date(d.year - (d.month == 1), (d.month - 2) % 12 + 1, 15)
        a, b, t = (
            _MONTH_LEVEL[(d.month - 2) % 12],
            _MONTH_LEVEL[d.month - 1],
            (d - prv).days / (mid - prv).days,
        )
    return a + (b - a) * t


def black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    thanksgiving = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)
    return thanksgiving + timedelta(days=1)


def holiday(d: date) -> float:
    """Day-specific demand: Black Friday to Cyber Monday peak, Christmas and New Year dip."""
    bf = black_friday(d.year)
    bump = {0: 1.55, 1: 1.30, 2: 1.25, 3: 1.45}.get((d - bf).days)
    if bump:
        return bump
    return {(12, 24): 0.85, (12, 25): 0.65, (12, 26): 0.90, (1, 1): 0.75}.get((d.month, d.day), 1.0)


def growth(d: date, per_year: float) -> float:
    return (1.0 + per_year) ** ((d - TREND_ANCHOR).days / 365.25)


def years_since_anchor(d: date) -> float:
    return (d - TREND_ANCHOR).days / 365.25


def region_shares(d: date) -> np.ndarray:
    t = years_since_anchor(d)
    s = np.array([max(0.02, REGIONS[r].share + REGIONS[r].share_trend * t) for r in REGION_NAMES])
    return s / s.sum()


def channel_mix(region: str, d: date) -> np.ndarray:
    mix = dict(REGIONS[region].channel_mix)
    shift = min(MOBILE_SHIFT_PER_YEAR * max(years_since_anchor(d), -1.0), mix["web"] - 0.1)
    mix["web"] -= shift
    mix["mobile"] += shift
    p = np.array([mix[c] for c in ORDER_CHANNELS])
    return p / p.sum()


# local hour-of-day profile of customer activity (orders, sessions, NPS)
_HOURLY = np.array(
    [
        0.6,
        0.4,
        0.3,
        0.25,
        0.25,
        0.35,
        0.7,
        1.2,
        1.7,
        2.0,
        2.2,
        2.4,
        2.6,
        2.5,
        2.3,
        2.2,
        2.2,
        2.4,
        2.8,
        3.1,
        3.2,
        2.8,
        2.0,
        1.2,
    ]
)
HOURLY = _HOURLY / _HOURLY.sum()
# support desk (+01:00): business hours, chat until late
_DESK = np.array(
    [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.5,
        3.0,
        3.4,
        3.4,
        3.2,
        2.8,
        3.0,
        3.2,
        3.1,
        2.9,
        2.4,
        1.8,
        1.3,
        1.0,
        0.8,
        0.5,
        0.3,
    ]
)
DESK_HOURLY = _DESK / _DESK.sum()


def intraday(rng: np.random.Generator, d0: int, n: int, offset_min, profile=HOURLY) -> np.ndarray:
    """n instants within the UTC day starting at d0, shaped by a local-time profile."""
    local = rng.choice(24, size=n, p=profile) * HOUR + rng.integers(0, HOUR, size=n)
    return d0 + (local - np.asarray(offset_min, dtype=np.int64) * 60) % DAY


# ----------------------------------------------------------- incidents ----


@dataclass(frozen=True)
class Incident:
    kind: str
    offset: int  # days after the start of the generated range
    days: int  # duration (cost overruns last the calendar month containing the offset)
    subject: str  # carrier / cost center / channel concerned
    note: str

    def window(self, start: date) -> tuple[date, date]:
        first = start + timedelta(days=self.offset)
        if self.kind == "cost_overrun":
            first = first.replace(day=1)
            nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        return first, first + timedelta(days=self.days - 1)


INCIDENTS: tuple[Incident, ...] = (
    Incident("carrier_delay", 290, 14, "FedEx", "FedEx shipments shipped in the window take 3-6 days longer"),
    Incident(
        "cost_overrun",
        435,
        0,
        "engineering",
        "runaway cloud bill: engineering software costs x4 for the month",
    ),
    Incident(
        "support_backlog",
        560,
        7,
        "support",
        "ticket surge x2 while desk capacity drops to 40%; backlog lingers",
    ),
    Incident(
        "marketplace_outage",
        640,
        3,
        "marketplace",
        "marketplace order sync down: its orders land on the day after",
    ),
    Incident("cost_overrun", 1008, 0, "marketing", "paid_search and social spend x1.8 for the month"),
    Incident(
        "support_backlog",
        1015,
        7,
        "support",
        "ticket surge x2 while desk capacity drops to 40%; backlog lingers",
    ),
    Incident(
        "carrier_delay", 1036, 14, "FedEx", "FedEx shipments shipped in the window take 3-6 days longer"
    ),
    Incident(
        "export_outage", 1054, 3, "web_traffic", "the web analytics export fails: no web_traffic extract"
    ),
)


class Incidents:
    """The incidents of a generated range as day-number windows."""

    def __init__(self, start: date):
        self.windows = []
        for inc in INCIDENTS:
            a, b = inc.window(start)
            self.windows.append((inc, day_number(a), day_number(b)))

    def active(self, kind: str, day_num: int, subject: str | None = None) -> bool:
        return any(
            inc.kind == kind and a <= day_num <= b and (subject is None or inc.subject == subject)
            for inc, a, b in self.windows
        )

    def of_kind(self, kind: str):
        return [(inc, a, b) for inc, a, b in self.windows if inc.kind == kind]


def calendar_days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def days_in_month(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


@dataclass
class Day:
    """One generated extract day (UTC business day)."""

    date: date
    num: int  # days since 1970-01-01
    first: bool  # the first day of the generated range
    scale: float
    seed: int
    fx: np.ndarray  # usd_per_unit of CURRENCIES on this day
    incidents: Incidents

    @property
    def d0(self) -> int:
        return self.num * DAY

    @property
    def d1(self) -> int:
        return (self.num + 1) * DAY

    @property
    def dow(self) -> int:
        return self.date.weekday()

    @property
    def season(self) -> float:
        return yearly(self.date) * holiday(self.date)

    def rng(self, domain: str) -> np.random.Generator:
        return rng_for(self.seed, domain, self.num)


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of an (n, k) matrix of probabilities."""
    cum = np.cumsum(probs, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(probs.shape[0])
    return (u[:, None] > cum).sum(axis=1).clip(0, probs.shape[1] - 1)


def round_to(values: np.ndarray, unit) -> np.ndarray:
    """Round to a multiple of unit (cents; 100 for whole-yen amounts)."""
    unit = np.asarray(unit, dtype=np.int64)
    return (np.round(np.asarray(values, dtype=float) / unit).astype(np.int64)) * unit


def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    numbers = np.asarray(numbers, dtype=np.int64)
    if numbers.size == 0:
        return np.array([], dtype=f"U{len(prefix) + width}")
    return np.strings.add(prefix, np.strings.zfill(numbers.astype(str), width))
