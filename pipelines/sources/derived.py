"""Render the dbt sources file for the raw tables from the landing contract.

The contract is the one declaration; dbt's `_raw__sources.yml` is generated
from it (`python -m pipelines.sources.dbt_sources`) and a test keeps the
committed file in sync.
"""

from __future__ import annotations

import yaml

from pipelines.config import DBT_PROJECT_DIR
from pipelines.sources.contract import Contract, load_contract

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"

HEADER = "# Generated from pipelines/sources/contract.yml by `python -m pipelines.sources.dbt_sources`.\n"


def render(contract: Contract) -> str:
    tables = []
    for table in [*contract.sources.values(), *contract.references.values()]:
        meta = {"key": table.key, "system": table.system, "dagster": {"asset_key": ["raw", table.name]}}
        version_column = getattr(table, "version_column", None)
        if version_column:
            meta["version_column"] = version_column
        kind = "reference file" if table.name in contract.references else f"{table.delivery} extracts"
        tables.append(
            {
                "name": table.name,
                "description": f"Accepted rows of the {table.name} landing source ({kind}), every version.",
                "meta": meta,
                "columns": [
                    {"name": c.name, "description": f"{c.name} ({c.type})", "data_type": c.type}
                    for c in table.columns.values()
                ],
            }
        )
    doc = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Landing files loaded by the Dagster ingest assets; quarantined rows are not here.",
                "tables": tables,
            }
        ],
    }
    return HEADER + yaml.safe_dump(doc, sort_keys=False, width=110)


def main() -> None:
    SOURCES_FILE.write_text(render(load_contract()))
    print(f"wrote {SOURCES_FILE}")


if __name__ == "__main__":
    main()
