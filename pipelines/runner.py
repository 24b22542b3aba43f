"""Run the daily job for a range of days in one Dagster run (`lodestar run`).

The CLI goes through the same job the schedule and the UI use; it only adds
a run lock (two runs never write the working warehouse at once) and a
summary with the exit status of the command line (docs/operations.md).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date

import dagster as dg

from pipelines.config import Settings
from pipelines.console import phase_summary, phase_table
from pipelines.definitions import build_definitions
from pipelines.exit_status import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK
from pipelines.orchestration.jobs import DAILY_JOB
from pipelines.partitions import run_tags
from pipelines.publish.status import run_summary
from pipelines.warehouse import RunLockTimeout, run_lock

# Steps downstream of the OKR files: a broken OKR or check-in file stops them
# only; the KPIs are still published (docs/okrs.md), and the run exits 2.
OKR_STEPS = (
    "okr_definitions",
    "okr_models",
    "published__okr_marts",
    "published__report",
    "kr_forecasts",
    "okr_checkins",
    "published_checkin_marts",
)


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME the run shows up in `dagster dev`; otherwise it is ephemeral.
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def _one_line(message: str, most: int = 5) -> str:
    """A failure's message on one line: a heading that ends in ':' keeps the items it announces."""
    lines = [line.strip().removeprefix("- ") for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "failed"
    if not lines[0].endswith(":") or len(lines) == 1:
        return lines[0]
    items = lines[1 : most + 1]
    more = f" (+{len(lines) - 1 - most} more)" if len(lines) - 1 > most else ""
    return f"{lines[0]} {'; '.join(items)}{more}"


def step_failures(result) -> list[str]:
    """'<step>: <what happened>' for each failed step of a Dagster result, one line each."""
    failures = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            # Dagster wraps an unexpected exception in a step error: its cause is what happened
            while (
                error is not None and error.cls_name == "DagsterExecutionStepExecutionError" and error.cause
            ):
                error = error.cause
            message = error.message if error else "failed"
            if error is not None and error.cls_name == "Failure":  # our own failures: their description
                message = message.split(": ", 1)[-1]
            failures.append(f"{event.step_key}: {_one_line(message)}")
    return failures


def execute_range(settings: Settings, start: date, end: date):
    """Materialize the daily job for [start, end] as one run; return the Dagster result."""
    job = build_definitions(settings).resolve_job_def(DAILY_JOB)
    with run_lock(settings):
        return job.execute_in_process(
            instance=_instance(),
            tags=run_tags(start, end),
            # one line per step's news (pipelines/console.py); the events stay in Dagster's log
            run_config={
                "loggers": {
                    "console": {"config": {"log_level": os.environ.get("LODESTAR_LOG_LEVEL", "INFO")}}
                }
            },
            raise_on_error=False,
        )


def _record_summary(result, summary: str) -> None:
    """The phase table in the run's own event log too, when the run has one (DAGSTER_HOME: the UI)."""
    if not os.environ.get("DAGSTER_HOME"):
        return
    try:
        with dg.DagsterInstance.get() as instance:
            instance.report_engine_event(f"time per phase\n{summary}", result.dagster_run)
    except Exception:  # the summary is news, not part of the run: never fail the command for it
        pass


def run_range(settings: Settings, start: date, end: date) -> int:
    print(f"lodestar: running {start}..{end} in one run (warehouse {settings.warehouse})", file=sys.stderr)
    started = time.monotonic()
    try:
        result = execute_range(settings, start, end)
    except RunLockTimeout as exc:
        print(f"lodestar: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the run could not even start
        print(f"lodestar: run failed: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    summary = phase_table(phase_summary(result), wall=time.monotonic() - started)
    print(f"lodestar: time per phase\n{summary}", file=sys.stderr)
    _record_summary(result, summary)
    failures = step_failures(result)
    # A broken OKR file stops only the OKR steps; KPIs are still published (docs/okrs.md).
    core_failures = [f for f in failures if not f.startswith(OKR_STEPS)]
    if core_failures or not settings.published_marts.exists():
        reason = core_failures[0] if core_failures else "nothing was published"
        print(f"lodestar: run failed: {reason}", file=sys.stderr)
        return EXIT_FAILED
    problems = [f"step {f}" for f in failures] + run_summary(settings.published_marts, start, end)
    if problems:
        print("lodestar: run completed with problems:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INCOMPLETE
    print(f"lodestar: {start}..{end} published to {settings.published_marts}", file=sys.stderr)
    return EXIT_OK
