"""The demo data generator: determinism, file layout, and the contract's rules."""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.demo import generate
from pipelines.sources.contract import load_contract

START, END = date(2024, 1, 1), date(2024, 2, 15)
SCALE = 0.02
CONTRACT = load_contract()
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]
OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    landing = tmp_path_factory.mktemp("clean")
    return landing, generate(landing, START, END, scale=SCALE, seed=7, defects=False)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    landing = tmp_path_factory.mktemp("dirty")
    return landing, generate(landing, START, END, scale=SCALE, seed=7)


def _digests(landing: Path) -> dict[str, str]:
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


# ------------------------------------------------------------ loading ----


def _sql_type(column) -> str:
    return column.type


def _connect(landing: Path) -> duckdb.DuckDBPyConnection:
    """One view per source with the extract day of each row, read strictly with the contract types."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, source in CONTRACT.sources.items():
        folder = landing / name
        if not any(folder.glob(f"*.{source.format}")):
            con.execute(f"CREATE VIEW {name} AS SELECT NULL::DATE AS _extract_date WHERE false")
            continue
        pattern = str(folder / f"*.{source.format}")
        if source.format == "csv":
            cols = ", ".join(f"'{c}': '{_sql_type(col)}'" for c, col in source.columns.items())
            reader = (
                f"read_csv('{pattern}', header=true, auto_detect=false, delim=',', quote='\"', "
                f"columns={{{cols}}}, filename=true)"
            )
        else:
            reader = f"read_parquet('{pattern}', filename=true)"
        con.execute(f"""
            CREATE VIEW {name} AS
            SELECT *,
                   regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})\\.\\w+$', 1)::DATE AS _extract_date
            FROM {reader}
        """)
    for name, ref in CONTRACT.references.items():
        cols = ", ".join(f"'{c}': '{col.type}'" for c, col in ref.columns.items())
        con.execute(f"""CREATE VIEW {name} AS SELECT * FROM read_csv('{landing / "reference" / ref.file}',
                        header=true, auto_detect=false, columns={{{cols}}})""")
    return con


def _day_of(column) -> str:
    if column.type == "TIMESTAMPTZ":
        return f"({column.name} AT TIME ZONE 'UTC')::DATE"
    return column.name


def _violations(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows breaking each contract rule, by '<source>.<column>: <rule>'."""
    found: dict[str, int] = {}

    def count(label: str, table: str, bad: str) -> None:
        n = con.execute(f"SELECT count(*) FROM {table} WHERE {bad}").fetchone()[0]
        if n:
            found[label] = n

    for name, table in {**CONTRACT.sources, **CONTRACT.references}.items():
        for col in table.columns.values():
            c = col.name
            if col.required:
                count(f"{name}.{c}: required", name, f"{c} IS NULL")
            if col.enum:
                values = ", ".join(f"'{v}'" for v in CONTRACT.enums[col.enum])
                count(f"{name}.{c}: enum", name, f"{c} NOT IN ({values})")
            if col.min is not None:
                count(f"{name}.{c}: min", name, f"{c} < {col.min}")
            if col.max is not None:
                count(f"{name}.{c}: max", name, f"{c} > {col.max}")
            if col.min_exclusive is not None:
                count(f"{name}.{c}: min_exclusive", name, f"{c} <= {col.min_exclusive}")
            if col.pattern:
                count(f"{name}.{c}: pattern", name, f"NOT regexp_full_match({c}, '{col.pattern}')")
            if col.event and name in CONTRACT.sources:
                count(f"{name}.{c}: event after extract day", name, f"{_day_of(col)} > _extract_date")
            if col.not_before:
                count(f"{name}.{c}: before {col.not_before}", name, f"{c} < {col.not_before}")
            if col.reference:
                ref, _, ref_col = col.reference.partition(".")
                count(f"{name}.{c}: reference", name, f"{c} NOT IN (SELECT {ref_col} FROM {ref})")
        for rule in table.rules:
            count(f"{name}: {rule.reason}", name, f"NOT coalesce({rule.check}, true)")
        if getattr(table, "balanced_by", None):
            n = con.execute(f"""SELECT count(*) FROM (SELECT {table.balanced_by} FROM {name}
                                GROUP BY ALL HAVING sum(debit) <> sum(credit))""").fetchone()[0]
            if n:
                found[f"{name}: unbalanced journals"] = n
    return found


# -------------------------------------------------------------- tests ----


def test_same_seed_same_bytes_other_seed_differs(dirty, tmp_path):
    landing, counts = dirty
    again = generate(tmp_path / "again", START, END, scale=SCALE, seed=7)
    assert again == counts
    assert _digests(tmp_path / "again") == _digests(landing)
    other = generate(tmp_path / "other", START, END, scale=SCALE, seed=8)
    assert _digests(tmp_path / "other") != _digests(landing)
    assert other != counts


def test_prefix_of_a_range_is_stable(clean, tmp_path):
    """Extending the end date leaves the earlier extracts unchanged."""
    landing, _ = clean
    short_end = START + timedelta(days=9)
    generate(tmp_path, START, short_end, scale=SCALE, seed=7, defects=False)
    short = {k: v for k, v in _digests(tmp_path).items() if not k.startswith("reference")}
    full = _digests(landing)
    assert short and all(full[k] == v for k, v in short.items())


def test_every_source_has_contract_columns_in_order(clean):
    landing, counts = clean
    for name, source in CONTRACT.sources.items():
        files = sorted((landing / name).iterdir())
        assert files, f"{name} has no files"
        assert {f.suffix for f in files} == {f".{source.format}"}
        for f in files:
            if source.format == "csv":
                with f.open(newline="", encoding="utf-8") as fh:
                    header = next(csv.reader(fh))
            else:
                header = pq.read_schema(f).names
            assert header == list(source.columns), f
    for name, ref in CONTRACT.references.items():
        with (landing / "reference" / ref.file).open(newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(ref.columns)
        assert counts[name] > 0


def test_every_day_sources_have_a_nonempty_file_each_day(clean):
    landing, _ = clean
    for name, source in CONTRACT.sources.items():
        if not source.every_day:
            continue
        for d in DAYS:
            path = landing / name / f"{d.isoformat()}.{source.format}"
            assert path.exists(), path
            rows = (
                pq.read_metadata(path).num_rows
                if source.format == "parquet"
                else len(path.read_text().splitlines()) - 1
            )
            assert rows > 0, path


def test_fx_rates_skip_weekends_and_always_cover_the_lookback(clean):
    landing, _ = clean
    fx_days = {p.stem for p in (landing / "fx_rates").iterdir()}
    assert "2024-01-06" not in fx_days and "2024-01-07" not in fx_days  # weekend
    assert "2024-01-02" in fx_days
    con = _connect(landing)
    # the first extract is an initial load: New Year's Day has no rate, the days before do
    dates = {
        r[0]
        for r in con.execute(
            "SELECT rate_date FROM fx_rates WHERE _extract_date = DATE '2024-01-01'"
        ).fetchall()
    }
    assert dates and max(dates) < START
    assert (
        con.execute("SELECT count(*) FROM fx_rates WHERE currency = 'USD' AND usd_per_unit <> 1").fetchone()[
            0
        ]
        == 0
    )
    # every day of the range has a rate of every currency within the 7-day look-back
    missing = con.execute("""
        WITH days AS (
            SELECT unnest(generate_series(DATE '2024-01-01', DATE '2024-02-15', INTERVAL 1 DAY))::DATE AS d),
             cur AS (SELECT DISTINCT currency FROM fx_rates)
        SELECT count(*) FROM days, cur WHERE NOT EXISTS (
            SELECT 1 FROM fx_rates f
            WHERE f.currency = cur.currency AND f.rate_date BETWEEN d - 7 AND d)""").fetchone()[0]
    assert missing == 0


def test_csv_timestamps_carry_offsets(clean):
    landing, _ = clean
    offsets: set[str] = set()
    for name, source in CONTRACT.sources.items():
        if source.format != "csv":
            continue
        ts_cols = [i for i, c in enumerate(source.columns.values()) if c.type == "TIMESTAMPTZ"]
        for f in (landing / name).iterdir():
            with f.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))[1:]
            for row in rows:
                for i in ts_cols:
                    if row[i]:
                        assert OFFSET.search(row[i]), (f, row[i])
                        offsets.add(row[i][-6:])
    assert "+00:00" in offsets and len(offsets) >= 3, offsets


def test_parquet_types_follow_the_contract(clean):
    landing, _ = clean
    for name, source in CONTRACT.sources.items():
        if source.format != "parquet":
            continue
        schema = pq.read_schema(next((landing / name).iterdir()))
        for col in source.columns.values():
            typ = schema.field(col.name).type
            if col.type == "TIMESTAMPTZ":
                assert str(typ) == "timestamp[us, tz=UTC]", (name, col.name, typ)
            elif col.type == "DATE":
                assert str(typ) == "date32[day]"
            elif col.type.startswith("DECIMAL"):
                assert str(typ).replace(" ", "") == col.type.lower().replace("decimal", "decimal128").replace(
                    " ", ""
                )


def test_contract_rules_hold_without_defects(clean):
    landing, _ = clean
    con = _connect(landing)
    assert _violations(con) == {}
    # keys are unique within an extract
    for name, source in CONTRACT.sources.items():
        keys = ", ".join(source.key)
        dup = con.execute(
            f"SELECT count(*) FROM (SELECT {keys}, _extract_date FROM {name} "
            "GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dup == 0, name
    # yen have no minor unit
    for table, col in [
        ("orders", "gross_amount"), ("orders", "discount_amount"), ("orders", "shipping_amount"),
        ("invoices", "amount"), ("marketing_spend", "amount"),
        ("gl_journal_lines", "debit"), ("gl_journal_lines", "credit"),
    ]:  # fmt: skip
        sql = f"SELECT count(*) FROM {table} WHERE currency = 'JPY' AND {col} <> round({col})"
        assert con.execute(sql).fetchone()[0] == 0, (table, col)
    # FX: USD is 1 and every published day has every currency
    assert con.execute("SELECT count(DISTINCT currency) FROM fx_rates").fetchone()[0] >= 6


def test_defects_are_rows_a_strict_loader_quarantines(clean, dirty):
    clean_landing, clean_counts = clean
    dirty_landing, dirty_counts = dirty
    found = _violations(_connect(dirty_landing))
    assert found, "expected a few defect rows"
    assert sum(found.values()) < 0.002 * sum(dirty_counts.values())
    # same files; row counts differ only by the extra (unbalanced) manual journals
    assert {k for k in _digests(clean_landing)} == {k for k in _digests(dirty_landing)}
    for name in CONTRACT.sources:
        if name != "gl_journal_lines":
            assert dirty_counts[name] == clean_counts[name], name


def test_volumes_cover_every_kpi_dimension(clean):
    con = _connect(clean[0])
    one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
    assert one("SELECT count(DISTINCT region) FROM orders") == 4
    assert one("SELECT count(DISTINCT channel) FROM orders") == 4
    assert one("SELECT count(DISTINCT currency) FROM orders") == 6
    assert one("SELECT count(DISTINCT carrier) FROM shipments WHERE delivered_at IS NOT NULL") >= 6
    assert (
        one("SELECT count(DISTINCT channel || priority) FROM support_tickets WHERE csat_score IS NOT NULL")
        >= 10
    )
    assert one("SELECT count(DISTINCT region || channel) FROM web_traffic") == 8
    assert one("SELECT count(DISTINCT channel || region) FROM marketing_spend") == 16
    assert one("SELECT count(DISTINCT department) FROM employees") == 6
    assert one("SELECT count(*) FROM nps_responses") > 50
    assert one("SELECT count(*) FROM invoices WHERE paid_on IS NOT NULL") > 10
    # GL posts revenue, cogs and opex every day, opex for every cost center
    per_day = con.execute("""
        SELECT posted_on, count(DISTINCT c.account_type),
               count(DISTINCT CASE WHEN c.account_type = 'opex' THEN cost_center END)
        FROM gl_journal_lines g JOIN chart_of_accounts c USING (account_code)
        WHERE c.account_type IN ('revenue', 'cogs', 'opex') GROUP BY ALL""").fetchall()
    assert len(per_day) == len(DAYS)
    assert all(types == 3 and centers == 6 for _, types, centers in per_day)
    # the budget covers every month of the range and three more
    months = {r[0] for r in con.execute("SELECT DISTINCT budget_month FROM budget").fetchall()}
    assert months == {"2024-01", "2024-02", "2024-03", "2024-04", "2024-05"}


def test_cdc_orders_reappear_with_newer_versions(clean):
    con = _connect(clean[0])
    rows = con.execute("""
        SELECT order_id, list(updated_at ORDER BY _extract_date), list(status ORDER BY _extract_date)
        FROM orders GROUP BY order_id HAVING count(*) > 1""").fetchall()
    assert len(rows) > 100
    for _, updated, _statuses in rows:
        assert updated == sorted(updated) and len(set(updated)) == len(updated)
    statuses = {tuple(s) for _, _, s in rows}
    assert ("placed", "shipped", "delivered") in statuses
    assert any(s[-1] == "returned" for s in statuses)
    assert any(s[-1] == "cancelled" for s in statuses)
    # shipments gain delivered_at on a later extract; tickets get resolved later
    assert (
        con.execute("""SELECT count(*) FROM (SELECT shipment_id FROM shipments GROUP BY 1
                          HAVING count(*) > 1 AND bool_or(delivered_at IS NULL)
                                 AND bool_or(delivered_at IS NOT NULL))""").fetchone()[0]
        > 50
    )
    # late-arriving: some order rows first appear on a day after they were placed
    late = con.execute("""
        SELECT count(*) FROM (
            SELECT order_id, min(_extract_date) AS first_seen, any_value(ordered_at) AS o
            FROM orders GROUP BY 1)
        WHERE first_seen > (o AT TIME ZONE 'UTC')::DATE""").fetchone()[0]
    assert late > 0


def test_rows_scale_roughly_linearly_and_progress_is_reported(tmp_path):
    messages: list[str] = []
    end = date(2024, 3, 3)  # two weeks across a month boundary
    small = generate(tmp_path / "a", date(2024, 2, 19), end, scale=0.02, defects=False)
    large = generate(
        tmp_path / "b", date(2024, 2, 19), end, scale=0.08, defects=False, progress=messages.append
    )
    for name in ("orders", "shipments", "support_tickets", "invoices"):
        assert 2.5 < large[name] / small[name] < 6, (name, small[name], large[name])
    assert [m.split(":")[0] for m in messages] == ["2024-02", "2024-03"]
