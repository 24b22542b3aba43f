"""The Dagster code location (workspace.yaml): the whole asset graph, checks,
job, schedule and sensor, built from the environment's settings."""

from __future__ import annotations

import dagster as dg

from pipelines.bi.assets import bi_assets
from pipelines.config import Settings
from pipelines.console import lodestar_console
from pipelines.okrs.assets import okr_assets
from pipelines.orchestration.jobs import daily_job, daily_schedule, landing_sensor
from pipelines.orchestration.outlook_assets import outlook_assets
from pipelines.orchestration.source_assets import source_assets
from pipelines.publish.assets import publish_assets
from pipelines.quality.assets import gate_assets
from pipelines.resources import Warehouse
from pipelines.transform.assets import dbt_model_assets
from pipelines.transform.project import DBT_EXECUTABLE, LodestarDbtCli, dbt_project


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    job = daily_job(settings)
    return dg.Definitions(
        assets=[
            *source_assets(settings),
            *dbt_model_assets(settings),
            *gate_assets(),
            *okr_assets(),
            *outlook_assets(),
            *publish_assets(),
            *bi_assets(settings),
        ],
        jobs=[job],
        schedules=[daily_schedule(settings, job)],
        sensors=[landing_sensor(settings, job)],
        # The dbt next to this interpreter: works without activating the venv.
        resources={
            "dbt": LodestarDbtCli(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
            # The working warehouse and the folders a run reads: what the assets get instead of Settings.
            "warehouse": Warehouse.from_settings(settings),
        },
        # One process writes the working DuckDB file: steps run one after another.
        executor=dg.in_process_executor,
        # A step's news in one line each; Dagster's event log keeps every event.
        loggers={"console": lodestar_console},
    )


defs = build_definitions()
