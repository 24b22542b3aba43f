"""The dbt project, its manifest and the environment dbt runs with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from pipelines.config import DBT_PROJECT_DIR, Settings
from pipelines.okrs.catalog_dbt import ensure_dbt_catalog

# dbt's command line from this venv, without its garbage collection at exit (dbt_cli.py)
DBT_EXECUTABLE = Path(sys.executable).with_name("lodestar-dbt")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

_SOURCES = ("models", "macros", "tests", "dbt_project.yml")
# dbt's parse state: dagster-dbt copies the project's into each invocation's target folder.
PARTIAL_PARSE = dbt_project.project_dir / dbt_project.target_path / "partial_parse.msgpack"


class LodestarDbtCli(DbtCliResource):
    """dagster-dbt's CLI resource without two fixed costs of every invocation.

    Before each `dbt` subprocess, dagster-dbt runs `dbt --version` in another
    subprocess and builds a dbt adapter in the Dagster process (importing dbt
    and parsing its macros) for column metadata this project never fetches:
    together about 5 s per invocation on a 2-core machine. The version comes
    from the installed dbt-core package instead, and no adapter is built.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]):
        return None


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _SOURCES:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def ensure_manifest(settings: Settings | None = None) -> Path:
    """Parse the dbt project when its manifest is missing or older than its sources.

    Not `DbtProject.prepare_if_dev()`: it prepares only under `dagster dev`,
    while `lodestar run` and the tests load the definitions without it and the
    KPI catalog may have changed since the last parse; and dagster-dbt's
    preparer runs `dbt` from PATH (not this venv's, which `make run` does not
    activate) with the version probe that LodestarDbtCli avoids.

    The KPI catalog reaches dbt as a generated macro: it is brought up to date
    with the catalog in LODESTAR_OKRS first.
    """
    settings = settings or Settings.from_env()
    ensure_dbt_catalog(settings.okrs)
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        subprocess.run(
            [
                str(DBT_EXECUTABLE),
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            check=True,
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, **settings.dbt_env()},
        )
    return manifest


def keep_parse_state(invocation_target: Path) -> None:
    """Make an invocation's parse state the one the next invocation starts from.

    dbt parses only the files that changed since the state in PARTIAL_PARSE,
    but throws it away and parses the whole project (about 3.5 s per
    invocation on a 2-core machine) when the profile differs, and the
    profile holds the warehouse path. Only `dbt parse` (ensure_manifest)
    wrote that file, so every run on another warehouse than the last parse
    (a copied history, `make bench`, the tests) parsed the project in full in
    each of its three dbt invocations. Each invocation writes its parse state
    into its own target folder (or keeps the copied one when nothing
    changed): made the project's, the next invocation of the run, and the
    next run on the same warehouse, parse only what changed. Copied, then
    renamed: a concurrent run reads either the old file or the new one.
    """
    made = invocation_target / PARTIAL_PARSE.name
    if not made.exists():  # dbt stopped before parsing
        return
    PARTIAL_PARSE.parent.mkdir(parents=True, exist_ok=True)
    fresh = PARTIAL_PARSE.with_name(f"{PARTIAL_PARSE.name}.{os.getpid()}.tmp")
    shutil.copyfile(made, fresh)
    os.replace(fresh, PARTIAL_PARSE)


@contextmanager
def dbt_environment(settings: Settings, **extra: str) -> Iterator[None]:
    """dbt reads paths and the run's range from env vars (keeps partial parsing)."""
    values = {**settings.dbt_env(), **extra}
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
