"""Owners' check-ins: a weekly confidence (0-10) and a short note per key result.

They live in `okrs/checkins/<period>.yml`, next to the OKR file of the same
name (`okrs/<period>.yml`), and are validated like the OKR files: every
problem at once, each naming the file, the key result and the bad value.

```yaml
checkins:
  - kr: q4-gmv-28d
    date: 2026-10-05
    confidence: 7
    note: Holiday campaign booked; November should carry us.
    by: commerce          # optional: who checked in
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator

from pipelines.okrs.model import IsoDate, OkrSet
from pipelines.okrs.validate import _Loader, _pydantic_messages, _q, _show

CHECKIN_DIR = "checkins"
MAX_NOTE = 280


class CheckinValidationError(ValueError):
    """Every problem found in the check-in files, one message each."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(
            f"{len(self.errors)} problem(s) in the check-in files:\n" + "\n".join(f"- {e}" for e in errors)
        )


def _confidence(value: object) -> object:
    # whole numbers only: 7.5 or "7" is a typo to report, not to round
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError("must be a whole number from 0 to 10")
    if not 0 <= value <= 10:
        raise ValueError("is outside 0..10")
    return int(value)


Confidence = Annotated[int, BeforeValidator(_confidence)]


class Checkin(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kr: str
    date: IsoDate
    confidence: Confidence
    note: str
    by: str | None = None

    @field_validator("kr", "note")
    @classmethod
    def _non_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("note")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > MAX_NOTE:
            raise ValueError(f"is {len(value)} characters long: keep it to {MAX_NOTE}")
        return value


@dataclass(frozen=True)
class KrPeriod:
    """What a check-in is validated against: its KR's objective, period and OKR file."""

    objective_id: str
    period_start: date
    period_end: date
    source_file: str  # name of the OKR file, e.g. 2026-Q4.yml


@dataclass(frozen=True)
class CheckinRow:
    kr_id: str
    objective_id: str
    checkin_date: date
    confidence: int
    note: str
    author: str | None
    period_start: date
    period_end: date
    source_file: str


def kr_periods(sets: list[OkrSet]) -> dict[str, KrPeriod]:
    return {
        kr.id: KrPeriod(o.id, s.period.start, s.period.end, s.file.name)
        for s in sets
        for o in s.objectives
        for kr in o.key_results
    }


def checkin_files(okrs_dir: Path) -> list[Path]:
    folder = okrs_dir / CHECKIN_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yml", ".yaml"))


def _read(path: Path, err) -> list[Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except OSError as exc:
        err(f"cannot read the file: {exc.strerror or exc}")
        return []
    except UnicodeDecodeError as exc:
        err(f"the file is not UTF-8 text: {exc.reason}")
        return []
    except (yaml.YAMLError, ValueError) as exc:
        err("invalid YAML: " + " ".join(str(exc).split()))
        return []
    if not isinstance(data, dict) or "checkins" not in data:
        got = "the file is empty" if data is None else f"the file holds {_show(data)}"
        err(f"{got}: expected a mapping with the key 'checkins' (a list of check-ins)")
        return []
    for key in data:
        if key != "checkins":
            err(f"unknown top-level key {_q(key)} (expected 'checkins')")
    entries = data["checkins"] or []
    if not isinstance(entries, list):
        err(f"checkins {_show(entries)} must be a list of check-ins")
        return []
    return entries


def load_checkins(paths: list[Path], krs: Mapping[str, KrPeriod]) -> list[CheckinRow]:
    """Validate check-in files against the key results of their OKR file.

    Raises CheckinValidationError listing every problem of every file."""
    errors: list[str] = []
    rows: list[CheckinRow] = []
    for path in paths:
        period_file = path.with_suffix(".yml").name

        def err(message: str, where: str | None = None, path=path) -> None:
            errors.append(": ".join(x for x in (str(path), where, message) if x))

        entries = _read(path, err)
        if entries and not any(k.source_file == period_file for k in krs.values()):
            err(f"no OKR file {period_file} next to the check-ins: name the file after its OKR file")
            continue
        seen: set[tuple[str, date]] = set()
        for i, raw in enumerate(entries):
            kr_id = raw.get("kr") if isinstance(raw, dict) and isinstance(raw.get("kr"), str) else None
            where = f"key result {_q(kr_id)}" if kr_id else f"check-in #{i + 1}"
            if isinstance(raw, dict) and raw.get("date") is not None:
                where += f" on {_show(raw['date']).strip(chr(39))}"
            try:
                c = Checkin.model_validate(raw)
            except ValidationError as exc:
                for message in _pydantic_messages(exc, Checkin):
                    err(message, where)
                continue
            kr = krs.get(c.kr)
            if kr is None:
                err(f"unknown key result {_q(c.kr)} (key results of {period_file}: "
                    f"{', '.join(sorted(k for k, v in krs.items() if v.source_file == period_file)) or 'none'})",
                    where)  # fmt: skip
                continue
            if kr.source_file != period_file:
                err(
                    f"key result {_q(c.kr)} belongs to {kr.source_file}: "
                    f"check it in in checkins/{Path(kr.source_file).stem}.yml",
                    where,
                )
                continue
            if not kr.period_start <= c.date <= kr.period_end:
                err(f"date {c.date} is outside the period {kr.period_start}..{kr.period_end}", where)
                continue
            if (c.kr, c.date) in seen:
                err("a second check-in for this key result on the same day", where)
                continue
            seen.add((c.kr, c.date))
            rows.append(
                CheckinRow(
                    c.kr,
                    kr.objective_id,
                    c.date,
                    c.confidence,
                    c.note.strip(),
                    c.by,
                    kr.period_start,
                    kr.period_end,
                    path.name,
                )  # fmt: skip
            )
    if errors:
        raise CheckinValidationError(errors)
    return sorted(rows, key=lambda r: (r.kr_id, r.checkin_date))
