"""The daily job, its schedule, and the late-file sensor (docs/operations.md)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.config import Settings
from pipelines.partitions import day_tags, extract_months, month_key
from pipelines.sources.landing import extract_day

DAILY_JOB = "lodestar_daily"
DAILY_SCHEDULE = "lodestar_daily_0600"


def daily_job(settings: Settings) -> dg.UnresolvedAssetJobDefinition:
    """Ingest → checks → dbt → gate → OKRs → publish, for a day or a range (one run)."""
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        partitions_def=extract_months(settings),
        description="Everything end to end for the selected extract days: ingest, checks, dbt, gate, publish.",
    )


def daily_schedule(settings: Settings, job) -> dg.ScheduleDefinition:
    zone = ZoneInfo(settings.timezone)

    @dg.schedule(
        name=DAILY_SCHEDULE,
        job=job,
        cron_schedule="0 6 * * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Every day at 06:00 in LODESTAR_TIMEZONE: yesterday's extracts end to end "
            "(ingest, checks, dbt, gate, OKRs, publish), as one run."
        ),
    )
    def _daily(context: dg.ScheduleEvaluationContext):
        # Yesterday is complete in the business time zone at 06:00.
        yesterday = context.scheduled_execution_time.astimezone(zone).date() - timedelta(days=1)
        return dg.RunRequest(
            run_key=yesterday.isoformat(),
            partition_key=month_key(yesterday),
            tags=day_tags(yesterday, yesterday),
        )

    return _daily


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
        description=(
            "Requests a run for the past days whose landing files are new or re-delivered "
            "(one run per stretch of consecutive such days within a month)."
        ),
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
            dg.RunRequest(
                run_key=f"{stretch[0]}..{stretch[-1]}:{_digest_of_days(seen, stretch)}",
                partition_key=month_key(stretch[0]),
                tags=day_tags(stretch[0], stretch[-1]),
            )
            for stretch in _stretches(days)
        ]

    return _sensor


def _stretches(days: list[date]) -> list[list[date]]:
    """Sorted days cut into runs of consecutive days within one month (one run each)."""
    stretches: list[list[date]] = []
    for day in days:
        last = stretches[-1][-1] if stretches else None
        if last and day == last + timedelta(days=1) and month_key(day) == month_key(last):
            stretches[-1].append(day)
        else:
            stretches.append([day])
    return stretches


def _digest_of_days(seen: dict, days: list[date]) -> str:
    names = {f"/{day.isoformat()}." for day in days}
    hashes = sorted(v[2] for k, v in seen.items() if any(n in f"/{k}" for n in names))
    return hashlib.sha256("".join(hashes).encode()).hexdigest()[:16]
