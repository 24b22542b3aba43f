"""Progress lines of long loops (pipelines/progress.py): at most one per interval,
none for the last item (the caller's closing line says it), counts as given.
A fake clock stands in for time: nothing here depends on how fast the machine is."""

from __future__ import annotations

import pytest

from pipelines.progress import DEFAULT_PROGRESS_SECONDS, Progress, progress_seconds


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_at_most_every_interval_and_none_for_the_last_item():
    clock, said = Clock(), []
    progress = Progress(said.append, "orders: reading", total=5, every=10, clock=clock)
    for seconds, rows in ((4, 100), (7, 200), (3, 50), (12, 10), (30, 5)):
        clock.now += seconds
        progress.advance(1, rows)
    # 11 s after the start (2 files), then 12 s after that line (4 files); the 5th is the last
    assert said == [
        "orders: reading: 2 of 5 files, 300 rows, 27 rows/s, 11.0 s",
        "orders: reading: 4 of 5 files, 360 rows, 14 rows/s, 26.0 s",
    ]
    assert (progress.done, progress.rows) == (5, 365)


def test_without_rows_the_line_counts_items_and_carries_a_note():
    clock, said = Clock(), []
    progress = Progress(
        said.append, "dbt build (kpi_models)", total=3, unit="models", every=0, rows=False, clock=clock
    )
    clock.now += 2
    progress.note = ", 4 of 9 tests"
    progress.advance(1)
    assert said == ["dbt build (kpi_models): 1 of 3 models, 4 of 9 tests, 2.0 s"]


def test_nobody_listening_is_fine():
    progress = Progress(None, "x", total=None, every=0)
    progress.advance(3, 30)
    assert progress.line().startswith("x: 3 files, 30 rows")


def test_the_interval_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LODESTAR_PROGRESS_SECONDS", "2.5")
    assert progress_seconds() == 2.5
    monkeypatch.setenv("LODESTAR_PROGRESS_SECONDS", "0")
    assert progress_seconds() == 0
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("LODESTAR_PROGRESS_SECONDS", bad)
        with pytest.raises(ValueError, match=f"LODESTAR_PROGRESS_SECONDS='{bad}': not a number of seconds"):
            progress_seconds()
    monkeypatch.delenv("LODESTAR_PROGRESS_SECONDS")
    assert progress_seconds() == DEFAULT_PROGRESS_SECONDS
