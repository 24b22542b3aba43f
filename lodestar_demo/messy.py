"""Messy mode (``generate(..., messy=True)``): the same company as foreign systems deliver it.

Everything here changes how rows are delivered, never what happened: the
instants are those of the default output, only the offsets they are written
with and the extract that carries them differ. See the generator's module
docstring for the whole list (the budget and the HR offers live in
``finance`` and ``people``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.sources.contract import Contract, Source

from .model import DAY, rng_for
from .output import Frame, zone_offsets

# Each source system stamps its local time and cuts its extract at its own midnight.
# Sources of other systems (marketing) carry dates only and stay on UTC.
SYSTEM_ZONES = {
    "commerce": "America/Los_Angeles",
    "support": "Pacific/Honolulu",
    "people": "Pacific/Auckland",
    "finance": "Europe/London",
}
EXCEL_SOURCES = ("marketing_spend",)  # kept in a spreadsheet: saved from it every day
EXCEL_P = 0.15  # other CSV extracts saved from a spreadsheet on a given day
DUPLICATE_P = 0.35  # a spreadsheet extract with one line pasted twice


def change_column(source: Source) -> str | None:
    """The instant that puts a row version in an extract: its version column, else its only timestamp."""
    if source.version_column:
        return source.version_column
    stamps = [c.name for c in source.columns.values() if c.type == "TIMESTAMPTZ"]
    return stamps[0] if stamps else None


def local_days(zone: str, seconds: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01) of the local dates of instants in `zone`."""
    seconds = np.asarray(seconds, dtype=np.int64)
    return (seconds + zone_offsets(zone, seconds) * 60) // DAY


def latest_per_key(frame: Frame, key: list[str], version: str | None) -> Frame:
    """One row per key: the greatest version (the later row on a tie), in the frame's row order."""
    n = len(frame)
    if n < 2:
        return frame
    position = np.arange(n)
    codes = [np.unique(frame.columns[k], return_inverse=True)[1] for k in key]
    ranks = [position] + ([frame.columns[version]] if version else []) + codes[::-1]
    order = np.lexsort(ranks)  # by key, then version, then position
    grouped = np.stack([c[order] for c in codes], axis=1)
    last = np.r_[np.any(grouped[1:] != grouped[:-1], axis=1), True]
    return frame.take(np.sort(order[last]))


@dataclass(frozen=True)
class _Cut:
    zone: str
    column: str  # the change instant
    key: list[str]
    version: str | None


class LocalCuts:
    """Row versions regrouped into the extract of the local date of their change in their system's zone.

    The default extracts are UTC days; a system west of UTC finishes its day D
    during UTC day D + 1, one east of it during UTC day D. So local extract D
    is complete once UTC day D + 1 has been added. Rows of a local date before
    the first extract go to the first one (it is an initial load); a key
    changed twice within one local day keeps its latest version, as a CDC
    extract does.
    """

    def __init__(self, contract: Contract, first_day: int):
        self.first_day = first_day
        self.cuts: dict[str, _Cut] = {}
        for name, source in contract.sources.items():
            zone, column = SYSTEM_ZONES.get(source.system), change_column(source)
            if zone and column:
                self.cuts[name] = _Cut(zone, column, list(source.key), source.version_column)
        self._rows: dict[tuple[str, int], list[Frame]] = {}

    def add(self, name: str, frame: Frame | None, utc_day: int) -> None:
        """File the rows of UTC extract `utc_day` under their local extract days."""
        if frame is None or len(frame) == 0:
            return
        cut = self.cuts[name]
        local = local_days(cut.zone, frame.columns[cut.column])
        # never into an extract already written (the one before utc_day - 1)
        local = np.maximum(local, max(self.first_day, utc_day - 1))
        for day in np.unique(local).tolist():
            self._rows.setdefault((name, day), []).append(frame.take(local == day))

    def take(self, name: str, day: int) -> Frame | None:
        """Local extract `day` of a source (call once UTC day `day` + 1 has been added)."""
        frame = Frame.concat(self._rows.pop((name, day), []))
        if frame is None:
            return None
        cut = self.cuts[name]
        return latest_per_key(frame, cut.key, cut.version)


def spreadsheet_styles(seed: int, day: int, names: list[str]) -> dict[str, float | None]:
    """CSV extracts of a day saved from a spreadsheet (UTF-8 BOM, CRLF).

    Maps each such source to None, or to the relative position (0..1) of a
    line that was pasted twice. One draw per source in a fixed order, so a
    day's styles do not depend on which extracts exist.
    """
    rng = rng_for(seed, "excel", day)
    styles: dict[str, float | None] = {}
    for name in names:
        u_excel, u_duplicate, u_line = rng.random(3).tolist()
        if name in EXCEL_SOURCES or u_excel < EXCEL_P:
            styles[name] = u_line if u_duplicate < DUPLICATE_P else None
    return styles


def paste_twice(frame: Frame, where: float) -> Frame:
    """The frame with one row repeated right after itself (an exact duplicate line)."""
    i = min(int(where * len(frame)), len(frame) - 1)
    return frame.take(np.insert(np.arange(len(frame)), i + 1, i))
