"""The Dagster resource through which assets reach the working warehouse.

Assets ask for `warehouse: Warehouse` (resource key `warehouse`, wired in
pipelines/definitions.py) instead of being built around a `Settings`: the run
configuration is visible in the Dagster UI and a test can hand an asset
another warehouse with `dg.materialize(..., resources=...)`.

The values come from the environment (docs/configuration.md) through
`Settings`, which validates them and resolves relative paths against the
repository. Only the run writes the working database (one writer per file,
the run lock of `lodestar run`); readers use the published copy
(`published_marts`), opened read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.config import Settings
from pipelines.warehouse import working_db


class Warehouse(dg.ConfigurableResource):
    """The working DuckDB warehouse of a run and the folders around it."""

    database: str  # LODESTAR_WAREHOUSE: the working DuckDB file, written by the run only
    timezone: str  # LODESTAR_TIMEZONE: the business time zone of every connection
    landing: str  # LODESTAR_LANDING: the extracts the run reads
    published: str  # LODESTAR_PUBLISHED: the published copy readers use
    okrs: str  # LODESTAR_OKRS: the KPI catalog and the OKR sets
    start_date: str  # LODESTAR_START_DATE (ISO day): the first extract day
    engine: str = "duckdb"  # LODESTAR_ENGINE: duckdb or spark, where the dbt models run
    lake: str = ""  # LODESTAR_LAKE: Spark's Parquet files (default: beside the warehouse)

    @classmethod
    def from_settings(cls, settings: Settings) -> Warehouse:
        return cls(
            database=str(settings.warehouse),
            timezone=settings.timezone,
            landing=str(settings.landing),
            published=str(settings.published),
            okrs=str(settings.okrs),
            start_date=settings.start_date.isoformat(),
            engine=settings.engine,
            lake=str(settings.lake or ""),
        )

    @classmethod
    def from_env(cls) -> Warehouse:
        return cls.from_settings(Settings.from_env())

    @property
    def settings(self) -> Settings:
        """The same values as `Settings`, for the library functions that take one."""
        return Settings(
            landing=Path(self.landing),
            warehouse=Path(self.database),
            published=Path(self.published),
            okrs=Path(self.okrs),
            start_date=date.fromisoformat(self.start_date),
            timezone=self.timezone,
            engine=self.engine,
            lake=Path(self.lake) if self.lake else None,
        )

    @contextmanager
    def connect(self, log=None) -> Iterator[duckdb.DuckDBPyConnection]:
        """The working database, read-write, closed on leaving (waits while another process holds it)."""
        with working_db(self.settings, log=log) as con:
            yield con

    @property
    def published_marts(self) -> Path:
        return self.settings.published_marts
