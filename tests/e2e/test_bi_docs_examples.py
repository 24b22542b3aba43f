"""Every example query of docs/bi.md runs on the published demo marts and returns rows."""

from __future__ import annotations

import contextlib
import io
import re

import duckdb
import pytest

from pipelines.config import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

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
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_here(code, demo), "docs/bi.md", "exec"), {})  # noqa: S102 - our own documentation
    assert out.getvalue().strip()
