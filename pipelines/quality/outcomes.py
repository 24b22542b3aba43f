"""Check outcomes, shared by the source checks and the KPI checks.

An `ExpectationOutcome` is one expectation's result on one partition; a
`PartitionValidation` all of a suite's results on one partition; a
`CheckOutcome` the verdict recorded in `audit.dq_results`, with Dagster's
asset-check semantics:

- passed: every expectation held (severity `error`, the check's nominal level);
- failed, severity `error`: an error-level expectation failed or is broken, or
  the partition could not be judged (blocked, not ingested, the suite did not
  run). Only these block publication (`CheckOutcome.blocking`);
- failed, severity `warning`: only warning-level expectations failed. Reported,
  never blocking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from pipelines.quality.suites import ROWS_FRAME

REASON_MAX = 500


@dataclass
class ExpectationOutcome:
    """One expectation's result on one frame (and, after splitting, one partition)."""

    index: int  # position in the suite file
    expectation: str  # GX type
    column: str | None  # "col", "a,b" for pairs and compounds, None for table-level
    frame: str  # "rows" or a view name
    severity: str  # error | warning
    rule: str | None  # the expectation's description
    success: bool
    broken: bool = False  # raised an exception: the check is broken, not the data
    unexpected_count: int | None = None
    sample: list = field(default_factory=list)  # JSON-able: offending values with their row ids
    exception: str | None = None
    observed: Any = None  # table-level results (e.g. mismatched columns)
    unexpected_index: list | None = field(default=None, repr=False)  # df index labels of unexpected rows

    @property
    def label(self) -> str:
        on = "" if self.frame == ROWS_FRAME else f" on {self.frame}"
        return f"{self.expectation}({self.column or ''}){on}"

    def describe(self, with_partition: str | Sequence[str] | None = None) -> str:
        """One line: what failed, how many, an example (without the partition column(s))."""
        if self.broken:
            return f"BROKEN CHECK {self.label}: {self.exception}"
        text = self.label
        if self.unexpected_count is not None:
            text += f": {self.unexpected_count} unexpected"
        if self.sample:
            text += ", e.g. " + "; ".join(_render_sample(s, with_partition) for s in self.sample[:2])
        elif self.observed is not None:
            text += f": observed {json.dumps(self.observed, default=str)[:200]}"
        return text

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "unexpected_index"}


def _render_sample(sample: Any, skip: str | Sequence[str] | None) -> str:
    skip = (skip,) if isinstance(skip, str) else tuple(skip or ())
    if isinstance(sample, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in sample.items() if k not in skip)
    return _short(sample)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class PartitionValidation:
    """The verdict of a suite on one partition (or on a whole unpartitioned table)."""

    partition: Any
    rows: int  # rows of the main frame in this partition
    evaluated: int  # expectations evaluated
    problems: list[ExpectationOutcome]  # failed or broken, in suite order

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def broken(self) -> list[ExpectationOutcome]:
        return [p for p in self.problems if p.broken]


@dataclass
class CheckOutcome:
    check_name: str  # contract_<source> | kpi_<kpi_id>
    asset: str  # raw/<source> | kpi/<kpi_id>
    partition: date | None  # extract day or as_of_date; None for reference tables
    passed: bool
    severity: str  # error | warning
    rows_checked: int
    unexpected_count: int
    reason: str  # one line
    details: dict = field(default_factory=dict)  # JSON-able

    @property
    def blocking(self) -> bool:
        """True when this outcome keeps dependent KPIs from being published."""
        return not self.passed and self.severity == "error"

    def details_json(self) -> str:
        """Deterministic JSON (sorted keys) so unchanged data gives identical bytes."""
        return json.dumps(self.details, sort_keys=True, default=str, separators=(",", ":"))


# Check metadata lists this many outcomes at most; audit.dq_results keeps them all.
MAX_LISTED = 50


def failed_and_warned(outcomes: Sequence[CheckOutcome]) -> tuple[list[CheckOutcome], list[CheckOutcome]]:
    """The outcomes that block publication, and those that failed without blocking (warnings)."""
    return [o for o in outcomes if o.blocking], [o for o in outcomes if not o.passed and not o.blocking]


def markdown_listing(lines: Sequence[str]) -> str:
    """Outcome lines as a Markdown list for check metadata, capped at MAX_LISTED."""
    listed = [f"- {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        listed.append(f"- … and {len(lines) - MAX_LISTED} more (audit.dq_results has them all)")
    return "\n".join(listed) or "none"


def one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 3] + "..."


def failed(
    check_name: str, asset: str, partition: date | None, reason: str, details: dict, rows: int = 0
) -> CheckOutcome:
    """A blocking failure that no expectation produced (a blocked or unknown partition, a broken suite)."""
    return CheckOutcome(check_name, asset, partition, False, "error", rows, 0, one_line(reason), details)


def nothing_to_check(
    check_name: str, asset: str, partition: date | None, reason: str, details: dict
) -> CheckOutcome:
    """A pass with no row to judge (no extract of a source that delivers changes only)."""
    return CheckOutcome(check_name, asset, partition, True, "error", 0, 0, reason, details)


def warned(check_name: str, asset: str, partition: date | None, reason: str) -> CheckOutcome:
    """A warning about one thing no expectation judged (a landing file that is not loaded)."""
    return CheckOutcome(check_name, asset, partition, False, "warning", 0, 1, reason)


def broken_run(
    check_name: str, asset: str, partition: date | None, exc: Exception, details: dict, head: str = ""
) -> CheckOutcome:
    """The suite or the runner raised: a failed, blocking BROKEN CHECK, never a pass."""
    message = f"{type(exc).__name__}: {exc}"
    reason = f"{head}BROKEN CHECK: the suite could not run: {message}"
    return failed(
        check_name, asset, partition, reason, {**details, "broken": True, "exception": message[:1000]}
    )


def problems_text(validation: PartitionValidation, describe: Callable[[ExpectationOutcome], str]) -> str:
    """Errors, then warnings, each worded by `describe`; '' when every expectation held."""
    errors = "; ".join(describe(o) for o in validation.errors)
    warnings = "; ".join(describe(o) for o in validation.warnings)
    if errors and warnings:
        return f"{errors}; warnings: {warnings}"
    return errors or (warnings and f"warnings only (not blocking): {warnings}")


def validation_details(suite, validation: PartitionValidation) -> dict:
    """What a suite found on a partition, as recorded in dq_results.details_json."""
    return {
        "suite": suite.name,
        "suite_file": f"expectations/{suite.path.name}",
        "expectations_evaluated": validation.evaluated,
        "failed": [o.to_dict() for o in validation.errors],
        "warnings": [o.to_dict() for o in validation.warnings],
        "broken": bool(validation.broken),
    }


def judged(
    check_name: str,
    asset: str,
    partition: date | None,
    validation: PartitionValidation,
    reason: str,
    details: dict,
) -> CheckOutcome:
    """The verdict of a suite's validation: failed errors block, failed warnings only report."""
    warning_only = bool(validation.warnings) and not validation.errors
    return CheckOutcome(
        check_name=check_name,
        asset=asset,
        partition=partition,
        passed=not validation.problems,
        severity="warning" if warning_only else "error",
        rows_checked=validation.rows,
        unexpected_count=sum(o.unexpected_count or 0 for o in validation.problems),
        reason=one_line(reason),
        details=details,
    )
