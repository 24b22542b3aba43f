"""The landing contract (contract.yml) loaded and validated with pydantic.

One declaration drives everything per source: raw table DDL, the strict
reader, the row rules that quarantine, the dbt sources, the demo generator.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

CONTRACT_FILE = Path(__file__).with_name("contract.yml")

# Columns every raw table carries besides the contract's own.
LINEAGE_COLUMNS = {
    "_extract_date": "DATE",
    "_source_file": "VARCHAR",
    "_line": "BIGINT",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    name: str = ""
    type: str
    required: bool = False
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    plausible_max: float | None = None  # above it a value is not believable (quarantined)
    max_usd: float | None = None  # plausibility bound after conversion to USD (see _Table.fx)
    event: bool = False
    not_before: str | None = None
    reference: str | None = None  # "<reference table>.<column>": an unknown value is quarantined
    reference_warn: str | None = None  # "<table>.<column>" of another source: an unknown value only warns
    pattern: str | None = None

    @property
    def is_temporal(self) -> bool:
        return self.type in ("DATE", "TIMESTAMPTZ")


class Rule(_Strict):
    check: str  # SQL boolean over the typed row; NULL counts as passing
    column: str
    reason: str


class FxRule(_Strict):
    """Amounts of the row convert to USD with the rate of `currency` on the business day of `day`."""

    currency: str
    day: str


class _Table(_Strict):
    system: str
    key: list[str]
    columns: dict[str, Column]
    rules: list[Rule] = []
    fx: FxRule | None = None

    @model_validator(mode="after")
    def _name_columns(self):
        for name, column in self.columns.items():
            object.__setattr__(column, "name", name)
        missing = [k for k in self.key if k not in self.columns]
        if missing:
            raise ValueError(f"key columns {missing} are not declared")
        for column in self.columns.values():
            if column.not_before and column.not_before not in self.columns:
                raise ValueError(f"{column.name}.not_before names unknown column {column.not_before}")
            if column.max_usd is not None and self.fx is None:
                raise ValueError(f"{column.name}.max_usd needs the table's fx rule")
        if self.fx and {self.fx.currency, self.fx.day} - set(self.columns):
            raise ValueError(
                f"fx names unknown columns {sorted({self.fx.currency, self.fx.day} - set(self.columns))}"
            )
        return self

    @property
    def usd_amounts(self) -> dict[str, float]:
        """Amount columns converted to USD, with their plausibility bound in USD."""
        return {c.name: c.max_usd for c in self.columns.values() if c.max_usd is not None}


class Source(_Table):
    name: str = ""
    format: Literal["csv", "parquet"]
    delivery: Literal["daily", "changes"]
    version_column: str | None = None
    balanced_by: str | None = None

    @property
    def every_day(self) -> bool:
        """A missing or empty extract of an every-day source blocks the day."""
        return self.delivery == "daily"


class Reference(_Table):
    name: str = ""
    file: str


class Contract(_Strict):
    enums: dict[str, list[str]]
    sources: dict[str, Source]
    references: dict[str, Reference]

    @model_validator(mode="after")
    def _check(self):
        for name, table in {**self.sources, **self.references}.items():
            object.__setattr__(table, "name", name)
            for column in table.columns.values():
                if column.enum and column.enum not in self.enums:
                    raise ValueError(f"{name}.{column.name}: unknown enum {column.enum}")
                if column.reference:
                    ref_table, _, ref_column = column.reference.partition(".")
                    ref = self.references.get(ref_table)
                    if ref is None or ref_column not in ref.columns:
                        raise ValueError(f"{name}.{column.name}: unknown reference {column.reference}")
                if column.reference_warn:
                    ref_table, _, ref_column = column.reference_warn.partition(".")
                    ref = self.sources.get(ref_table) or self.references.get(ref_table)
                    if ref is None or ref_column not in ref.columns:
                        raise ValueError(
                            f"{name}.{column.name}: unknown reference_warn {column.reference_warn}"
                        )
        return self

    def table(self, name: str) -> Source | Reference:
        return self.sources.get(name) or self.references[name]


@cache
def load_contract(path: Path = CONTRACT_FILE) -> Contract:
    return Contract.model_validate(yaml.safe_load(path.read_text()))
