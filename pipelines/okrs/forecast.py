"""Will a key result make it? A projection of its value at the period's end.

For a key result on day D of its period [S, E], the value that decides it is
the KPI (window and filter of the KR) on day E. Everything here uses only the
history up to D, so the forecast of any past day is the same whatever was
loaded later (a backfill recomputes it bit for bit).

What is forecast (see docs/forecasts.md):

- Summable KPIs (additive and ratio: the window is Σ numerator / Σ denominator
  of its days) split the window ending on E into the days already observed
  (≤ D, exact) and the m future days. Only the future block is forecast: the
  series "sum (or ratio) over the last m days" is modelled from the KPI's daily
  parts and projected h = E − D days ahead. The observed part needs no model,
  so a quarter-to-date KR gets surer as the quarter fills up.
- Other KPIs (percentiles, snapshots, derived) are forecast from the series of
  their own window value, h days ahead.

The model (statsforecast's ETS, in `project`) works on the log of positive
money/count/duration series (multiplicative growth and seasons become
additive) and on the value itself for percents and scores. With more than a
year of history it forecasts the year-over-year change (lag 364 days, so
weekdays line up): last year's value at E carries the yearly season and the
weekday, the ETS level of the year-over-year change carries the trend. With
less history it fits a damped-trend ETS (weekly seasonal for short blocks).
The 80% interval is the model's; the probability of reaching the target comes
from the same normal predictive distribution in model space.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np

# Bump when the method changes: stored forecasts are recomputed (input hash).
MODEL_VERSION = "kr-forecast-3"
LEVEL = 80
Z = NormalDist().inv_cdf(0.5 + LEVEL / 200)  # 1.2816: half-width of the 80% interval in sigmas
YOY_LAG = 364  # 52 weeks: same weekday a year earlier
MIN_POINTS = 28  # fewer modelled points: no forecast
YOY_MIN_POINTS = 56  # year-over-year changes needed before the seasonal method is used
LEVEL_HISTORY = 365  # points the non-seasonal method looks back
YOY_HISTORY = 2 * 365  # year-over-year changes the seasonal method looks back
# Scale on the model's predictive sigma by horizon (up to n days: k). ETS's
# random-walk variance grows too fast for block sums, so its 80% intervals held
# 88% of the outcomes: split-conformal factors fitted on the demo's replayed
# quarters 2024-Q4..2026-Q1 (`lodestar forecast backtest --replay-quarters 7
# --end 2026-03-31 --calibrate`), checked on the days after (docs/forecasts.md).
SIGMA_SCALE: tuple[tuple[int, float], ...] = ((7, 0.93), (30, 0.87), (60, 0.75), (10**6, 0.68))

SUMMABLE = ("additive", "ratio")
LOG_UNITS = ("usd", "count", "hours", "days", "fte")
UPWARD = ("increase", "stay_above")


def window_start(window: str, end: date) -> date:
    """First day of the KPI window ending on `end` (docs/kpis.md)."""
    if window == "day":
        return end
    if window == "trailing_7d":
        return end - timedelta(days=6)
    if window == "trailing_28d":
        return end - timedelta(days=27)
    if window == "month_to_date":
        return end.replace(day=1)
    if window == "quarter_to_date":
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown window {window!r}")


@dataclass(frozen=True)
class History:
    """The daily history of one KPI slice, one entry per loaded day from `first`.

    num/den are the day window's numerator and denominator (NaN where the KPI
    was not published that day); value is the KR window's published value (NaN
    where missing)."""

    first: date
    num: np.ndarray
    den: np.ndarray
    value: np.ndarray
    published: np.ndarray  # bool

    def index(self, day: date) -> int:
        return (day - self.first).days

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class KrQuestion:
    """One key result on one day: what to forecast and against which target."""

    kr_type: str
    window: str
    additivity: str
    unit: str
    period_end: date
    target: float


@dataclass(frozen=True)
class Forecast:
    """The value on the period end: median, 80% interval, probability of reaching the target."""

    projected: float | None
    low: float | None
    high: float | None
    probability: float | None
    method: str  # exact, yoy_ets, ets, none
    horizon_days: int
    history_days: int
    note: str | None = None
    # value = a + b * g^-1(X), X ~ N(mu, sigma) before calibration: for the backtest
    spread: tuple[float, float, Projection] | None = None

    def standardized_error(self, actual: float) -> float:
        """|g((actual - a) / b) - mu| / sigma of the uncalibrated model (inf: impossible for it)."""
        if self.spread is None:
            return math.nan
        a, b, proj = self.spread
        y = (actual - a) / b if b > 0 else math.nan
        if math.isnan(y) or (proj.log and y <= 0):
            return math.inf
        g = math.log(y) if proj.log else y
        if proj.sigma <= 0:
            return 0.0 if g == proj.mu else math.inf
        return abs(g - proj.mu) / proj.sigma


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Projection:
    """Normal predictive distribution of g(x) h days ahead (g = log or identity)."""

    mu: float
    sigma: float
    log: bool
    method: str

    def value(self, z: float = 0.0) -> float:
        y = self.mu + z * self.sigma
        return math.exp(y) if self.log else y

    def prob_at_least(self, threshold: float) -> float:
        if self.log and threshold <= 0:
            return 1.0
        t = math.log(threshold) if self.log else threshold
        if self.sigma <= 0:
            return 1.0 if self.mu >= t else 0.0
        return 1.0 - NormalDist(self.mu, self.sigma).cdf(t)


def _ets(y: np.ndarray, h: int, season: int | None) -> tuple[float, float]:
    """(mean, sigma) of the h-step forecast of statsforecast's ETS on y."""
    from statsforecast.models import AutoETS

    if np.ptp(y) == 0:  # a constant series: ETS has nothing to estimate
        return float(y[-1]), 0.0
    if season:
        model = AutoETS(model="AAA", damped=True, season_length=season)
    elif season is None:
        model = AutoETS(model="AAN", damped=True)
    else:  # season 0: level only (year-over-year changes)
        model = AutoETS(model="ANN")
    out = model.forecast(y=y, h=h, level=[LEVEL])
    mean = float(out["mean"][h - 1])
    sigma = float(out[f"hi-{LEVEL}"][h - 1] - out[f"lo-{LEVEL}"][h - 1]) / (2 * Z)
    return mean, max(sigma, 0.0)


def project(x: np.ndarray, h: int, log: bool, weekly: bool, yearly: bool = True) -> Projection | None:
    """Forecast g(x) h steps past its last point; None with too little history.

    `x` has no gaps (one value per day, last = the forecast day). `yearly`:
    the series has a calendar season (flows do; a state such as headcount or
    the backlog does not: a step last December is no reason for one this year)."""
    if log and not np.all(x > 0):
        log = False
    g = np.log(x) if log else x.astype(float)
    n = len(g)
    if yearly and n - YOY_LAG >= YOY_MIN_POINTS and h <= YOY_LAG:
        z = (g[YOY_LAG:] - g[:-YOY_LAG])[-YOY_HISTORY:]
        mean, sigma = _ets(z, h, season=0)
        base = g[n - 1 + h - YOY_LAG]  # last year's value on the target day
        return Projection(base + mean, sigma, log, "yoy_ets")
    if n >= MIN_POINTS:
        y = g[-LEVEL_HISTORY:]
        mean, sigma = _ets(y, h, season=7 if weekly and len(y) >= 3 * 7 else None)
        return Projection(mean, sigma, log, "ets")
    return None


# --------------------------------------------------------------------------- series


def _fill_forward(x: np.ndarray) -> np.ndarray:
    """Carry the last known value over gaps; leading gaps stay NaN."""
    idx = np.where(np.isnan(x), 0, np.arange(len(x)))
    np.maximum.accumulate(idx, out=idx)
    return x[idx]


def _fill_weekly(x: np.ndarray) -> np.ndarray:
    """A day without a published value takes the same weekday a week earlier."""
    out = x.copy()
    for i in np.flatnonzero(np.isnan(out)):
        if i >= 7:
            out[i] = out[i - 7]
    return out


def _trim_leading_nan(x: np.ndarray) -> np.ndarray:
    ok = np.flatnonzero(~np.isnan(x))
    return x[ok[0] :] if len(ok) else x[:0]


def _rolling_sum(x: np.ndarray, m: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    return c[m:] - c[:-m]


def _block_series(hist: History, upto: int, m: int, ratio: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Sum (additive) or ratio (ratio KPIs) over each run of m days, up to index `upto`."""
    num = _trim_leading_nan(_fill_weekly(hist.num[: upto + 1]))
    den = _fill_weekly(hist.den[: upto + 1])[-len(num) :] if len(num) else num
    if len(num) < m:
        return num[:0], None
    s_num = _rolling_sum(num, m)
    if not ratio:
        return s_num, None
    s_den = _rolling_sum(den, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(s_den > 0, s_num / s_den, np.nan)
    return _trim_leading_nan(_fill_forward(r)), s_den


# --------------------------------------------------------------------------- one KR, one day


def _none(note: str, h: int, history: int) -> Forecast:
    return Forecast(None, None, None, None, "none", h, history, note)


def _meets(kr_type: str, value: float, target: float) -> bool:
    return value >= target if kr_type in UPWARD else value <= target


def forecast_kr(hist: History, q: KrQuestion, day: date) -> Forecast:
    """The projection of q's KPI value at the period end, seen from `day`."""
    h = (q.period_end - day).days
    upto = hist.index(day)
    if upto < 0 or upto >= len(hist):
        return _none("no loaded KPI history on this day", h, 0)
    history = int(hist.published[: upto + 1].sum())
    if h <= 0:  # the period's last day: the value is known
        v = _fill_forward(hist.value[: upto + 1])[-1]
        if np.isnan(v):
            return _none("no published value", 0, history)
        v = float(v)
        return Forecast(v, v, v, float(_meets(q.kr_type, v, q.target)), "exact", 0, history)

    ws = window_start(q.window, q.period_end)
    observed_days = max(0, (day - ws).days + 1)  # days of the final window already known
    m = (q.period_end - max(day, ws - timedelta(days=1))).days  # days of it still to come
    a, b = 0.0, 1.0  # value = a + b * F, F = the modelled quantity
    if q.additivity in SUMMABLE:
        ratio = q.additivity == "ratio"
        series, den_series = _block_series(hist, upto, m, ratio)
        if len(series) == 0:
            return _none("not enough history", h, history)
        proj = project(series, h, log=q.unit in LOG_UNITS or not ratio, weekly=m % 7 != 0)
        if proj is None:
            return _none("not enough history", h, history)
        if observed_days:
            lo = upto - observed_days + 1
            num = _fill_weekly(hist.num[: upto + 1])[lo:]
            num_obs = float(np.nansum(num))
            if not ratio:
                a = num_obs
            else:
                den_obs = float(np.nansum(_fill_weekly(hist.den[: upto + 1])[lo:]))
                den_proj = project(den_series[-len(series) :], h, log=True, weekly=m % 7 != 0)
                den_future = max(den_proj.value(), 0.0) if den_proj else 0.0  # a count: never below 0
                if den_obs + den_future > 0 and den_obs > 0:
                    b = den_future / (den_obs + den_future)
                    a = num_obs / (den_obs + den_future)
    else:
        series = _trim_leading_nan(_fill_forward(hist.value[: upto + 1]))
        snapshot = q.additivity == "snapshot"
        proj = project(
            series, h, log=q.unit in LOG_UNITS, weekly=q.window == "day" and not snapshot, yearly=not snapshot
        )
        if proj is None:
            return _none("not enough history", h, history)

    raw = proj
    proj = replace(proj, sigma=proj.sigma * sigma_scale(h))
    projected = a + b * proj.value()
    low, high = a + b * proj.value(-Z), a + b * proj.value(Z)
    # with no weight on the future block (b = 0) the observed part decides
    p_up = proj.prob_at_least((q.target - a) / b) if b > 0 else float(a >= q.target)
    p = p_up if q.kr_type in UPWARD else 1.0 - p_up
    p = min(1.0, max(0.0, p))
    return Forecast(projected, low, high, p, proj.method, h, history, None, (a, b, raw))


def sigma_scale(h: int) -> float:
    return next(k for days, k in SIGMA_SCALE if h <= days)


def forecast_status(probability: float | None, likely: float, unlikely: float) -> str | None:
    """likely / uncertain / unlikely from the probability of reaching the target."""
    if probability is None:
        return None
    if probability >= likely:
        return "likely"
    if probability <= unlikely:
        return "unlikely"
    return "uncertain"
