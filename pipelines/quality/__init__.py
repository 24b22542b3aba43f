"""Quality checks: source contracts as Great Expectations suites and the dq_results record.

Great Expectations is imported lazily (by `gx_runner` on first validation), so
importing this package is cheap.
"""

from pipelines.quality.outcomes import CheckOutcome
from pipelines.quality.results import ensure_results_table, record_results
from pipelines.quality.source_checks import check_reference, check_source_partitions

__all__ = [
    "CheckOutcome",
    "check_reference",
    "check_source_partitions",
    "ensure_results_table",
    "record_results",
]
