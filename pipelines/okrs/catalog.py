"""The KPI catalog (okrs/kpis.yml), validated with pydantic.

The catalog is the one place that declares a KPI: what it is (name, unit,
direction, owner), how its window values are formed (`additivity`), the dbt
model that computes its daily parts, its dimensions, valid range and anomaly
check, and the windows every KPI is computed for. dbt reads it through a
generated macro (pipelines/okrs/catalog_dbt.py); the quality gate, the OKR
validation and the publisher read it here. See docs/kpis.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipelines.sources.contract import load_contract


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowSpec(_Strict):
    """A window ending on day D: the last `trailing_days` days, or D's `grain_to_date` so far."""

    trailing_days: int | None = Field(default=None, ge=1)
    grain_to_date: Literal["week", "month", "quarter", "year"] | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.trailing_days is None) == (self.grain_to_date is None):
            raise ValueError("a window has either trailing_days or grain_to_date")
        return self


# The windows a catalog may list by name only.
STANDARD_WINDOWS = {
    "day": WindowSpec(trailing_days=1),
    "trailing_7d": WindowSpec(trailing_days=7),
    "trailing_28d": WindowSpec(trailing_days=28),
    "month_to_date": WindowSpec(grain_to_date="month"),
    "quarter_to_date": WindowSpec(grain_to_date="quarter"),
}

# How a KPI's value over a window is formed, and the kind of dbt model that computes it.
MODEL_PREFIX = {
    "additive": "int_kpi_parts__",  # Σ numerator over the window
    "ratio": "int_kpi_parts__",  # Σ numerator / Σ denominator over the window
    "percentile": "int_kpi_samples__",  # a quantile of the window's raw samples
    "snapshot": "int_kpi_snapshots__",  # the state at the end of D, every window
    "snapshot_ratio": "int_kpi_snapshots__",  # a ratio of states at the end of D, every window
    "derived": "int_kpi_derived__",  # computed from other KPIs' parts for each window
}


class ValidRange(_Strict):
    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class Anomaly(_Strict):
    """The anomaly check of a KPI's day total against its robust, seasonal baseline."""

    blocking: bool = False  # an anomaly blocks publication (otherwise a warning)
    z_threshold: float = Field(default=5.0, gt=0)  # robust deviations from the expected value
    history_weeks: int = Field(default=8, ge=4, le=52)  # same-weekday values the baseline is the median of
    # a day total this many times above the largest of the 90 days before always
    # blocks; null where huge swings are legitimate (ratios of small denominators)
    absurd_factor: float | None = Field(default=1000.0, gt=1)
    # judge ln(value): for positive, skewed KPIs such as durations, where a day
    # at 4x the usual median is as ordinary as one at a quarter of it
    log_scale: bool = False


class Kpi(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str
    family: Literal["finance", "growth", "customer", "operations", "people"]
    owner: str
    unit: Literal["usd", "percent", "hours", "days", "count", "score", "fte"]
    direction: Literal["higher_is_better", "lower_is_better"]
    additivity: Literal["additive", "ratio", "percentile", "snapshot", "snapshot_ratio", "derived"]
    model: str = Field(pattern=r"^int_kpi_[a-z0-9_]+$")  # the dbt model computing its daily parts
    # dimension name -> contract enum holding its values (None: open set from the data)
    dimensions: dict[str, str | None]
    valid_range: ValidRange
    anomaly: Anomaly = Anomaly()

    @model_validator(mode="after")
    def _model_fits_additivity(self):
        prefix = MODEL_PREFIX[self.additivity]
        if not self.model.startswith(prefix):
            raise ValueError(
                f"KPI {self.id}: a {self.additivity} KPI is computed by a {prefix}* model, not {self.model}"
            )
        return self

    @property
    def is_snapshot(self) -> bool:
        """The value is a state at the end of the day, the same in every window."""
        return self.additivity in ("snapshot", "snapshot_ratio")

    def dimension_values(self, dimension: str) -> list[str] | None:
        """The closed set of values of a dimension, or None when it is open."""
        enum = self.dimensions[dimension]
        return None if enum is None else load_contract().enums[enum]


class Catalog(_Strict):
    windows: dict[str, WindowSpec]
    kpis: list[Kpi]

    @field_validator("windows", mode="before")
    @classmethod
    def _standard_windows_by_name(cls, value):
        if isinstance(value, list | tuple):  # [day, trailing_7d, ...]
            unknown = [w for w in value if w not in STANDARD_WINDOWS]
            if unknown:
                raise ValueError(
                    f"unknown windows {unknown}: declare them with trailing_days or grain_to_date"
                )
            return {name: STANDARD_WINDOWS[name] for name in value}
        return value

    @property
    def window_names(self) -> list[str]:
        return list(self.windows)

    @model_validator(mode="after")
    def _check(self):
        ids = [k.id for k in self.kpis]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate KPI ids: {duplicates}")
        enums = load_contract().enums
        for kpi in self.kpis:
            for dim, enum in kpi.dimensions.items():
                if enum is not None and enum not in enums:
                    raise ValueError(f"KPI {kpi.id}: dimension {dim} names unknown enum {enum}")
        return self

    def get(self, kpi_id: str) -> Kpi | None:
        return next((k for k in self.kpis if k.id == kpi_id), None)


def load_catalog(okrs_dir: Path) -> Catalog:
    path = okrs_dir / "kpis.yml"
    try:
        return Catalog.model_validate(yaml.safe_load(path.read_text()))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
