"""`lodestar scorecard`: rendered from a small published marts file built from the
dbt OKR models of the test scenario (conftest.py)."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

from pipelines.okrs.cli import scorecard_command
from pipelines.okrs.scorecard import (
    COLUMNS,
    ScorecardError,
    format_trend,
    format_value,
    render_scorecard,
    scorecard_rows,
)
from tests.okrs.conftest import HOSTILE_KR, STALE_REASON

OKR_MARTS = (
    "okr_objectives",
    "okr_key_results",
    "kr_progress_daily",
    "objective_progress_daily",
    "okr_scorecard",
    "okr_scorecard_daily",
)
UNITS = {
    "gmv": "usd",
    "csat": "percent",
    "avg_fulfillment_hours": "hours",
    "ticket_backlog": "count",
    "nps": "score",
    "conversion_rate": "percent",
    "on_time_delivery_rate": "percent",
}


@pytest.fixture(scope="module")
def published(okr_scenario, tmp_path_factory):
    """A published marts file: the OKR marts and a KPI catalog in its main schema."""
    path = tmp_path_factory.mktemp("published") / "marts.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute("attach ? as wh (read_only)", [str(okr_scenario.warehouse)])
        for table in OKR_MARTS:
            con.execute(f"create table main.{table} as select * from wh.marts.{table}")
        con.execute("detach wh")
        con.execute("create table main.kpi_catalog (kpi_id varchar, unit varchar)")
        con.executemany("insert into main.kpi_catalog values (?, ?)", list(UNITS.items()))
    finally:
        con.close()
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_latest_day_tree(published):
    before = digest(published)
    text = render_scorecard(published, width=104)
    assert digest(published) == before  # read-only
    lines = text.splitlines()
    assert lines[0] == "OKR scorecard as of 2026-10-12"

    def line(item_id):
        [found] = [ln for ln in lines if f" {item_id}  " in ln or f" {item_id} ×" in ln]
        return found

    # nested by depth: root objective, its KRs/children with tree branches
    assert line("root").startswith("◆ root  Company")
    assert line("growth").startswith("├─ ◆ growth ×2  Growth")
    assert line("k_inc").startswith("│  ├─ • k_inc  GMV up")
    assert line("delivery").startswith("│     └─ ◆ delivery ×2  Delivery partners")
    assert line(HOSTILE_KR).startswith("│        └─ • " + HOSTILE_KR)
    # score, expected, status and 7-day trend of k_inc on its last day (10-10): 98% vs 100%, +88 points
    assert "98%" in line("k_inc") and "100%" in line("k_inc") and "on track" in line("k_inc")
    assert line("k_inc").endswith("▲ +88.0")
    # value vs target, formatted in the KPI's unit, on the detail line
    detail = lines[lines.index(line("k_inc")) + 1]
    assert "gmv trailing_7d · $149 vs target ↑ $150 (baseline $100)" in detail
    above = lines[lines.index(line("k_above")) + 1]
    assert "csat trailing_28d [channel=chat] · 95.0% vs target ≥ 90.0%" in above
    # periods: an ended one is scored on its last loaded day, a future one is not started
    assert "commerce · 2026-11-01 → 2026-11-30" in text
    assert "not started" in line("k_nov") and "not started" in line("november")
    assert "exec · 2026-10-01 → 2026-10-10, scored on 2026-10-10" in text
    assert lines[-1].startswith("9 key results: ")


def test_past_day_shows_stale_reason_and_trend(published):
    text = render_scorecard(published, date(2026, 10, 4), width=200)
    assert text.startswith("OKR scorecard as of 2026-10-04")
    lines = text.splitlines()
    [stale] = [i for i, ln in enumerate(lines) if " k_stale " in ln]
    assert "no data" in lines[stale]
    assert f"no data: {STALE_REASON}" in lines[stale + 1]
    # on a narrow terminal the reason wraps onto the next lines, whole
    narrow = render_scorecard(published, date(2026, 10, 4), width=80)
    assert [ln for ln in narrow.splitlines() if len(ln) > 80] == []
    assert f"no data: {STALE_REASON}" in " ".join(ln.strip(" │") for ln in narrow.splitlines())
    [missing] = [ln for ln in lines if " delivery " in ln]
    assert "no data" in missing
    # before every period started
    early = render_scorecard(published, date(2026, 8, 1))
    assert "not started" in early and "%" in early


def test_date_mirror_matches_the_scorecard_mart(published):
    con = duckdb.connect(str(published), read_only=True)
    try:
        day, mart = scorecard_rows(con, None)
        again, computed = scorecard_rows(con, date(2026, 10, 12))
    finally:
        con.close()
    assert day == again == date(2026, 10, 12)
    assert len(mart) == len(computed) == 16
    for a, b in zip(mart, computed, strict=True):
        for column in (c.strip() for c in COLUMNS.split(",")):
            if isinstance(a[column], float) or isinstance(b[column], float):
                assert a[column] == pytest.approx(b[column]), (a["item_id"], column)
            else:
                assert a[column] == b[column], (a["item_id"], column)


def test_scorecard_command(published, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LODESTAR_PUBLISHED", str(published.parent))
    assert scorecard_command(None) == 0
    assert capsys.readouterr().out.startswith("OKR scorecard as of 2026-10-12")
    assert scorecard_command("2026-10-05") == 0
    assert capsys.readouterr().out.startswith("OKR scorecard as of 2026-10-05")
    assert scorecard_command("yesterday") == 1
    assert "--date must be YYYY-MM-DD" in capsys.readouterr().err

    monkeypatch.setenv("LODESTAR_PUBLISHED", str(tmp_path / "nothing"))
    assert scorecard_command(None) == 1
    assert "no published marts" in capsys.readouterr().err


def test_file_without_okr_marts(tmp_path):
    path = tmp_path / "marts.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(ScorecardError, match="no OKR scorecard"):
        render_scorecard(path)


@pytest.mark.parametrize(
    "change, text",
    [(0.041, "▲ +4.1"), (-0.012, "▼ −1.2"), (0.0002, "▬ 0.0"), (None, "")],
)
def test_trend(change, text):
    assert format_trend(change) == text


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (0.923, "percent", "92.3%"),
        (0.0154, "percent", "1.54%"),
        (1_234_567, "usd", "$1.23M"),
        (45_200, "usd", "$45.2k"),
        (12.34, "hours", "12.3 h"),
        (41.25, "days", "41.2 days"),
        (1234, "count", "1,234"),
        (32.14, "score", "32.1"),
        (110.5, "fte", "110.5 FTE"),
        (None, "usd", "–"),
    ],
)
def test_value_formats(value, unit, text):
    assert format_value(value, unit) == text
