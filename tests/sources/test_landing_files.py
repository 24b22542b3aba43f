"""The landing zone's layout: extracts are found by name, and every other file
is ignored, reported once by name in dq_results, and never loaded."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.quality.results import IGNORED_FILE_CHECK, record_ignored_files
from pipelines.sources.contract import load_contract
from pipelines.sources.landing import extract_day, ignored_files
from pipelines.warehouse import connect

CONTRACT = load_contract()
FIRST, LAST = date(2026, 1, 1), date(2026, 1, 31)


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("2026-01-05.csv", date(2026, 1, 5)),
        ("2026-01-05.parquet", date(2026, 1, 5)),
        ("2026-02-30.csv", None),  # no such day
        ("2026-01-05.CSV", None),
        ("2026-01-05.csv.tmp", None),
        ("orders_2026-01-05.csv", None),
        ("README.md", None),
    ],
)
def test_extract_names(name, day):
    assert extract_day(name) == day


@pytest.fixture
def landing(tmp_path):
    root = tmp_path / "landing"
    for name in ("2026-01-05.csv", "README.md", ".~lock.2026-01-06.csv#", "2025-12-31.csv", "2026-02-01.csv"):
        (root / "orders" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "orders" / name).write_text("x")
    (root / "orders" / "archive").mkdir()
    (root / "reference").mkdir()
    for name in ("budget.csv", "budget_old.csv"):
        (root / "reference" / name).write_text("x")
    (root / "crm").mkdir()
    (root / "notes.txt").write_text("x")
    return root


def test_every_file_that_is_not_an_extract_in_range_is_named_with_why(landing):
    found = {f.path: f.reason for f in ignored_files(landing, CONTRACT, "orders", FIRST, LAST)}
    assert found == {
        "orders/.~lock.2026-01-06.csv#": "its name is not <YYYY-MM-DD>.csv or .parquet",
        "orders/README.md": "its name is not <YYYY-MM-DD>.csv or .parquet",
        "orders/archive": "its name is not <YYYY-MM-DD>.csv or .parquet",
        "orders/2025-12-31.csv": "2025-12-31 is outside the partition range 2026-01-01..2026-01-31",
        "orders/2026-02-01.csv": "2026-02-01 is outside the partition range 2026-01-01..2026-01-31",
    }
    reference = {f.path for f in ignored_files(landing, CONTRACT, "reference", FIRST, LAST)}
    assert reference == {"reference/budget_old.csv", "crm", "notes.txt"}
    assert ignored_files(landing, CONTRACT, "customers", FIRST, LAST) == []  # no folder: nothing to say


def test_ignored_files_are_one_warning_row_each_and_disappear_with_the_file(landing, tmp_path):
    con = connect(tmp_path / "w.duckdb", "UTC")

    def rows():
        return con.execute(
            "select asset, passed, severity, reason from audit.dq_results where check_name = ? order by asset",
            [IGNORED_FILE_CHECK],
        ).fetchall()

    record_ignored_files(con, "orders", ignored_files(landing, CONTRACT, "orders", FIRST, LAST))
    record_ignored_files(con, "reference", ignored_files(landing, CONTRACT, "reference", FIRST, LAST))
    assert len(rows()) == 8
    assert all(passed is False and severity == "warning" for _, passed, severity, _ in rows())
    readme = [r for r in rows() if r[0] == "landing/orders/README.md"]
    assert readme[0][3] == (
        "landing/orders/README.md is ignored, nothing of it is loaded: its name is not <YYYY-MM-DD>.csv or .parquet"
    )

    (landing / "orders" / "README.md").unlink()
    record_ignored_files(con, "orders", ignored_files(landing, CONTRACT, "orders", FIRST, LAST))
    assert len(rows()) == 7 and "landing/orders/README.md" not in {r[0] for r in rows()}
    assert "landing/notes.txt" in {r[0] for r in rows()}  # another folder's report is untouched
    con.close()
