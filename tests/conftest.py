"""Test-wide setup: runs use an ephemeral Dagster instance, never a user's
$DAGSTER_HOME; the dbt manifest is parsed once before xdist workers start."""

from __future__ import annotations

import os

os.environ.pop("DAGSTER_HOME", None)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        from pipelines.transform.project import ensure_manifest

        ensure_manifest()
