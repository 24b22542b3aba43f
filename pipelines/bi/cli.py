"""`lodestar report [--date D]`: write the HTML scorecard report and print its path."""

from __future__ import annotations

import sys
from datetime import date

from pipelines.config import Settings
from pipelines.exit_status import EXIT_FAILED, EXIT_OK


def report_command(settings: Settings, day: date | None = None) -> int:
    from pipelines.bi.report import write_report
    from pipelines.okrs.scorecard import or_one_line

    report = or_one_line(
        lambda: write_report(settings.published_marts, settings.published / "report", day),
        f"cannot write the report from {settings.published_marts}",
    )
    if report is None:
        return EXIT_FAILED
    print(
        f"lodestar: report as of {report.as_of} ({report.charts} charts, {report.seconds:.1f} s): {report.path}",
        file=sys.stderr,
    )
    print(report.path)
    return EXIT_OK
