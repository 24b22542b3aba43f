"""Suite files: GX's own severity, view SQL in files, and the GX settings the runner relies on."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines.quality import gx_runner
from pipelines.quality.suites import SuiteError, load_suite


def write_suite(tmp_path, expectations, views=None, name="s"):
    path = tmp_path / f"{name}.json"
    meta = {"lodestar": {"partition_column": "day", "views": views or {}}}
    path.write_text(json.dumps({"name": "s", "meta": meta, "expectations": expectations}))
    return path


def test_severity_is_gx_severity(tmp_path):
    null = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}
    severities = [None, "critical", "warning"]
    expectations = [{**null, "severity": s} if s else null for s in severities]
    suite = load_suite(write_suite(tmp_path, expectations))
    assert [suite.severity(i) for i in range(3)] == ["error", "error", "warning"]


def test_info_severity_is_refused(tmp_path):
    info = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}, "severity": "info"}
    with pytest.raises(SuiteError, match="severity must be one of"):
        load_suite(write_suite(tmp_path, [info]))


def test_a_view_reads_its_sql_from_a_file_next_to_the_suite(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "v.sql").write_text("-- a comment\nselect day from {rows}\n")
    views = {"v": {"sql_file": "s/v.sql", "id_columns": ["day"]}}
    suite = load_suite(write_suite(tmp_path, [], views))
    assert suite.views["v"].sql.endswith("select day from {rows}\n")
    assert suite.frame_id_columns("v") == ("day",)

    views["v"]["sql_file"] = "s/missing.sql"
    with pytest.raises(SuiteError, match=r"view v: cannot read .*missing\.sql"):
        load_suite(write_suite(tmp_path, [], views, name="other"))


def test_gx_does_not_fingerprint_the_batches():
    """The runner turns GX's frame hashing off (a private setting): notice when an upgrade moves it."""
    batch = gx_runner._gx_batch_definition().get_batch(
        batch_parameters={"dataframe": pd.DataFrame({"a": [1]})}
    )
    assert "pandas_data_fingerprint" not in batch.batch_markers
