"""The `lodestar` command (docs/operations.md). It wraps the Dagster
definitions; it never re-implements the pipeline. Heavy imports happen inside
the commands that need them so that `lodestar okrs validate` starts fast.

Exit status: pipelines/exit_status.py. A command given something it cannot
use says so in one line that names the setting, option or file and what is
wrong, never a traceback (LODESTAR_DEBUG=1 shows it), and exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from pipelines.config import Settings
from pipelines.exit_status import EXIT_FAILED, EXIT_OK


class UserError(Exception):
    """Something the user gave that cannot work: reported in one line, exit 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and the documented exit status, not argparse's 2
        print(f"lodestar: {message} (see `{self.prog} --help`)", file=sys.stderr)
        sys.exit(EXIT_FAILED)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from exc
    if not scale > 0:
        raise argparse.ArgumentTypeError(f"{value} must be above 0 (1 is about 10M rows over 3 years)")
    return scale


def _range(args, settings: Settings) -> tuple[date, date]:
    start = args.start or settings.start_date
    end = args.end or settings.yesterday()
    if end < start:
        raise UserError(f"--end {end} is before --start {start}")
    return start, end


def _version() -> str:
    try:
        return version("lodestar")
    except PackageNotFoundError:  # run from a source tree without installing
        return "unknown"


def cmd_generate(args, settings: Settings) -> int:
    from lodestar_demo.generator import generate

    start, end = _range(args, settings)
    style = " (messy: foreign systems' time zones and spreadsheets)" if args.messy else ""
    print(
        f"lodestar: generating demo landing files {start}..{end} at scale {args.scale} "
        f"into {settings.landing}{style}"
    )
    counts = generate(
        settings.landing, start, end, scale=args.scale, seed=args.seed, progress=print, messy=args.messy
    )
    for name, rows in counts.items():
        print(f"  {name:<20} {rows:>10,} rows")
    print(f"  {'total':<20} {sum(counts.values()):>10,} rows")
    return EXIT_OK


def cmd_run(args, settings: Settings) -> int:
    start, end = _range(args, settings)
    if not settings.landing.is_dir():
        raise UserError(
            f"LODESTAR_LANDING={settings.landing} does not exist: there is no landing zone to read "
            "(`lodestar generate` writes demo data there)"
        )
    from pipelines.runner import run_range

    return run_range(settings, start, end)


def cmd_status(args, settings: Settings) -> int:
    from pipelines.publish.status import render_status

    text, code = render_status(settings.published_marts, args.date, as_json=args.json)
    print(text)
    return code


def cmd_okrs_validate(args, settings: Settings) -> int:
    from pipelines.okrs.cli import validate_command

    return validate_command(args.paths)


def cmd_scorecard(args, settings: Settings) -> int:
    from pipelines.okrs.cli import scorecard_command

    return scorecard_command(args.date, as_json=args.json)


def cmd_forecast_backtest(args, settings: Settings) -> int:
    from pipelines.okrs.backtest import calibrate, report, run_backtest

    if not settings.published_marts.is_file():
        print(
            f"lodestar: no published marts at {settings.published_marts}: run `lodestar run` first",
            file=sys.stderr,
        )
        return EXIT_FAILED
    scored = run_backtest(settings.published_marts, args.start, args.end, args.replay_quarters)
    if not scored:
        print("lodestar: no ended OKR period with forecasts to replay in that range", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"Backtest of KR forecasts (80% interval), {min(s.day for s in scored)}..{max(s.day for s in scored)}"
    )
    print(report(scored, by_kr=args.by_kr), end="")
    if args.calibrate:
        print(f"\nconformal sigma scales for these forecasts (forecast.SIGMA_SCALE): {calibrate(scored)}")
    return EXIT_OK


def cmd_report(args, settings: Settings) -> int:
    from pipelines.bi.cli import report_command

    return report_command(settings, args.date)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lodestar", description="Lodestar KPI and OKR warehouse")
    parser.add_argument("--version", action="version", version=f"lodestar {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    generate = commands.add_parser("generate", help="write demo landing files")
    generate.add_argument("--start", type=_day, help="first day (default LODESTAR_START_DATE)")
    generate.add_argument("--end", type=_day, help="last day (default yesterday)")
    generate.add_argument("--scale", type=_scale, default=0.02, help="scale factor (1 ≈ 10M rows / 3 years)")
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument(
        "--messy",
        action="store_true",
        help="deliver the same company as foreign systems would: local time zones and midnights, "
        "spreadsheet CSV (BOM, CRLF, a duplicate line), a two-currency budget, hires keyed ahead",
    )
    generate.set_defaults(func=cmd_generate)

    run = commands.add_parser("run", help="materialize a range of days in one run, then publish")
    run.add_argument("--start", type=_day, help="first day (default LODESTAR_START_DATE)")
    run.add_argument("--end", type=_day, help="last day (default yesterday)")
    run.set_defaults(func=cmd_run)

    okrs = commands.add_parser("okrs", help="OKR sets").add_subparsers(dest="okrs_command", required=True)
    validate = okrs.add_parser("validate", help="validate OKR files; exit 1 listing every problem")
    validate.add_argument("paths", nargs="*", help="OKR files (default: every set in LODESTAR_OKRS)")
    validate.set_defaults(func=cmd_okrs_validate)

    scorecard = commands.add_parser("scorecard", help="OKR tree with scores and status")
    scorecard.add_argument("--date", type=_day, help="day to show (default: the latest published)")
    scorecard.add_argument("--json", action="store_true", help="print JSON for scripts")
    scorecard.set_defaults(func=cmd_scorecard)

    forecast = commands.add_parser("forecast", help="KR forecasts").add_subparsers(
        dest="forecast_command", required=True
    )
    backtest = forecast.add_parser("backtest", help="replay ended OKR periods day by day: coverage and Brier")
    backtest.add_argument("--start", type=_day, help="first forecast day to replay")
    backtest.add_argument("--end", type=_day, help="last forecast day to replay")
    backtest.add_argument(
        "--replay-quarters", type=int, default=0, help="also replay each KR on the N quarters before its own"
    )
    backtest.add_argument("--by-kr", action="store_true", help="one line per key result")
    backtest.add_argument(
        "--calibrate", action="store_true", help="print the sigma scales these forecasts call for"
    )
    backtest.set_defaults(func=cmd_forecast_backtest)

    status = commands.add_parser("status", help="publication and quality status per KPI")
    status.add_argument("--date", type=_day, help="day to show (default: the latest loaded)")
    status.add_argument("--json", action="store_true", help="print JSON for scripts")
    status.set_defaults(func=cmd_status)

    report = commands.add_parser("report", help="write the HTML scorecard report under <published>/report/")
    report.add_argument("--date", type=_day, help="day to report (default: the latest published)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"lodestar: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return args.func(args, settings)
    except UserError as exc:
        print(f"lodestar: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("lodestar: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader went away (`lodestar status | head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a failure we did not foresee: still one line
        if os.environ.get("LODESTAR_DEBUG"):
            traceback.print_exc()
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(
            f"lodestar: {args.command} failed: {message} (LODESTAR_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
