"""The daily job, its schedule, and the late-file sensor (SPEC §7)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import dagster as dg

from pipelines.config import Settings
from pipelines.orchestration.partitions import daily_partitions
from pipelines.sources.landing import extract_day

DAILY_JOB = "lodestar_daily"


def daily_job(settings: Settings) -> dg.UnresolvedAssetJobDefinition:
    """Ingest → checks → dbt → gate → OKRs → publish, for a day or a range (one run)."""
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        partitions_def=daily_partitions(settings),
        description="Everything end to end for the selected days: ingest, checks, dbt, gate, publish.",
    )


def daily_schedule(settings: Settings, job) -> dg.ScheduleDefinition:
    # The partition for a tick is the previous complete day in the zone.
    return dg.build_schedule_from_partitioned_job(
        job,
        hour_of_day=6,
        minute_of_hour=0,
        name="lodestar_daily_0600",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def _landing_files(settings: Settings):
    """(source, day, path) of every extract in the landing zone, in the partition range."""
    if not settings.landing.exists():
        return
    for folder in sorted(p for p in settings.landing.iterdir() if p.is_dir() and p.name != "reference"):
        for path in sorted(folder.iterdir()):
            day = extract_day(path.name)
            if day and settings.start_date <= day <= settings.yesterday():
                yield folder.name, day, path


def scan_changes(settings: Settings, cursor: dict) -> tuple[list[date], dict]:
    """Days whose extracts are new or changed since `cursor` (content hash, not mtime).

    The cursor keeps, per file, its (mtime, size, sha256); a file is re-hashed
    only when its mtime or size moved, and requested only when its hash changed.
    """
    seen, changed = {}, set()
    for _source, day, path in _landing_files(settings):
        stat = path.stat()
        key = str(path.relative_to(settings.landing))
        previous = cursor.get(key)
        if previous and previous[0] == stat.st_mtime_ns and previous[1] == stat.st_size:
            seen[key] = previous
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        seen[key] = [stat.st_mtime_ns, stat.st_size, digest]
        if previous is None or previous[2] != digest:
            changed.add(day)
    return sorted(changed), seen


def landing_sensor(settings: Settings, job) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requests a run for each past day whose landing files are new or re-delivered.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        cursor = json.loads(context.cursor) if context.cursor else None
        days, seen = scan_changes(settings, cursor or {})
        context.update_cursor(json.dumps(seen, sort_keys=True))
        if cursor is None:
            # First tick: remember what is there; history is loaded by backfills.
            return dg.SkipReason(f"initialised with {len(seen)} landing files")
        if not days:
            return dg.SkipReason("no new or changed landing files")
        return [
            dg.RunRequest(run_key=f"{day}:{_digest_of_day(seen, day)}", partition_key=day.isoformat())
            for day in days
        ]

    return _sensor


def _digest_of_day(seen: dict, day: date) -> str:
    hashes = sorted(v[2] for k, v in seen.items() if f"/{day.isoformat()}." in f"/{k}")
    return hashlib.sha256("".join(hashes).encode()).hexdigest()[:16]
