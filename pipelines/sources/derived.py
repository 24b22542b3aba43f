"""Files derived from the landing contract (`pipelines/sources/contract.yml`).

The contract is the one declaration. `python -m pipelines.sources.derived`
writes what is generated from it, and a test keeps the committed files in sync:

- `dbt_project/models/staging/_raw__sources.yml`: the raw tables as dbt sources;
- `dbt_project/macros/generated_contract.sql`: the contract's per-table facts
  (key, version column, FX rule, plausibility bounds, types) as a macro, so
  that dbt macros can use them at parse time, when dbt's graph is not there;
- `docs/sources.md`: the per-source reference for users;
- `expectations/<table>.json`: the Great Expectations suite of every source
  and reference table (see `pipelines/sources/gx_suites.py`).
"""

from __future__ import annotations

import yaml

from pipelines.config import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.jinja import jinja_literal
from pipelines.sources.contract import Contract, load_contract
from pipelines.sources.gx_suites import render_suites

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
CONTRACT_MACRO_FILE = DBT_PROJECT_DIR / "macros" / "generated_contract.sql"
SOURCES_DOC_FILE = REPO_ROOT / "docs" / "sources.md"

HEADER = "# Generated from pipelines/sources/contract.yml by `python -m pipelines.sources.derived`.\n"


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


def table_facts(contract: Contract) -> dict:
    """Per raw table: what the dbt macros need to know of its contract."""
    facts = {}
    for table in [*contract.sources.values(), *contract.references.values()]:
        facts[table.name] = {
            "key": table.key,
            "version_column": getattr(table, "version_column", None),
            "balanced_by": getattr(table, "balanced_by", None),
            "reference": table.name in contract.references,
            "fx": table.fx.model_dump() if table.fx else None,
            "usd_amounts": table.usd_amounts,
            "columns": {c.name: c.type for c in table.columns.values()},
        }
    return facts


def render_contract_macro(contract: Contract) -> str:
    facts = jinja_literal(table_facts(contract), "    ")
    return (
        "{# " + HEADER.strip("# \n") + " #}\n"
        "{# The landing contract's facts per raw table (see pipelines/sources/contract.yml). #}\n"
        "{% macro contract_table(name) -%}\n"
        f"    {{%- set tables = {facts} -%}}\n"
        "    {{ return(tables[name]) }}\n"
        "{%- endmacro %}\n\n"
        "{# Every raw table of the contract, sources first. #}\n"
        "{% macro contract_table_names() -%}\n"
        f"    {{{{ return({jinja_literal(list(table_facts(contract)), depth=0)}) }}}}\n"
        "{%- endmacro %}\n"
    )


def _column_rules(column, contract: Contract) -> str:
    rules = []
    if column.required:
        rules.append("required")
    if column.enum:
        rules.append("one of " + ", ".join(contract.enums[column.enum]))
    if column.min is not None:
        rules.append(f"≥ {column.min:g}")
    if column.min_exclusive is not None:
        rules.append(f"> {column.min_exclusive:g}")
    if column.max is not None:
        rules.append(f"≤ {column.max:g}")
    if column.plausible_max is not None:
        rules.append(f"plausible up to {column.plausible_max:,.0f}")
    if column.max_usd is not None:
        rules.append(f"plausible up to {column.max_usd:,.0f} USD")
    if column.pattern:
        rules.append(f"matches `{column.pattern}`")
    if column.event:
        rules.append("event: not after its extract day")
    elif column.is_temporal and column.type == "DATE" and not column.event:
        rules.append("may lie in the future")
    if column.not_before:
        rules.append(f"not before {column.not_before}")
    if column.reference:
        rules.append(f"in {column.reference}")
    if column.reference_warn:
        rules.append(f"in {column.reference_warn} (else a warning)")
    return "; ".join(rules)


def render_docs(contract: Contract) -> str:
    """docs/sources.md: every source and reference file, its columns and rules."""
    out = [
        "<!-- " + HEADER.strip("# \n") + " -->",
        "# Sources",
        "",
        "Every landing source and reference file, as the contract declares it (see",
        "[landing-contract.md](landing-contract.md) for how they are read).",
        "Key columns are **bold**; types are DuckDB types.",
        "",
    ]
    for table in [*contract.sources.values(), *contract.references.values()]:
        if table.name in contract.references:
            facts = [f"reference file `reference/{table.file}`, replaced whole"]
        else:
            delivery = (
                "every day (a missing or empty extract blocks the day)" if table.every_day else "changes only"
            )
            facts = [f"{table.format}, {delivery}"]
            if table.version_column:
                facts.append(f"latest `{table.version_column}` wins")
            else:
                facts.append("no versions: a re-delivered day replaces that day")
        if getattr(table, "balanced_by", None):
            facts.append(f"rows of one `{table.balanced_by}` must balance (Σdebit = Σcredit) and go together")
        if table.fx:
            facts.append(
                f"amounts convert to USD at the rate of `{table.fx.currency}` on the business day of `{table.fx.day}`"
            )
        out += [f"## {table.name}", "", f"System `{table.system}`; " + "; ".join(facts) + ".", ""]
        out += ["| column | type | rules |", "|---|---|---|"]
        for column in table.columns.values():
            name = f"**{column.name}**" if column.name in table.key else column.name
            out.append(f"| {name} | {column.type} | {_column_rules(column, contract)} |")
        for rule in table.rules:
            out.append(f"| (row rule) | | `{rule.check}` |")
        out.append("")
    return "\n".join(out)


def render_all(contract: Contract) -> dict:
    """Every file derived from the contract, path -> content."""
    return {
        SOURCES_FILE: render(contract),
        CONTRACT_MACRO_FILE: render_contract_macro(contract),
        SOURCES_DOC_FILE: render_docs(contract),
        **render_suites(contract),
    }


def main() -> None:
    for path, text in render_all(load_contract()).items():
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
