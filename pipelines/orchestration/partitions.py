"""The one daily partitions definition every partitioned asset shares."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg

from pipelines.config import Settings


def daily_partitions(settings: Settings) -> dg.DailyPartitionsDefinition:
    # The last partition is yesterday: a business day is complete once it ends.
    return dg.DailyPartitionsDefinition(
        start_date=settings.start_date.isoformat(),
        timezone=settings.timezone,
        fmt="%Y-%m-%d",
    )


# One run for any range (SPEC §7): dbt is invoked once per range, not per day.
SINGLE_RUN = dg.BackfillPolicy.single_run()


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """The days of the run's partition range, in order."""
    window = context.partition_time_window
    first = window.start.date()
    last = (window.end - timedelta(days=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"


def run_day_range(context) -> tuple[date, date] | None:
    """The days a run covers, for the unpartitioned assets downstream of the sources
    (dbt, gate, publish): from the run's partition or partition-range tags; None
    for a run without partitions (then everything is recomputed)."""
    tags = context.run.tags
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return parse_day(tags[RANGE_START_TAG]), parse_day(tags[RANGE_END_TAG])
    if PARTITION_TAG in tags:
        day = parse_day(tags[PARTITION_TAG])
        return day, day
    return None


def parse_day(value: str) -> date:
    return datetime.strptime(value, "%Y-%m-%d").date()
