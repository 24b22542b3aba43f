"""KPI checks (expectations/kpi_values.json) against real DuckDB files and real GX, and the gate.

marts.kpi_values is built by hand for a small catalog built in the test: one
KPI of each kind (additive with a dimension, additive with a blocking anomaly
check, ratio, snapshot, snapshot ratio). Values wobble a little from day to
day so their history has a positive standard deviation.
"""

from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from pipelines.config import Settings
from pipelines.okrs.catalog import MODEL_PREFIX, Anomaly, Catalog, Kpi, ValidRange, load_catalog
from pipelines.quality import gx_runner, kpi_checks
from pipelines.quality.kpi_checks import (
    check_kpi_values,
    recompute_range,
    record_kpi_check_failures,
)
from pipelines.quality.kpi_gate import apply_gate, ensure_check_failures_table
from pipelines.quality.results import ensure_results_table, record_results
from pipelines.quality.source_checks import CheckOutcome
from pipelines.resources import Warehouse
from pipelines.warehouse import connect

WINDOWS = ("day", "trailing_7d", "trailing_28d", "month_to_date", "quarter_to_date")
START = date(2024, 1, 1)
END = date(2024, 2, 10)
D = date(2024, 2, 5)  # a day with 35 days of history before it
REGIONS = ("NA", "EU")


def kpi(kpi_id: str, additivity: str, valid_range: dict, blocking: bool = False, dims=None) -> Kpi:
    return Kpi(
        id=kpi_id,
        name=kpi_id,
        description=f"test KPI {kpi_id}",
        family="growth",
        owner="test",
        unit="count",
        direction="higher_is_better",
        additivity=additivity,
        model=MODEL_PREFIX[additivity] + kpi_id,
        dimensions=dims or {},
        valid_range=ValidRange(**valid_range),
        anomaly=Anomaly(blocking=blocking),
    )


CATALOG = Catalog(
    windows=list(WINDOWS),
    kpis=[
        kpi("gmv", "additive", {"min": 0}, dims={"region": "region"}),
        kpi("net_revenue", "additive", {}, blocking=True),
        kpi("conversion_rate", "ratio", {"min": 0, "max": 1}),
        kpi("headcount_fte", "snapshot", {"min": 0}),
        kpi("days_sales_outstanding", "snapshot", {"min": 0}),
    ],
)
BASE = {"gmv": 1000.0, "net_revenue": 500.0, "conversion_rate": 0.03, "headcount_fte": 100.0,
        "days_sales_outstanding": 45.0}  # fmt: skip


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def daily_value(kpi_id: str, day: date) -> float:
    """A steady value with a small deterministic wobble (history std > 0), constant for headcount."""
    if kpi_id == "headcount_fte":
        return BASE[kpi_id]
    wobble = ((day - START).days * 7) % 5 - 2  # -2..2
    return BASE[kpi_id] * (1 + 0.01 * wobble)


def good_rows(first: date = START, last: date = END) -> list[tuple]:
    rows = []
    for day in days(first, last):
        for kpi_id in BASE:
            value = daily_value(kpi_id, day)
            denominator = {"conversion_rate": 1000.0, "days_sales_outstanding": 2000.0}.get(kpi_id)
            numerator = value * denominator if denominator else value
            for window in WINDOWS:
                rows.append((kpi_id, day, window, "all", "all", value, numerator, denominator))
                if kpi_id == "gmv":
                    for region in REGIONS:
                        rows.append((kpi_id, day, window, "region", region, value / 2, value / 2, None))
    return rows


def write_values(con, rows: list[tuple]) -> None:
    con.execute("create schema if not exists marts")
    con.execute(
        """create or replace table marts.kpi_values (
            kpi_id varchar, as_of_date date, "window" varchar, dimension varchar, dimension_value varchar,
            value double, numerator double, denominator double)"""
    )
    frame = pd.DataFrame(
        rows,
        columns=["kpi_id", "as_of_date", "window", "dimension", "dimension_value", "value", "numerator",
                 "denominator"],
    )  # fmt: skip
    con.register("_rows", frame)
    con.execute(
        """insert into marts.kpi_values
           select kpi_id, cast(as_of_date as date), "window", dimension, dimension_value,
                  cast(value as double), cast(numerator as double), cast(denominator as double)
           from _rows"""
    )
    con.unregister("_rows")


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb", "UTC")
    write_values(con, good_rows())
    yield con
    con.close()


def by_key(outcomes) -> dict[tuple[str, date], CheckOutcome]:
    return {(o.check_name.removeprefix("kpi_"), o.partition): o for o in outcomes}


def not_passed(outcomes) -> dict[tuple[str, date], CheckOutcome]:
    return {k: o for k, o in by_key(outcomes).items() if not o.passed}


# --------------------------------------------------------------------------- verdicts


def test_good_values_pass_one_outcome_per_kpi_and_day(con):
    outcomes = check_kpi_values(con, CATALOG, D - timedelta(days=2), D)
    assert len(outcomes) == len(CATALOG.kpis) * 3
    assert [(o.check_name, o.partition) for o in outcomes[:3]] == [
        ("kpi_gmv", D - timedelta(days=2)),
        ("kpi_gmv", D - timedelta(days=1)),
        ("kpi_gmv", D),
    ]
    assert not not_passed(outcomes), [o.reason for o in outcomes if not o.passed]
    gmv = by_key(outcomes)[("gmv", D)]
    assert (gmv.asset, gmv.severity, gmv.rows_checked, gmv.unexpected_count) == ("kpi/gmv", "error", 15, 0)
    assert gmv.reason.startswith(f"gmv {D}: 15 rows passed")
    assert gmv.details["kpi_id"] == "gmv" and gmv.details["failed"] == []


def test_missing_total_row_fails_that_kpi_and_day_only(con):
    con.execute(
        """delete from marts.kpi_values where kpi_id = 'gmv' and as_of_date = ? and "window" = 'trailing_7d'
           and dimension = 'all'""",
        [D],
    )
    outcomes = check_kpi_values(con, CATALOG, D - timedelta(days=1), D + timedelta(days=1))
    failed = not_passed(outcomes)
    assert list(failed) == [("gmv", D)]
    outcome = failed[("gmv", D)]
    assert outcome.blocking and outcome.severity == "error"
    assert outcome.reason == (
        f"gmv {D}: no total row (dimension 'all') in window trailing_7d (the window has 2 rows)"
    )
    assert [f["frame"] for f in outcome.details["failed"]] == ["totals"]


def test_value_outside_the_valid_range_names_kpi_day_value_and_range(con):
    con.execute(
        """update marts.kpi_values set value = 1.3
           where kpi_id = 'conversion_rate' and as_of_date = ? and "window" = 'day'""",
        [D],
    )
    con.execute(
        """update marts.kpi_values set value = -5
           where kpi_id = 'gmv' and as_of_date = ? and "window" = 'month_to_date'
             and dimension_value = 'EU'""",
        [D - timedelta(days=1)],
    )
    outcomes = check_kpi_values(con, CATALOG, D - timedelta(days=1), D)
    failed = not_passed(outcomes)
    assert set(failed) == {("conversion_rate", D), ("gmv", D - timedelta(days=1))}
    ratio = failed[("conversion_rate", D)]
    assert ratio.blocking
    assert ratio.reason.startswith(
        f"conversion_rate {D}: value 1.3 outside the catalog's valid range [0, 1] (window day, all=all)"
    )
    gmv = failed[("gmv", D - timedelta(days=1))]
    expected = "value -5.0 outside the catalog's valid range [0, +inf) (window month_to_date, region=EU)"
    assert expected in gmv.reason
    assert gmv.unexpected_count == 1
    assert gmv.details["failed"][0]["sample"][0]["valid_range"] == "[0, +inf)"


def test_the_real_catalog_publishes_a_budget_variance_below_minus_one(tmp_path):
    """A day of net opex credits (actual -70 against a budget of 100) is real: -1.7 passes."""
    real = load_catalog(Path(__file__).parents[2] / "okrs").get("budget_variance_pct")
    catalog = Catalog(windows=list(WINDOWS), kpis=[real])
    rows = []
    for day in days(START, END):
        actual = -70.0 if day == D else 95.0 + (day - START).days % 10
        for window in WINDOWS:
            rows.append(
                ("budget_variance_pct", day, window, "all", "all", (actual - 100) / 100, actual - 100, 100.0)
            )
    con = connect(tmp_path / "w.duckdb", "UTC")
    try:
        write_values(con, rows)
        outcomes = check_kpi_values(con, catalog, D, D)
    finally:
        con.close()
    [outcome] = outcomes
    assert not outcome.blocking, outcome.reason


def test_null_nan_infinite_and_duplicate_values_fail(con):
    con.execute(
        """update marts.kpi_values set value = 'nan'::double
           where kpi_id = 'gmv' and as_of_date = ? and "window" = 'trailing_28d' and dimension = 'all'""",
        [D],
    )
    con.execute(
        """update marts.kpi_values set value = 'inf'::double
           where kpi_id = 'net_revenue' and as_of_date = ? and "window" = 'trailing_7d'""",
        [D],
    )
    con.execute(
        """update marts.kpi_values set value = null
           where kpi_id = 'headcount_fte' and as_of_date = ? and "window" = 'month_to_date'""",
        [D],
    )
    con.execute(
        """insert into marts.kpi_values select * from marts.kpi_values
           where kpi_id = 'days_sales_outstanding' and as_of_date = ? and "window" = 'day'""",
        [D],
    )
    failed = not_passed(check_kpi_values(con, CATALOG, D, D))
    assert set(failed) == {(k, D) for k in ("gmv", "net_revenue", "headcount_fte", "days_sales_outstanding")}
    assert "value is null or NaN (window trailing_28d, all=all)" in failed[("gmv", D)].reason
    assert "value inf is not finite (window trailing_7d, all=all)" in failed[("net_revenue", D)].reason
    assert "value is null or NaN (window month_to_date, all=all)" in failed[("headcount_fte", D)].reason
    assert "duplicate row for window day, all=all" in failed[("days_sales_outstanding", D)].reason
    assert all(o.blocking for o in failed.values())


def spike(con, kpi_id: str, day: date, factor: float = 10) -> None:
    con.execute(
        "update marts.kpi_values set value = value * ? where kpi_id = ? and as_of_date = ?",
        [factor, kpi_id, day],
    )


def test_anomaly_is_a_warning_unless_the_catalog_marks_it_blocking(con):
    day = START + timedelta(days=28)  # 4 weeks of the same weekday before it
    for kpi_id in ("gmv", "net_revenue", "headcount_fte"):
        spike(con, kpi_id, day)
    # only `day` is checked: its history lies before the checked range
    outcomes = by_key(check_kpi_values(con, CATALOG, day, day))

    gmv = outcomes[("gmv", day)]  # anomaly.blocking false (the default)
    assert (gmv.passed, gmv.severity, gmv.blocking) == (False, "warning", False)
    spiked = daily_value("gmv", day) * 10
    lead = f"gmv {day}: warnings only (not blocking): anomaly: day total {spiked:g} is +"
    assert gmv.reason.startswith(lead), gmv.reason
    assert "robust deviations from the expected" in gmv.reason
    assert "(median of the same weekday over the 4 weeks before; threshold 5)" in gmv.reason
    assert gmv.details["failed"] == [] and gmv.details["warnings"][0]["frame"] == "anomaly"

    revenue = outcomes[("net_revenue", day)]  # anomaly.blocking true
    assert (revenue.passed, revenue.severity, revenue.blocking) == (False, "error", True)
    spiked = daily_value("net_revenue", day) * 10
    assert revenue.reason.startswith(f"net_revenue {day}: anomaly: day total {spiked:g} is +")

    # a constant history (no deviation at all) still has a scale: 5% of its median
    headcount = outcomes[("headcount_fte", day)]
    assert (headcount.passed, headcount.severity) == (False, "warning")
    assert all(o.passed for (k, _), o in outcomes.items() if k not in ("gmv", "net_revenue", "headcount_fte"))


def test_anomaly_needs_4_weeks_of_the_same_weekday(con):
    early = START + timedelta(days=27)  # 3 weeks of its weekday before it: not judged
    spike(con, "net_revenue", early)
    assert all(o.passed for o in check_kpi_values(con, CATALOG, early, early))

    write_values(con, good_rows())
    spike(con, "net_revenue", early + timedelta(days=1))  # 4 weeks: judged
    [outcome] = [o for o in check_kpi_values(con, CATALOG, early, early + timedelta(days=1)) if not o.passed]
    assert (outcome.check_name, outcome.partition) == ("kpi_net_revenue", early + timedelta(days=1))
    assert outcome.blocking and "same weekday over the 4 weeks before" in outcome.reason


def test_a_weekly_rhythm_and_last_years_peak_are_not_anomalies(con):
    """Weekends are quiet and Black Friday is huge: the same weekday and last year say so."""
    first, last = date(2023, 1, 2), date(2024, 12, 8)
    peaks = {date(2023, 11, 24), date(2024, 11, 22)}  # Black Friday, 364 days apart

    def value(day):
        weekly = 0.4 if day.weekday() >= 5 else 1.0
        return (
            1000.0 * weekly * (6.0 if day in peaks else 1.0) * (1 + 0.01 * (((day - first).days * 7) % 5 - 2))
        )

    rows = [("gmv", d, w, "all", "all", value(d), value(d), None) for d in days(first, last) for w in WINDOWS]
    write_values(con, rows)
    outcomes = by_key(check_kpi_values(con, CATALOG, date(2024, 11, 1), last))
    gmv = {day: o for (k, day), o in outcomes.items() if k == "gmv"}
    assert all(o.passed for o in gmv.values()), [o.reason for o in gmv.values() if not o.passed]

    # the first Black Friday had no year before it: it warns, once
    outcomes = by_key(check_kpi_values(con, CATALOG, date(2023, 11, 24), date(2023, 11, 24)))
    assert outcomes[("gmv", date(2023, 11, 24))].severity == "warning"


def test_one_noisy_day_last_year_does_not_make_an_ordinary_day_anomalous(con):
    """Last year's same weekday dipped to a third by chance; this year's day is ordinary: no warning."""
    first, last = date(2023, 1, 2), date(2024, 3, 3)
    checked = date(2024, 2, 26)
    dip = checked - timedelta(days=364)

    def value(day):
        return 1000.0 * (1 / 3 if day == dip else 1.0) * (1 + 0.01 * (((day - first).days * 7) % 5 - 2))

    write_values(
        con,
        [("gmv", d, w, "all", "all", value(d), value(d), None) for d in days(first, last) for w in WINDOWS],
    )
    assert by_key(check_kpi_values(con, CATALOG, checked, checked))[("gmv", checked)].passed

    spike(con, "gmv", checked, factor=1 / 3)  # the same dip this year is explained by last year: no warning
    assert by_key(check_kpi_values(con, CATALOG, checked, checked))[("gmv", checked)].passed
    spike(con, "gmv", checked, factor=30)  # 10x the usual: neither baseline explains it
    assert by_key(check_kpi_values(con, CATALOG, checked, checked))[("gmv", checked)].severity == "warning"


SMALL = Catalog(
    windows=list(WINDOWS),
    kpis=[
        kpi("csat", "ratio", {"min": 0, "max": 1}),
        kpi("first_response_hours", "percentile", {"min": 0}).model_copy(
            update={"anomaly": Anomaly(log_scale=True)}
        ),
    ],
)


def small_desk_rows(first: date, last: date, seed: int = 11) -> list[tuple]:
    """A small support desk: 0-7 scored tickets a day, 85 % satisfied; median response times that
    are skewed (a few minutes on most days, hours when the desk is short)."""
    rng = random.Random(seed)
    rows = []
    for day in days(first, last):
        scored = rng.choice([1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7])
        satisfied = sum(rng.random() < 0.85 for _ in range(scored))
        hours = math.exp(rng.gauss(math.log(0.25), 1.1))
        for window in WINDOWS:
            rows.append(("csat", day, window, "all", "all", satisfied / scored, satisfied, scored))
            rows.append(("first_response_hours", day, window, "all", "all", hours, None, None))
    return rows


def test_a_small_desk_a_year_of_ordinary_days_raises_almost_no_warning(con):
    """Small samples: a day with 2 unhappy answers out of 2, or a 2-hour median response, is ordinary."""
    first, last = date(2024, 1, 1), date(2024, 12, 31)
    write_values(con, small_desk_rows(first, last))
    outcomes = check_kpi_values(con, SMALL, first + timedelta(days=56), last)
    warned = [o.reason for o in outcomes if not o.passed]
    assert len(outcomes) == 2 * 310
    assert len(warned) <= 3, warned  # z > 5 on pure noise: at most 1 % of KPI-days
    assert all(o.severity == "warning" for o in outcomes if not o.passed)


def test_a_small_desk_a_large_day_that_goes_wrong_warns_and_a_small_one_does_not(con):
    first, last = date(2024, 1, 1), date(2024, 3, 31)
    rows = [r for r in small_desk_rows(first, last) if r[1] != last]
    checked = last

    def with_day(satisfied: int, scored: int, hours: float) -> list[tuple]:
        return rows + [
            row
            for window in WINDOWS
            for row in (
                ("csat", checked, window, "all", "all", satisfied / scored, satisfied, scored),
                ("first_response_hours", checked, window, "all", "all", hours, None, None),
            )
        ]

    write_values(con, with_day(0, 2, 3.0))  # 0 of 2 satisfied, a 3-hour median: ordinary for this desk
    assert all(o.passed for o in check_kpi_values(con, SMALL, checked, checked))

    write_values(con, with_day(6, 40, 300.0))  # 6 of 40 satisfied; a 300-hour median response
    outcomes = by_key(check_kpi_values(con, SMALL, checked, checked))
    csat, response = outcomes[("csat", checked)], outcomes[("first_response_hours", checked)]
    assert (csat.passed, csat.severity) == (False, "warning"), csat.reason
    assert "anomaly: day total 0.15 is -" in csat.reason
    assert (response.passed, response.severity) == (False, "warning"), response.reason
    assert "on a log scale" in response.reason


def test_an_absurd_day_total_always_blocks(con):
    """1,000 times the largest day total of the 90 days before: an error even where anomalies only warn."""
    spike(con, "gmv", D, factor=5000)
    outcome = by_key(check_kpi_values(con, CATALOG, D, D))[("gmv", D)]
    assert (outcome.passed, outcome.severity, outcome.blocking) == (False, "error", True)
    assert "absurd: day total" in outcome.reason and "the limit is 1000 times" in outcome.reason


def test_kpis_without_rows_that_day(con):
    con.execute("delete from marts.kpi_values where as_of_date = ?", [D])
    failed = not_passed(check_kpi_values(con, CATALOG, D, D))
    # a ratio has no row when the window has no denominator, and so has a snapshot ratio (DSO)
    assert set(failed) == {("gmv", D), ("net_revenue", D), ("headcount_fte", D)}
    assert "additive KPIs have a total every day" in failed[("gmv", D)].reason
    assert "snapshot KPIs have a total every day" in failed[("headcount_fte", D)].reason
    assert failed[("gmv", D)].unexpected_count == 5  # every window


def test_a_ratio_with_slices_but_no_total_fails(con):
    con.execute(
        """insert into marts.kpi_values values
           ('conversion_rate', ?, 'quarter_to_date', 'channel', 'web', 0.5, 1, 2)""",
        [D],
    )
    con.execute(
        """delete from marts.kpi_values where kpi_id = 'conversion_rate' and as_of_date = ?
           and "window" = 'quarter_to_date' and dimension = 'all'""",
        [D],
    )
    failed = not_passed(check_kpi_values(con, CATALOG, D, D))
    assert list(failed) == [("conversion_rate", D)]
    assert "in window quarter_to_date (the window has 1 row)" in failed[("conversion_rate", D)].reason


def test_a_broken_suite_blocks_every_kpi_day(con, tmp_path, monkeypatch):
    suites = tmp_path / "expectations"
    suites.mkdir()
    spec = json.loads(gx_runner.suite_path("kpi_values").read_text())
    spec["meta"]["lodestar"]["views"]["values"]["sql"] = "select nope from {rows}"
    (suites / "kpi_values.json").write_text(json.dumps(spec))
    monkeypatch.setattr(gx_runner, "EXPECTATIONS_DIR", suites)
    outcomes = check_kpi_values(con, CATALOG, D, D)
    assert len(outcomes) == len(CATALOG.kpis)
    assert all(o.blocking and "BROKEN CHECK" in o.reason for o in outcomes), outcomes[0].reason

    (suites / "kpi_values.json").write_text("{not json")
    outcomes = check_kpi_values(con, CATALOG, D, D)
    assert all(o.blocking and "BROKEN CHECK: the suite could not run" in o.reason for o in outcomes)


def test_the_suite_is_a_plain_gx_suite_and_reads_catalog_values_from_inputs():
    from great_expectations.core.expectation_suite import ExpectationSuiteSchema

    raw = json.loads(gx_runner.suite_path("kpi_values").read_text())
    ExpectationSuiteSchema().load(raw)
    suite = gx_runner.load_suite("kpi_values")
    assert suite.partition_columns == ("kpi_id", "as_of_date")
    assert set(suite.inputs) == {"catalog", "windows"}
    rules = json.dumps([raw["expectations"], [view.sql for view in suite.views.values()]])
    real = load_catalog(gx_runner.EXPECTATIONS_DIR.parent / "okrs")
    for entry in real.kpis:  # no rule names a KPI: per-KPI settings come from the catalog input
        assert entry.id not in rules


def test_every_kpi_expectation_is_judged_in_one_batched_run(con):
    """An expectation that cannot be split by (KPI, day) would run once per KPI-day: 19,000 GX runs."""
    suite = gx_runner.load_suite("kpi_values")
    inputs = kpi_checks.register_catalog(con, CATALOG)
    partitions = [(k.id, D) for k in CATALOG.kpis]
    with gx_runner._Frames(con, suite, "marts.kpi_values", partitions, inputs) as frames:
        for frame, indexes in suite.frames().items():
            columns = frames.get(frame).columns
            for index in indexes:
                assert gx_runner._splittable(suite, index, columns), (frame, suite.expectations[index])


def test_views_read_only_declared_inputs(tmp_path):
    spec = json.loads(gx_runner.suite_path("kpi_values").read_text())
    spec["meta"]["lodestar"]["views"]["values"]["sql"] += " join {budget} using (kpi_id)"
    path = tmp_path / "kpi_values.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(gx_runner.SuiteError, match=r"undeclared input\(s\) \['budget'\]"):
        gx_runner.load_suite(path)


# --------------------------------------------------------------------------- gate input


def test_record_kpi_check_failures_replaces_the_day_range_only(con):
    ensure_check_failures_table(con)
    old = [
        ("gmv", D - timedelta(days=5), "old, before"),
        ("gmv", D, "old, inside"),
        ("net_revenue", D + timedelta(days=1), "old, inside"),
        ("gmv", D + timedelta(days=5), "old, after"),
    ]
    con.executemany("insert into gate.kpi_check_failures values (?, ?, ?)", old)
    spike(con, "gmv", D)  # a warning: not recorded
    con.execute(
        "update marts.kpi_values set value = 7 where kpi_id = 'conversion_rate' and as_of_date = ?",
        [D - timedelta(days=1)],
    )
    first, last = D - timedelta(days=1), D + timedelta(days=1)
    outcomes = check_kpi_values(con, CATALOG, first, last)
    assert record_kpi_check_failures(con, outcomes, first, last) == 1
    rows = con.execute("select * from gate.kpi_check_failures order by as_of_date, kpi_id").fetchall()
    assert [(k, d) for k, d, _ in rows] == [
        ("gmv", D - timedelta(days=5)),
        ("conversion_rate", D - timedelta(days=1)),
        ("gmv", D + timedelta(days=5)),
    ]
    assert rows[1][2].startswith(f"conversion_rate {D - timedelta(days=1)}: value 7.0 outside")

    with pytest.raises(ValueError, match="outside the recorded range"):
        record_kpi_check_failures(con, outcomes, D, D)


def test_record_kpi_check_failures_creates_the_table(con):
    outcomes = check_kpi_values(con, CATALOG, D, D)
    assert record_kpi_check_failures(con, outcomes, D, D) == 0
    assert con.execute("select count(*) from gate.kpi_check_failures").fetchone() == (0,)


def test_recompute_range(con):
    assert recompute_range(con) == (START, END)  # no recompute model: every day of kpi_values
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_kpi_recompute_range as select ? as recompute_from, ? as last_day",
        [D, END],
    )
    assert recompute_range(con) == (D, END)
    # events before the first partition: checked from the calendar's first day on
    con.execute("update intermediate.int_kpi_recompute_range set recompute_from = ?", [date(2023, 12, 20)])
    assert recompute_range(con) == (date(2023, 12, 20), END)
    build_calendar(con)
    assert recompute_range(con) == (START, END)
    con.execute("update intermediate.int_kpi_recompute_range set last_day = null")
    assert recompute_range(con) is None


def build_calendar(con, first: date = START, last: date = END) -> None:
    con.execute("create schema if not exists intermediate")
    con.execute(
        """create or replace table intermediate.int_calendar as
           select cast(d as date) as day, cast(date_trunc('month', d) as date) as month_start,
                  cast(date_trunc('quarter', d) as date) as quarter_start
           from range(cast(? as date), cast(? as date) + interval 1 day, interval 1 day) as t(d)""",
        [first, last],
    )
    starts = {"day": "day", "trailing_7d": "day - 6", "trailing_28d": "day - 27",
              "month_to_date": "month_start", "quarter_to_date": "quarter_start"}  # fmt: skip
    con.execute(
        "create or replace table intermediate.int_kpi_windows as "
        + " union all ".join(
            f"""select day as as_of_date, '{w}' as "window", cast({s} as date) as window_start,
                       datediff('day', cast({s} as date), day) + 1 as days_in_window
                from intermediate.int_calendar"""
            for w, s in starts.items()
        )
    )


def stale(con) -> set[tuple[str, date]]:
    sql = "select kpi_id, as_of_date from gate.kpi_status where status = 'stale'"
    return set(con.execute(sql).fetchall())


def test_the_gate_blocks_exactly_the_failed_kpi_days(con):
    build_calendar(con)
    ensure_results_table(con)
    con.execute(
        """delete from marts.kpi_values where kpi_id = 'gmv' and as_of_date = ? and "window" = 'day'
           and dimension = 'all'""",
        [D],
    )
    con.execute(
        "update marts.kpi_values set value = 3 where kpi_id = 'conversion_rate' and as_of_date = ?",
        [D + timedelta(days=1)],
    )
    spike(con, "gmv", D + timedelta(days=2))  # a warning only: published
    outcomes = check_kpi_values(con, CATALOG, START, END)
    record_results(con, outcomes, run_id="run-1")
    record_kpi_check_failures(con, outcomes, START, END)
    summary = apply_gate(con, CATALOG, {})

    blocked = {("gmv", D), ("conversion_rate", D + timedelta(days=1))}
    assert stale(con) == blocked
    assert summary.stale_days == 2
    reason = con.execute(
        "select reason from gate.kpi_status where kpi_id = 'gmv' and as_of_date = ?", [D]
    ).fetchone()[0]
    assert reason.startswith(f"KPI check failed: gmv {D}: no total row (dimension 'all') in window day")
    published = set(con.execute("select distinct kpi_id, as_of_date from gate.kpi_values").fetchall())
    assert published == {(k, d) for k in BASE for d in days(START, END)} - blocked  # no last good value yet
    expected = con.execute(
        """select count(*) from marts.kpi_values
           where not ((kpi_id = 'gmv' and as_of_date = ?)
                      or (kpi_id = 'conversion_rate' and as_of_date = ?))""",
        [D, D + timedelta(days=1)],
    ).fetchone()
    assert con.execute("select count(*) from gate.kpi_values").fetchone() == expected

    # fixed data, rechecked for the recomputed days only: published again, the stale flags clear
    write_values(con, good_rows())
    spike(con, "gmv", D + timedelta(days=2))
    outcomes = check_kpi_values(con, CATALOG, D, END)
    record_kpi_check_failures(con, outcomes, D, END)
    apply_gate(con, CATALOG, {})
    assert stale(con) == set()
    assert con.execute("select count(*) from gate.kpi_values").fetchone() == (len(good_rows()),)


# --------------------------------------------------------------------------- dq_results


def dq_rows(con) -> list[tuple]:
    return con.execute("select * from audit.dq_results order by check_name, partition_date").fetchall()


def test_record_results_keeps_unchanged_rows_byte_for_byte(con, tmp_path):
    reference = CheckOutcome("contract_budget", "raw/budget", None, True, "error", 3, 0, "3 rows passed")
    first = check_kpi_values(con, CATALOG, D - timedelta(days=1), D)
    assert record_results(con, [*first, reference], run_id="run-1") == len(first) + 1
    before = dq_rows(con)
    con.execute(f"copy (select * from audit.dq_results order by all) to '{tmp_path / 'a.parquet'}'")

    again = check_kpi_values(con, CATALOG, D - timedelta(days=1), D)
    assert record_results(con, [*again, reference], run_id="run-2") == len(again) + 1
    assert dq_rows(con) == before
    con.execute(f"copy (select * from audit.dq_results order by all) to '{tmp_path / 'b.parquet'}'")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()

    # one outcome changes: only its row is replaced (new run_id); the others keep theirs
    con.execute(
        "update marts.kpi_values set value = 2 where kpi_id = 'conversion_rate' and as_of_date = ?", [D]
    )
    changed = check_kpi_values(con, CATALOG, D - timedelta(days=1), D)
    record_results(con, changed, run_id="run-3")
    after = {(r[0], r[2]): r for r in dq_rows(con)}
    assert len(after) == len(before)
    runs = {key: row[9] for key, row in after.items()}
    assert runs.pop(("kpi_conversion_rate", D)) == "run-3"
    assert set(runs.values()) == {"run-1"}
    assert not after[("kpi_conversion_rate", D)][3]  # passed


# --------------------------------------------------------------------------- Dagster


def test_kpi_gate_asset_checks_records_and_gates(con, tmp_path, monkeypatch):
    from pipelines.quality import assets as quality_assets

    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "kpis.yml").write_text(yaml.safe_dump(CATALOG.model_dump(mode="json"), sort_keys=False))
    build_calendar(con)
    ensure_results_table(con)
    con.execute("create schema if not exists intermediate")
    con.execute(
        "create table intermediate.int_kpi_recompute_range as select ? as recompute_from, ? as last_day",
        [D, END],
    )
    spike(con, "net_revenue", D)  # blocking anomaly
    spike(con, "gmv", D + timedelta(days=1))  # warning
    ensure_check_failures_table(con)
    con.execute("insert into gate.kpi_check_failures values ('gmv', ?, 'an earlier run: kept')", [START])
    con.close()
    settings = Settings(
        landing=tmp_path / "landing",
        warehouse=tmp_path / "w.duckdb",
        published=tmp_path / "published",
        okrs=okrs,
        start_date=START,
        timezone="UTC",
    )
    monkeypatch.setattr(quality_assets, "kpi_sources", lambda _: {})
    [gate] = quality_assets.gate_assets()
    # the checked days come from int_kpi_recompute_range, whatever the run's partitions
    partition = {"partition_key": END.isoformat()} if gate.partitions_def else {}
    result = dg.materialize(
        [gate],
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": Warehouse.from_settings(settings)},
        **partition,
    )
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == "kpi_checks" and evaluation.asset_key == quality_assets.GATE_VALUES
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    assert metadata["kpi_days_checked"] == len(CATALOG.kpis) * len(days(D, END))
    assert metadata["kpi_days_blocked"] == 1 and metadata["blocked_kpis"] == ["net_revenue"]
    assert metadata["kpi_days_with_warnings"] == 1 and f"gmv {D + timedelta(days=1)}" in metadata["warnings"]

    check = connect(tmp_path / "w.duckdb", "UTC")
    try:
        assert stale(check) == {("net_revenue", D), ("gmv", START)}  # START: outside the checked days
        recorded = check.execute(
            """select count(*), min(partition_date), max(partition_date) from audit.dq_results
               where asset like 'kpi/%'"""
        ).fetchone()
        assert recorded == (len(CATALOG.kpis) * len(days(D, END)), D, END)
    finally:
        check.close()


def test_kpi_check_result_lists_failures_and_warnings():
    from pipelines.quality.assets import kpi_check_result

    ok = CheckOutcome("kpi_gmv", "kpi/gmv", D, True, "error", 5, 0, "fine")
    warn = CheckOutcome("kpi_gmv", "kpi/gmv", D, False, "warning", 5, 1, "gmv: spike")
    result = kpi_check_result([ok, warn], (D, D))
    assert result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert "gmv: spike" in result.metadata["warnings"].value
    assert math.isfinite(result.metadata["kpi_days_checked"].value)
    assert kpi_checks.check_name("gmv") == "kpi_gmv" and kpi_checks.asset_name("gmv") == "kpi/gmv"
