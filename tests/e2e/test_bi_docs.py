"""`make docs`: dbt docs and Great Expectations data docs under <published>/docs/, offline."""

from __future__ import annotations

import json
import re

import pytest

from pipelines.bi.docs import build_docs
from pipelines.config import EXPECTATIONS_DIR
from pipelines.okrs.catalog import load_catalog

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

REMOTE = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)=["']https?://""")


def test_docs_describe_every_model_and_kpi_and_every_suite_with_its_latest_validation(pipeline_copy):
    settings = pipeline_copy
    dbt_index, gx_index = build_docs(settings)
    docs = settings.published / "docs"
    assert (dbt_index, gx_index) == (docs / "dbt" / "index.html", docs / "gx" / "index.html")

    manifest = json.loads((docs / "dbt" / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models and not [m["name"] for m in models if not m["description"].strip()]
    overview = manifest["docs"]["doc.lodestar.__overview__"]["block_contents"]
    assert all(f"`{kpi.id}`" in overview for kpi in load_catalog(settings.okrs).kpis)
    assert "__overview__" in dbt_index.read_text()  # the static page inlines the manifest

    for suite in EXPECTATIONS_DIR.glob("*.json"):
        assert (docs / "gx" / "expectations" / f"{suite.stem}.html").exists(), suite.stem
    validated = {p.parts[-4] for p in (docs / "gx" / "validations").rglob("*.html")}
    assert {"orders", "gl_journal_lines", "kpi_values", "budget"} <= validated
    pages = list(docs.rglob("*.html"))
    assert pages and not [p for p in pages if REMOTE.search(p.read_text())]
