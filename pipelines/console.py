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
from dataclasses import dataclass

import dagster as dg

# dagster-dbt's per-invocation notes: true, but not news.
_NOISE = (
    "A dbt subsetted execution",
    "Copying `",
    "Running dbt command",
    "Finished dbt command",
    "Logging an `AssetObservation`",
)

# Step key prefixes -> the phase they belong to, in run order (the first prefix that matches).
# An ingest step is split in three phases by its own timings (source_assets._ingest_metadata).
PHASES = (
    ("ingest_", "ingest"),
    ("kpi_models", "dbt: KPI models"),
    ("kpi_gate", "KPI checks and gate"),
    ("bi_kpi_models", "dbt: BI KPI marts"),
    ("okr_models", "dbt: OKR models and marts"),
    ("okr_", "OKRs"),
    ("kr_", "OKRs"),
    ("published", "publish"),
)
SOURCE_CHECKS = "source checks"
# the rest of an ingest step: check outcomes and ignored files recorded, the landing folder
# scanned, Dagster's events (a materialization per extract month)
SOURCE_RECORDING = "recording source results"

# What a phase's rows are, read from its steps' materialization and check metadata.
_ROWS = {
    "ingest": ("rows_read", "rows read"),
    SOURCE_CHECKS: ("rows_checked", "rows checked"),
    "KPI checks and gate": ("kpi_days_checked", "KPI-days checked"),
    "OKRs": ("kr_days", "KR-days forecast"),
    "publish": ("rows_written", "rows published"),
}


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


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    rows: int | None = None
    what: str = ""  # what the rows are: rows read, KPI-days checked, ...
    steps: int = 0


def _number(value) -> int | float | None:
    value = getattr(value, "value", value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return None


def _step_metadata(result) -> dict[str, dict]:
    """Per step key, the metadata of its assets and checks, numbers summed over them.

    A run over several extract months records one materialization per
    partition, each with the step's whole metadata: an asset counts once.
    """
    found: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    seen = set()
    for event in result.all_events:
        if not event.step_key:
            continue
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            what, metadata = (materialization.asset_key,), materialization.metadata
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            what, metadata = (evaluation.asset_key, evaluation.check_name), evaluation.metadata
        else:
            continue
        if (event.step_key, *what) in seen:
            continue
        seen.add((event.step_key, *what))
        for key, value in metadata.items():
            number = _number(value)
            if number is not None:
                found[event.step_key][key] += number
    return found


def _phase_of(step_key: str) -> str:
    return next((name for prefix, name in PHASES if step_key.startswith(prefix)), step_key)


def phase_summary(result) -> list[Phase]:
    """Time and rows per phase of a finished run, from its Dagster events, in run order.

    A phase's time is the sum of its steps' durations (steps run one after
    another in one process); its rows come from the steps' metadata (_ROWS).
    """
    metadata = _step_metadata(result)
    phases: dict[str, Phase] = {}

    def add(name: str, seconds: float, step: str | None) -> None:
        phase = phases.setdefault(name, Phase(name))
        phase.seconds += seconds
        phase.steps += step is not None
        key, what = _ROWS.get(name, (None, ""))
        if step and key and key in metadata.get(step, {}):
            phase.rows = (phase.rows or 0) + int(metadata[step][key])
            phase.what = what

    for event in result.all_events:
        if event.event_type_value not in ("STEP_SUCCESS", "STEP_FAILURE") or not event.step_key:
            continue
        data = event.event_specific_data
        seconds = (getattr(data, "duration_ms", None) or 0) / 1000
        name = _phase_of(event.step_key)
        if name == "ingest":
            timings = metadata.get(event.step_key, {})
            read = min(timings.get("ingest_seconds", seconds), seconds)
            checked = min(timings.get("check_seconds", 0.0), seconds - read)
            add("ingest", read, event.step_key)
            add(SOURCE_CHECKS, checked, event.step_key)
            add(SOURCE_RECORDING, seconds - read - checked, None)
        else:
            add(name, seconds, event.step_key)
    return list(phases.values())


def phase_times(result) -> list[tuple[str, float]]:
    """Seconds per phase of a finished run, from its steps' durations, in run order."""
    return [(phase.name, phase.seconds) for phase in phase_summary(result)]


def phase_table(phases: list[Phase], wall: float | None = None) -> str:
    """The closing summary of `lodestar run`: a small table, one line per phase."""
    lines = [f"  {'phase':<26} {'time s':>8} {'rows':>12} {'rows/s':>10}  "]
    for phase in phases:
        rows = f"{phase.rows:,}" if phase.rows is not None else ""
        per_second = f"{phase.rows / max(phase.seconds, 1e-3):,.0f}" if phase.rows else ""
        lines.append(f"  {phase.name:<26} {phase.seconds:>8.1f} {rows:>12} {per_second:>10}  {phase.what}")
    steps = sum(p.seconds for p in phases)
    lines.append(f"  {'all steps':<26} {steps:>8.1f}")
    if wall is not None:
        lines.append(
            f"  {'run (wall)':<26} {wall:>8.1f}  with loading the definitions and Dagster's own work"
        )
    return "\n".join(line.rstrip() for line in lines)
