"""Validation of OKR files (docs/okrs.md): one test per rule with its message, all
errors at once, and hostile values stored verbatim as data."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.config import REPO_ROOT
from pipelines.okrs.catalog import load_catalog
from pipelines.okrs.cli import validate_command
from pipelines.okrs.validate import OkrValidationError, load_okr_sets, okr_table_rows, write_okr_tables
from tests.okrs.okr_files import kr, objective, okr_yaml

CATALOG = load_catalog(REPO_ROOT / "okrs")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def errors(paths) -> list[str]:
    with pytest.raises(OkrValidationError) as info:
        load_okr_sets(paths, CATALOG)
    return info.value.errors


def kr_error(tmp_path, **fields) -> str:
    """The one error of a file whose one objective has one key result kr(**fields)."""
    return single_error(tmp_path, [objective(krs=[kr(**fields)])])


def single_error(tmp_path, objectives, name="2026-Q4.yml", **kw) -> str:
    path = write(tmp_path, name, okr_yaml(objectives, **kw))
    errs = errors(path)
    assert len(errs) == 1, errs
    assert errs[0].startswith(f"{path}: ")
    return errs[0]


# --------------------------------------------------------------------------- valid sets


def test_demo_okr_sets_are_valid():
    sets = load_okr_sets(REPO_ROOT / "okrs", CATALOG)
    assert [s.file.name for s in sets] == ["2026-Q3.yml", "2026-Q4.yml"]
    krs = [k for s in sets for o in s.objectives for k in o.key_results]
    assert len(krs) >= 15
    assert {k.type for k in krs} == {"increase", "decrease", "stay_above", "stay_below"}
    assert {CATALOG.get(k.kpi).family for k in krs} == {
        "finance",
        "growth",
        "customer",
        "operations",
        "people",
    }
    assert any(k.filter for k in krs) and any(k.revisions for k in krs) and any(k.weight != 1 for k in krs)
    # at least three levels deep somewhere
    parents = {o.id: o.parent for s in sets for o in s.objectives}

    def depth(oid):
        return 0 if parents[oid] is None else 1 + depth(parents[oid])

    assert max(depth(o) for o in parents) >= 2


def test_valid_file_with_every_feature(tmp_path):
    path = write(
        tmp_path,
        "2026-Q4.yml",
        okr_yaml(
            [
                objective("company", krs=[]),
                objective(
                    "cx",
                    parent="company",
                    weight=2,
                    krs=[
                        kr(
                            "a",
                            filter={"channel": "chat"},
                            weight=2,
                            revisions=[{"effective_from": "2026-11-15", "target": 0.88}],
                        ),
                        kr(
                            "b",
                            kpi="ticket_backlog",
                            window="day",
                            type="stay_below",
                            target=40,
                            baseline=None,
                        ),
                        kr(
                            "c",
                            kpi="on_time_delivery_rate",
                            type="stay_above",
                            baseline=0.95,
                            target=0.9,
                            filter={"carrier": "any carrier name"},
                        ),
                        kr("d", kpi="resolution_hours_p90", type="decrease", baseline=30, target=24),
                    ],
                ),
            ]
        ),
    )
    [s] = load_okr_sets(path, CATALOG)
    assert [o.id for o in s.objectives] == ["company", "cx"]


# --------------------------------------------------------------------------- one test per rule


def test_unknown_kpi(tmp_path):
    msg = kr_error(tmp_path, kpi="happiness")
    assert "objective 'o1', key result 'k1': unknown KPI 'happiness'" in msg


def test_unknown_window(tmp_path):
    msg = kr_error(tmp_path, window="fortnight")
    assert "objective 'o1', key result 'k1': unknown window 'fortnight'" in msg
    assert "trailing_28d" in msg


def test_unknown_value_of_a_closed_dimension(tmp_path):
    msg = kr_error(tmp_path, filter={"channel": "fax"})
    assert "key result 'k1': unknown value 'fax' for dimension 'channel' of KPI 'csat'" in msg
    assert "email, chat, phone" in msg


def test_filter_on_a_dimension_the_kpi_does_not_have(tmp_path):
    msg = kr_error(tmp_path, kpi="net_revenue", baseline=1, target=2, filter={"region": "EU"})
    assert "key result 'k1': filter on dimension 'region', which KPI 'net_revenue' does not have" in msg


def test_open_dimension_accepts_any_non_empty_value(tmp_path):
    def opex_below(cost_center: str) -> list[dict]:
        filter_ = {"cost_center": cost_center}
        return [
            objective(
                krs=[
                    kr(
                        kpi="operating_expenses",
                        type="stay_below",
                        baseline=None,
                        target=1000,
                        filter=filter_,
                    )
                ]
            )
        ]

    ok = write(tmp_path, "ok.yml", okr_yaml(opex_below("CC-100 / R&D 'north'")))
    load_okr_sets(ok, CATALOG)
    (tmp_path / "ok.yml").unlink()
    msg = single_error(tmp_path, opex_below("  "))
    assert "key result 'k1': filter value for dimension 'cost_center' must not be empty" in msg


def test_filter_with_two_dimensions(tmp_path):
    msg = kr_error(
        tmp_path,
        kpi="resolution_hours_p90",
        type="decrease",
        baseline=30,
        target=20,
        filter={"channel": "chat", "priority": "high"},
    )
    assert (
        "key result 'k1': filter {channel: 'chat', priority: 'high'} must name exactly one dimension "
        "and its value, e.g. {channel: chat}"
    ) in msg


def q3_and_q4(tmp_path: Path, q3: dict, q4: dict) -> tuple[Path, Path]:
    """Two OKR files, 2026-Q3.yml and 2026-Q4.yml, with one objective each."""
    a = write(tmp_path, "2026-Q3.yml", okr_yaml([q3], period="{start: 2026-07-01, end: 2026-09-30}"))
    return a, write(tmp_path, "2026-Q4.yml", okr_yaml([q4]))


def test_duplicate_objective_ids_across_files(tmp_path):
    a, b = q3_and_q4(tmp_path, objective("same", krs=[kr("k1")]), objective("same", krs=[kr("k2")]))
    errs = errors(tmp_path)
    assert errs == [f"{b}: objective 'same': duplicate objective id (already defined in {a})"]


def test_duplicate_key_result_ids_across_files(tmp_path):
    a, b = q3_and_q4(tmp_path, objective("o1", krs=[kr("dup")]), objective("o2", krs=[kr("dup")]))
    errs = errors([a, b])
    assert errs == [
        f"{b}: objective 'o2', key result 'dup': "
        f"duplicate key result id (already defined in {a}, objective 'o1')"
    ]


def test_duplicate_key_result_ids_in_one_objective(tmp_path):
    msg = single_error(tmp_path, [objective(krs=[kr("k1"), kr("k1")])])
    assert "objective 'o1', key result 'k1': duplicate key result id" in msg


def test_parent_that_does_not_exist(tmp_path):
    msg = single_error(tmp_path, [objective("o1", parent="nowhere")])
    assert "objective 'o1': parent 'nowhere' does not exist in any OKR file" in msg


def test_parent_in_another_file_is_fine(tmp_path):
    write(
        tmp_path,
        "2026.yml",
        okr_yaml([objective("year", krs=[])], period="{start: 2026-01-01, end: 2026-12-31}"),
    )
    write(tmp_path, "2026-Q4.yml", okr_yaml([objective("q4", parent="year")]))
    sets = load_okr_sets(tmp_path, CATALOG)
    assert {o.id: o.parent for s in sets for o in s.objectives} == {"year": None, "q4": "year"}


def test_parent_cycle_across_files(tmp_path):
    a = write(tmp_path, "a.yml", okr_yaml([objective("alpha", parent="beta", krs=[kr("k1")])]))
    write(
        tmp_path,
        "b.yml",
        okr_yaml(
            [
                objective("beta", parent="gamma", krs=[kr("k2")]),
                objective("gamma", parent="alpha", krs=[kr("k3")]),
            ]
        ),
    )
    errs = errors(tmp_path)
    assert errs == [f"{a}: objective 'alpha': parent cycle: 'alpha' -> 'beta' -> 'gamma' -> 'alpha'"]


def test_objective_that_is_its_own_parent(tmp_path):
    msg = single_error(tmp_path, [objective("o1", parent="o1")])
    assert "objective 'o1': parent is the objective itself (a cycle)" in msg


@pytest.mark.parametrize("kr_type, baseline", [("increase", 0.9), ("decrease", 0.9)])
def test_baseline_equal_to_target(tmp_path, kr_type, baseline):
    msg = kr_error(tmp_path, type=kr_type, baseline=baseline, target=0.9)
    assert f"key result 'k1': target equals the baseline (0.9) for type {kr_type}" in msg


def test_baseline_required_for_increase(tmp_path):
    msg = kr_error(tmp_path, baseline=None)
    assert "key result 'k1': baseline is required for type increase" in msg


@pytest.mark.parametrize(
    "fields, reason",
    [
        (
            dict(type="increase", baseline=0.9, target=0.8),
            "target 0.8 is below the baseline 0.9, but type increase needs a target above the baseline",
        ),
        (
            dict(type="decrease", baseline=0.8, target=0.9),
            "target 0.9 is above the baseline 0.8, but type decrease needs a target below the baseline",
        ),
        (
            dict(type="stay_above", baseline=0.8, target=0.9),
            "target 0.9 is above the baseline 0.8: type stay_above needs a baseline at or above the target",
        ),
        (
            dict(type="stay_below", baseline=50, target=40),
            "target 40 is below the baseline 50: type stay_below needs a baseline at or below the target",
        ),
    ],
)
def test_target_on_the_wrong_side_of_the_baseline(tmp_path, fields, reason):
    msg = kr_error(tmp_path, **fields)
    assert f"objective 'o1', key result 'k1': {reason}" in msg


def test_revision_on_the_wrong_side_of_the_baseline(tmp_path):
    msg = kr_error(
        tmp_path, baseline=0.8, target=0.9, revisions=[{"effective_from": "2026-11-15", "target": 0.75}]
    )
    assert (
        "key result 'k1': revision effective 2026-11-15: target 0.75 is below the baseline 0.8, "
        "but type increase needs a target above the baseline"
    ) in msg


def test_revision_equal_to_the_baseline(tmp_path):
    msg = kr_error(
        tmp_path, baseline=0.8, target=0.9, revisions=[{"effective_from": "2026-11-15", "target": 0.8}]
    )
    assert "key result 'k1': revision effective 2026-11-15: target equals the baseline (0.8)" in msg


@pytest.mark.parametrize("weight", [0, -1])
def test_key_result_weight_must_be_positive(tmp_path, weight):
    msg = kr_error(tmp_path, weight=weight)
    assert f"objective 'o1', key result 'k1': weight must be greater than 0 (got {weight})" in msg


@pytest.mark.parametrize("weight", [0, -2.5])
def test_objective_weight_must_be_positive(tmp_path, weight):
    msg = single_error(tmp_path, [objective("top", krs=[]), objective("o1", parent="top", weight=weight)])
    assert f"objective 'o1': weight must be greater than 0 (got {weight:g})" in msg


@pytest.mark.parametrize("day", ["2026-09-30", "2027-01-01"])
def test_revision_outside_the_period(tmp_path, day):
    msg = kr_error(tmp_path, revisions=[{"effective_from": day, "target": 0.95}])
    assert (
        f"key result 'k1': revision effective_from {day} is outside the period 2026-10-01..2026-12-31" in msg
    )


def test_revision_on_the_period_start(tmp_path):
    msg = kr_error(tmp_path, revisions=[{"effective_from": "2026-10-01", "target": 0.95}])
    assert (
        "revision effective_from 2026-10-01 is the period start: set the key result's target instead" in msg
    )


def test_two_revisions_on_one_day(tmp_path):
    msg = kr_error(
        tmp_path,
        revisions=[
            {"effective_from": "2026-11-01", "target": 0.95},
            {"effective_from": "2026-11-01", "target": 0.92},
        ],
    )
    assert "key result 'k1': two revisions take effect on 2026-11-01" in msg


def test_period_start_after_end(tmp_path):
    msg = single_error(tmp_path, [objective()], period="{start: 2026-12-31, end: 2026-10-01}")
    assert msg.endswith(": period: start 2026-12-31 is after end 2026-10-01")


def test_objective_that_can_never_be_scored(tmp_path):
    msg = single_error(tmp_path, [objective("empty", krs=[])])
    assert "objective 'empty': has no key results and no child objectives" in msg


def test_shape_errors_name_the_field(tmp_path):
    path = write(
        tmp_path,
        "2026-Q4.yml",
        okr_yaml(
            [
                {
                    "id": "o1",
                    "title": "t",
                    "owner": "x",
                    "colour": "red",
                    "key_results": [
                        {
                            "id": "k1",
                            "title": "t",
                            "kpi": "csat",
                            "window": "day",
                            "type": "increase",
                            "baseline": 0.8,
                        },
                        {
                            "id": "k2",
                            "title": "t",
                            "kpi": "csat",
                            "window": "day",
                            "type": "grow",
                            "baseline": 0.8,
                            "target": "0.9",
                        },
                    ],
                },
            ]
        ),
    )
    errs = errors(path)
    assert (
        f"{path}: objective 'o1': unknown field 'colour' "
        "(fields: id, title, owner, parent, weight, key_results)" in errs
    )
    assert f"{path}: objective 'o1', key result 'k1': target: required field is missing" in errs
    assert (
        f"{path}: objective 'o1', key result 'k2': type 'grow' is not one of "
        "increase, decrease, stay_above, stay_below" in errs
    )
    assert f"{path}: objective 'o1', key result 'k2': target '0.9' is not a number" in errs


# --------------------------------------------------------------------------- messages name the bad value


def test_type_names_the_value_and_the_allowed_types(tmp_path):
    msg = single_error(tmp_path, [objective("delight-customers", krs=[kr("csat-chat", type="maximize")])])
    assert msg.endswith(
        "2026-Q4.yml: objective 'delight-customers', key result 'csat-chat': "
        "type 'maximize' is not one of increase, decrease, stay_above, stay_below"
    )


@pytest.mark.parametrize(
    "fields, reason",
    [
        (dict(window="fortnight"), "unknown window 'fortnight' (windows: day, trailing_7d, trailing_28d, "
         "month_to_date, quarter_to_date)"),
        (dict(kpi="happiness"), "unknown KPI 'happiness' (known KPIs: gmv, orders, "),
        (dict(filter={"colour": "red"}), "filter on dimension 'colour', which KPI 'csat' does not have "
         "(its dimensions: channel)"),
        (dict(filter={"channel": "fax"}), "unknown value 'fax' for dimension 'channel' of KPI 'csat' "
         "(values: email, chat, phone)"),
        (dict(filter=["chat"]), "filter ['chat'] must be a mapping of one dimension to its value, "
         "e.g. {channel: chat}"),
        (dict(filter={"channel": 5}), "filter.channel 5 must be text (put it in quotes)"),
        (dict(weight=-0.5), "weight must be greater than 0 (got -0.5)"),
        (dict(weight="heavy"), "weight 'heavy' is not a number"),
        (dict(target=True), "target true is not a number"),
        (dict(target=float("nan")), "target nan must be a finite number"),
        (dict(title="  "), "title '  ' must not be empty"),
        (dict(colour="red"), "unknown field 'colour' (fields: id, title, kpi, window, filter, type, "
         "baseline, target, weight, revisions)"),
        (dict(revisions={"effective_from": "2026-11-15", "target": 0.95}),
         "revisions {effective_from: '2026-11-15', target: 0.95} must be a list of "
         "{effective_from: YYYY-MM-DD, target: number}"),
    ],
)  # fmt: skip
def test_key_result_messages_name_the_bad_value_and_the_allowed_ones(tmp_path, fields, reason):
    msg = kr_error(tmp_path, **fields)
    assert f"objective 'o1', key result 'k1': {reason}" in msg


def test_a_key_result_that_is_not_a_mapping(tmp_path):
    msg = single_error(tmp_path, [objective(krs=["csat to 92%"])])
    assert msg.endswith(
        "objective 'o1', key result '#1': 'csat to 92%' must be a mapping with the fields "
        "id, title, kpi, window, filter, type, baseline, target, weight, revisions"
    )


def test_objective_messages_name_the_bad_value(tmp_path):
    a = write(tmp_path, "a.yml", okr_yaml([objective("o1", parent=5, weight="lots")]))
    write(tmp_path, "b.yml", okr_yaml([objective("o2", parent="nowhere", krs=[kr("k2")])]))
    errs = errors(tmp_path)
    assert f"{a}: objective 'o1': parent 5 must be text (put it in quotes)" in errs
    assert f"{a}: objective 'o1': weight 'lots' is not a number" in errs
    assert any(
        e.endswith("objective 'o2': parent 'nowhere' does not exist in any OKR file (objectives: o1, o2)")
        for e in errs
    ), errs


@pytest.mark.parametrize(
    "period, reason",
    [
        ("{start: 2026-10-01, end: 2026-09-31}", "period.end '2026-09-31' is not a valid date (YYYY-MM-DD)"),
        ("{start: 2026-02-29, end: 2026-03-31}", "period.start '2026-02-29' is not a valid date (YYYY-MM-DD)"),
        ("{start: soon, end: 2026-12-31}", "period.start 'soon' is not a valid date (YYYY-MM-DD)"),
        ("{start: 2026-10-01, end: 20261231}", "period.end 20261231 is not a valid date (YYYY-MM-DD)"),
        ("{start: 2026-10-01, end: 2026-12-31T10:00:00}",
         "period.end '2026-12-31T10:00:00' is not a valid date (YYYY-MM-DD)"),
        ("[2026-10-01, 2026-12-31]", "period ['2026-10-01', '2026-12-31'] must be a mapping with the fields start, end"),
        ("{start: 2026-10-01, end: 2026-12-31, tz: UTC}", "unknown field 'tz' in period (fields: start, end)"),
    ],
)  # fmt: skip
def test_period_messages_name_the_bad_value(tmp_path, period, reason):
    msg = single_error(tmp_path, [objective()], period=period)
    assert msg.endswith(f"2026-Q4.yml: {reason}")


def test_an_impossible_revision_date_is_a_message_not_a_crash(tmp_path):
    path = write(
        tmp_path,
        "2026-Q4.yml",
        "period: {start: 2026-10-01, end: 2026-12-31}\n"
        "objectives:\n  - id: o1\n    title: t\n    owner: x\n    key_results:\n"
        "      - {id: k1, title: t, kpi: csat, window: day, type: increase, baseline: 0.8, target: 0.9,\n"
        "         revisions: [{effective_from: 2026-11-31, target: 0.95}]}\n",
    )
    assert errors(path) == [
        f"{path}: objective 'o1', key result 'k1': "
        "revisions #1.effective_from '2026-11-31' is not a valid date (YYYY-MM-DD)"
    ]


def test_validate_command_prints_one_line_per_problem_without_a_traceback(tmp_path, capsys):
    bad = write(
        tmp_path,
        "2026-Q4.yml",
        "period: {start: 2026-10-01, end: 2026-09-31}\n"
        "objectives:\n  - id: delight-customers\n    title: t\n    owner: x\n    key_results:\n"
        "      - {id: csat-chat, title: t, kpi: csat, window: day, type: maximize, target: 0.9}\n",
    )
    assert validate_command([bad]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert captured.out.splitlines() == [
        f"{bad}: period.end '2026-09-31' is not a valid date (YYYY-MM-DD)",
        f"{bad}: objective 'delight-customers', key result 'csat-chat': "
        "type 'maximize' is not one of increase, decrease, stay_above, stay_below",
        "",
        "2 problem(s) in 1 OKR file(s).",
    ]


def test_validate_command_reports_a_broken_catalog_on_one_line(tmp_path, monkeypatch, capsys):
    write(tmp_path, "kpis.yml", "kpis: [\n")
    monkeypatch.setenv("LODESTAR_OKRS", str(tmp_path))
    assert validate_command([]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"error: the KPI catalog is invalid: {tmp_path / 'kpis.yml'}: while parsing")


def test_validate_command_never_shows_a_traceback(tmp_path, monkeypatch, capsys):
    def broken(*_args):
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr("pipelines.okrs.cli.load_okr_sets", broken)
    bad = write(tmp_path, "2026-Q4.yml", okr_yaml([objective()]))
    assert validate_command([bad]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "error: cannot validate the OKR files: RuntimeError: something unexpected"
    ]


def test_unreadable_yaml_names_the_file(tmp_path):
    path = write(tmp_path, "2026-Q4.yml", "period: {start: 2026-10-01\nobjectives: [")
    [msg] = errors(path)
    assert msg.startswith(f"{path}: invalid YAML")


def test_all_errors_of_all_files_at_once(tmp_path):
    a = write(
        tmp_path,
        "2026-Q3.yml",
        okr_yaml(
            [
                objective("o1", krs=[kr("k1", kpi="nope"), kr("k2", window="year"), kr("k3", weight=0)]),
                objective("o2", parent="ghost", krs=[kr("k4", baseline=0.9, target=0.9)]),
            ],
            period="{start: 2026-07-01, end: 2026-09-30}",
        ),
    )
    b = write(
        tmp_path,
        "2026-Q4.yml",
        okr_yaml(
            [
                objective("o1", krs=[kr("k1", filter={"channel": "pigeon"})]),
                objective("o3", krs=[kr("k5", revisions=[{"effective_from": "2027-02-01", "target": 0.95}])]),
            ]
        ),
    )
    errs = errors(tmp_path)
    expected = [
        (a, "objective 'o1', key result 'k1': unknown KPI 'nope'"),
        (a, "objective 'o1', key result 'k2': unknown window 'year'"),
        (a, "objective 'o1', key result 'k3': weight must be greater than 0"),
        (a, "objective 'o2': parent 'ghost' does not exist"),
        (a, "objective 'o2', key result 'k4': target equals the baseline"),
        (b, "objective 'o1': duplicate objective id"),
        (b, "objective 'o1', key result 'k1': duplicate key result id"),
        (b, "objective 'o1', key result 'k1': unknown value 'pigeon'"),
        (b, "objective 'o3', key result 'k5': revision effective_from 2027-02-01 is outside the period"),
    ]
    assert len(errs) == len(expected), errs
    for path, text in expected:
        assert any(e.startswith(f"{path}: {text}") for e in errs), (text, errs)
    # errors are listed file by file
    assert [e.startswith(str(a)) for e in errs] == [True] * 5 + [False] * 4


def test_validate_command_lists_every_problem(tmp_path, capsys):
    bad = write(
        tmp_path, "2026-Q4.yml", okr_yaml([objective(krs=[kr("k1", kpi="nope"), kr("k2", window="x")])])
    )
    assert validate_command([bad]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: objective 'o1', key result 'k1': unknown KPI 'nope'" in out
    assert f"{bad}: objective 'o1', key result 'k2': unknown window 'x'" in out
    assert "2 problem(s) in 1 OKR file(s)" in out


def test_validate_command_on_the_demo_sets(capsys):
    assert validate_command([]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 OKR file(s)")
    assert validate_command([REPO_ROOT / "okrs" / "2026-Q4.yml"]) == 0


def test_validate_command_missing_path(tmp_path, capsys):
    assert validate_command([tmp_path / "nope.yml"]) == 1
    assert "no such file or directory" in capsys.readouterr().out


# --------------------------------------------------------------------------- hostile values are data

HOSTILE = [
    "'; drop table x; --",
    "o'); DELETE FROM okr.objectives; --",
    "quote \" and ' and ; and -- and /* */",
    "Robert'); DROP TABLE students;--",
]


def hostile_file(tmp_path) -> Path:
    return write(
        tmp_path,
        "2026-Q4.yml",
        okr_yaml(
            [
                objective(
                    HOSTILE[0],
                    title=HOSTILE[2],
                    owner=HOSTILE[3],
                    krs=[
                        kr(
                            HOSTILE[1],
                            title=HOSTILE[0],
                            kpi="on_time_delivery_rate",
                            filter={"carrier": HOSTILE[0]},
                        ),
                        kr(
                            HOSTILE[3],
                            kpi="operating_expenses",
                            type="stay_below",
                            baseline=None,
                            target=5,
                            filter={"cost_center": HOSTILE[2]},
                        ),
                    ],
                ),
                objective(HOSTILE[2], parent=HOSTILE[0], krs=[kr("plain", filter={"channel": "chat"})]),
            ]
        ),
    )


def test_hostile_values_are_stored_verbatim_and_change_no_query(tmp_path):
    sets = load_okr_sets(hostile_file(tmp_path), CATALOG)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        con.execute("create table x (id integer)")
        con.execute("create table students (name varchar)")
        con.execute("insert into x values (1), (2)")
        con.execute("insert into students values ('Robert')")
        for _ in range(2):  # rewriting is idempotent
            counts = write_okr_tables(con, sets)
        assert counts == {"objectives": 2, "key_results": 3, "kr_targets": 3}
        assert con.execute("select count(*) from x").fetchone() == (2,)
        assert con.execute("select count(*) from students").fetchone() == (1,)
        objectives = con.execute(
            "select objective_id, title, owner, parent_objective_id from okr.objectives order by sort_order"
        ).fetchall()
        assert objectives == [
            (HOSTILE[0], HOSTILE[2], HOSTILE[3], None),
            (HOSTILE[2], "An objective", "team", HOSTILE[0]),
        ]
        krs = {
            r[0]: r[1:]
            for r in con.execute(
                "select kr_id, objective_id, title, filter_dimension, filter_value from okr.key_results"
            ).fetchall()
        }
        assert krs == {
            HOSTILE[1]: (HOSTILE[0], HOSTILE[0], "carrier", HOSTILE[0]),
            HOSTILE[3]: (HOSTILE[0], "A key result", "cost_center", HOSTILE[2]),
            "plain": (HOSTILE[2], "A key result", "channel", "chat"),
        }
        # the stored filter selects exactly the row with that value when bound as a parameter
        con.execute("create table kv (dimension_value varchar)")
        con.executemany("insert into kv values (?)", [(HOSTILE[0],), ("Acme",), ("x",)])
        assert con.execute(
            "select count(*) from kv join okr.key_results k on k.filter_value = kv.dimension_value"
        ).fetchone() == (1,)
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert {"x", "students", "objectives", "key_results", "kr_targets", "kv"} <= tables
    finally:
        con.close()


def test_hostile_value_on_a_closed_dimension_is_rejected(tmp_path):
    msg = kr_error(tmp_path, filter={"channel": "chat' OR '1'='1"})
    assert "unknown value \"chat' OR '1'='1\" for dimension 'channel'" in msg


def test_table_rows_tile_the_period_with_revisions():
    sets = load_okr_sets(REPO_ROOT / "okrs", CATALOG)
    rows = okr_table_rows(sets)
    by_kr: dict[str, list] = {}
    for kr_id, revision, _target, valid_from, valid_to in rows["kr_targets"]:
        by_kr.setdefault(kr_id, []).append((revision, valid_from, valid_to))
    periods = {r[0]: (r[10], r[11]) for r in rows["key_results"]}
    for kr_id, versions in by_kr.items():
        start, end = periods[kr_id]
        assert versions[0][1] == start and versions[-1][2] == end
        for (_, _, to), (_, nxt, _) in zip(versions, versions[1:], strict=False):
            assert (nxt - to).days == 1


# --------------------------------------------------------------------------- the Dagster asset


def test_asset_fails_with_every_error_and_writes_nothing(tmp_path, monkeypatch):
    okr_dir = tmp_path / "okrs"
    okr_dir.mkdir()
    shutil.copy(REPO_ROOT / "okrs" / "kpis.yml", okr_dir / "kpis.yml")
    shutil.copy(REPO_ROOT / "okrs" / "2026-Q4.yml", okr_dir / "2026-Q4.yml")
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("LODESTAR_OKRS", str(okr_dir))
    monkeypatch.setenv("LODESTAR_WAREHOUSE", str(warehouse))
    from pipelines.okrs.assets import okr_assets
    from pipelines.resources import Warehouse

    okr_assets = okr_assets()
    resources = {"warehouse": Warehouse.from_env()}
    assert dg.materialize(okr_assets, resources=resources).success
    con = duckdb.connect(str(warehouse))
    before = con.execute("select count(*) from okr.key_results").fetchone()
    con.close()

    write(
        okr_dir,
        "2026-Q3.yml",
        okr_yaml(
            [objective(krs=[kr("k1", kpi="nope"), kr("k2", weight=-1)])],
            period="{start: 2026-07-01, end: 2026-09-30}",
        ),
    )
    result = dg.materialize(okr_assets, resources=resources, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    text = failure.event_specific_data.error.message + str(failure.event_specific_data.user_failure_data)
    assert "2 problem(s) in the OKR files" in text
    assert "key result 'k1': unknown KPI 'nope'" in text
    assert "key result 'k2': weight must be greater than 0" in text
    con = duckdb.connect(str(warehouse))
    assert con.execute("select count(*) from okr.key_results").fetchone() == before  # untouched
    con.close()
