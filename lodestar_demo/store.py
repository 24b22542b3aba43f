"""Small state containers that keep the generator's memory bounded.

`Schedule` holds the future versions of rows (CDC): when a row is created its
whole lifecycle is decided, and a copy of it is filed under every day on which
one of its events becomes visible. A day's extract pops that day's copies and
renders the state as of the end of the day. Only rows with a future event are
held, so memory is bounded by the longest lifecycle, not by the range.
"""

from __future__ import annotations

import numpy as np

from .model import DAY, NEVER

Batch = dict  # column name -> np.ndarray, all of one length


class Grow:
    """Append-only numpy array with amortised growth."""

    def __init__(self, dtype, capacity: int = 1024):
        self._data = np.empty(capacity, dtype=dtype)
        self.n = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self._data.dtype)
        need = self.n + len(values)
        if need > len(self._data):
            cap = max(need, 2 * len(self._data))
            data = np.empty(cap, dtype=self._data.dtype)
            data[: self.n] = self._data[: self.n]
            self._data = data
        self._data[self.n : need] = values
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self._data[: self.n]

    def __len__(self) -> int:
        return self.n


def batch_len(batch: Batch) -> int:
    return len(next(iter(batch.values())))


def concat(batches: list[Batch]) -> Batch | None:
    if not batches:
        return None
    if len(batches) == 1:
        return batches[0]
    return {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}


class Schedule:
    """Rows filed under the UTC days on which they have a visible event."""

    def __init__(self):
        self._days: dict[int, list[Batch]] = {}

    def add(self, batch: Batch, time_columns: list[str]) -> None:
        n = batch_len(batch)
        if n == 0:
            return
        times = np.stack([batch[c] for c in time_columns], axis=1)
        rows = np.broadcast_to(np.arange(n)[:, None], times.shape)
        live = times < NEVER
        days = times[live] // DAY
        keys = np.unique(days * n + rows[live])  # one entry per (day, row)
        if len(keys) == 0:
            return
        kd, kr = keys // n, keys % n
        cuts = np.flatnonzero(np.diff(kd)) + 1
        for day_rows, day in zip(np.split(kr, cuts), kd[np.r_[0, cuts]].tolist(), strict=True):
            self._days.setdefault(day, []).append({k: v[day_rows] for k, v in batch.items()})

    def pop(self, day_num: int) -> Batch | None:
        return concat(self._days.pop(day_num, []))

    def __len__(self) -> int:
        return sum(batch_len(b) for bs in self._days.values() for b in bs)
