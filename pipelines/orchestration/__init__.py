"""The Dagster layer above the packages: partitions, jobs, schedules and sensors (docs/operations.md),
and the assets that join several packages (a source: ingestion and its contract checks; the KR
outlook: forecasts, check-ins and their publication)."""
