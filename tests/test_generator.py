"""The demo data generator: determinism, file layout, and the contract's rules."""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from lodestar_demo import generate
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


# -------------------------------------------------------- default bytes ----

# Digests of the default output computed with the generator as it was before
# messy mode existed (commit 4676e05): the default must not change by a byte.
# Parquet files are compared by schema and values as plain text, since their
# bytes (and the reprs of the values) depend on the pyarrow version.
# Recompute only for a deliberate change of the demo data.
PINNED = {
    True: "b89e32f14d2b534ddd7705ddef380d432e901603f5388fe602f95429e5f3022d",
    False: "9395669671d3e0a696ec0804d8c1941e8e425313477fac9ff387cf11259ebc13",
}


def _plain(value) -> str:
    if isinstance(value, datetime):
        return str(int(value.timestamp()))
    return "" if value is None else str(value)  # date: ISO, Decimal: exact digits


def _content_digest(landing: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(landing.rglob("*")):
        if not p.is_file():
            continue
        digest.update(str(p.relative_to(landing)).encode() + b"\0")
        if p.suffix == ".parquet":
            table = pq.read_table(p)
            digest.update(repr([(f.name, str(f.type), f.nullable) for f in table.schema]).encode())
            for column in table.columns:
                digest.update("\x1f".join(_plain(v) for v in column.to_pylist()).encode() + b"\x1e")
        else:
            digest.update(p.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@pytest.mark.parametrize("defects", [True, False])
def test_default_output_is_unchanged_by_messy_mode(tmp_path, defects):
    # 2024-02-09 is a day with an unbalanced manual journal (a defect)
    generate(tmp_path, date(2024, 2, 8), date(2024, 2, 10), scale=SCALE, seed=7, defects=defects)
    assert _content_digest(tmp_path) == PINNED[defects]
    assert not any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in tmp_path.rglob("*.csv"))


# --------------------------------------------------------------- messy ----

# Across three DST changes: London (03-31), Auckland (04-07); Los Angeles has been on -07:00 since 03-10.
M_START, M_END = date(2024, 3, 25), date(2024, 4, 10)
M_DAYS = [M_START + timedelta(days=i) for i in range((M_END - M_START).days + 1)]
PLAN_DATES = {"promised_date", "due_on", "hired_on", "terminated_on"}  # may be in the future
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    landing = tmp_path_factory.mktemp("messy")
    return landing, generate(landing, M_START, M_END, scale=SCALE, seed=7, defects=False, messy=True)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _text_rows(landing: Path, name: str) -> list[tuple[date, dict[str, str]]]:
    """(extract day, row as text) of every line of a CSV source."""
    return [
        (date.fromisoformat(f.stem), row)
        for f in sorted((landing / name).glob("*.csv"))
        for row in _csv_rows(f)
    ]


def test_messy_is_deterministic_and_its_prefix_stable(messy, tmp_path):
    landing, counts = messy
    again = generate(tmp_path / "again", M_START, M_END, scale=SCALE, seed=7, defects=False, messy=True)
    assert again == counts and _digests(tmp_path / "again") == _digests(landing)
    short_end = M_START + timedelta(days=6)
    generate(tmp_path / "short", M_START, short_end, scale=SCALE, seed=7, defects=False, messy=True)
    short = {k: v for k, v in _digests(tmp_path / "short").items() if not k.startswith("reference")}
    full = _digests(landing)
    assert len(short) > 30 and all(full[k] == v for k, v in short.items())


def test_messy_systems_stamp_their_own_local_time(messy):
    landing, _ = messy
    offsets: dict[str, set[str]] = {}
    for name, source in CONTRACT.sources.items():
        if source.format != "csv":
            continue
        stamps = [c for c, col in source.columns.items() if col.type == "TIMESTAMPTZ"]
        for _, row in _text_rows(landing, name):
            offsets.setdefault(name, set()).update(row[c][-6:] for c in stamps if row[c])
    # Los Angeles: the initial customer load reaches back into winter time
    assert offsets["orders"] <= offsets["customers"] == {"-08:00", "-07:00"}
    assert offsets["support_tickets"] == offsets["nps_responses"] == {"-10:00"}  # Honolulu
    assert offsets["employees"] == {"+12:00", "+13:00"}  # Auckland
    assert offsets["invoices"] == {"+00:00", "+01:00"}  # London
    assert len(set().union(*offsets.values())) >= 7


def test_messy_extracts_are_cut_at_the_systems_local_midnight(messy):
    """A row version is in the extract of the local date of its change, never a later one."""
    landing, _ = messy
    evening = 0
    for name, source in CONTRACT.sources.items():
        change = source.version_column or ("responded_at" if name == "nps_responses" else None)
        if source.format != "csv" or change is None:
            continue
        for extract, row in _text_rows(landing, name):
            local = date.fromisoformat(row[change][:10])
            assert local == extract or (extract == M_START and local < M_START), (name, extract, row)
            instant = datetime.fromisoformat(row[change]).astimezone(UTC)
            evening += instant.date() > extract  # e.g. 21:00-07:00, the next day in UTC
    assert evening > 50


def test_messy_events_are_never_after_the_end_of_their_extract_day_in_any_zone(messy):
    """Issue 10: an instant is after day D only from D + 1 at 12:00 UTC (midnight at UTC-12)."""
    con = _connect(messy[0])
    for name, source in CONTRACT.sources.items():
        for col in source.columns.values():
            if col.event and col.type == "TIMESTAMPTZ":
                bad = f"{col.name} >= (_extract_date + 1)::TIMESTAMP AT TIME ZONE 'UTC' + INTERVAL 12 HOUR"
            elif col.event and col.type == "DATE" and col.name not in PLAN_DATES:
                bad = f"{col.name} > _extract_date"
            else:
                continue
            assert con.execute(f"SELECT count(*) FROM {name} WHERE {bad}").fetchone()[0] == 0, (name, col)


def test_messy_rows_keep_the_other_contract_rules(messy):
    con = _connect(messy[0])
    found = {k: v for k, v in _violations(con).items() if "event after extract day" not in k}
    assert found == {}
    # apart from exact duplicate lines, keys are unique within an extract
    for name, source in CONTRACT.sources.items():
        keys = ", ".join(source.key)
        dup = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (filename) FROM {name}) "
            f"GROUP BY {keys}, _extract_date HAVING count(*) > 1"
        ).fetchall()
        assert dup == [], name
    assert (
        con.execute("""SELECT count(*) FROM (SELECT 1 FROM budget
                          GROUP BY budget_month, cost_center, account_type, currency
                          HAVING count(*) > 1)""").fetchone()[0]
        == 0
    )


def test_messy_orders_are_the_same_company(messy, tmp_path):
    """Only the delivery differs: every messy order version is a version of the default output
    (which needs one more UTC day: Los Angeles finishes the last day during it)."""
    default = tmp_path / "default"
    generate(default, M_START, M_END + timedelta(days=1), scale=SCALE, seed=7, defects=False)
    columns = "order_id, ordered_at, currency, gross_amount, status, updated_at"
    versions = {name: set(_connect(p).execute(f"SELECT {columns} FROM orders").fetchall())
                for name, p in (("messy", messy[0]), ("default", default))}  # fmt: skip
    assert versions["messy"] <= versions["default"]
    assert len(versions["messy"]) > 0.8 * len(versions["default"])


def test_messy_writes_some_extracts_as_a_spreadsheet_saves_them(messy):
    landing, _ = messy
    excel, duplicated = set(), set()
    for name in CONTRACT.sources:
        for f in (landing / name).glob("*.csv"):
            data = f.read_bytes()
            lines = data.split(b"\n")[:-1]
            if data.startswith(BOM):
                excel.add(name)
                assert all(line.endswith(b"\r") for line in lines), f  # CRLF throughout
                data_lines = lines[1:]
                if len(set(data_lines)) < len(data_lines):
                    duplicated.add(name)
            else:
                assert b"\r" not in data, f
    assert "marketing_spend" in excel and len(excel) >= 4, excel
    assert duplicated, "expected an exact duplicate line in some spreadsheet extract"
    for name, source in CONTRACT.sources.items():  # headers still name the contract's columns
        if source.format == "csv":
            for f in (landing / name).glob("*.csv"):
                with f.open(newline="", encoding="utf-8-sig") as fh:
                    assert next(csv.reader(fh)) == list(source.columns), f


def test_messy_budget_plans_a_cost_center_in_two_currencies(messy):
    landing, _ = messy
    rows = _csv_rows(landing / "reference" / "budget.csv")
    currencies: dict[tuple[str, str, str], set[str]] = {}
    for r in rows:
        currencies.setdefault((r["budget_month"], r["cost_center"], r["account_type"]), set()).add(
            r["currency"]
        )
    split = {k: v for k, v in currencies.items() if len(v) > 1}
    assert {("2024-03", "operations", "opex"), ("2024-04", "support", "opex")} <= set(split)
    assert ("2024-03", "support", "opex") not in split  # some months only
    fx = {r["currency"] for _, r in _text_rows(landing, "fx_rates")}
    assert all(v == {"EUR", "GBP"} and v <= fx for v in split.values())


def test_messy_employees_include_accepted_offers_before_their_start(messy):
    landing, _ = messy
    ahead = [
        (date.fromisoformat(row["hired_on"]) - extract).days
        for extract, row in _text_rows(landing, "employees")
        if date.fromisoformat(row["hired_on"]) > extract
    ]
    assert ahead and all(1 <= days <= 36 for days in ahead), ahead


def test_generate_command_has_a_messy_flag(tmp_path, monkeypatch, capsys):
    from pipelines.cli import build_parser, main

    assert build_parser().parse_args(["generate"]).messy is False
    monkeypatch.setenv("LODESTAR_LANDING", str(tmp_path))
    assert main(["generate", "--start", "2024-03-04", "--end", "2024-03-05", "--messy"]) == 0
    assert "messy" in capsys.readouterr().out
    assert (tmp_path / "marketing_spend" / "2024-03-04.csv").read_bytes().startswith(BOM)


def test_the_demo_loses_three_web_traffic_extracts_near_its_end(tmp_path):
    """The export outage incident: every-day files go missing, so the demo shows a stale KPI."""
    start, end = date(2024, 1, 1), date(2026, 11, 23)
    generate(tmp_path, start, end, scale=0.002, seed=7)
    missing = [
        d
        for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
        if not (tmp_path / "web_traffic" / f"{d}.parquet").exists()
    ]
    assert missing == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
