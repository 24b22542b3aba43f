"""Reading rules that other companies' systems exercise: their own time zones,
plan dates, Excel-style CSV, duplicates and ambiguous rows, plausibility
bounds, multi-currency budgets and reference files that are rejected whole.

Each test writes landing files by hand (not the demo generator) and ingests
them into a real DuckDB file."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ingest_partition, ingest_reference
from tests.factories import valid_row, write_csv, write_extract
from tests.sources.conftest import quarantined

DAY = date(2026, 8, 1)
CONTRACT = load_contract()


def ingest(con, landing, source, day=DAY, timezone="UTC"):
    return ingest_partition(con, CONTRACT, CONTRACT.sources[source], landing, day, timezone)


def load_reference(con, landing, name):
    return ingest_reference(con, CONTRACT, CONTRACT.references[name], landing, "UTC")


def land(landing, source, *rows: dict):
    """An extract of `source` for DAY: one valid row per dict, with that dict's values."""
    write_extract(landing, source, DAY, [valid_row(source, DAY, **row) for row in rows])


def order(order_id, at, **extra):
    return valid_row("orders", DAY, order_id=order_id, ordered_at=at, updated_at=at, **extra)


# ------------------------------------------------------------------ time zones


@pytest.mark.parametrize("business_zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_local_evening_and_morning_rows_of_any_zone_belong_to_their_extract(env, business_zone):
    """A source cuts its extract at its own midnight: its evening is another day in UTC."""
    con, landing = env
    rows = [
        order("LA-evening", "2026-08-01T21:00:02-07:00"),  # 2026-08-02 04:00 UTC
        order("HNL-late", "2026-08-01T23:59:59-10:00"),  # 2026-08-02 09:59 UTC
        order("KIRITIMATI-dawn", "2026-08-01T00:00:00+14:00"),  # 2026-07-31 10:00 UTC
        order("BAKER-last-second", "2026-08-01T23:59:59-12:00"),  # the last instant of the day anywhere
    ]
    write_extract(landing, "orders", DAY, rows)
    result = ingest(con, landing, "orders", timezone=business_zone)
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (4, 4, 0), quarantined(
        con, "orders"
    )


def test_an_event_is_after_its_extract_day_only_after_the_day_ended_everywhere(env):
    con, landing = env
    write_extract(
        landing,
        "orders",
        DAY,
        [
            order("just-in", "2026-08-02T11:59:59+00:00"),  # 23:59:59 on Aug 1 at UTC-12
            order("too-late", "2026-08-02T12:00:00+00:00"),  # midnight of Aug 2 at UTC-12
        ],
    )
    result = ingest(con, landing, "orders")
    assert (result.rows_accepted, result.rows_quarantined) == (1, 1)
    [(line, column, reason)] = quarantined(con, "orders")
    assert (line, column) == (3, "ordered_at")
    assert "ordered_at is after the extract day 2026-08-01: '2026-08-02T12:00:00+00:00'" in reason


def test_parquet_instants_are_judged_the_same_way(env):
    con, landing = env
    rows = [order("LA", "2026-08-02T04:00:02+00:00"), order("late", "2026-08-02T12:30:00+00:00")]
    write_extract(landing, "orders", DAY, rows, fmt="parquet")
    result = ingest(con, landing, "orders")
    assert (result.rows_accepted, result.rows_quarantined) == (1, 1)


def test_a_date_event_is_after_its_extract_day_when_it_is_a_later_date(env):
    con, landing = env
    rows = [
        valid_row("web_traffic", DAY, traffic_date="2026-08-01", region="NA"),
        valid_row("web_traffic", DAY, traffic_date="2026-08-02", region="EU"),
    ]
    write_extract(landing, "web_traffic", DAY, rows)
    result = ingest(con, landing, "web_traffic")
    assert (result.rows_accepted, result.rows_quarantined) == (1, 1)
    assert (
        "traffic_date is after the extract day 2026-08-01: '2026-08-02'"
        in quarantined(con, "web_traffic")[0][2]
    )


# ------------------------------------------------------------------ plan dates


def test_plan_dates_may_lie_in_the_future(env):
    con, landing = env
    land(
        landing,
        "employees",
        dict(employee_id="E-offer", hired_on="2026-09-01"),
        dict(employee_id="E-notice", hired_on="2025-01-06", terminated_on="2026-08-31"),
    )
    land(landing, "invoices", dict(issued_on="2026-08-01", due_on="2026-08-31", paid_on=""))
    land(landing, "shipments", dict(promised_date="2026-08-05", delivered_at=""))
    for source in ("employees", "invoices", "shipments"):
        result = ingest(con, landing, source)
        assert result.rows_quarantined == 0, quarantined(con, source)


# ------------------------------------------------------------------ Excel-style CSV


def test_excel_csv_with_bom_crlf_and_quoted_line_breaks_reads_cleanly(env):
    con, landing = env
    header = "journal_id,line_number,posted_on,account_code,cost_center,currency,debit,credit,description"
    lines = [
        header,
        'J1,1,2026-08-01,1100,CC-1,USD,100.00,0.00,"Rent, August"',
        'J1,2,2026-08-01,6100,CC-1,USD,0.00,100.00,"two-line\r\nnote"',
        'J2,1,2026-08-01,1100,CC-1,USD,5.00,0.00,"quoted ""word"""',
        "J2,2,2026-08-01,6100,CC-1,USD,0.00,5.00,",
        "J3,1,2026-08-01,1100,CC-1,USD,-1.00,0.00,negative debit on line 7",
        "J3,2,2026-08-01,6100,CC-1,USD,0.00,-1.00,",
    ]
    path = landing / "gl_journal_lines" / f"{DAY}.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    write_csv(
        landing / "reference" / "chart_of_accounts.csv",
        [
            valid_row("chart_of_accounts", DAY, account_code="1100", account_type="asset"),
            valid_row("chart_of_accounts", DAY, account_code="6100", account_type="opex"),
        ],
    )
    load_reference(con, landing, "chart_of_accounts")
    result = ingest(con, landing, "gl_journal_lines")
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (6, 4, 2)
    descriptions = con.execute("select description from raw.gl_journal_lines order by _line").fetchall()
    assert [d[0] for d in descriptions] == ["Rent, August", "two-line\r\nnote", 'quoted "word"', None]
    # Line numbers are physical lines: the record after the two-line field starts on line 5.
    assert [
        r[0] for r in con.execute("select _line from raw.gl_journal_lines order by _line").fetchall()
    ] == [
        2,
        3,
        5,
        6,
    ]
    assert [line for line, _, _ in quarantined(con, "gl_journal_lines")] == [7, 8]


def test_an_exact_duplicate_line_counts_once_with_a_warning(env):
    con, landing = env
    row = order("O1", "2026-08-01T10:00:00+02:00")
    write_extract(landing, "orders", DAY, [row, order("O2", "2026-08-01T11:00:00+02:00"), dict(row)])
    result = ingest(con, landing, "orders")
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined, result.rows_duplicate) == (
        3,
        3,
        0,
        1,
    )
    assert con.execute("select order_id from raw.orders order by order_id").fetchall() == [("O1",), ("O2",)]
    assert any("1 exact duplicate line(s) counted once (line 4 repeats line 2)" in w for w in result.warnings)


def test_two_different_rows_for_one_key_and_version_are_ambiguous(env):
    con, landing = env
    at = "2026-08-01T10:00:00+00:00"
    write_extract(
        landing,
        "orders",
        DAY,
        [
            order("O1", at, status="placed"),
            order("O1", at, status="cancelled"),  # same order_id and updated_at: which is true?
            order("O2", at),
            order("O3", at),
            order("O3", "2026-08-01T09:00:00+00:00")
            | {"updated_at": "2026-08-01T11:00:00+00:00"},  # a newer version
        ],
    )
    result = ingest(con, landing, "orders")
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (5, 3, 2)
    lines = quarantined(con, "orders")
    assert [(line, column) for line, column, _ in lines] == [(2, "order_id"), (3, "order_id")]
    first = lines[0][2]
    assert "ambiguous: order_id O1, updated_at" in first and "on lines 2, 3 of this extract" in first
    assert {r[0] for r in con.execute("select distinct order_id from raw.orders").fetchall()} == {"O2", "O3"}


def test_one_key_twice_in_a_source_without_versions_is_ambiguous(env):
    con, landing = env
    land(
        landing,
        "nps_responses",
        dict(response_id="R1", score="9"),
        dict(response_id="R1", score="3"),
        dict(response_id="R2", score="10"),
    )
    result = ingest(con, landing, "nps_responses")
    assert (result.rows_accepted, result.rows_quarantined) == (1, 2)
    assert all("appears twice on lines 2, 3" in reason for _, _, reason in quarantined(con, "nps_responses"))


# ------------------------------------------------------------------ plausibility


def test_values_beyond_their_plausibility_bound_are_quarantined(env):
    con, landing = env
    land(
        landing, "web_traffic", dict(region="NA", sessions="2000000000"), dict(region="EU", sessions="123456")
    )
    result = ingest(con, landing, "web_traffic")
    assert (result.rows_accepted, result.rows_quarantined) == (1, 1)
    assert (
        "sessions 2000000000 is above the plausibility bound 1,000,000,000"
        in quarantined(con, "web_traffic")[0][2]
    )


# ------------------------------------------------------------------ reference files


def budget_line(month, cost_center, currency, amount, account_type="opex"):
    return valid_row(
        "budget",
        DAY,
        budget_month=month,
        cost_center=cost_center,
        account_type=account_type,
        currency=currency,
        amount=amount,
    )


def test_a_cost_center_may_plan_in_several_currencies(env):
    con, landing = env
    write_csv(
        landing / "reference" / "budget.csv",
        [
            budget_line("2026-08", "CC-EU-OPS", "EUR", "1000.00"),
            budget_line("2026-08", "CC-EU-OPS", "GBP", "500.00"),
        ],
    )
    result = load_reference(con, landing, "budget")
    assert (result.status, result.rows_accepted, result.rows_quarantined) == ("loaded", 2, 0)


def test_a_broken_reference_file_is_rejected_whole_and_the_last_accepted_version_stays(env):
    con, landing = env
    path = landing / "reference" / "budget.csv"
    write_csv(
        path,
        [budget_line("2026-08", "CC-1", "USD", "1000.00"), budget_line("2026-08", "CC-2", "USD", "9.00")],
    )
    assert load_reference(con, landing, "budget").status == "loaded"

    write_csv(
        path,
        [
            budget_line("2026-09", "CC-1", "USD", "1200.00"),
            budget_line("2026-09", "CC-2", "USD", "-5.00"),  # line 3: a negative plan
            budget_line("2026-13", "CC-3", "USD", "1.00"),  # line 4: no such month
        ],
    )
    result = load_reference(con, landing, "budget")
    assert (result.status, result.rows_read, result.rows_accepted, result.rows_quarantined) == (
        "rejected",
        3,
        0,
        3,
    )
    assert (
        f"{path}: rejected, 2 row(s) break a rule: line 3: amount is below 0; line 4: budget_month"
        in result.message
    )
    in_force = con.execute("select budget_month, cost_center from raw.budget order by all").fetchall()
    assert in_force == [("2026-08", "CC-1"), ("2026-08", "CC-2")]
    lines = quarantined(con, "budget")
    assert [line for line, _, _ in lines] == [2, 3, 4]
    assert "not loaded: the file is rejected whole because 2 of its rows break a rule" in lines[0][2]
    assert con.execute("select status from raw.ingest_log where source = 'budget'").fetchall() == [
        ("rejected",)
    ]


def test_a_missing_reference_file_is_rejected_not_a_crash(env):
    con, landing = env
    result = load_reference(con, landing, "chart_of_accounts")
    assert result.status == "rejected"
    assert "chart_of_accounts.csv: reference file is missing" in result.message
