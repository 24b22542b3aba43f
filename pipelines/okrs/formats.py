"""OKR numbers as people read them: a value in its KPI's unit, a score as a percentage, a 7-day trend.

The terminal scorecard, the outlook lines and the HTML report all write numbers this way.
"""

from __future__ import annotations

import math


def _compact(x: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}" if abs(x) / size < 100 else f"{x / size:.0f}{suffix}"
    return f"{x:.4g}"


def format_value(value: float | None, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "percent":  # fractions: 0.923 -> 92.3%, small rates keep two decimals (1.54%)
        return f"{value * 100:.2f}%" if abs(value) < 0.1 else f"{value * 100:.1f}%"
    if unit == "usd":
        return ("-$" if value < 0 else "$") + _compact(abs(value))
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "fte":
        return f"{value:,.1f} FTE"
    if unit == "score":
        return f"{value:.1f}"
    return _compact(value)


def format_pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def format_trend(change: float | None) -> str:
    if change is None:
        return ""
    points = change * 100
    if abs(points) < 0.05:
        return "▬ 0.0"
    return f"{'▲' if points > 0 else '▼'} {points:+.1f}".replace("-", "−")
