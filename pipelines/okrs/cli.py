"""Commands behind `lodestar okrs validate [PATH ...]` and `lodestar scorecard [--date D]`.

Both return the process exit status; the `lodestar` entry point wires them in.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pipelines.config import Settings
from pipelines.exit_status import EXIT_FAILED, EXIT_OK
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.checkins import (
    CHECKIN_DIR,
    CheckinValidationError,
    checkin_files,
    kr_periods,
    load_checkins,
)
from pipelines.okrs.validate import OkrValidationError, load_okr_sets, okr_files


def validate_command(paths: Sequence[str | Path] | None = None) -> int:
    """Validate OKR files together (default: every OKR file of LODESTAR_OKRS).

    Prints every problem on a line of its own and returns 1, or a one-line summary
    and 0. A parent in another file is found only if that file is validated too
    (the default)."""
    try:
        return _validate(paths)
    except Exception as exc:  # a bug or an unreadable folder: one line, never a traceback
        print(f"error: cannot validate the OKR files: {type(exc).__name__}: {_one_line(exc)}")
        return EXIT_FAILED


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _validate(paths: Sequence[str | Path] | None) -> int:
    settings = Settings.from_env()
    try:
        catalog = load_catalog(settings.okrs)
    except ValueError as exc:  # YAML errors span lines
        print(f"error: the KPI catalog is invalid: {_one_line(exc)}")
        return EXIT_FAILED
    targets = list(paths) if paths else [settings.okrs]
    # check-in files (okrs/checkins/<period>.yml) are checked against the OKR files
    checkins = [Path(p) for p in targets if Path(p).parent.name == CHECKIN_DIR]
    targets = [p for p in targets if Path(p) not in checkins] or [settings.okrs]
    checkins = checkins if paths else checkin_files(settings.okrs)
    missing = [str(p) for p in targets if not Path(p).exists()]
    if missing:
        for p in missing:
            print(f"{p}: no such file or directory")
        return EXIT_FAILED
    files = okr_files(targets)
    try:
        sets = load_okr_sets(targets, catalog)
    except OkrValidationError as exc:
        for error in exc.errors:
            print(error)
        print(f"\n{len(exc.errors)} problem(s) in {len(files)} OKR file(s).")
        return EXIT_FAILED
    objectives = sum(len(s.objectives) for s in sets)
    key_results = sum(len(o.key_results) for s in sets for o in s.objectives)
    print(
        f"OK: {len(sets)} OKR file(s), {objectives} objectives, {key_results} key results "
        f"({', '.join(str(s.file) for s in sets)})"
    )
    return _validate_checkins(checkins, sets)


def _validate_checkins(files: list[Path], sets) -> int:
    if not files:
        return EXIT_OK
    try:
        rows = load_checkins(files, kr_periods(sets))
    except CheckinValidationError as exc:
        for error in exc.errors:
            print(error)
        print(f"\n{len(exc.errors)} problem(s) in {len(files)} check-in file(s).")
        return EXIT_FAILED
    print(f"OK: {len(rows)} check-in(s) in {len(files)} file(s) ({', '.join(map(str, files))})")
    return EXIT_OK


def scorecard_command(day: date | str | None = None, as_json: bool = False) -> int:
    """Print the OKR scorecard from the published marts (latest loaded day by default)."""
    from pipelines.okrs.scorecard import or_one_line, render_scorecard

    settings = Settings.from_env()
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            print(f"lodestar: --date must be YYYY-MM-DD, got {day!r}", file=sys.stderr)
            return EXIT_FAILED
    text = or_one_line(
        lambda: render_scorecard(settings.published_marts, day, as_json=as_json),
        f"cannot read {settings.published_marts}",
    )
    if text is None:
        return EXIT_FAILED
    sys.stdout.write(text)
    return EXIT_OK
