"""The Great Expectations suites of the sources, generated from the contract.

Ingestion already enforces every rule the contract declares for a row or a
file (types, required, enumerations, bounds, patterns, column order, events
after the extract day, references, plausibility, ambiguous keys, journal
balance, volume): quarantined rows and blocked days never reach the raw
tables. A suite judges the ACCEPTED rows of an extract day, so it keeps only
what a row or a file rule cannot see, or what can change after ingestion:

- the raw table has exactly the contract columns plus the lineage columns;
- the key (with the version column) is unique within an extract day;
- an every-day source has accepted rows every day (a file whose rows were all
  quarantined is not blocked, but its day is empty);
- every `balanced_by` group balances: a defence in depth that costs one
  group-by, kept because an unbalanced journal would shift every finance KPI;
- `reference` columns are known in the reference table in force (an error:
  the chart of accounts may have changed since the rows were accepted) and
  `reference_warn` columns are known in the other source (a warning);
- a reference table is not empty and its key is unique.

The suites are plain GX 1.x suite files. Lodestar reads its own part under
`meta.lodestar` (see pipelines/quality/gx_runner.py); severity and description
are GX's own expectation fields.
"""

from __future__ import annotations

import json

from pipelines.config import EXPECTATIONS_DIR
from pipelines.sources.contract import LINEAGE_COLUMNS, Contract, Reference, Source

PARTITION = "_extract_date"
NOTE = "Generated from pipelines/sources/contract.yml by `python -m pipelines.sources.derived`: edit the contract."


def _expectation(kind: str, description: str, view: str | None = None, severity: str | None = None, **kwargs):
    out: dict = {"type": kind, "kwargs": kwargs, "description": description}
    if severity:
        out["severity"] = severity
    if view:
        out["meta"] = {"view": view}
    return out


def _columns(table: Source | Reference) -> dict:
    return _expectation(
        "expect_table_columns_to_match_set",
        "the raw table has exactly the contract columns plus the lineage columns",
        column_set=[*table.columns, *LINEAGE_COLUMNS],
        exact_match=True,
    )


def _unique(columns: list[str], description: str) -> dict:
    if len(columns) == 1:
        return _expectation("expect_column_values_to_be_unique", description, column=columns[0])
    return _expectation("expect_compound_columns_to_be_unique", description, column_list=columns)


def _references(source: Source, views: dict) -> list[dict]:
    """One lookup view: unknown_<column> is the value when the referenced table does not know it."""
    pairs = [
        (c, c.reference or c.reference_warn)
        for c in source.columns.values()
        if c.reference or c.reference_warn
    ]
    if not pairs:
        return []
    key = ", ".join(f"r.{k}" for k in source.key)
    selects, joins, expectations = [], [], []
    for column, target in pairs:
        table, _, target_column = target.partition(".")
        known = f"known_{column.name}"
        selects.append(
            f"case when {known}.{target_column} is null then r.{column.name} end as unknown_{column.name}"
        )
        joins.append(
            f"left join (select distinct {target_column} from raw.{table}) as {known} "
            f"on {known}.{target_column} = r.{column.name}"
        )
        expectations.append(
            _expectation(
                "expect_column_values_to_be_null",
                f"{column.name} references a known {target}",
                view="row_checks",
                severity=None if column.reference else "warning",
                column=f"unknown_{column.name}",
            )
        )
    views["row_checks"] = {
        "description": "One row per accepted row: unknown_<column> is the value when the referenced table "
        "does not know it.",
        "sql": f"select r.{PARTITION}, {key}, r._line, {', '.join(selects)} from {{rows}} as r "
        f"{' '.join(joins)} order by r.{PARTITION}, r._line",
        "id_columns": [PARTITION, *source.key, "_line"],
    }
    return expectations


def _every_day(views: dict) -> list[dict]:
    views["partition_rows"] = {
        "description": "Accepted rows per checked partition (a partition with none appears with 0).",
        "sql": f"select p.{PARTITION}, count(r.{PARTITION}) as accepted_rows from {{partitions}} as p "
        f"left join {{rows}} as r on r.{PARTITION} = p.{PARTITION} group by p.{PARTITION} order by p.{PARTITION}",
        "id_columns": [PARTITION],
    }
    return [
        _expectation(
            "expect_column_values_to_be_between",
            "an every-day source has accepted rows every day",
            view="partition_rows",
            column="accepted_rows",
            min_value=1,
        )
    ]


def _balanced(group: str, views: dict) -> list[dict]:
    name = group.removesuffix("_id") + "s"  # journal_id -> journals
    views[name] = {
        "description": f"One row per {group} and extract day with the sums of its debit and credit.",
        "sql": f"select {PARTITION}, {group}, count(*) as lines, sum(debit) as sum_debit, sum(credit) as sum_credit "
        f"from {{rows}} group by {PARTITION}, {group} order by {PARTITION}, {group}",
        "id_columns": [PARTITION, group],
    }
    return [
        _expectation(
            "expect_column_pair_values_to_be_equal",
            f"each {group.removesuffix('_id')} balances (sum of debit = sum of credit)",
            view=name,
            column_A="sum_debit",
            column_B="sum_credit",
        )
    ]


def _suite(
    kind: str, table: str, expectations: list, judges: str, *, partition_column, id_columns, views
) -> dict:
    """The suite of raw.<table>, with what the runner needs to know of it (meta.lodestar)."""
    lodestar = {
        "kind": kind,
        "table": f"raw.{table}",
        "asset": f"raw/{table}",
        "partition_column": partition_column,
        "id_columns": id_columns,
        "views": views,
    }
    return {
        "name": f"contract_{table}",
        "meta": {"lodestar": lodestar, "notes": f"{NOTE} Judges {judges}."},
        "expectations": expectations,
    }


def source_suite(source: Source) -> dict:
    key = [*source.key, *([source.version_column] if source.version_column else [])]
    what = ("the key and version" if source.version_column else "the key") + f" ({', '.join(key)})"
    views: dict = {}
    expectations = [
        _columns(source),
        _expectation(
            "expect_compound_columns_to_be_unique",
            f"{what} is unique within an extract day",
            column_list=[PARTITION, *key],
        ),
    ]
    if source.every_day:
        expectations += _every_day(views)
    if source.balanced_by:
        expectations += _balanced(source.balanced_by, views)
    expectations += _references(source, views)
    return _suite(
        "source_contract",
        source.name,
        expectations,
        f"the accepted rows of each extract day of {source.name}",
        partition_column=PARTITION,
        id_columns=[PARTITION, *source.key, "_line"],
        views=views,
    )


def reference_suite(reference: Reference) -> dict:
    expectations = [
        _columns(reference),
        _expectation("expect_table_row_count_to_be_between", "a reference table is not empty", min_value=1),
        _unique(list(reference.key), f"the key ({', '.join(reference.key)}) is unique"),
    ]
    return _suite(
        "reference_contract",
        reference.name,
        expectations,
        f"the reference table {reference.name} in force, whole",
        partition_column=None,
        id_columns=[*reference.key, "_line"],
        views={},
    )


def render_suites(contract: Contract) -> dict:
    """expectations/<table>.json for every source and reference table: path -> text."""
    suites = [
        *map(source_suite, contract.sources.values()),
        *map(reference_suite, contract.references.values()),
    ]
    return {
        EXPECTATIONS_DIR / f"{suite['name'].removeprefix('contract_')}.json": json.dumps(
            suite, indent=2, ensure_ascii=False
        )
        + "\n"
        for suite in suites
    }
