"""The scorecard report: one self-contained HTML file from the published marts, opened in a
real headless Chromium: every KR, KPI and quality chart renders without a script error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.bi.report import write_report
from tests.e2e import browser
from tests.e2e.conftest import END

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def report(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return write_report(demo.published_marts, out)


def _counts(demo) -> tuple[int, int, int]:
    con = duckdb.connect(str(demo.published_marts), read_only=True)
    try:
        krs = con.execute("select count(*) from okr_key_results where revision = 0").fetchone()[0]
        kpis = con.execute("select count(*) from kpi_catalog").fetchone()[0]
        quarantined = con.execute(
            "select count(*) from quarantine_summary where rows_quarantined > 0 and extract_date > ?::date - 90",
            [END],
        ).fetchone()[0]
    finally:
        con.close()
    return krs, kpis, int(quarantined > 0)


def test_the_run_publishes_the_report_and_it_is_one_self_contained_file(demo, report):
    published = demo.published / "report" / "scorecard.html"  # written by the published/report asset
    assert published.read_text().count('class="chart"') == report.charts
    html = report.path.read_text()
    assert report.as_of == END
    assert not re.search(r"""(src|href)=["']https?://""", html)  # nothing to fetch: the charts' JS is inlined
    assert "vegaEmbed" in html and html.count('class="chart"') == report.charts
    krs, kpis, quality = _counts(demo)
    assert report.charts == krs + kpis + quality
    print(
        f"report: {report.path.stat().st_size / 1e6:.1f} MB, {report.charts} charts, {report.seconds:.1f} s"
    )


def test_every_chart_renders_in_headless_chromium_and_a_screenshot_is_saved(demo, report, tmp_path):
    if browser.chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    dom = browser.dump_dom(report.path)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body))
    assert attrs.get("render-done") == "true", attrs
    assert attrs["script-errors"] == "0"
    assert int(attrs["charts-expected"]) == int(attrs["charts-rendered"]) == report.charts
    # vega-embed adds its own class to each chart element: read the attributes one by one
    charts = [
        dict(re.findall(r'([a-z-]+)="([^"]*)"', tag)) for tag in re.findall(r"<div[^>]*data-kind=[^>]*>", dom)
    ]
    krs, kpis, quality = _counts(demo)
    kinds = [c["data-kind"] for c in charts]
    assert (kinds.count("kr"), kinds.count("kpi"), kinds.count("quality")) == (krs, kpis, quality)
    assert {c.get("data-rendered") for c in charts} == {"ok"}
    # each chart holds the SVG vega drew
    for chart in charts:
        start = dom.index(f'id="{chart["id"]}"')
        assert "<svg" in dom[start : start + 4000], chart["id"]
    png = browser.screenshot(report.path, tmp_path / "report.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000


def test_lodestar_report_for_a_past_day_prints_the_path_of_its_file(demo):
    env = {
        **os.environ,
        "LODESTAR_PUBLISHED": str(demo.published),
        "LODESTAR_OKRS": str(demo.okrs),
        "LODESTAR_WAREHOUSE": str(demo.warehouse),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "report", "--date", "2024-02-15"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == demo.published / "report" / "scorecard-2024-02-15.html"
    assert "Lodestar scorecard · 2024-02-15" in path.read_text()
