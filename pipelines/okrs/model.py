"""Pydantic models of an OKR set (`okrs/<period>.yml`, docs/okrs.md).

The models check the *shape* of a file (field names, types, required keys).
The business rules that need the KPI catalog or other files (unknown KPI,
wrong side of the baseline, parents, cycles, duplicates, ...) live in
`pipelines.okrs.validate`, which reports every problem at once.

Ids, titles and filter values are free text: they are stored as data (bound
parameters, never formatted into SQL), so no character is dangerous.

The validators' messages read after the bad value ("'0.9' is not a number"):
`pipelines.okrs.validate` prefixes them with the field and the value.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

KrType = Literal["increase", "decrease", "stay_above", "stay_below"]
KR_TYPES: tuple[str, ...] = ("increase", "decrease", "stay_above", "stay_below")


def _number(value: object) -> object:
    # YAML numbers only: a quoted "0.9" or a boolean is a typo to report, not to coerce
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("is not a number")
    return value


Number = Annotated[int | float, BeforeValidator(_number)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    # The OKR loader leaves YAML dates as text, so an impossible day (2026-09-31)
    # arrives here to be reported instead of failing the YAML parser. Numbers
    # are not dates (pydantic would read 20261231 as epoch seconds).
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("is not a valid date (YYYY-MM-DD)")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class Period(_Strict):
    start: IsoDate
    end: IsoDate


class Revision(_Strict):
    effective_from: IsoDate
    target: Number


class KeyResult(_Strict):
    id: str
    title: str
    kpi: str
    window: str
    filter: dict[str, str] | None = None
    type: KrType
    baseline: Number | None = None
    target: Number
    weight: Number = 1
    revisions: list[Revision] = Field(default_factory=list)

    _non_blank = field_validator("id", "title", "kpi", "window")(_non_blank)

    @property
    def filter_dimension(self) -> str | None:
        return next(iter(self.filter)) if self.filter else None

    @property
    def filter_value(self) -> str | None:
        return next(iter(self.filter.values())) if self.filter else None

    def sorted_revisions(self) -> list[Revision]:
        return sorted(self.revisions, key=lambda r: r.effective_from)


class Objective(_Strict):
    id: str
    title: str
    owner: str
    parent: str | None = None
    weight: Number = 1
    key_results: list[KeyResult] = Field(default_factory=list)

    _non_blank = field_validator("id", "title", "owner")(_non_blank)


class OkrSet(_Strict):
    """One validated OKR file."""

    file: Path
    period: Period
    objectives: list[Objective]
