"""The command line speaks in one line to the mistakes people make: it names the
file, setting or value and what is wrong, exits with the documented status, and
prints no traceback. Each case runs the real `lodestar` entry point."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.config import REPO_ROOT


def lodestar(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LODESTAR_")}
    environment.update(
        LODESTAR_LANDING=str(tmp_path / "landing"),
        LODESTAR_WAREHOUSE=str(tmp_path / "warehouse" / "lodestar.duckdb"),
        LODESTAR_PUBLISHED=str(tmp_path / "published"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], env=environment, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["generate", "--start", "2024-03-05", "--end", "2024-03-01"],
            {},
            "--end 2024-03-01 is before --start 2024-03-05",
        ),
        (["generate", "--scale", "-1"], {}, "argument --scale: -1 must be above 0"),
        (["generate", "--scale", "lots"], {}, "argument --scale: 'lots' is not a number"),
        (["run", "--start", "2024-13-01"], {}, "argument --start: '2024-13-01' is not a date (YYYY-MM-DD)"),
        (
            ["run", "--start", "2024-03-01", "--end", "2024-03-02"],
            {},
            "does not exist: there is no landing zone to read",
        ),
        (["status"], {}, "nothing published yet"),
        (["scorecard"], {}, "marts.duckdb"),
        (["run"], {"LODESTAR_TIMEZONE": "Mars/Olympus"}, "LODESTAR_TIMEZONE='Mars/Olympus'"),
        (["run"], {"LODESTAR_START_DATE": "2024-02-30"}, "LODESTAR_START_DATE='2024-02-30'"),
        (["run"], {"LODESTAR_PROGRESS_SECONDS": "soon"}, "LODESTAR_PROGRESS_SECONDS='soon': not a number"),
        (
            ["run"],
            {"LODESTAR_ENGINE": "oracle"},
            "LODESTAR_ENGINE='oracle': Input should be 'duckdb' or 'spark'",
        ),
        (["frobnicate"], {}, "invalid choice: 'frobnicate'"),
    ],
)
def test_a_mistake_is_one_line_naming_it_with_exit_status_1(tmp_path, args, env, expected):
    done = lodestar(tmp_path, *args, **env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert expected in lines[0], output


def test_an_okr_file_with_an_impossible_date_is_one_line_per_problem(tmp_path):
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "kpis.yml").write_text((REPO_ROOT / "okrs" / "kpis.yml").read_text())
    (okrs / "2026-Q3.yml").write_text("period: {start: 2026-07-01, end: 2026-09-31}\nobjectives: []\n")
    done = lodestar(tmp_path, "okrs", "validate", LODESTAR_OKRS=str(okrs))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "period.end '2026-09-31' is not a valid date (YYYY-MM-DD)" in done.stdout


def test_version(tmp_path):
    done = lodestar(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.startswith("lodestar ")
