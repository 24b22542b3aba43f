"""Smoke test: `dagster dev` loads the code location with the whole asset graph,
the schedule and the sensor, seen through the webserver's GraphQL API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from pipelines.config import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("dagster_dev")]

QUERY = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes { name location { name } schedules { name cronSchedule } sensors { name } }
    }
  }
  assetNodes { assetKey { path } }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def test_dagster_dev_serves_the_code_location_with_schedule_and_sensor(tmp_path):
    port = _free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    pid_file = tmp_path / "pid"
    dagster = REPO_ROOT / ".venv" / "bin" / "dagster"
    dagster = dagster if dagster.exists() else "dagster"
    # Job control (set -m) so that dagster dev obeys SIGINT from a script.
    shell = subprocess.Popen(
        [
            "bash",
            "-c",
            f"set -m; {dagster} dev -w workspace.yaml -h 127.0.0.1 -p {port} & echo $! > {pid_file}; wait",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home), "LODESTAR_LANDING": str(tmp_path / "landing")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    data = None
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                data = _graphql(port)
                if data["repositoriesOrError"].get("nodes"):
                    break
            except OSError:
                pass
            time.sleep(1)
    finally:
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        if pid:
            os.kill(pid, signal.SIGINT)
        try:
            shell.wait(timeout=60)
        except subprocess.TimeoutExpired:
            if pid:
                os.killpg(pid, signal.SIGKILL)
            shell.kill()
    assert data, "dagster dev did not answer"
    [repository] = data["repositoriesOrError"]["nodes"]
    assert repository["location"]["name"] == "lodestar"
    assert [(s["name"], s["cronSchedule"]) for s in repository["schedules"]] == [
        ("lodestar_daily_0600", "0 6 * * *")
    ]
    assert [s["name"] for s in repository["sensors"]] == ["landing_files"]
    keys = {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]}
    assert {
        "raw/orders",
        "marts/kpi_values",
        "gate/kpi_values",
        "published/kpi_marts",
        "marts/okr_scorecard",
    } <= keys
