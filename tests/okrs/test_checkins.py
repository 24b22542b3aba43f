"""Check-in files (okrs/checkins/<period>.yml) are validated like the OKR files:
every problem at once, each naming the file, the key result and the bad value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.checkins import CheckinValidationError, checkin_files, kr_periods, load_checkins
from pipelines.okrs.cli import validate_command
from pipelines.okrs.validate import load_okr_sets

OKRS = REPO_ROOT / "okrs"


@pytest.fixture(scope="module")
def krs():
    return kr_periods(load_okr_sets(OKRS, load_catalog(OKRS)))


def write(tmp_path: Path, body: str, name: str = "2026-Q4.yml") -> Path:
    path = tmp_path / "checkins" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(body))
    return path


def problems(path: Path, krs) -> list[str]:
    with pytest.raises(CheckinValidationError) as exc:
        load_checkins([path], krs)
    return exc.value.errors


def test_the_demo_check_ins_are_valid_and_cover_both_demo_periods(krs):
    rows = load_checkins(checkin_files(OKRS), krs)
    assert {r.source_file for r in rows} == {"2026-Q3.yml", "2026-Q4.yml"}
    assert all(0 <= r.confidence <= 10 and r.period_start <= r.checkin_date <= r.period_end for r in rows)
    assert rows == sorted(rows, key=lambda r: (r.kr_id, r.checkin_date))


def test_unknown_key_results_are_rejected_with_the_ones_of_the_period(tmp_path, krs):
    path = write(
        tmp_path,
        """
        checkins:
          - {kr: q4-gmv-29d, date: 2026-10-05, confidence: 7, note: typo in the id}
          - {kr: q3-gmv-28d, date: 2026-10-05, confidence: 7, note: a Q3 key result}
        """,
    )
    first, second = problems(path, krs)
    assert first.startswith(f"{path}: key result 'q4-gmv-29d' on 2026-10-05: unknown key result 'q4-gmv-29d'")
    assert "q4-gmv-28d" in first  # lists the key results of 2026-Q4.yml
    assert second == (
        f"{path}: key result 'q3-gmv-28d' on 2026-10-05: key result 'q3-gmv-28d' belongs to 2026-Q3.yml: "
        "check it in in checkins/2026-Q3.yml"
    )


@pytest.mark.parametrize(
    ("confidence", "message"),
    [
        ("11", "confidence 11 is outside 0..10"),
        ("-1", "confidence -1 is outside 0..10"),
        ("7.5", "confidence 7.5 must be a whole number from 0 to 10"),
        ("'7'", "confidence '7' must be a whole number from 0 to 10"),
        ("true", "confidence true must be a whole number from 0 to 10"),
        ("null", "confidence null must be a whole number from 0 to 10"),
    ],
)
def test_confidence_must_be_a_whole_number_from_0_to_10(tmp_path, krs, confidence, message):
    path = write(
        tmp_path, f"checkins:\n  - {{kr: q4-cac, date: 2026-10-12, confidence: {confidence}, note: n}}\n"
    )
    assert problems(path, krs) == [f"{path}: key result 'q4-cac' on 2026-10-12: {message}"]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-09-30", "date 2026-09-30 is outside the period 2026-10-01..2026-12-31"),
        ("2027-01-01", "date 2027-01-01 is outside the period 2026-10-01..2026-12-31"),
        ("2026-11-31", "date '2026-11-31' is not a valid date (YYYY-MM-DD)"),
    ],
)
def test_dates_outside_the_period_are_rejected(tmp_path, krs, day, message):
    path = write(tmp_path, f"checkins:\n  - {{kr: q4-cac, date: {day}, confidence: 5, note: n}}\n")
    assert problems(path, krs) == [f"{path}: key result 'q4-cac' on {day}: {message}"]


def test_every_problem_is_listed_at_once(tmp_path, krs):
    path = write(
        tmp_path,
        """
        checkins:
          - {kr: q4-cac, date: 2026-10-12, confidence: 5, note: fine}
          - {kr: q4-cac, date: 2026-10-12, confidence: 6, note: twice on one day}
          - {kr: q4-cac, date: 2026-10-19, confidence: 5, note: '  '}
          - {kr: q4-cac, date: 2026-10-26, confidence: 5, note: n, mood: happy}
          - {date: 2026-10-26, confidence: 5, note: n}
          - just text
        summary: nope
        """,
    )
    where = f"{path}: key result 'q4-cac' on"
    assert problems(path, krs) == [
        f"{path}: unknown top-level key 'summary' (expected 'checkins')",
        f"{where} 2026-10-12: a second check-in for this key result on the same day",
        f"{where} 2026-10-19: note '  ' must not be empty",
        f"{where} 2026-10-26: unknown field 'mood' (fields: kr, date, confidence, note, by)",
        f"{path}: check-in #5 on 2026-10-26: kr: required field is missing",
        f"{path}: check-in #6: 'just text' must be a mapping with the fields kr, date, confidence, note, by",
    ]


def test_a_check_in_file_needs_an_okr_file_of_the_same_name(tmp_path, krs):
    path = write(
        tmp_path, "checkins:\n  - {kr: q4-cac, date: 2026-10-12, confidence: 5, note: n}\n", "2027-Q1.yml"
    )
    assert problems(path, krs) == [
        f"{path}: no OKR file 2027-Q1.yml next to the check-ins: name the file after its OKR file"
    ]


def test_okrs_validate_lists_check_in_problems_one_per_line(tmp_path, monkeypatch, capsys):
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    for name in ("kpis.yml", "2026-Q3.yml", "2026-Q4.yml"):
        (okrs / name).write_text((OKRS / name).read_text())
    bad = write(okrs, "checkins:\n  - {kr: q4-cac, date: 2026-10-12, confidence: 12, note: n}\n")
    monkeypatch.setenv("LODESTAR_OKRS", str(okrs))
    assert validate_command() == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{bad}: key result 'q4-cac' on 2026-10-12: confidence 12 is outside 0..10" in out
    bad.write_text("checkins:\n  - {kr: q4-cac, date: 2026-10-12, confidence: 10, note: n}\n")
    assert validate_command() == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("OK: 1 check-in(s) in 1 file(s)")
