"""`lodestar forecast backtest`: replay ended OKR periods day by day.

For every key result whose period has ended by the last loaded day, and every
day D of its period (within --start/--end), the forecast is recomputed from the
published KPI history up to D, exactly as the pipeline makes it, and compared
with what happened on the period's last day E:

- interval coverage: the share of forecasts whose 80% interval holds the
  published value on E (well calibrated: about 0.8);
- Brier score: the mean of (probability - outcome)², outcome 1 when the value
  on E reached the target in force on D (0 is perfect; always saying 0.5
  scores 0.25). `naive` is the Brier score of persistence: probability 1
  when the value on D already meets the target, else 0.

`--replay-quarters N` also replays every quarter-aligned key result on the N
quarters before its own (same KPI, window, filter, type and target), for a
larger sample over other seasons. The forecast day itself is excluded (its
value is known).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from pipelines.okrs.forecast import LEVEL, SIGMA_SCALE, UPWARD, Z
from pipelines.okrs.forecast_store import (
    PUBLISHED,
    compute,
    load_kpi_kinds,
    load_kr_days,
    load_slices,
    shift_quarters,
)


@dataclass(frozen=True)
class Scored:
    kr_id: str
    day: date
    horizon: int
    covered: bool
    probability: float
    outcome: float
    replayed: bool
    std_error: float  # |error| / sigma of the uncalibrated model, in its own scale
    naive: float  # baseline: 1 when the value on the forecast day already meets the target


@dataclass(frozen=True)
class Summary:
    label: str
    n: int
    coverage: float
    brier: float
    naive_brier: float

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.n:>6} {self.coverage:>9.1%} {self.brier:>7.3f} {self.naive_brier:>7.3f}"
        )


def summarize(label: str, items: list[Scored]) -> Summary:
    if not items:
        return Summary(label, 0, float("nan"), float("nan"), float("nan"))
    return Summary(
        label,
        len(items),
        float(np.mean([s.covered for s in items])),
        float(np.mean([(s.probability - s.outcome) ** 2 for s in items])),
        float(np.mean([(s.naive - s.outcome) ** 2 for s in items])),
    )


def run_backtest(
    published: Path, start: date | None = None, end: date | None = None, replay_quarters: int = 0
) -> list[Scored]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        kinds = load_kpi_kinds(con, PUBLISHED)
        kr_days = load_kr_days(con, PUBLISHED)
        first, last = con.execute(
            f"select min(as_of_date), max(as_of_date) from {PUBLISHED.kpi_status}"
        ).fetchone()
        days = [k for k in kr_days if k.period_end <= last]
        for j in range(1, replay_quarters + 1):
            days += [k for k in shift_quarters(kr_days, j, first) if k.period_end <= last]
        days = [k for k in days if (start is None or k.day >= start) and (end is None or k.day <= end)]
        slices = load_slices(
            con, {(k.kpi_id, k.dimension, k.dimension_value) for k in days}, kinds, PUBLISHED
        )
    finally:
        con.close()
    computed, _ = compute(days, slices, kinds)
    scored = []
    for c in computed:
        f, k = c.forecast, c.kr
        if f.probability is None or f.horizon_days <= 0:
            continue
        s = slices[(k.kpi_id, k.dimension, k.dimension_value)]
        actual = s.values[k.window][(k.period_end - s.first).days]
        if np.isnan(actual):  # not published on the period's last day: nothing to compare
            continue
        reached = actual >= k.target if k.kr_type in UPWARD else actual <= k.target
        scored.append(
            Scored(
                k.kr_id,
                k.day,
                f.horizon_days,
                bool(f.low <= actual <= f.high),
                f.probability,
                float(reached),
                "@" in k.kr_id,
                f.standardized_error(float(actual)),
                _persistence(s.values[k.window][(k.day - s.first).days], k),
            )
        )
    return scored


def _persistence(value: float, k) -> float:
    if np.isnan(value):
        return 0.5
    return float(value >= k.target if k.kr_type in UPWARD else value <= k.target)


def calibrate(scored: list[Scored]) -> tuple[tuple[int, float], ...]:
    """Split-conformal sigma scales by horizon: the factor that makes each bucket's
    80% interval hold 80% of the outcomes it was calibrated on."""
    scales = []
    lower = 0
    for upper in (b for b, _ in SIGMA_SCALE):
        errors = [s.std_error for s in scored if lower < s.horizon <= upper]
        k = float(np.quantile(errors, LEVEL / 100) / Z) if errors else 1.0
        scales.append((upper, round(k, 2)))
        lower = upper
    return tuple(scales)


def report(scored: list[Scored], by_kr: bool = False) -> str:
    lines = [f"{'':<34} {'n':>6} {'coverage':>9} {'Brier':>7} {'naive':>7}"]
    groups = [
        ("all forecasts", scored),
        ("OKR periods", [s for s in scored if not s.replayed]),
        ("replayed quarters", [s for s in scored if s.replayed]),
        ("horizon 1-30 days", [s for s in scored if s.horizon <= 30]),
        ("horizon 31-60 days", [s for s in scored if 30 < s.horizon <= 60]),
        ("horizon 61+ days", [s for s in scored if s.horizon > 60]),
    ]
    lines += [summarize(label, items).line() for label, items in groups if items]
    if by_kr:
        per_kr = defaultdict(list)
        for s in scored:
            per_kr[s.kr_id].append(s)
        lines.append("")
        lines += [summarize(kr, items).line() for kr, items in sorted(per_kr.items())]
    return "\n".join(lines) + "\n"
