"""`lodestar report [--date D]`: write the HTML scorecard report and print its path."""

from __future__ import annotations

import sys
from datetime import date

from pipelines.config import Settings


def report_command(settings: Settings, day: date | None = None) -> int:
    from pipelines.bi.report import write_report
    from pipelines.okrs.scorecard import ScorecardError

    try:
        report = write_report(settings.published_marts, settings.published / "report", day)
    except ScorecardError as exc:
        print(f"lodestar: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a locked or corrupt file: one line, not a traceback
        print(f"lodestar: cannot write the report from {settings.published_marts}: {exc}", file=sys.stderr)
        return 1
    print(
        f"lodestar: report as of {report.as_of} ({report.charts} charts, {report.seconds:.1f} s): {report.path}",
        file=sys.stderr,
    )
    print(report.path)
    return 0
