"""Scoring and status rules of docs/okrs.md, checked on the real dbt OKR models.

The scenario (conftest.py) is scored by `dbt build --select tag:okr`; every
row of kr_progress_daily and objective_progress_daily is compared with an
independent Python implementation of the rules, and the tricky cases are also
asserted by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.validate import load_okr_sets
from tests.okrs.conftest import (
    HOSTILE_CARRIER,
    HOSTILE_KR,
    LOADED_DAYS,
    STALE_DAYS,
    STALE_REASON,
    build_scenario,
    d,
    series_value,
)

ON_TRACK, AT_RISK = 0.10, 0.25


# --------------------------------------------------------------------------- reference


def ref_status(score, expected):
    if score is None:
        return "no_data"
    if score >= 1:
        return "achieved"
    if score >= expected - ON_TRACK - 1e-9:
        return "on_track"
    if score >= expected - AT_RISK - 1e-9:
        return "at_risk"
    return "off_track"


def ref_kr_rows(sets) -> dict[tuple[str, date], dict]:
    rows = {}
    for s in sets:
        start, end = s.period.start, s.period.end
        for o in s.objectives:
            for kr in o.key_results:
                for day in LOADED_DAYS:
                    if not start <= day <= end:
                        continue
                    target = kr.target
                    for r in kr.sorted_revisions():
                        if r.effective_from <= day:
                            target = r.target
                    key = (kr.kpi, kr.window, kr.filter_dimension or "all", kr.filter_value or "all")
                    stale = kr.kpi == "nps" and day in STALE_DAYS
                    value = None if stale else series_value(key, day)
                    progress = score = None
                    if kr.type in ("increase", "decrease"):
                        expected = ((day - start).days + 1) / ((end - start).days + 1)
                        if value is not None:
                            progress = (value - kr.baseline) / (target - kr.baseline)
                            score = min(1.0, max(0.0, progress))
                    else:
                        expected = 1.0
                        if value is not None:
                            ok = value >= target if kr.type == "stay_above" else value <= target
                            score = 1.0 if ok else 0.0
                    rows[(kr.id, day)] = dict(
                        objective_id=o.id,
                        weight=kr.weight,
                        target=target,
                        value=value,
                        progress=progress,
                        score=score,
                        expected=expected,
                        status=ref_status(score, expected),
                    )
    return rows


def ref_objective_rows(sets, kr_rows) -> dict[tuple[str, date], dict]:
    objectives = {o.id: (o, s.period) for s in sets for o in s.objectives}
    children = {oid: [c for c, (co, _) in objectives.items() if co.parent == oid] for oid in objectives}

    def roll(oid, day):
        o, _ = objectives[oid]
        parts = []
        for kr in o.key_results:
            row = kr_rows.get((kr.id, day))
            if row and row["score"] is not None:
                parts.append((kr.weight, row["score"], row["expected"]))
        for child in children[oid]:
            score, expected = roll(child, day)
            if score is not None:
                parts.append((objectives[child][0].weight, score, expected))
        if not parts:
            return None, None
        total = sum(w for w, _, _ in parts)
        return sum(w * s for w, s, _ in parts) / total, sum(w * e for w, _, e in parts) / total

    rows = {}
    for oid, (_, period) in objectives.items():
        for day in LOADED_DAYS:
            if period.start <= day <= period.end:
                score, expected = roll(oid, day)
                rows[(oid, day)] = dict(score=score, expected=expected, status=ref_status(score, expected))
    return rows


@pytest.fixture(scope="module")
def sets(okr_scenario):
    return load_okr_sets(okr_scenario.okr_dir, load_catalog(REPO_ROOT / "okrs"))


@pytest.fixture(scope="module")
def kr(okr_scenario) -> dict[tuple[str, date], dict]:
    rows = okr_scenario.query("select * from marts.kr_progress_daily")
    return {(r["kr_id"], r["as_of_date"]): r for r in rows}


@pytest.fixture(scope="module")
def objective(okr_scenario) -> dict[tuple[str, date], dict]:
    rows = okr_scenario.query("select * from marts.objective_progress_daily")
    return {(r["objective_id"], r["as_of_date"]): r for r in rows}


def close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a == pytest.approx(b, abs=1e-9))


# --------------------------------------------------------------------------- all rows vs reference


def test_dbt_build_ran_models_tests_and_unit_tests(okr_scenario):
    out = okr_scenario.dbt_output
    assert "Completed successfully" in out
    for name in (
        "kr_progress_increase_clamping_and_statuses",
        "kr_progress_decrease_and_stay_types",
        "kr_progress_revision_filter_and_no_data",
        "objective_rollup_weighted_over_four_levels",
    ):
        assert name in out


def test_every_kr_row_matches_the_reference(sets, kr):
    expected = ref_kr_rows(sets)
    assert set(kr) == set(expected)
    for key, ref in expected.items():
        row = kr[key]
        for column in ("target", "value", "progress", "score", "expected"):
            assert close(row[column], ref[column]), (key, column, row[column], ref[column])
        assert row["status"] == ref["status"], key
        assert row["objective_id"] == ref["objective_id"]


def test_every_objective_row_matches_the_reference(sets, kr, objective):
    expected = ref_objective_rows(sets, ref_kr_rows(sets))
    assert set(objective) == set(expected)
    for key, ref in expected.items():
        row = objective[key]
        assert close(row["score"], ref["score"]), (key, row["score"], ref["score"])
        assert close(row["expected"], ref["expected"]), (key, row["expected"], ref["expected"])
        assert row["status"] == ref["status"], key


# --------------------------------------------------------------------------- rules by hand


def test_rows_only_for_loaded_days_within_the_period(kr, objective):
    october = [day for day in LOADED_DAYS if d("2026-10-01") <= day <= d("2026-10-10")]
    assert sorted(day for (k, day) in kr if k == "k_inc") == october
    # before start (09-27..09-30) and after end (10-11, 10-12): no rows
    assert not any(
        (k, day) in kr
        for k in ("k_inc", "k_dec")
        for day in (d("2026-09-30"), d("2026-10-11"), d("2026-10-12"))
    )
    # the September KR: only its loaded days (09-27..09-30); the November one: none yet
    assert sorted(day for (k, day) in kr if k == "k_sep") == [
        d("2026-09-27"),
        d("2026-09-28"),
        d("2026-09-29"),
        d("2026-09-30"),
    ]
    assert not any(k == "k_nov" for k, _ in kr)
    assert not any(o == "november" for o, _ in objective)
    assert sorted(day for (o, day) in objective if o == "root") == october


@pytest.mark.parametrize(
    "day, target, progress, score, expected, status",
    [
        ("2026-10-01", 200, -0.2, 0.0, 0.1, "on_track"),  # clamped at 0; exactly expected - 0.10
        ("2026-10-02", 200, 0.1, 0.1, 0.2, "on_track"),
        ("2026-10-03", 200, 0.1, 0.1, 0.3, "at_risk"),
        ("2026-10-04", 200, 0.1, 0.1, 0.4, "off_track"),
        ("2026-10-05", 200, 0.4, 0.4, 0.5, "on_track"),  # last day of the original target
        ("2026-10-06", 150, 0.8, 0.8, 0.6, "on_track"),  # revision takes effect on its day
        ("2026-10-08", 150, 1.0, 1.0, 0.8, "achieved"),
        ("2026-10-09", 150, 3.0, 1.0, 0.9, "achieved"),  # clamped at 1
        ("2026-10-10", 150, 0.98, 0.98, 1.0, "on_track"),
    ],
)
def test_increase(kr, day, target, progress, score, expected, status):
    row = kr[("k_inc", d(day))]
    assert row["target"] == target
    assert row["target_revision"] == (0 if target == 200 else 1)
    assert row["progress"] == pytest.approx(progress)
    assert row["score"] == pytest.approx(score)
    assert row["expected"] == pytest.approx(expected)
    assert row["status"] == status


@pytest.mark.parametrize(
    "day, value, progress, score, status",
    [
        ("2026-10-02", 35, -0.5, 0.0, "at_risk"),  # worse than the baseline: clamped at 0
        ("2026-10-05", 25, 0.5, 0.5, "on_track"),
        ("2026-10-10", 18, 1.2, 1.0, "achieved"),
    ],
)
def test_decrease(kr, day, value, progress, score, status):
    row = kr[("k_dec", d(day))]
    assert row["value"] == value
    assert row["progress"] == pytest.approx(progress)
    assert row["score"] == pytest.approx(score)
    assert row["status"] == status


def test_stay_above_reads_the_filtered_slice(kr):
    assert kr[("k_above", d("2026-10-02"))]["value"] == 0.95  # the chat row, not the total (0.5)
    assert kr[("k_above", d("2026-10-02"))]["status"] == "achieved"
    assert kr[("k_above", d("2026-10-03"))]["score"] == 1.0  # value == target counts
    low = kr[("k_above", d("2026-10-04"))]
    assert (low["score"], low["expected"], low["status"], low["progress"]) == (0.0, 1.0, "off_track", None)


def test_stay_below(kr):
    assert kr[("k_below", d("2026-10-06"))]["value"] == 30  # urgent slice, not the total (500)
    assert kr[("k_below", d("2026-10-07"))]["status"] == "off_track"
    assert kr[("k_below", d("2026-10-08"))]["status"] == "achieved"  # value == target counts
    assert kr[("k_below", d("2026-10-08"))]["expected"] == 1.0


def test_stale_kpi_is_no_data_with_the_gate_reason(kr):
    first = kr[("k_stale", d("2026-10-04"))]  # the gate kept the last good value: still no score
    assert first["value"] is None and first["score"] is None
    assert first["status"] == "no_data"
    assert first["kpi_status"] == "stale"
    assert first["stale_since"] == d("2026-10-04")
    assert first["stale_reason"] == STALE_REASON
    assert kr[("k_stale", d("2026-10-05"))]["status"] == "no_data"
    fine = kr[("k_stale", d("2026-10-06"))]
    assert (fine["status"], fine["kpi_status"], fine["stale_reason"]) == ("on_track", "published", None)


def test_missing_value_is_no_data(kr):
    row = kr[("k_missing", d("2026-10-07"))]
    assert (row["value"], row["score"], row["status"]) == (None, None, "no_data")
    assert row["kpi_status"] == "published" and row["stale_reason"] is None


def test_hostile_filter_value_is_matched_verbatim(kr):
    assert kr[(HOSTILE_KR, d("2026-10-08"))]["filter_value"] == HOSTILE_CARRIER
    assert kr[(HOSTILE_KR, d("2026-10-08"))]["value"] == 0.92  # not the plain "Acme" row (0.1)
    assert kr[(HOSTILE_KR, d("2026-10-09"))]["status"] == "off_track"


def test_weighted_roll_up_over_several_levels(objective):
    # 2026-10-05 by hand:
    # delivery (hostile KR 0.92 >= 0.9): 1.0 / expected 1.0
    # loyalty: k_stale stale (left out), k_missing 0.5/0.5, delivery (weight 2) 1/1 -> 2.5/3, 2.5/3
    # growth: k_inc 0.4/0.5, k_above (weight 3) 1/1, loyalty 0.8333/0.8333 -> (0.4+3+2.5/3)/5
    # ops: k_dec 0.5/0.5, k_below 1/1 -> 0.75/0.75
    # root: growth (weight 2), ops; the September objective has no row that day (left out)
    loyalty = 2.5 / 3
    growth = (0.4 + 3 + loyalty) / 5
    growth_expected = (0.5 + 3 + loyalty) / 5
    root = (2 * growth + 0.75) / 3
    root_expected = (2 * growth_expected + 0.75) / 3
    day = d("2026-10-05")
    assert objective[("delivery", day)]["score"] == pytest.approx(1.0)
    assert objective[("loyalty", day)]["score"] == pytest.approx(loyalty)
    assert objective[("growth", day)]["score"] == pytest.approx(growth)
    assert objective[("growth", day)]["expected"] == pytest.approx(growth_expected)
    assert objective[("ops", day)]["score"] == pytest.approx(0.75)
    assert objective[("root", day)]["score"] == pytest.approx(root)
    assert objective[("root", day)]["expected"] == pytest.approx(root_expected)
    assert objective[("root", day)]["status"] == "on_track"
    assert objective[("root", day)]["key_results_measured"] == 7
    assert objective[("root", day)]["key_results_scored"] == 6
    assert objective[("loyalty", day)]["depth"] == 2


def test_objective_without_scored_children_is_no_data_and_left_out(objective):
    # 2026-10-04: delivery's only KR has no value -> delivery is no_data and left out of
    # loyalty, where k_stale is stale too: loyalty is scored from k_missing alone
    day = d("2026-10-04")
    delivery = objective[("delivery", day)]
    assert (delivery["score"], delivery["expected"], delivery["status"]) == (None, None, "no_data")
    assert (delivery["key_results_measured"], delivery["key_results_scored"]) == (1, 0)
    loyalty = objective[("loyalty", day)]
    assert loyalty["score"] == pytest.approx(0.5) and loyalty["expected"] == pytest.approx(0.4)
    assert (loyalty["key_results_measured"], loyalty["key_results_scored"]) == (3, 1)
    assert objective[("september", d("2026-09-30"))]["score"] == pytest.approx(0.7)


def test_objectives_mart_tree(okr_scenario):
    rows = {r["objective_id"]: r for r in okr_scenario.query("select * from marts.okr_objectives")}
    assert rows["root"]["depth"] == 0 and rows["root"]["path"] == "root"
    assert rows["delivery"]["depth"] == 3
    assert rows["delivery"]["path"] == "root > growth > loyalty > delivery"
    # a parent in another OKR file
    assert rows["september"]["parent_objective_id"] == "root"
    assert rows["september"]["depth"] == 1 and rows["september"]["source_file"] == "2026-09.yml"
    assert rows["root"]["child_objective_count"] == 3


def test_key_results_mart_has_one_row_per_revision(okr_scenario):
    rows = okr_scenario.query(
        "select revision, target, valid_from, valid_to, is_latest_revision from marts.okr_key_results "
        "where kr_id = 'k_inc' order by revision"
    )
    assert rows == [
        dict(
            revision=0,
            target=200.0,
            valid_from=d("2026-10-01"),
            valid_to=d("2026-10-05"),
            is_latest_revision=False,
        ),
        dict(
            revision=1,
            target=150.0,
            valid_from=d("2026-10-06"),
            valid_to=d("2026-10-10"),
            is_latest_revision=True,
        ),
    ]


def test_scorecard_mart(okr_scenario):
    rows = {
        (r["item_type"], r["item_id"]): r for r in okr_scenario.query("select * from marts.okr_scorecard")
    }
    assert {r["as_of_date"] for r in rows.values()} == {d("2026-10-12")}
    assert len(rows) == 7 + 9  # objectives + key results of the three files

    inc = rows[("key_result", "k_inc")]  # period ended on 10-10: its final result
    assert inc["scored_on"] == d("2026-10-10")
    assert (inc["target"], inc["status"]) == (150.0, "on_track")
    assert inc["score_change_7d"] == pytest.approx(0.98 - 0.1)  # vs 2026-10-03
    assert inc["depth"] == 2 and inc["path"] == "root > growth > k_inc"

    hostile = rows[("key_result", HOSTILE_KR)]
    assert hostile["depth"] == 4 and hostile["path"] == f"root > growth > loyalty > delivery > {HOSTILE_KR}"

    sep = rows[("key_result", "k_sep")]
    assert sep["scored_on"] == d("2026-09-30") and sep["score"] == pytest.approx(0.7)

    for key in (("key_result", "k_nov"), ("objective", "november")):
        assert rows[key]["status"] == "not_started"
        assert rows[key]["score"] is None and rows[key]["expected"] == 0.0 and rows[key]["scored_on"] is None
    assert rows[("key_result", "k_nov")]["target"] == 2.0

    # tree order: each objective, its key results, then its child objectives (file order;
    # 2026-09.yml comes first, so its objective is root's first child)
    order = [
        r["item_id"] for r in okr_scenario.query("select item_id from marts.okr_scorecard order by sort_key")
    ]
    assert order == [
        "root",
        "september",
        "k_sep",
        "growth",
        "k_inc",
        "k_above",
        "loyalty",
        "k_stale",
        "k_missing",
        "delivery",
        HOSTILE_KR,
        "ops",
        "k_dec",
        "k_below",
        "november",
        "k_nov",
    ]


# --------------------------------------------------------------------------- reproducibility


@pytest.fixture(scope="module")
def partial_scenario(tmp_path_factory, dbt_dir):
    """The same facts loaded only up to 2026-10-05 (as a day-by-day run would have them then)."""
    days = [day for day in LOADED_DAYS if day <= d("2026-10-05")]
    return build_scenario(tmp_path_factory.mktemp("okr_partial"), days, dbt_dir)


def test_past_days_are_reproducible(okr_scenario, partial_scenario):
    for table, key in (("kr_progress_daily", "kr_id"), ("objective_progress_daily", "objective_id")):
        sql = f"select * from marts.{table} where as_of_date <= date '2026-10-05' order by {key}, as_of_date"
        full, partial = okr_scenario.query(sql), partial_scenario.query(sql)
        assert full and full == partial, table
