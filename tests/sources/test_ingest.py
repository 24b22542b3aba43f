"""Ingestion against real DuckDB files: row rules quarantine, file rules block,
counts reconcile, re-delivery replaces, reruns are idempotent."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ingest_days, ingest_partition, ingest_reference
from tests.factories import valid_row, write_csv, write_extract
from tests.sources.conftest import quarantined as quarantine

DAY = date(2024, 3, 5)
CONTRACT = load_contract()


def ingest(con, landing, source, day=DAY, timezone="UTC"):
    return ingest_partition(con, CONTRACT, CONTRACT.sources[source], landing, day, timezone)


def test_valid_rows_load_with_lineage_and_counts(env):
    con, landing = env
    path = write_extract(
        landing, "orders", DAY, [valid_row("orders", DAY, order_id=f"O{i}") for i in range(3)]
    )
    result = ingest(con, landing, "orders")
    assert (result.status, result.rows_read, result.rows_accepted, result.rows_quarantined) == (
        "loaded",
        3,
        3,
        0,
    )
    rows = con.execute(
        "select order_id, _extract_date, _source_file, _line from raw.orders order by _line"
    ).fetchall()
    assert rows == [(f"O{i}", DAY, str(path), i + 2) for i in range(3)]
    log = con.execute(
        "select status, rows_read, rows_accepted, rows_quarantined from raw.ingest_log"
    ).fetchall()
    assert log == [("loaded", 3, 3, 0)]


def _with_another_key(source: str, row: dict) -> dict:
    """The row with a key of its own (two rows of one key in one extract are ambiguous)."""
    table = CONTRACT.sources[source]
    for name in table.key:
        column = table.columns[name]
        if column.type == "VARCHAR" and not column.enum:
            return row | {name: "OK-ROW"}
        if column.enum:
            return row | {name: CONTRACT.enums[column.enum][-1]}
    raise AssertionError(f"no key column of {source} to vary")


@pytest.mark.parametrize(
    ("source", "overrides", "column", "reason"),
    [
        ("orders", {"region": "MARS"}, "region", "region: 'MARS' is not one of NA, EU, APAC, LATAM"),
        (
            "orders",
            {"channel": "fax"},
            "channel",
            "channel: 'fax' is not one of web, mobile, marketplace, retail",
        ),
        ("orders", {"status": "lost"}, "status", "status: 'lost' is not one of"),
        (
            "orders",
            {"gross_amount": "-1.00", "discount_amount": "0"},
            "gross_amount",
            "gross_amount is below 0",
        ),
        (
            "orders",
            {"gross_amount": "5.00", "discount_amount": "6.00"},
            "discount_amount",
            "discount_amount is greater than gross_amount",
        ),
        (
            "orders",
            {"gross_amount": "12,5"},
            "gross_amount",
            "gross_amount: '12,5' is not a valid DECIMAL(18,2)",
        ),
        ("orders", {"order_id": ""}, "order_id", "order_id is required"),
        (
            "orders",
            # the end of 2024-03-05 at UTC-12: the first instant that is after the day everywhere
            {"ordered_at": "2024-03-06T12:00:00+00:00", "updated_at": "2024-03-06T12:00:00+00:00"},
            "ordered_at",
            "ordered_at is after the extract day 2024-03-05: '2024-03-06T12:00:00+00:00'",
        ),
        ("customers", {"segment": "gov"}, "segment", "segment: 'gov' is not one of consumer, business"),
        (
            "shipments",
            {"delivered_at": "2024-03-05T08:00:00+00:00"},
            "delivered_at",
            "delivered_at is before shipped_at",
        ),
        ("support_tickets", {"csat_score": "7"}, "csat_score", "csat_score is above 5"),
        (
            "support_tickets",
            {"first_response_at": "2024-03-05T08:00:00+00:00"},
            "first_response_at",
            "first_response_at is before opened_at",
        ),
        (
            "support_tickets",
            {"priority": "meh"},
            "priority",
            "priority: 'meh' is not one of low, normal, high, urgent",
        ),
        ("nps_responses", {"score": "11"}, "score", "score is above 10"),
        ("web_traffic", {"sessions": "-3"}, "sessions", "sessions is below 0"),
        ("employees", {"fte": "0"}, "fte", "fte must be above 0"),
        ("employees", {"fte": "1.5"}, "fte", "fte is above 1"),
        (
            "employees",
            {"hired_on": "2024-03-01", "terminated_on": "2024-02-01"},
            "terminated_on",
            "terminated_on is not after hired_on",
        ),
        ("invoices", {"amount": "0"}, "amount", "amount must be above 0"),
        ("invoices", {"due_on": "2024-03-01"}, "due_on", "due_on is before issued_on"),
        ("marketing_spend", {"channel": "tv"}, "channel", "channel: 'tv' is not one of paid_search"),
        ("fx_rates", {"usd_per_unit": "0"}, "usd_per_unit", "usd_per_unit must be above 0"),
        ("fx_rates", {"usd_per_unit": "1.2"}, "usd_per_unit", "USD must have usd_per_unit = 1"),
    ],
)
def test_each_row_rule_quarantines_with_its_reason(env, source, overrides, column, reason):
    con, landing = env
    rows = [valid_row(source, DAY, **overrides), _with_another_key(source, valid_row(source, DAY))]
    write_extract(landing, source, DAY, rows)
    result = ingest(con, landing, source)
    assert result.status == "loaded"
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (2, 1, 1)
    [(line, column_name, text)] = quarantine(con, source)
    assert line == 2 and column_name == column and reason in text
    raw_row = json.loads(con.execute("select raw_row from raw.quarantine").fetchone()[0])
    assert raw_row[column] == rows[0][column] or rows[0][column] == ""


def test_journal_that_does_not_balance_is_quarantined_whole(env):
    con, landing = env
    write_csv(
        landing / "reference" / "chart_of_accounts.csv",
        [
            valid_row("chart_of_accounts", DAY, account_code="4000", account_type="revenue"),
            valid_row("chart_of_accounts", DAY, account_code="1100", account_type="asset"),
        ],
    )
    ingest_reference(con, CONTRACT, CONTRACT.references["chart_of_accounts"], landing, "UTC")
    line = lambda j, n, acct, d, c: valid_row(  # noqa: E731
        "gl_journal_lines", DAY, journal_id=j, line_number=n, account_code=acct, debit=d, credit=c
    )
    write_extract(
        landing,
        "gl_journal_lines",
        DAY,
        [
            line("J1", 1, "1100", "100.00", "0"),
            line("J1", 2, "4000", "0", "100.00"),  # balanced
            line("J2", 1, "1100", "100.00", "0"),
            line("J2", 2, "4000", "0", "90.00"),  # unbalanced
            line("J3", 1, "1100", "50.00", "0"),
            line("J3", 2, "9999", "0", "50.00"),  # unknown account
        ],
        fmt="parquet",
    )
    result = ingest(con, landing, "gl_journal_lines")
    assert (result.rows_accepted, result.rows_quarantined) == (2, 4)
    reasons = {(r[0], r[2]) for r in quarantine(con, "gl_journal_lines")}
    assert any(
        "journal J2 is quarantined whole: it does not balance (debit 100.00, credit 90.00)" in t
        for _, t in reasons
    )
    assert any("account_code: '9999' is not in chart_of_accounts" in t for _, t in reasons)
    assert any("journal J3 is quarantined whole: it has a quarantined line" in t for _, t in reasons)
    assert con.execute("select distinct journal_id from raw.gl_journal_lines").fetchall() == [("J1",)]


def test_timestamp_without_offset_is_read_in_business_timezone(env):
    con, landing = env
    write_extract(
        landing,
        "orders",
        DAY,
        [valid_row("orders", DAY, ordered_at="2024-03-05 23:30:00", updated_at="2024-03-05 23:30:00")],
    )
    assert ingest(con, landing, "orders", timezone="America/New_York").rows_accepted == 1
    utc = con.execute("select cast(timezone('UTC', ordered_at) as varchar) from raw.orders").fetchone()[0]
    assert utc == "2024-03-06 04:30:00"


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        ("missing", "missing extract for 2024-03-05 (expected every day)"),
        ("ambiguous", "ambiguous extract for 2024-03-05: both 2024-03-05.csv and 2024-03-05.parquet"),
        ("missing_column", "missing required columns ['status']"),
        ("retyped", "column gross_amount: no value parses as DECIMAL(18,2)"),
        ("empty", "empty extract where data is expected"),
        ("ragged", "unreadable"),
        ("not_utf8", "unreadable"),
    ],
)
def test_file_rules_block_the_partition_naming_file_and_problem(env, setup, problem):
    con, landing = env
    good = [valid_row("orders", DAY, order_id=f"O{i}") for i in range(2)]
    path = landing / "orders" / f"{DAY}.csv"
    if setup == "ambiguous":
        write_extract(landing, "orders", DAY, good)
        write_extract(landing, "orders", DAY, good, fmt="parquet")
    elif setup == "missing_column":
        write_csv(path, good, header=[c for c in good[0] if c != "status"])
    elif setup == "retyped":
        write_csv(path, [{**r, "gross_amount": "lots"} for r in good])
    elif setup == "empty":
        write_csv(path, [], header=list(good[0]))
    elif setup == "ragged":
        write_csv(path, good)
        path.write_text(path.read_text() + "O9,too,few\n")
    elif setup == "not_utf8":
        path.parent.mkdir(parents=True)
        path.write_bytes(b"order_id\xff\xfe,customer_id\n")
    result = ingest(con, landing, "orders")
    assert result.status == "blocked"
    assert problem in result.message
    assert "orders" in result.message
    assert con.execute("select count(*) from raw.orders").fetchone()[0] == 0
    log = con.execute("select status, message from raw.ingest_log").fetchall()
    assert log == [("blocked", result.message)]


def test_change_source_without_file_is_not_blocked(env):
    con, landing = env
    assert ingest(con, landing, "customers").status == "no_file"


def test_unknown_extra_column_is_ignored_with_a_warning(env):
    con, landing = env
    write_extract(landing, "orders", DAY, [{**valid_row("orders", DAY), "coupon": "X"}])
    result = ingest(con, landing, "orders")
    assert result.rows_accepted == 1
    assert result.warnings and "ignored unknown columns ['coupon']" in result.warnings[0]


def test_volume_far_outside_recent_range_blocks(env):
    con, landing = env
    for offset in range(8):
        day = DAY + timedelta(days=offset)
        write_extract(
            landing, "orders", day, [valid_row("orders", day, order_id=f"O{offset}-{i}") for i in range(20)]
        )
        assert ingest(con, landing, "orders", day).status == "loaded"
    spike_day = DAY + timedelta(days=8)
    write_extract(
        landing, "orders", spike_day, [valid_row("orders", spike_day, order_id=f"S{i}") for i in range(400)]
    )
    result = ingest(con, landing, "orders", spike_day)
    assert result.status == "blocked"
    assert "volume 400 rows is far outside the recent range 2..200 (median 20" in result.message


def test_redelivery_replaces_the_day_and_rerun_is_idempotent(env):
    con, landing = env
    write_extract(landing, "orders", DAY, [valid_row("orders", DAY, order_id=f"O{i}") for i in range(3)])
    ingest(con, landing, "orders")
    write_extract(
        landing,
        "orders",
        DAY,
        [valid_row("orders", DAY, order_id="O9"), valid_row("orders", DAY, order_id="BAD", region="XX")],
    )
    for _ in range(2):
        result = ingest(con, landing, "orders")
        assert (result.rows_accepted, result.rows_quarantined) == (1, 1)
        assert con.execute("select order_id from raw.orders").fetchall() == [("O9",)]
        assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 1
        assert con.execute("select count(*) from raw.ingest_log").fetchone()[0] == 1


def test_blocked_redelivery_keeps_the_previous_accepted_rows(env):
    con, landing = env
    write_extract(landing, "orders", DAY, [valid_row("orders", DAY, order_id="O1")])
    ingest(con, landing, "orders")
    (landing / "orders" / f"{DAY}.csv").write_text("order_id\nO2\n")
    assert ingest(con, landing, "orders").status == "blocked"
    assert con.execute("select order_id from raw.orders").fetchall() == [("O1",)]


def test_min_event_date_covers_late_changes(env):
    con, landing = env
    later = DAY + timedelta(days=3)
    write_extract(
        landing,
        "orders",
        later,
        [valid_row("orders", later, ordered_at=f"{DAY}T10:00:00+00:00", status="cancelled")],
    )
    assert ingest(con, landing, "orders", later).min_event_date == DAY


def test_a_quiet_day_of_a_changes_only_source_is_not_a_volume_outlier(env):
    con, landing = env
    days = [DAY + timedelta(days=i) for i in range(9)]
    for offset, day in enumerate(days):
        count = 1 if offset == 8 else 20  # the last day brings a single change
        write_extract(
            landing,
            "customers",
            day,
            [valid_row("customers", day, customer_id=f"C{offset}-{i}") for i in range(count)],
        )
    results = ingest_days(con, CONTRACT, CONTRACT.sources["customers"], landing, days, "UTC")
    assert [r.status for r in results] == ["loaded"] * 9
