"""`make docs` (`python -m pipelines.bi.docs`): generated documentation under <published>/docs/.

- `dbt/index.html`: dbt's static docs site (one file with the manifest and the
  catalog inlined: every model, column, test and the lineage graph; the KPI
  models name the KPIs they compute), plus manifest.json and catalog.json.
- `gx/index.html`: Great Expectations data docs from a file-based context made
  for the occasion: every suite of expectations/ and its validation on the
  latest loaded data (each source's latest extract day, the references in
  force, the latest day's KPI values). Expectations on Lodestar's derived
  views (`meta.view`, docs/quality-gate.md) need Lodestar's runner and are
  listed in the suite file only. GX's pages load Bootstrap, jQuery and Vega
  from CDNs; the copy here is made offline: Vega comes from the bundle the
  report inlines too, the other remote tags are dropped and a small local
  stylesheet keeps the (server-rendered) pages readable.

Both read the working warehouse while holding the run lock, so a running
pipeline finishes first and nothing writes meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings
from pipelines.transform.project import DBT_EXECUTABLE
from pipelines.warehouse import run_lock


def dbt_docs(settings: Settings, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="lodestar-dbt-docs-") as target:
        subprocess.run(
            [
                str(DBT_EXECUTABLE),
                "docs",
                "generate",
                "--static",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                target,
            ],
            check=True,
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, **settings.dbt_env()},
        )
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(target) / "static_index.html", out / "index.html")
        for name in ("manifest.json", "catalog.json"):
            shutil.copy(Path(target) / name, out / name)
    return out / "index.html"


def _validation_frames(con, suite_name: str, meta: dict):
    """The rows a suite is shown against in the data docs, as a pandas frame (or None)."""
    relation = "gate.kpi_values" if suite_name == "kpi_values" else f"raw.{suite_name}"
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name || '.' || table_name = ?", [relation]
    ).fetchone()[0]
    if not exists:
        return None
    partition = (meta.get("lodestar") or {}).get("partition_column")
    if isinstance(partition, list):  # kpi_values: (kpi_id, as_of_date) -> the latest day
        partition = "as_of_date"
    if partition:
        return con.execute(
            f'select * from {relation} where "{partition}" = (select max("{partition}") from {relation})'
        ).df()
    return con.execute(f"select * from {relation}").df()


_REMOTE_TAG = re.compile(r"""<(script|link)\b[^>]*(?:src|href)="https?://[^"]+"[^>]*>(?:\s*</script>)?""")
_OFFLINE_CSS = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 16px 24px; color: #1f2328; }
table { border-collapse: collapse; margin: 8px 0 16px; } td, th { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; }
.collapse:not(.show) { display: block; } nav, .ge-footer, .modal { display: none; } img { max-height: 48px; }
.alert-success, .text-success { color: #1a7f37; } .alert-danger, .text-danger { color: #cf222e; }
"""


def _offline(site: Path) -> None:
    """Make GX's data docs open without network (see the module docstring)."""
    from pipelines.bi.report import vega_bundle

    vendor = site / "static" / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    (vendor / "vega-bundle.js").write_text(vega_bundle())
    (site / "static" / "styles" / "lodestar-offline.css").write_text(_OFFLINE_CSS)
    for page in site.rglob("*.html"):
        up = "../" * (len(page.relative_to(site).parts) - 1)
        local = (
            f'<link rel="stylesheet" href="{up}static/styles/lodestar-offline.css">'
            f'<script src="{up}static/vendor/vega-bundle.js"></script>'
        )
        html = _REMOTE_TAG.sub("", page.read_text())
        page.write_text(html.replace("</head>", local + "</head>", 1))


def gx_docs(settings: Settings, out: Path) -> Path:
    import duckdb
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    with tempfile.TemporaryDirectory(prefix="lodestar-gx-docs-") as root:
        context = gx.get_context(mode="file", project_root_dir=root)
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        batches = context.data_sources.add_pandas("lodestar").add_dataframe_asset("latest")
        batch_definition = batches.add_batch_definition_whole_dataframe("whole_frame")
        con = duckdb.connect(str(settings.warehouse), read_only=True)
        try:
            for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
                spec = json.loads(path.read_text())
                rows_only = [e for e in spec["expectations"] if not (e.get("meta") or {}).get("view")]
                suite = context.suites.add(
                    gx.ExpectationSuite(
                        name=path.stem,
                        expectations=[
                            ExpectationConfiguration(
                                type=e["type"], kwargs=e.get("kwargs", {}), meta=e.get("meta") or {}
                            ).to_domain_obj()
                            for e in rows_only
                        ],
                        meta={
                            "notes": f"expectations/{path.name}: {len(rows_only)} of {len(spec['expectations'])} "
                            "expectations apply to the rows (the others to Lodestar's derived views)"
                        },
                    )
                )
                frame = _validation_frames(con, path.stem, spec.get("meta") or {})
                if frame is None or frame.empty:
                    continue
                validation = context.validation_definitions.add(
                    gx.ValidationDefinition(name=f"{path.stem}_latest", data=batch_definition, suite=suite)
                )
                validation.run(batch_parameters={"dataframe": frame})
        finally:
            con.close()
        context.build_data_docs()
        site = Path(root) / "gx" / "uncommitted" / "data_docs" / "local_site"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(site, out)
    _offline(out)
    return out / "index.html"


def build_docs(settings: Settings) -> list[Path]:
    docs = settings.published / "docs"
    with run_lock(settings):
        return [dbt_docs(settings, docs / "dbt"), gx_docs(settings, docs / "gx")]


def main() -> int:
    warnings.simplefilter("ignore")
    settings = Settings.from_env()
    if not settings.warehouse.exists():
        print(
            f"lodestar: no warehouse at {settings.warehouse}: run the pipeline (make run) first",
            file=sys.stderr,
        )
        return 1
    for page in build_docs(settings):
        print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
