"""Source contracts as Great Expectations suites, against real DuckDB files and real GX.

The suites are generated from the contract (pipelines/sources/gx_suites.py) and
hold only what ingestion does not enforce. Raw tables come from
`ensure_schema`; rows arrive either through real ingestion of small landing
files or directly in raw (bypassing quarantine) to simulate a broken
invariant. GX's context is cached per process, so only the first check pays
its start-up.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from pipelines.quality import gx_runner
from pipelines.quality.results import record_results
from pipelines.quality.source_checks import check_reference, check_source_partitions
from pipelines.sources.contract import LINEAGE_COLUMNS, load_contract
from pipelines.sources.ingest import ensure_schema, ingest_partition
from pipelines.warehouse import connect
from tests.factories import valid_row, write_csv, write_extract

CONTRACT = load_contract()
DAY = date(2024, 3, 5)
ALL_TABLES = [*CONTRACT.sources, *CONTRACT.references]


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb", "UTC")
    ensure_schema(con, CONTRACT)
    yield con
    con.close()


def insert_raw(con, table: str, day: date | None, rows: list[dict], read: int | None = None) -> None:
    """Put rows straight into raw.<table> (no quarantine) and log the partition as loaded."""
    columns = CONTRACT.table(table).columns
    casts = ", ".join(f"cast(? as {c.type})" for c in columns.values())
    params = [
        [*(None if row.get(c, "") == "" else row[c] for c in columns), day, f"{table}.csv", line + 2]
        for line, row in enumerate(rows)
    ]
    if params:
        con.executemany(f"insert into raw.{table} select {casts}, ?, ?, ?", params)
    accepted = len(rows)
    read = accepted if read is None else read
    con.execute(
        "delete from raw.ingest_log where source = ? and extract_date is not distinct from ?", [table, day]
    )
    con.execute(
        """insert into raw.ingest_log (source, extract_date, status, source_file, rows_read, rows_accepted,
                                       rows_quarantined) values (?, ?, 'loaded', ?, ?, ?, ?)""",
        [table, day, f"{table}.csv", read, accepted, read - accepted],
    )


def one(outcomes):
    assert len(outcomes) == 1
    return outcomes[0]


# --------------------------------------------------------------------------- verdicts


def test_good_partition_passes_and_quarantined_rows_do_not_fail_it(con, tmp_path):
    landing = tmp_path / "landing"
    rows = [valid_row("orders", DAY, order_id=f"O{i}") for i in range(3)]
    rows.append(valid_row("orders", DAY, order_id="O9", channel="fax"))  # quarantined by ingestion
    write_extract(landing, "orders", DAY, rows)
    result = ingest_partition(con, CONTRACT, CONTRACT.sources["orders"], landing, DAY, "UTC")
    assert (result.status, result.rows_accepted, result.rows_quarantined) == ("loaded", 3, 1)

    outcome = one(check_source_partitions(con, "orders", [DAY]))
    assert (outcome.check_name, outcome.asset, outcome.partition) == ("contract_orders", "raw/orders", DAY)
    assert outcome.passed and not outcome.blocking, outcome.reason
    assert (outcome.rows_checked, outcome.unexpected_count) == (3, 0)
    assert outcome.reason.startswith("3 accepted rows passed")
    assert outcome.details["rows_quarantined"] == 1 and outcome.details["failed"] == []
    json.dumps(outcome.details)  # JSON-able


def test_blocked_partition_fails_with_the_file_message_without_running_gx(con, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    row = valid_row("orders", DAY)
    header = [c for c in row if c != "status"]
    path = write_csv(landing / "orders" / f"{DAY}.csv", [row], header=header)
    missing_day = DAY + timedelta(days=1)
    for day in (DAY, missing_day):
        assert ingest_partition(con, CONTRACT, CONTRACT.sources["orders"], landing, day, "UTC").blocked

    def no_gx(*args, **kwargs):
        raise AssertionError("a blocked partition must not be validated")

    monkeypatch.setattr(gx_runner, "validate_partitions", no_gx)
    bad_file, no_file = check_source_partitions(con, "orders", [DAY, missing_day])
    assert not bad_file.passed and bad_file.severity == "error" and bad_file.blocking
    assert str(path) in bad_file.reason and "missing required columns ['status']" in bad_file.reason
    assert bad_file.details["ingest_status"] == "blocked" and bad_file.rows_checked == 0
    assert not no_file.passed and f"missing extract for {missing_day}" in no_file.reason


def test_no_file_of_a_changes_only_source_passes_and_an_uningested_day_fails(con, tmp_path):
    landing = tmp_path / "landing"
    assert (
        ingest_partition(con, CONTRACT, CONTRACT.sources["customers"], landing, DAY, "UTC").status
        == "no_file"
    )
    quiet, unknown = check_source_partitions(con, "customers", [DAY, DAY + timedelta(days=1)])
    assert quiet.passed and quiet.rows_checked == 0 and "nothing to check" in quiet.reason
    assert not unknown.passed and unknown.blocking and "not ingested" in unknown.reason


def test_unbalanced_journal_among_accepted_rows_fails_naming_the_journal(con):
    insert_raw(con, "chart_of_accounts", None, [valid_row("chart_of_accounts", DAY)])
    lines = [
        valid_row("gl_journal_lines", DAY, journal_id="J1", line_number=1, debit="50.00", credit="0.00"),
        valid_row("gl_journal_lines", DAY, journal_id="J1", line_number=2, debit="0.00", credit="50.00"),
        valid_row("gl_journal_lines", DAY, journal_id="J2", line_number=1, debit="100.00", credit="0.00"),
        valid_row("gl_journal_lines", DAY, journal_id="J2", line_number=2, debit="0.00", credit="90.00"),
    ]
    insert_raw(con, "gl_journal_lines", DAY, lines)
    outcome = one(check_source_partitions(con, "gl_journal_lines", [DAY]))
    assert not outcome.passed and outcome.blocking
    assert "journal_id=J2" in outcome.reason and "J1" not in outcome.reason, outcome.reason
    (failure,) = outcome.details["failed"]
    assert (failure["expectation"], failure["frame"]) == ("expect_column_pair_values_to_be_equal", "journals")
    assert failure["unexpected_count"] == 1
    assert failure["sample"] == [{"sum_debit": 100.0, "sum_credit": 90.0, "journal_id": "J2"}]


def test_referential_breakage_only_warns(con):
    insert_raw(con, "customers", DAY, [valid_row("customers", DAY, customer_id="C1")])
    insert_raw(con, "orders", DAY, [valid_row("orders", DAY, order_id="O1")])
    insert_raw(con, "shipments", DAY, [valid_row("shipments", DAY, shipment_id="S1", order_id="O404")])
    insert_raw(con, "support_tickets", DAY, [valid_row("support_tickets", DAY, customer_id="C404")])
    insert_raw(con, "nps_responses", DAY, [valid_row("nps_responses", DAY, customer_id="C1")])

    shipment = one(check_source_partitions(con, "shipments", [DAY]))
    assert not shipment.passed and shipment.severity == "warning" and not shipment.blocking
    assert "unknown_order_id=O404" in shipment.reason and shipment.unexpected_count == 1
    assert shipment.details["failed"] == [] and shipment.details["warnings"][0]["severity"] == "warning"
    ticket = one(check_source_partitions(con, "support_tickets", [DAY]))
    assert ticket.severity == "warning" and not ticket.blocking and "C404" in ticket.reason
    assert one(check_source_partitions(con, "nps_responses", [DAY])).passed


def test_one_gx_run_pinpoints_the_failing_days(con, monkeypatch):
    days = [DAY + timedelta(days=i) for i in range(5)]
    for i, day in enumerate(days[:4]):
        rows = [valid_row("orders", day, order_id=f"O{i}-{n}") for n in range(3)]
        if i == 2:
            rows[1].update(order_id="O2-0", updated_at=rows[0]["updated_at"])  # bypasses ingestion's key rule
        insert_raw(con, "orders", day, rows)
    insert_raw(con, "orders", days[4], [], read=2)  # every row of day 5 quarantined: no accepted rows

    runs = []
    real = gx_runner.validate_dataframe
    monkeypatch.setattr(
        gx_runner, "validate_dataframe", lambda df, *a, **k: runs.append(len(df)) or real(df, *a, **k)
    )
    outcomes = check_source_partitions(con, "orders", days)
    assert [o.partition for o in outcomes] == days
    assert [o.passed for o in outcomes] == [True, True, False, True, False]
    assert len(runs) == len(gx_runner.load_suite("orders").frames())  # one GX run per frame, not per day

    twice, empty = outcomes[2], outcomes[4]
    assert twice.unexpected_count == 2 and "order_id=O2-0" in twice.reason and "O1-" not in twice.reason
    assert [f["column"] for f in twice.details["failed"]] == ["_extract_date,order_id,updated_at"]
    assert empty.rows_checked == 0 and "accepted_rows" in empty.reason

    # the batched verdict equals the one of a day-by-day run
    alone = one(check_source_partitions(con, "orders", [days[2]]))
    assert (alone.reason, alone.details) == (twice.reason, twice.details)


def test_the_rows_frame_carries_values_only_where_an_expectation_reads_them(con):
    """Turning rows into pandas is the main cost of a batched run: unread columns come as NULL."""
    insert_raw(con, "orders", DAY, [valid_row("orders", DAY)])
    with gx_runner._Frames(con, gx_runner.load_suite("orders"), "raw.orders", [DAY]) as frames:
        rows = frames.get(gx_runner.ROWS_FRAME)
    assert list(rows.columns) == [*CONTRACT.sources["orders"].columns, *LINEAGE_COLUMNS]
    assert rows["customer_id"].isna().all() and rows[["order_id", "updated_at", "_line"]].notna().all().all()


def test_expectations_that_cannot_be_split_run_day_by_day(con, tmp_path, monkeypatch):
    suites = tmp_path / "expectations"
    suites.mkdir()
    spec = json.loads(gx_runner.suite_path("orders").read_text())
    spec["expectations"].append({"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 2}})
    spec["meta"]["lodestar"]["views"]["totals"] = {"sql": "select max(gross_amount) as top from {rows}"}
    spec["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "top", "max_value": 50},
            "meta": {"view": "totals"},
        }
    )
    (suites / "orders.json").write_text(json.dumps(spec))
    monkeypatch.setattr(gx_runner, "EXPECTATIONS_DIR", suites)
    days = [DAY + timedelta(days=i) for i in range(3)]
    insert_raw(con, "orders", days[0], [valid_row("orders", days[0], order_id=o) for o in "ab"])
    insert_raw(con, "orders", days[1], [valid_row("orders", days[1], order_id="a")])
    big = valid_row("orders", days[2], order_id="a", gross_amount="99.00")
    insert_raw(con, "orders", days[2], [big, valid_row("orders", days[2], order_id="b")])
    ok, small, large = check_source_partitions(con, "orders", days)
    assert ok.passed
    assert not small.passed and "expect_table_row_count_to_be_between" in small.reason
    assert not large.passed and "top=99.0" in large.reason


def test_keys_are_unique_within_a_partition(con):
    first, second = DAY, DAY + timedelta(days=1)
    insert_raw(con, "customers", first, [valid_row("customers", first)])
    insert_raw(con, "nps_responses", first, [valid_row("nps_responses", first, response_id="R1")])
    insert_raw(con, "nps_responses", second, [valid_row("nps_responses", second, response_id="R1")] * 2)
    versions = [
        valid_row("orders", first, order_id="O1", updated_at=f"{first}T09:00:00+00:00"),
        valid_row("orders", first, order_id="O1", updated_at=f"{first}T10:00:00+00:00"),
    ]
    insert_raw(con, "orders", first, versions)
    again, twice = check_source_partitions(con, "nps_responses", [first, second])
    assert again.passed, "the same key on another day is a new delivery, not a duplicate"
    assert not twice.passed and "expect_compound_columns_to_be_unique" in twice.reason
    assert twice.unexpected_count == 2
    assert one(check_source_partitions(con, "orders", [first])).passed, "two versions of a key are fine"


# --------------------------------------------------------------------------- suites


# Rules of a single row that ingestion enforces (quarantine): they never fail on accepted rows.
ROW_RULES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_pair_values_a_to_be_greater_than_b",
}


@pytest.mark.parametrize("name", ALL_TABLES)
def test_every_suite_holds_what_ingestion_does_not_enforce(name):
    table = CONTRACT.table(name)
    suite = gx_runner.load_suite(name)
    assert suite.name == f"contract_{name}"
    on_rows = [e for e in suite.expectations if suite.frame_of(e) == gx_runner.ROWS_FRAME]
    by_type = {e["type"]: e["kwargs"] for e in on_rows}
    assert len(by_type) == len(on_rows), "one expectation of each kind on the rows"
    assert not ROW_RULES & set(by_type), "ingestion already enforces the contract's row rules"

    columns = by_type["expect_table_columns_to_match_set"]
    assert columns["column_set"] == [*table.columns, *LINEAGE_COLUMNS] and columns["exact_match"]
    views = {e["meta"]["view"]: e for e in suite.expectations if (e.get("meta") or {}).get("view")}
    if name in CONTRACT.references:
        assert suite.partition_columns == () and views == {}
        assert by_type["expect_table_row_count_to_be_between"] == {"min_value": 1}
        unique = by_type.get("expect_compound_columns_to_be_unique", {}).get("column_list")
        unique = unique or [by_type["expect_column_values_to_be_unique"]["column"]]
        assert unique == list(table.key)
        return

    source = CONTRACT.sources[name]
    version = [source.version_column] if source.version_column else []
    assert suite.partition_column == "_extract_date"
    assert by_type["expect_compound_columns_to_be_unique"]["column_list"] == [
        "_extract_date",
        *source.key,
        *version,
    ]
    assert ("partition_rows" in views) == source.every_day
    assert ("journals" in views) == bool(source.balanced_by)
    references = {
        f"unknown_{c.name}": "error" if c.reference else "warning"
        for c in table.columns.values()
        if c.reference or c.reference_warn
    }
    lookups = {
        suite.expectations[i]["kwargs"]["column"]: suite.severity(i)
        for i in suite.frames().get("row_checks", [])
    }
    assert lookups == references


def test_suite_files_are_plain_gx_suites():
    from great_expectations.core.expectation_suite import ExpectationSuiteSchema

    files = sorted(p.stem for p in gx_runner.EXPECTATIONS_DIR.glob("*.json"))
    assert set(ALL_TABLES) <= set(files)
    for name in ALL_TABLES:
        data = ExpectationSuiteSchema().load(json.loads(gx_runner.suite_path(name).read_text()))
        assert len(data["expectations"]) == len(gx_runner.load_suite(name).expectations)


def test_referential_expectations_are_warnings_except_the_chart_of_accounts():
    severities = {}
    for name in CONTRACT.sources:
        suite = gx_runner.load_suite(name)
        for index, e in enumerate(suite.expectations):
            if e["kwargs"].get("column", "").startswith("unknown_"):
                severities[(name, e["kwargs"]["column"])] = suite.severity(index)
    assert severities == {
        ("shipments", "unknown_order_id"): "warning",
        ("support_tickets", "unknown_customer_id"): "warning",
        ("nps_responses", "unknown_customer_id"): "warning",
        ("invoices", "unknown_customer_id"): "warning",
        ("gl_journal_lines", "unknown_account_code"): "error",  # a contract row rule
    }


def test_every_suite_runs_clean_on_valid_rows(con):
    for name in CONTRACT.references:
        insert_raw(con, name, None, [valid_row(name, DAY)])
    for name in CONTRACT.sources:
        insert_raw(con, name, DAY, [valid_row(name, DAY)])
    outcomes = [o for name in CONTRACT.sources for o in check_source_partitions(con, name, [DAY])]
    outcomes += [o for name in CONTRACT.references for o in check_reference(con, name)]
    problems = {o.check_name: o.reason for o in outcomes if not o.passed}
    assert problems == {}
    assert all(not o.details["broken"] for o in outcomes)


def test_a_broken_expectation_is_a_broken_check_not_bad_data(con, tmp_path, monkeypatch):
    suites = tmp_path / "expectations"
    suites.mkdir()
    spec = json.loads(gx_runner.suite_path("nps_responses").read_text())
    spec["expectations"].append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nope"}})
    spec["meta"]["lodestar"]["views"]["row_checks"]["sql"] += " limit error('view is broken')"
    (suites / "nps_responses.json").write_text(json.dumps(spec))
    monkeypatch.setattr(gx_runner, "EXPECTATIONS_DIR", suites)
    insert_raw(con, "customers", DAY, [valid_row("customers", DAY)])
    insert_raw(con, "nps_responses", DAY, [valid_row("nps_responses", DAY)])

    outcome = one(check_source_partitions(con, "nps_responses", [DAY]))
    assert not outcome.passed and outcome.blocking and outcome.details["broken"]
    reported = outcome.details["failed"] + outcome.details["warnings"]
    broken = {f["column"]: f for f in reported if f["broken"]}
    assert "nope" in broken and broken["nope"]["exception"]
    assert broken["unknown_customer_id"]["exception"].startswith("view row_checks failed")
    assert "view is broken" in broken["unknown_customer_id"]["exception"]
    assert "BROKEN CHECK expect_column_values_to_not_be_null(nope)" in outcome.reason

    (suites / "customers.json").write_text("{not json")
    broken_suite = one(check_source_partitions(con, "customers", [DAY]))
    assert (
        not broken_suite.passed
        and "BROKEN CHECK" in broken_suite.reason
        and "not valid JSON" in broken_suite.reason
    )


def test_reference_tables_are_checked_whole(con):
    accounts = [valid_row("chart_of_accounts", DAY, account_code=code) for code in ("4000", "5000")]
    insert_raw(con, "chart_of_accounts", None, accounts)
    assert one(check_reference(con, "chart_of_accounts")).passed
    insert_raw(con, "chart_of_accounts", None, [*accounts, accounts[0]])
    duplicated = one(check_source_partitions(con, "chart_of_accounts", [None]))
    assert (duplicated.partition, duplicated.passed, duplicated.asset) == (
        None,
        False,
        "raw/chart_of_accounts",
    )
    assert "account_code=4000" in duplicated.reason
    never = one(check_reference(con, "budget"))
    assert not never.passed and "never loaded" in never.reason


# --------------------------------------------------------------------------- records


def _dq_rows(con):
    return con.execute(
        "select * exclude (run_id, checked_at) from audit.dq_results order by check_name, partition_date"
    ).fetchall()


def test_results_are_recorded_and_replaced_on_rerun(con):
    days = [DAY, DAY + timedelta(days=1)]
    insert_raw(con, "orders", days[0], [valid_row("orders", days[0])])
    insert_raw(con, "orders", days[1], [valid_row("orders", days[1])] * 2)  # one key and version twice
    assert record_results(con, check_source_partitions(con, "orders", days), run_id="r1") == 2
    first = con.execute("select partition_date, passed, run_id from audit.dq_results order by 1").fetchall()
    assert first == [(days[0], True, "r1"), (days[1], False, "r1")]

    con.execute("delete from raw.orders where _extract_date = ? and _line = 3", [days[1]])
    record_results(con, check_source_partitions(con, "orders", days[1:]), run_id="r2")
    second = con.execute("select partition_date, passed, run_id from audit.dq_results order by 1").fetchall()
    assert second == [(days[0], True, "r1"), (days[1], True, "r2")]

    before = _dq_rows(con)
    whole = con.execute("select * from audit.dq_results order by partition_date").fetchall()
    record_results(con, check_source_partitions(con, "orders", days), run_id="r3")
    assert _dq_rows(con) == before
    # unchanged outcomes keep their rows whole, run_id and checked_at included
    assert con.execute("select * from audit.dq_results order by partition_date").fetchall() == whole
    assert con.execute("select run_id from audit.dq_results order by partition_date").fetchall() == [
        ("r1",),
        ("r2",),
    ]
