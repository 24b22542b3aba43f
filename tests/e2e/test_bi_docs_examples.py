"""Every example query of docs/bi.md runs on the published demo marts and returns rows."""

from __future__ import annotations

import re
import subprocess
import sys

import duckdb
import pytest

from pipelines.config import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo")]

DOC = (REPO_ROOT / "docs" / "bi.md").read_text()
SQL = re.findall(r"```sql\n(.*?)```", DOC, re.S)
PYTHON = re.findall(r"```python\n(.*?)```", DOC, re.S)


def _here(text: str, demo) -> str:
    return text.replace("data/published", str(demo.published))


@pytest.mark.parametrize("query", SQL, ids=[f"sql{i}" for i in range(len(SQL))])
def test_sql_example_runs_read_only_and_returns_rows(demo, query):
    con = duckdb.connect(str(demo.published_marts), read_only=True)
    try:
        assert con.execute(_here(query, demo)).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("code", PYTHON, ids=[f"python{i}" for i in range(len(PYTHON))])
def test_python_example_runs(demo, code):
    # its own process: duckdb-engine's connections (another DuckDB configuration) must not
    # linger in the test process, where other tests open the same file
    result = subprocess.run(
        [sys.executable, "-c", _here(code, demo)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
