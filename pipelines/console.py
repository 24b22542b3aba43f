"""What `lodestar run` prints while a run goes: one line per thing worth reading.

Every step logs what it did in one line (rows read per source, dbt's tally, the
KPI checks' verdicts, what was published); warnings and errors are told once,
when they are new. Dagster's own bookkeeping events and dagster-dbt's chatter
stay in Dagster's event log (the UI), not on the terminal. At the end, the time
each phase took.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict

import dagster as dg

# dagster-dbt's per-invocation notes: true, but not news.
_NOISE = (
    "A dbt subsetted execution",
    "Copying `",
    "Running dbt command",
    "Finished dbt command",
    "Logging an `AssetObservation`",
)

# Step key prefixes -> the phase they belong to, in run order.
PHASES = (
    ("ingest_", "ingest and source checks"),
    ("kpi_models", "dbt: KPI models"),
    ("kpi_gate", "KPI checks and gate"),
    ("okr_", "OKRs"),
    ("kr_", "OKRs"),
    ("published", "publish"),
)


class _Lines(logging.Handler):
    def __init__(self, level: int):
        super().__init__(level)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        message = str(meta.get("orig_message") or record.getMessage())
        if event is not None:  # bookkeeping, except a failed step
            if event.event_type_value != "STEP_FAILURE":
                return
        elif record.levelno < self.level or message.startswith(_NOISE):
            return
        step = meta.get("step_key") or "run"
        first = message.strip().splitlines()[0] if message.strip() else ""
        print(f"{time.strftime('%H:%M:%S')} {step:<28} {first}", file=sys.stderr, flush=True)


@dg.logger(
    config_schema={"log_level": dg.Field(str, default_value="INFO")},
    description="Compact console lines for the lodestar command: what each step did, new warnings, failures.",
)
def lodestar_console(init_context: dg.InitLoggerContext) -> logging.Logger:
    level = logging.getLevelName(init_context.logger_config["log_level"].upper())
    logger = logging.Logger("lodestar.console", logging.DEBUG)  # a private logger: no handler twice
    logger.addHandler(_Lines(level if isinstance(level, int) else logging.INFO))
    return logger


def phase_times(result) -> list[tuple[str, float]]:
    """Seconds per phase of a finished run, from its steps' durations, in run order."""
    seconds: dict[str, float] = defaultdict(float)
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS" and event.step_key:
            phase = next(
                (name for prefix, name in PHASES if event.step_key.startswith(prefix)), event.step_key
            )
            seconds[phase] += event.event_specific_data.duration_ms / 1000
    return list(seconds.items())
