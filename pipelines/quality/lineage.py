"""Which landing sources each KPI depends on, derived from the dbt lineage.

Every dbt model that computes KPIs says so in `meta.kpis`; walking its
upstream graph to the `raw` sources gives the sources whose checks must pass
before the KPI can be published. No hand-kept list.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path


def kpi_sources(manifest_path: Path) -> dict[str, set[str]]:
    manifest = json.loads(manifest_path.read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}

    @cache
    def upstream_sources(unique_id: str) -> frozenset[str]:
        node = nodes[unique_id]
        if node["resource_type"] == "source":
            return frozenset({node["name"]}) if node["source_name"] == "raw" else frozenset()
        found: set[str] = set()
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in nodes:
                found |= upstream_sources(parent)
        return frozenset(found)

    result: dict[str, set[str]] = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        for kpi_id in node.get("config", {}).get("meta", {}).get("kpis", []):
            result.setdefault(kpi_id, set()).update(upstream_sources(unique_id))
    return result
