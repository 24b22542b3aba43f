"""A hand-made OKR scenario scored by the real dbt OKR models.

`okr_scenario` (session scope) writes three OKR files, validates them with
`load_okr_sets`, writes the okr.* tables and hand-made gate.kpi_values /
gate.kpi_status rows into a temporary DuckDB, and runs
`dbt build --select tag:okr` against it once (models, data tests and unit tests).
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.config import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.validate import load_okr_sets, write_okr_tables
from pipelines.transform.project import DBT_EXECUTABLE
from tests.okrs import okr_files

HOSTILE_KR = "k'; drop table gate.kpi_values; --"
HOSTILE_CARRIER = "Acme'); DROP TABLE okr.objectives; --"
STALE_REASON = "nps_responses 2026-10-04: file is missing required column score"

# Q4-like period of 10 days: expected = day / 10.
OCTOBER = textwrap.dedent(
    f"""
    period: {{start: 2026-10-01, end: 2026-10-10}}
    objectives:
      - id: root
        title: Company
        owner: exec
      - id: growth
        title: Growth
        owner: commerce
        parent: root
        weight: 2
        key_results:
          - id: k_inc
            title: GMV up
            kpi: gmv
            window: trailing_7d
            type: increase
            baseline: 100
            target: 200
            revisions:
              - {{effective_from: 2026-10-06, target: 150}}
          - id: k_above
            title: Chat CSAT stays above 90%
            kpi: csat
            window: trailing_28d
            filter: {{channel: chat}}
            type: stay_above
            target: 0.9
            weight: 3
      - id: ops
        title: Operations
        owner: operations
        parent: root
        key_results:
          - id: k_dec
            title: Fulfillment hours down
            kpi: avg_fulfillment_hours
            window: trailing_7d
            type: decrease
            baseline: 30
            target: 20
          - id: k_below
            title: Urgent backlog below 40
            kpi: ticket_backlog
            window: day
            filter: {{priority: urgent}}
            type: stay_below
            baseline: 35
            target: 40
      - id: loyalty
        title: Loyalty
        owner: customer-success
        parent: growth
        key_results:
          - id: k_stale
            title: NPS up
            kpi: nps
            window: quarter_to_date
            type: increase
            baseline: 10
            target: 30
          - id: k_missing
            title: Web conversion up
            kpi: conversion_rate
            window: trailing_28d
            filter: {{channel: web}}
            type: increase
            baseline: 0.02
            target: 0.03
      - id: delivery
        title: Delivery partners
        owner: logistics
        parent: loyalty
        weight: 2
        key_results:
          - id: "{HOSTILE_KR}"
            title: "Carrier \\"Acme\\" on time; -- really"
            kpi: on_time_delivery_rate
            window: trailing_28d
            filter: {{carrier: "{HOSTILE_CARRIER}"}}
            type: stay_above
            target: 0.9
    """
)


def one_kr_set(period: str, objective: dict, key_result: dict) -> str:
    """An OKR file with one objective of one key result."""
    return okr_files.okr_yaml(
        [okr_files.objective(krs=[okr_files.kr(**key_result)], **objective)], period=period
    )


# Ends before October; its objective aligns to `root` of the other file.
SEPTEMBER = one_kr_set(
    "{start: 2026-09-01, end: 2026-09-30}",
    dict(oid="september", title="September push", owner="commerce", parent="root"),
    dict(kr_id="k_sep", title="Daily GMV to 100", kpi="gmv", window="day", baseline=0, target=100),
)

# Starts after the last loaded day.
NOVEMBER = one_kr_set(
    "{start: 2026-11-01, end: 2026-11-30}",
    dict(oid="november", title="November plan", owner="commerce"),
    dict(kr_id="k_nov", title="GMV up again", kpi="gmv", window="trailing_7d", baseline=1, target=2),
)

FIRST_DAY = date(2026, 9, 27)
LAST_DAY = date(2026, 10, 12)
LOADED_DAYS = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]


def d(text: str) -> date:
    return date.fromisoformat(text)


# The value series each KR reads: (kpi, window, dimension, dimension_value) -> {day: value};
# `default` for the days not listed.
SERIES: dict[tuple[str, str, str, str], dict] = {
    ("gmv", "trailing_7d", "all", "all"): {
        "default": 100.0,
        d("2026-10-01"): 80.0,
        d("2026-10-02"): 110.0,
        d("2026-10-03"): 110.0,
        d("2026-10-04"): 110.0,
        d("2026-10-05"): 140.0,
        d("2026-10-06"): 140.0,
        d("2026-10-07"): 145.0,
        d("2026-10-08"): 150.0,
        d("2026-10-09"): 250.0,
        d("2026-10-10"): 149.0,
    },
    ("csat", "trailing_28d", "channel", "chat"): {
        "default": 0.95,
        d("2026-10-03"): 0.9,
        d("2026-10-04"): 0.85,
    },
    ("avg_fulfillment_hours", "trailing_7d", "all", "all"): {
        "default": 28.0,
        d("2026-10-02"): 35.0,
        d("2026-10-05"): 25.0,
        d("2026-10-10"): 18.0,
    },
    ("ticket_backlog", "day", "priority", "urgent"): {
        "default": 30.0,
        d("2026-10-07"): 41.0,
        d("2026-10-08"): 40.0,
    },
    ("nps", "quarter_to_date", "all", "all"): {"default": 20.0, d("2026-10-05"): None},
    ("conversion_rate", "trailing_28d", "channel", "web"): {"default": 0.025, d("2026-10-07"): None},
    ("on_time_delivery_rate", "trailing_28d", "carrier", HOSTILE_CARRIER): {
        "default": 0.92,
        d("2026-10-04"): None,
        d("2026-10-09"): 0.8,
    },
    ("gmv", "day", "all", "all"): {"default": 10.0, d("2026-09-29"): 60.0, d("2026-09-30"): 70.0},
}

# Rows a wrong join would pick up instead: totals for filtered KRs, other windows, other slices.
DECOYS = [
    ("gmv", "trailing_28d", "all", "all", 1e6),
    ("gmv", "trailing_7d", "region", "EU", 5.0),
    ("csat", "trailing_28d", "all", "all", 0.5),
    ("csat", "trailing_7d", "channel", "chat", 0.1),
    ("ticket_backlog", "day", "all", "all", 500.0),
    ("conversion_rate", "trailing_28d", "all", "all", 0.5),
    ("on_time_delivery_rate", "trailing_28d", "carrier", "Acme", 0.1),
    ("on_time_delivery_rate", "trailing_28d", "all", "all", 0.1),
]

# nps is stale on these days; the gate kept the last good value on the first one.
STALE_DAYS = {d("2026-10-04"), d("2026-10-05")}


def series_value(key: tuple[str, str, str, str], day: date) -> float | None:
    s = SERIES[key]
    return s.get(day, s["default"])


def build_gate(con, days: list[date]) -> None:
    con.execute("create schema if not exists gate")
    con.execute(
        'create or replace table gate.kpi_values (kpi_id varchar, as_of_date date, "window" varchar, '
        "dimension varchar, dimension_value varchar, value double, numerator double, denominator double)"
    )
    con.execute(
        "create or replace table gate.kpi_status (kpi_id varchar, as_of_date date, status varchar, "
        "stale_since date, reason varchar)"
    )
    values, status = [], []
    kpis = sorted({k[0] for k in SERIES} | {k[0] for k in DECOYS})
    for day in days:
        for kpi in kpis:
            stale = kpi == "nps" and day in STALE_DAYS
            status.append(
                (
                    kpi,
                    day,
                    "stale" if stale else "published",
                    min(STALE_DAYS) if stale else None,
                    STALE_REASON if stale else None,
                )
            )
        for key in SERIES:
            value = series_value(key, day)
            if key[0] == "nps" and day == min(STALE_DAYS):
                value = 20.0  # last good value kept by the gate on a stale day
            if value is not None:
                values.append((*key, day, value))
        for *key, value in DECOYS:
            values.append((*key, day, value))
    con.executemany(
        'insert into gate.kpi_values (kpi_id, "window", dimension, dimension_value, as_of_date, value) '
        "values (?, ?, ?, ?, ?, ?)",
        values,
    )
    con.executemany("insert into gate.kpi_status values (?, ?, ?, ?, ?)", status)


def run_dbt(warehouse: Path, target_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LODESTAR_WAREHOUSE": str(warehouse), "LODESTAR_TIMEZONE": "UTC"}
    cmd = [
        str(DBT_EXECUTABLE),
        "build",
        "--select",
        "tag:okr",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_dir / "target"),
        "--log-path",
        str(target_dir / "logs"),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    return result


@dataclass
class Scenario:
    warehouse: Path
    okr_dir: Path
    dbt_dir: Path
    dbt_output: str

    def query(self, sql: str, params=None) -> list[dict]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            cur = con.execute(sql, params or [])
            names = [c[0] for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()


def build_scenario(root: Path, days: list[date], dbt_dir: Path) -> Scenario:
    okr_dir = root / "okrs"
    okr_dir.mkdir(parents=True)
    (okr_dir / "2026-09.yml").write_text(SEPTEMBER)
    (okr_dir / "2026-10.yml").write_text(OCTOBER)
    (okr_dir / "2026-11.yml").write_text(NOVEMBER)
    sets = load_okr_sets(okr_dir, load_catalog(REPO_ROOT / "okrs"))
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        build_gate(con, days)
        write_okr_tables(con, sets)
    finally:
        con.close()
    result = run_dbt(warehouse, dbt_dir)
    return Scenario(warehouse, okr_dir, dbt_dir, result.stdout)


@pytest.fixture(scope="session")
def dbt_dir(tmp_path_factory) -> Path:
    # our own target/log paths: never touch dbt_project/target used by others
    return tmp_path_factory.mktemp("dbt")


@pytest.fixture(scope="session")
def okr_scenario(tmp_path_factory, dbt_dir) -> Scenario:
    return build_scenario(tmp_path_factory.mktemp("okr_full"), LOADED_DAYS, dbt_dir)
