"""Fast checks of the property tests' own machinery (no pipeline run): the
strategy writes valid landings with the features it promises, the contract
checker rejects broken ones, the contract tables agree with contract.yml, and
the reference's KPI values are consistent with each other."""

from __future__ import annotations

import copy
import math
from datetime import timedelta

import yaml
from hypothesis import HealthCheck, given, settings

from pipelines.sources.contract import CONTRACT_FILE
from tests.property.contract_spec import REFERENCES, SOURCES
from tests.property.landing_files import Stamp, write_landing
from tests.property.landing_strategy import landing_strategy
from tests.property.reference import WINDOWS, reference_kpi_values
from tests.property.reference_read import read_landing, violations

FAST = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ZONES = ("UTC", "America/Los_Angeles", "Asia/Tokyo")


def test_contract_tables_name_the_columns_of_contract_yml():
    contract = yaml.safe_load(CONTRACT_FILE.read_text())
    for group, ours in (("sources", SOURCES), ("references", REFERENCES)):
        assert set(contract[group]) == set(ours)
        for name, table in ours.items():
            assert list(contract[group][name]["columns"]) == list(table.columns), name


@FAST
@given(landing=landing_strategy())
def test_landings_are_valid_in_every_zone_and_use_every_feature(tmp_path_factory, landing):
    root = write_landing(landing, tmp_path_factory.mktemp("landing"))
    for zone in ZONES:
        problems = violations(
            read_landing(root, landing.start, landing.end, zone), landing.start, landing.end
        )
        assert not problems, f"{zone}: " + "\n".join(problems[:20])

    styles = [*landing.styles.values(), *landing.reference_styles.values()]
    assert any(s.bom for s in styles), "no file with a byte-order mark"
    assert any(s.parquet for s in styles), "no Parquet extract"
    stamps = [
        v for days in landing.extracts.values() for rows in days.values() for r in rows for v in r.values()
    ]
    offsets = {s.offset for s in stamps if isinstance(s, Stamp)}
    assert offsets - {0, None}, "no timestamp with a non-zero offset"
    hires = [(d, r["hired_on"]) for d, rows in landing.extracts["employees"].items() for r in rows]
    assert any(hired > day for day, hired in hires), "no hire with a future plan date"
    budget = landing.references["budget"]
    keys = [(b["budget_month"], b["cost_center"], b["account_type"]) for b in budget]
    assert len(keys) > len(set(keys)), "no cost center planning in two currencies"


@FAST
@given(landing=landing_strategy())
def test_the_contract_checker_rejects_broken_landings(tmp_path_factory, landing):
    broken = copy.deepcopy(landing)
    day = landing.start
    broken.extracts["gl_journal_lines"][day][0]["debit"] += 1  # the journal no longer balances
    order = broken.extracts["orders"][day][0]
    order["ordered_at"] = Stamp(order["ordered_at"].wall + timedelta(days=2), 0)  # after its extract day
    root = write_landing(broken, tmp_path_factory.mktemp("broken"))
    problems = "\n".join(
        violations(read_landing(root, landing.start, landing.end, "UTC"), landing.start, landing.end)
    )
    assert "does not balance" in problems
    assert "ordered_at" in problems and "after extract day" in problems


@FAST
@given(landing=landing_strategy())
def test_reference_values_are_consistent(tmp_path_factory, landing):
    """Totals of additive KPIs are the sum of each dimension's slices, snapshots
    are equal in every window, average order value is gmv / orders."""
    root = write_landing(landing, tmp_path_factory.mktemp("landing"))
    values = reference_kpi_values(
        read_landing(root, landing.start, landing.end, "UTC"), landing.start, landing.end
    )
    assert values
    dimensions = {
        "gmv": ["region", "channel"],
        "orders": ["region", "channel"],
        "operating_expenses": ["cost_center"],
        "ticket_backlog": ["priority"],
        "headcount_fte": ["department"],
    }
    for (kpi, day, window, dimension, _), total in values.items():
        if dimension != "all":
            continue
        for dim in dimensions.get(kpi, []):
            parts = sum(v for k, v in values.items() if k[:4] == (kpi, day, window, dim))
            assert math.isclose(parts, total, rel_tol=1e-9, abs_tol=1e-9), (kpi, day, window, dim)
        if kpi in ("ticket_backlog", "headcount_fte", "days_sales_outstanding"):
            assert all(values.get((kpi, day, w, "all", "all")) == total for w in WINDOWS), (kpi, day)
        if kpi == "average_order_value":
            gmv, orders = (
                values[("gmv", day, window, "all", "all")],
                values[("orders", day, window, "all", "all")],
            )
            assert math.isclose(total, gmv / orders, rel_tol=1e-9), (day, window)
