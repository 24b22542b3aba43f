"""Progress of long work, told through the step's log (Dagster's event log and `lodestar run`).

A long loop (the files of a source, the GX batches of a source's checks, the
models of a dbt build) says where it is at most every LODESTAR_PROGRESS_SECONDS
seconds (default 10; 0: after every item, for tests), then once when done: what
was done (files, rows), the rate and the time it took. A short loop only says
the closing line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

DEFAULT_PROGRESS_SECONDS = 10.0


def progress_seconds() -> float:
    """LODESTAR_PROGRESS_SECONDS (default 10); a value that is not a number of seconds >= 0 is an error
    naming it (Settings.from_env checks it before a run starts)."""
    raw = os.environ.get("LODESTAR_PROGRESS_SECONDS")
    if raw is None or not raw.strip():
        return DEFAULT_PROGRESS_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not seconds >= 0:  # also NaN
        raise ValueError(f"LODESTAR_PROGRESS_SECONDS={raw!r}: not a number of seconds (0 or more)")
    return seconds


def rate(rows: int, seconds: float) -> str:
    """Rows per second, as printed: '12,345 rows/s'."""
    return f"{rows / max(seconds, 1e-3):,.0f} rows/s"


class Progress:
    """Counts the items and rows of one loop; `say` gets a line at most every `every` seconds."""

    def __init__(
        self,
        say: Callable[[str], None] | None,
        what: str,
        total: int | None = None,
        unit: str = "files",
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        rows: bool = True,
    ):
        self.say, self.what, self.total, self.unit = say, what, total, unit
        self.counts_rows = rows
        self.note = ""  # appended to the line (e.g. a dbt build's tests)
        self.every = progress_seconds() if every is None else every
        self.clock = clock
        self.started = self.last = clock()
        self.done = 0
        self.rows = 0

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def line(self) -> str:
        of = f" of {self.total:,}" if self.total is not None else ""
        seconds = self.elapsed
        rows = f", {self.rows:,} rows, {rate(self.rows, seconds)}" if self.counts_rows else ""
        return f"{self.what}: {self.done:,}{of} {self.unit}{rows}{self.note}, {seconds:.1f} s"

    def advance(self, items: int = 1, rows: int = 0) -> None:
        self.done += items
        self.rows += rows
        now = self.clock()
        unfinished = self.total is None or self.done < self.total
        if self.say is not None and unfinished and now - self.last >= self.every:
            self.last = now
            self.say(self.line())
