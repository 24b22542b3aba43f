"""Partitions, jobs, schedules and sensors (SPEC §7)."""
