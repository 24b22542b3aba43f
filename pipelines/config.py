"""Settings from the environment (docs/configuration.md), with working defaults for the demo."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from pipelines.progress import progress_seconds

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


def _path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    landing: Path
    warehouse: Path
    published: Path
    okrs: Path
    start_date: date
    timezone: str
    # LODESTAR_ENGINE: where the KPI and OKR dbt models run (docs/spark.md); the gate,
    # the BI marts and publishing stay on the DuckDB warehouse either way
    engine: Literal["duckdb", "spark"] = "duckdb"
    lake: Path | None = None  # LODESTAR_LAKE: the Parquet files Spark reads and writes

    @property
    def lake_dir(self) -> Path:
        return self.lake or self.warehouse.parent / "lake"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError
            raise ValueError(f"LODESTAR_TIMEZONE={value!r} is not a known IANA time zone") from exc
        return value

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        try:
            progress_seconds()  # read by the steps; a bad value is said before a run starts
        except ValueError as exc:
            raise ValueError(f"bad configuration: {exc}") from None
        try:
            return cls(
                landing=_path(env("LODESTAR_LANDING", "data/landing")),
                warehouse=_path(env("LODESTAR_WAREHOUSE", "data/warehouse/lodestar.duckdb")),
                published=_path(env("LODESTAR_PUBLISHED", "data/published")),
                okrs=_path(env("LODESTAR_OKRS", "okrs")),
                start_date=env("LODESTAR_START_DATE", "2024-01-01"),
                timezone=env("LODESTAR_TIMEZONE", "UTC"),
                engine=env("LODESTAR_ENGINE", "duckdb"),
                lake=_path(env("LODESTAR_LAKE")) if env("LODESTAR_LAKE") else None,
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"LODESTAR_{str(err['loc'][0]).upper()}={err.get('input')!r}: {err['msg']}"
                for err in exc.errors()
            )
            raise ValueError(f"bad configuration: {problems}") from None

    @property
    def published_marts(self) -> Path:
        return self.published / "marts.duckdb"

    def yesterday(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date() - timedelta(days=1)

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess: the same paths the Python side uses."""
        return {
            "LODESTAR_WAREHOUSE": str(self.warehouse),
            "LODESTAR_TIMEZONE": self.timezone,
            "LODESTAR_START_DATE": self.start_date.isoformat(),
            "LODESTAR_ENGINE": self.engine,
            "LODESTAR_LAKE": str(self.lake_dir),
        }
