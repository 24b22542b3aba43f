"""The KPI catalog (okrs/kpis.yml), validated with pydantic."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.sources.contract import load_contract

Window = Literal["day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date"]
WINDOWS: tuple[str, ...] = ("day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Kpi(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str
    family: Literal["finance", "growth", "customer", "operations", "people"]
    owner: str
    unit: Literal["usd", "percent", "hours", "days", "count", "score", "fte"]
    direction: Literal["higher_is_better", "lower_is_better"]
    additivity: Literal["additive", "ratio", "percentile", "snapshot"]
    # dimension name -> contract enum holding its values (None: open set from the data)
    dimensions: dict[str, str | None]
    valid_range: ValidRange
    anomaly: Anomaly = Anomaly()

    def dimension_values(self, dimension: str) -> list[str] | None:
        """The closed set of values of a dimension, or None when it is open."""
        enum = self.dimensions[dimension]
        return None if enum is None else load_contract().enums[enum]


class Catalog(_Strict):
    windows: list[Window]
    kpis: list[Kpi]

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
