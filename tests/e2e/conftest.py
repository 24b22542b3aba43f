"""One demo warehouse per test session, built by the real pipeline (Dagster run,
real dbt, real GX), reused read-only by the end-to-end tests. Tests that change
state work on a copy (`pipeline_copy`)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from lodestar_demo import generate
from pipelines.config import REPO_ROOT, Settings
from pipelines.runner import execute_range
from tests.kpis.conftest import query

START, END = date(2024, 1, 1), date(2024, 3, 31)
SCALE = 0.02


def make_settings(root: Path, landing: Path | None = None) -> Settings:
    return Settings(
        landing=landing or root / "landing",
        warehouse=root / "warehouse" / "lodestar.duckdb",
        published=root / "published",
        okrs=root / "okrs",
        start_date=START,
        timezone="UTC",
    )


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `lodestar` subprocess working on `settings`."""
    return {
        **os.environ,
        "LODESTAR_LANDING": str(settings.landing),
        "LODESTAR_WAREHOUSE": str(settings.warehouse),
        "LODESTAR_PUBLISHED": str(settings.published),
        "LODESTAR_OKRS": str(settings.okrs),
        "LODESTAR_START_DATE": settings.start_date.isoformat(),
        "LODESTAR_TIMEZONE": settings.timezone,
        **extra,
    }


def run(settings: Settings, start: date, end: date):
    result = execute_range(settings, start, end)
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, f"run {start}..{end} failed in steps {failed}"
    return result


def published(settings: Settings, sql: str, params=None):
    return query(settings.published_marts, sql, params)


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    generate(landing, START, END, scale=SCALE, seed=7)
    return landing


@pytest.fixture(scope="session")
def demo(tmp_path_factory, demo_landing) -> Settings:
    """The demo range loaded as one run, then published."""
    root = tmp_path_factory.mktemp("demo")
    settings = make_settings(root, demo_landing)
    settings.okrs.mkdir()
    shutil.copy(REPO_ROOT / "okrs" / "kpis.yml", settings.okrs)
    shutil.copy(Path(__file__).parent / "okrs" / "2024-Q1.yml", settings.okrs)
    run(settings, START, END)
    return settings


def copy_pipeline(demo: Settings, root: Path, copy_landing: bool = True) -> Settings:
    """A private copy of the demo's warehouse, published marts, OKRs and (optionally) landing zone."""
    settings = make_settings(root, None if copy_landing else demo.landing)
    pairs = [
        (demo.warehouse.parent, settings.warehouse.parent),
        (demo.published, settings.published),
        (demo.okrs, settings.okrs),
    ]
    for source, target in pairs + ([(demo.landing, settings.landing)] if copy_landing else []):
        shutil.copytree(source, target)
    return settings


@pytest.fixture
def pipeline_copy(demo, tmp_path) -> Settings:
    return copy_pipeline(demo, tmp_path)
