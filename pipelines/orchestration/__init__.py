"""Partitions, jobs, schedules and sensors (docs/operations.md)."""
