"""Which extract days a run covers, and the partitions Dagster tracks them by.

The source assets are partitioned by **extract month**: Dagster records one
event per asset and partition, and a multi-year backfill by day would write
tens of thousands of them (about 12,000 planned events and as many
materializations for three years of 13 sources: minutes of bookkeeping before
and during the first step). By month it is 36 per source, while the partition
status in the UI, re-runs, the schedule and the sensor still work.

A run covers a range of extract days, carried by two run tags
(`lodestar/first_day`, `lodestar/last_day`): the schedule runs yesterday, the
sensor the days whose files changed, `lodestar run` any range. A run started
from the UI for whole months (no day tags) covers those months' days, from
LODESTAR_START_DATE to yesterday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg

from pipelines.config import Settings

FIRST_DAY_TAG = "lodestar/first_day"
LAST_DAY_TAG = "lodestar/last_day"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"
MONTH_FORMAT = "%Y-%m"

# One run for any range: dbt is invoked once per range, not per partition.
SINGLE_RUN = dg.BackfillPolicy.single_run()


def extract_months(settings: Settings) -> dg.MonthlyPartitionsDefinition:
    """Monthly partitions from the month of LODESTAR_START_DATE to the current month (to date)."""
    return dg.MonthlyPartitionsDefinition(
        start_date=month_key(settings.start_date),
        timezone=settings.timezone,
        fmt=MONTH_FORMAT,
        end_offset=1,  # the month in progress: its days are loaded as they end
    )


def month_key(day: date) -> str:
    return day.strftime(MONTH_FORMAT)


def parse_day(value: str) -> date:
    return datetime.strptime(value, "%Y-%m-%d").date()


def run_tags(first: date, last: date) -> dict[str, str]:
    """Tags of a run over extract days first..last: the months' partition range and the days."""
    return {
        RANGE_START_TAG: month_key(first),
        RANGE_END_TAG: month_key(last),
        FIRST_DAY_TAG: first.isoformat(),
        LAST_DAY_TAG: last.isoformat(),
    }


def day_tags(first: date, last: date) -> dict[str, str]:
    return {FIRST_DAY_TAG: first.isoformat(), LAST_DAY_TAG: last.isoformat()}


def _month_bounds(key: str) -> tuple[date, date]:
    first = datetime.strptime(key, MONTH_FORMAT).date()
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def run_days(tags: dict[str, str], settings: Settings) -> tuple[date, date] | None:
    """The extract days a run covers (see the module doc); None for a run without partitions."""
    if FIRST_DAY_TAG in tags and LAST_DAY_TAG in tags:
        return parse_day(tags[FIRST_DAY_TAG]), parse_day(tags[LAST_DAY_TAG])
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        first, last = _month_bounds(tags[RANGE_START_TAG])[0], _month_bounds(tags[RANGE_END_TAG])[1]
    elif PARTITION_TAG in tags:
        first, last = _month_bounds(tags[PARTITION_TAG])
    else:
        return None
    return max(first, settings.start_date), min(last, settings.yesterday())


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
