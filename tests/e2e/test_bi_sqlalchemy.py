"""A BI tool's view of the published marts: SQLAlchemy + duckdb-engine, read-only, while
a pipeline run publishes (docs/quality-gate.md: readers are never blocked nor see half a state)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from tests.e2e.conftest import END, run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]


def test_superset_like_reader_reflects_every_table_and_queries_dashboards_during_a_run(pipeline_copy):
    settings = pipeline_copy
    stop = settings.published.parent / "stop-bi-reader"
    reader = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.bi_reader", str(settings.published_marts), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        run(settings, date(2024, 3, 30), END)
    finally:
        stop.touch()
    report = json.loads(reader.communicate(timeout=120)[0])
    assert report["errors"] == []
    assert report["problems"] == []
    assert report["rounds"] >= 4
