"""The one quarantine ledger, built by the real dbt models on a real DuckDB file:
ingest row rules and the rules that need FX (no usable rate, an implausible
amount in USD) land in `quarantine`, `quarantine_summary` reconciles every
source, and a row waiting for its rate converts by itself once it arrives."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.sources.contract import load_contract
from pipelines.sources.ingest import ensure_schema, ingest_partition, ingest_reference
from pipelines.warehouse import connect
from tests.factories import valid_row, write_csv, write_extract
from tests.kpis.conftest import DbtWorkspace, query

DAY = date(2026, 3, 2)
CONTRACT = load_contract()
SELECT = "+quarantine_summary +int_kpi_parts__orders +int_kpi_parts__ledger"


def ingest(warehouse, landing, source):
    con = connect(warehouse, "UTC")
    try:
        ensure_schema(con, CONTRACT)
        if source in CONTRACT.references:
            return ingest_reference(con, CONTRACT, CONTRACT.references[source], landing, "UTC")
        return ingest_partition(con, CONTRACT, CONTRACT.sources[source], landing, DAY, "UTC")
    finally:
        con.close()


def order(order_id, currency, gross, **extra):
    at = f"{DAY}T10:00:00+00:00"
    return valid_row(
        "orders",
        DAY,
        order_id=order_id,
        currency=currency,
        gross_amount=gross,
        discount_amount="0.00",
        ordered_at=at,
        updated_at=at,
        **extra,
    )


def rate(currency, usd_per_unit):
    return valid_row("fx_rates", DAY, rate_date=DAY.isoformat(), currency=currency, usd_per_unit=usd_per_unit)


def gl(journal, line, account, currency, debit, credit):
    return valid_row(
        "gl_journal_lines",
        DAY,
        journal_id=journal,
        line_number=line,
        posted_on=DAY.isoformat(),
        account_code=account,
        currency=currency,
        debit=debit,
        credit=credit,
    )


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    root = tmp_path_factory.mktemp("ledger")
    landing = root / "landing"
    workspace = DbtWorkspace(root / "dbt", start=DAY)
    write_csv(
        landing / "reference" / "chart_of_accounts.csv",
        [
            valid_row("chart_of_accounts", DAY, account_code="1100", account_type="asset"),
            valid_row("chart_of_accounts", DAY, account_code="4000", account_type="revenue"),
        ],
    )
    write_csv(landing / "reference" / "budget.csv", [valid_row("budget", DAY, currency="USD")])
    write_extract(landing, "fx_rates", DAY, [rate("USD", "1"), rate("EUR", "1.10")])
    write_extract(
        landing,
        "orders",
        DAY,
        [
            order("O-usd", "USD", "100.00"),
            order("O-eur", "EUR", "200.00"),
            order("O-jpy", "JPY", "10000.00"),  # no JPY rate yet
            order("O-huge", "USD", "2000000.00"),  # above 1,000,000 USD
            order("O-absurd", "EUR", "1000000000000000.00"),  # the 1e15 order
            order("O-enum", "USD", "5.00", channel="fax"),  # an ingest rule
        ],
    )
    write_extract(
        landing,
        "gl_journal_lines",
        DAY,
        [
            gl("J-usd", 1, "1100", "USD", "50.00", "0.00"),
            gl("J-usd", 2, "4000", "USD", "0.00", "50.00"),
            gl("J-jpy", 1, "1100", "JPY", "700.00", "0.00"),
            gl("J-jpy", 2, "4000", "JPY", "0.00", "700.00"),
            gl("J-mix", 1, "1100", "USD", "10.00", "0.00"),
            gl("J-mix", 2, "4000", "JPY", "0.00", "10.00"),
        ],
    )
    for source in ("chart_of_accounts", "budget", "fx_rates", "orders", "gl_journal_lines"):
        assert ingest(workspace.warehouse, landing, source).status == "loaded"
    workspace.run("build", select=SELECT)
    before = workspace.save(root / "before.duckdb")

    # The JPY rate arrives in a re-delivery of the day's rates: the order and the journal convert.
    write_extract(landing, "fx_rates", DAY, [rate("USD", "1"), rate("EUR", "1.10"), rate("JPY", "0.0070")])
    assert ingest(workspace.warehouse, landing, "fx_rates").status == "loaded"
    workspace.run("build", select=SELECT)
    return before, workspace.warehouse


def summary(db, source):
    return query(
        db,
        "select rows_read, rows_accepted, rows_quarantined from marts.quarantine_summary "
        "where source = ? and extract_date = ?",
        [source, DAY],
    )


def gmv_parts(db):
    rows = query(
        db,
        "select numerator from intermediate.int_kpi_parts__orders "
        "where kpi_id = 'gmv' and day = ? and dimension = 'all'",
        [DAY],
    )
    return float(rows[0][0])


def test_rows_without_a_rate_and_implausible_amounts_are_quarantined_with_their_file_and_line(ledger):
    before, _ = ledger
    rows = query(
        before,
        "select source, line, column_name, reason, stage from marts.quarantine order by source, line",
    )
    by_line = {(source, line): (column, reason, stage) for source, line, column, reason, stage in rows}
    assert by_line[("orders", 4)][:2] == ("currency", "no JPY rate on 2026-03-02 or the 7 days before")
    assert by_line[("orders", 4)][2] == "conversion"
    assert by_line[("orders", 5)][0] == "gross_amount"
    assert (
        "gross_amount 2000000.00 USD is 2000000.00 USD, above the plausibility bound of 1,000,000 USD"
        in (by_line[("orders", 5)][1])
    )
    assert "above the plausibility bound of 1,000,000 USD" in by_line[("orders", 6)][1]
    assert by_line[("orders", 7)][2] == "ingest"
    assert by_line[("gl_journal_lines", 4)][:2] == (
        "currency",
        "no JPY rate on 2026-03-02 or the 7 days before",
    )
    assert by_line[("gl_journal_lines", 5)][0] == "currency"
    # a journal goes whole: its USD line follows the JPY line without a rate
    assert by_line[("gl_journal_lines", 6)][:2] == (
        "journal_id",
        "journal_id J-mix is quarantined whole: it has a quarantined line",
    )
    assert by_line[("gl_journal_lines", 7)][0] == "currency"


def test_the_summary_reconciles_every_source_over_the_whole_ledger(ledger):
    before, after = ledger
    assert summary(before, "orders") == [(6, 2, 4)]
    assert summary(before, "gl_journal_lines") == [(6, 2, 4)]
    assert summary(after, "orders") == [(6, 3, 3)]
    assert summary(after, "gl_journal_lines") == [(6, 6, 0)]
    for db in ledger:
        assert query(
            db,
            "select count(*) from marts.quarantine_summary where rows_read <> rows_accepted + rows_quarantined",
        ) == [(0,)]


def test_quarantined_rows_count_nowhere_and_convert_once_their_rate_arrives(ledger):
    before, after = ledger
    assert gmv_parts(before) == pytest.approx(100 + 200 * 1.10)
    assert gmv_parts(after) == pytest.approx(100 + 200 * 1.10 + 10000 * 0.0070)
