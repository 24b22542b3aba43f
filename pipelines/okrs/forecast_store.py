"""KR forecasts in the warehouse: read the gated KPI history, compute only what
changed, write `okr_outlook.kr_forecasts` and `okr_outlook.kr_forecast_daily`.

Every forecast row carries the hash of its inputs: the model version, the KR's
question (type, window, period end, target in force) and a running digest of
its KPI slice's published history up to that day. A run recomputes exactly the
rows whose hash changed or that are new: a daily run adds one day per KR, a
late file or a re-gated day recomputes the days from there on, and days before
the first change keep their stored forecasts (they cannot depend on it).

The same functions read the published marts (read-only) for the backtest.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from pipelines.okrs.forecast import (
    MODEL_VERSION,
    SIGMA_SCALE,
    SUMMABLE,
    Forecast,
    History,
    KrQuestion,
    forecast_kr,
)
from pipelines.warehouse import transaction

SCHEMA = "okr_outlook"
WINDOWS = ("day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date")
LIKELY_DEFAULT, UNLIKELY_DEFAULT = 0.7, 0.3


@dataclass(frozen=True)
class Tables:
    """Where the inputs live: the working warehouse or the published marts."""

    kpi_values: str = "gate.kpi_values"
    kpi_status: str = "gate.kpi_status"
    kr_progress: str = "marts.kr_progress_daily"
    kpi_catalog: str = "marts.kpi_catalog"


PUBLISHED = Tables("main.kpi_values", "main.kpi_status", "main.kr_progress_daily", "main.kpi_catalog")


@dataclass(frozen=True)
class KrDay:
    kr_id: str
    day: date
    kpi_id: str
    window: str
    dimension: str
    dimension_value: str
    kr_type: str
    period_start: date
    period_end: date
    target: float


def thresholds() -> tuple[float, float]:
    """(likely, unlikely) probability thresholds from the environment."""
    likely = float(os.environ.get("LODESTAR_FORECAST_LIKELY", LIKELY_DEFAULT))
    unlikely = float(os.environ.get("LODESTAR_FORECAST_UNLIKELY", UNLIKELY_DEFAULT))
    if not 0 <= unlikely < likely <= 1:
        raise ValueError(
            f"forecast thresholds need 0 <= LODESTAR_FORECAST_UNLIKELY ({unlikely}) "
            f"< LODESTAR_FORECAST_LIKELY ({likely}) <= 1"
        )
    return likely, unlikely


def load_kr_days(con, tables: Tables = Tables()) -> list[KrDay]:
    """Every key result on every loaded day of its period, with the target in force."""
    rows = con.execute(
        f"""select kr_id, as_of_date, kpi_id, kpi_window, coalesce(filter_dimension, 'all'),
                   coalesce(filter_value, 'all'), kr_type, period_start, period_end, target
            from {tables.kr_progress} order by kr_id, as_of_date"""
    ).fetchall()
    return [KrDay(*r) for r in rows]


def load_kpi_kinds(con, tables: Tables = Tables()) -> dict[str, tuple[str, str]]:
    """kpi_id -> (additivity, unit)."""
    return {
        k: (a, u)
        for k, a, u in con.execute(f"select kpi_id, additivity, unit from {tables.kpi_catalog}").fetchall()
    }


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class Slice:
    first: date
    published: np.ndarray
    num: np.ndarray
    den: np.ndarray
    values: dict[str, np.ndarray]
    chain: list[bytes]  # running digest of everything up to each day

    def history(self, window: str) -> History:
        return History(self.first, self.num, self.den, self.values[window], self.published)


def load_slices(con, keys: Iterable[tuple[str, str, str]], kinds, tables: Tables = Tables()) -> dict:
    """(kpi_id, dimension, dimension_value) -> Slice, in two queries."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    kpis = sorted({k for k, _, _ in keys})
    status = con.execute(
        f"""select kpi_id, as_of_date, status = 'published' from {tables.kpi_status}
            where kpi_id in (select unnest(?::varchar[])) order by kpi_id, as_of_date""",
        [kpis],
    ).fetchall()
    values = con.execute(
        f"""select v.kpi_id, v.dimension, v.dimension_value, v.as_of_date, v."window",
                   v.value, v.numerator, v.denominator
            from {tables.kpi_values} as v
            semi join (select unnest(?::varchar[]) as k, unnest(?::varchar[]) as d, unnest(?::varchar[]) as dv) as s
                on s.k = v.kpi_id and s.d = v.dimension and s.dv = v.dimension_value""",
        [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
    ).fetchall()

    days_by_kpi: dict[str, list[tuple[date, bool]]] = defaultdict(list)
    for kpi_id, day, ok in status:
        days_by_kpi[kpi_id].append((day, bool(ok)))
    rows_by_key = defaultdict(list)
    for r in values:
        rows_by_key[r[:3]].append(r[3:])

    out = {}
    for key in keys:
        days = days_by_kpi.get(key[0])
        if not days:
            continue
        first, last = days[0][0], days[-1][0]
        n = (last - first).days + 1
        published = np.zeros(n, bool)
        for day, ok in days:
            published[(day - first).days] = ok
        # A published day without a day row had no events: 0 (a ratio's row is absent at 0/0).
        num = np.where(published, 0.0, np.nan)
        den = num.copy()
        vals = {w: np.full(n, np.nan) for w in WINDOWS}
        for day, window, value, numerator, denominator in rows_by_key.get(key, ()):
            i = (day - first).days
            if not 0 <= i < n or not published[i]:
                continue  # a stale day keeps an older value: not this day's
            vals[window][i] = np.nan if value is None else value
            if window == "day":
                num[i] = np.nan if numerator is None else numerator
                den[i] = np.nan if denominator is None else denominator
        additivity = kinds.get(key[0], ("", ""))[0]
        if additivity not in SUMMABLE:
            num = den = np.full(n, np.nan)
        out[key] = Slice(first, published, num, den, vals, _chain(published, num, den, vals))
    return out


def _chain(published, num, den, vals) -> list[bytes]:
    matrix = np.column_stack([published.astype(float), num, den, *(vals[w] for w in WINDOWS)])
    digest, out = b"", []
    for row in matrix:
        digest = hashlib.blake2b(digest + row.tobytes(), digest_size=16).digest()
        out.append(digest)
    return out


def input_hash(kr: KrDay, q: KrQuestion, s: Slice | None) -> str:
    i = (kr.day - s.first).days if s else -1
    history = s.chain[i].hex() if s and 0 <= i < len(s.chain) else "none"
    text = "|".join(
        map(
            str,
            (
                MODEL_VERSION,
                SIGMA_SCALE,
                q.kr_type,
                q.window,
                q.additivity,
                q.unit,
                q.period_end,
                q.target,
                history,
            ),
        )
    )
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


# --------------------------------------------------------------------------- compute


@dataclass(frozen=True)
class Computed:
    kr: KrDay
    forecast: Forecast
    input_hash: str


def compute(
    kr_days: list[KrDay], slices: dict, kinds: dict[str, tuple[str, str]], known: dict | None = None
) -> tuple[list[Computed], int]:
    """Forecasts of the KR days whose inputs changed (all without `known`); (new rows, reused)."""
    known = known or {}
    out, reused = [], 0
    for kr in kr_days:
        additivity, unit = kinds.get(kr.kpi_id, ("", ""))
        q = KrQuestion(kr.kr_type, kr.window, additivity, unit, kr.period_end, kr.target)
        s = slices.get((kr.kpi_id, kr.dimension, kr.dimension_value))
        h = input_hash(kr, q, s)
        if known.get((kr.kr_id, kr.day)) == h:
            reused += 1
            continue
        if s is None:
            f = Forecast(
                None, None, None, None, "none", (kr.period_end - kr.day).days, 0, "no published KPI values"
            )
        else:
            try:
                f = forecast_kr(s.history(kr.window), q, kr.day)
            except Exception as exc:  # one KR's model failure must not stop the others
                f = Forecast(None, None, None, None, "none", (kr.period_end - kr.day).days, 0,
                             f"model failed: {type(exc).__name__}: {exc}"[:200])  # fmt: skip
        out.append(Computed(kr, f, h))
    return out, reused


# --------------------------------------------------------------------------- tables

FORECAST_COLUMNS = [
    ("kr_id", "VARCHAR NOT NULL"),
    ("as_of_date", "DATE NOT NULL"),
    ("target", "DOUBLE"),
    ("projected", "DOUBLE"),
    ("projected_low", "DOUBLE"),
    ("projected_high", "DOUBLE"),
    ("probability", "DOUBLE"),
    ("method", "VARCHAR NOT NULL"),
    ("horizon_days", "INTEGER NOT NULL"),
    ("history_days", "INTEGER NOT NULL"),
    ("note", "VARCHAR"),
    ("input_hash", "VARCHAR NOT NULL"),
]


@dataclass(frozen=True)
class RunStats:
    kr_days: int
    computed: int
    reused: int
    removed: int
    seconds: float


def _ensure(con) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    cols = ", ".join(f"{c} {t}" for c, t in FORECAST_COLUMNS)
    con.execute(f"create table if not exists {SCHEMA}.kr_forecasts ({cols}, primary key (kr_id, as_of_date))")


def refresh_forecasts(con, kinds: dict[str, tuple[str, str]], recompute_all: bool = False) -> RunStats:
    """Bring okr_outlook.kr_forecasts up to date with the gated history; rebuild kr_forecast_daily."""
    started = time.perf_counter()
    _ensure(con)
    kr_days = load_kr_days(con)
    known = {} if recompute_all else {
        (k, d): h for k, d, h in con.execute(f"select kr_id, as_of_date, input_hash from {SCHEMA}.kr_forecasts").fetchall()
    }  # fmt: skip
    slices = load_slices(con, {(k.kpi_id, k.dimension, k.dimension_value) for k in kr_days}, kinds)
    rows, reused = compute(kr_days, slices, kinds, known)
    wanted = {(k.kr_id, k.day) for k in kr_days}
    stale = [key for key in known if key not in wanted]
    with transaction(con):
        con.execute("create or replace temp table _drop (kr_id varchar, as_of_date date)")
        drop = stale + [(c.kr.kr_id, c.kr.day) for c in rows]
        if recompute_all:
            con.execute(f"delete from {SCHEMA}.kr_forecasts")
        elif drop:
            con.executemany("insert into _drop values (?, ?)", drop)
            con.execute(
                f"delete from {SCHEMA}.kr_forecasts f using _drop d where f.kr_id = d.kr_id and f.as_of_date = d.as_of_date"
            )
        if rows:
            con.executemany(
                f"insert into {SCHEMA}.kr_forecasts values ({', '.join('?' for _ in FORECAST_COLUMNS)})",
                [_row(c) for c in rows],
            )
        build_daily(con)
    return RunStats(len(kr_days), len(rows), reused, len(stale), time.perf_counter() - started)


def _row(c: Computed) -> tuple:
    f = c.forecast
    return (c.kr.kr_id, c.kr.day, c.kr.target, f.projected, f.low, f.high, f.probability, f.method,
            f.horizon_days, f.history_days, f.note, c.input_hash)  # fmt: skip


def build_daily(con) -> None:
    """okr_outlook.kr_forecast_daily: each KR day's pace (kr_progress_daily) next to its forecast."""
    likely, unlikely = thresholds()
    con.execute(
        f"""
        create or replace table {SCHEMA}.kr_forecast_daily as
        select
            p.kr_id, p.as_of_date, p.objective_id, p.kpi_id, p.kpi_window, p.filter_dimension, p.filter_value,
            p.kr_type, p.period_start, p.period_end, p.target_revision, p.target, p.value, p.status as pace_status,
            f.projected, f.projected_low, f.projected_high, f.probability,
            case
                when f.probability is null then null
                when f.probability >= {likely!r} then 'likely'
                when f.probability <= {unlikely!r} then 'unlikely'
                else 'uncertain'
            end as forecast_status,
            f.method as forecast_method, f.horizon_days, f.history_days, f.note as forecast_note
        from marts.kr_progress_daily as p
        inner join {SCHEMA}.kr_forecasts as f on f.kr_id = p.kr_id and f.as_of_date = p.as_of_date
        order by p.kr_id, p.as_of_date
        """
    )


def day_range(kr_days: list[KrDay]) -> tuple[date, date] | None:
    if not kr_days:
        return None
    return min(k.day for k in kr_days), max(k.day for k in kr_days)


def shift_quarters(kr_days: list[KrDay], quarters: int, first_day: date) -> list[KrDay]:
    """The same KR days replayed `quarters` quarters earlier (quarter-aligned periods only)."""
    out = []
    for k in kr_days:
        start = _add_months(k.period_start, -3 * quarters)
        if k.period_start.day != 1 or k.period_start.month % 3 != 1 or start < first_day:
            continue
        end = _add_months(k.period_end + timedelta(days=1), -3 * quarters) - timedelta(days=1)
        day = start + (k.day - k.period_start)
        if day > end:
            continue
        out.append(KrDay(f"{k.kr_id}@-{quarters}q", day, k.kpi_id, k.window, k.dimension, k.dimension_value,
                         k.kr_type, start, end, k.target))  # fmt: skip
    return out


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1) if d.day == 1 else d.replace(year=d.year + y, month=m + 1)
