"""Load and validate OKR sets (`okrs/<period>.yml`, docs/okrs.md), and write them
to the warehouse as the `okr.*` tables the dbt OKR models read.

`load_okr_sets` checks every rule at once and raises `OkrValidationError`
with one message per problem, each naming the file, the objective / key
result id and the reason: the bad value and what is allowed instead. Files are validated together: ids are unique across
all of them and a parent may be an objective of any of them.

Everything in an OKR file is data. `write_okr_tables` binds every value as a
parameter; the only SQL text is the fixed DDL below.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from pipelines.config import DBT_PROJECT_DIR
from pipelines.okrs.catalog import Catalog
from pipelines.okrs.model import KeyResult, Objective, OkrSet, Period

CATALOG_FILE = "kpis.yml"
OKR_SCHEMA = "okr"


class OkrValidationError(ValueError):
    """Every problem found in a set of OKR files, one message each."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(
            f"{len(self.errors)} problem(s) in the OKR files:\n" + "\n".join(f"- {e}" for e in self.errors)
        )


# --------------------------------------------------------------------------- files


def okr_files(paths_or_dir: Path | str | Iterable[Path | str]) -> list[Path]:
    """The OKR files to validate: every `*.yml` / `*.yaml` of a directory except the
    KPI catalog (sorted by name), or the given paths (directories expanded)."""
    items = [paths_or_dir] if isinstance(paths_or_dir, (str, Path)) else list(paths_or_dir)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.suffix in (".yml", ".yaml") and p.name != CATALOG_FILE
                )
            )
        else:
            files.append(path)
    return files


# --------------------------------------------------------------------------- errors


def _q(value: Any) -> str:
    return repr(value) if isinstance(value, str) else repr(str(value)) if value is not None else "(none)"


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _show(value: Any, limit: int = 80) -> str:
    """A value as the file wrote it, on one line: 'text', 0.9, true, null, {channel: 'chat'}."""

    def text(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None:
            return "null"
        if isinstance(v, float):
            return _num(v)
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k if isinstance(k, str) and k.isidentifier() else text(k)}: {text(x)}"
                                   for k, x in v.items()) + "}"  # fmt: skip
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return repr(v)  # str (quoted, newlines escaped), int

    shown = text(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass
class _Errors:
    """Messages with where they point to; listed file by file, in file order."""

    items: list[tuple[int, Any, Any, int, str]] = field(default_factory=list)
    # file number -> {objective label: index} and {(objective label, kr label): index}
    positions: dict[int, dict[Any, int]] = field(default_factory=dict)

    def add(self, file_no: int, file: Path, message: str, objective: Any = None, kr: Any = None) -> None:
        where = [str(file)]
        if objective is not None or kr is not None:
            who = []
            if objective is not None:
                who.append(f"objective {_q(objective)}")
            if kr is not None:
                who.append(f"key result {_q(kr)}")
            where.append(", ".join(who))
        self.items.append((file_no, objective, kr, len(self.items), ": ".join([*where, message])))

    def place(self, file_no: int, objective: Any, index: int, kr: Any = None) -> None:
        key = objective if kr is None else (objective, kr)
        self.positions.setdefault(file_no, {}).setdefault(key, index)

    def sorted(self) -> list[str]:
        def key(item):
            file_no, objective, kr, seq, _ = item
            pos = self.positions.get(file_no, {})
            o = pos.get(objective, -1) if objective is not None else -1
            k = pos.get((objective, kr), -1) if kr is not None else -1
            return (file_no, o, k, seq)

        return [item[-1] for item in sorted(self.items, key=key)]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


def _model_at(model: type[BaseModel] | None, loc: Sequence) -> type[BaseModel] | None:
    """The model that `loc` leads to from `model` (list positions skipped), if any."""
    for part in loc:
        if model is not None and not isinstance(part, int):
            field_info = model.model_fields.get(part)
            model = _model_in(field_info.annotation) if field_info else None
    return model


def _literal_values(annotation: Any) -> tuple:
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    return next((v for v in map(_literal_values, get_args(annotation)) if v), ())


_SHAPES = {  # what a mapping or list field holds, for shape errors
    "filter": "a mapping of one dimension to its value, e.g. {channel: chat}",
    "revisions": "a list of {effective_from: YYYY-MM-DD, target: number}",
}


def _pydantic_messages(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> list[str]:
    """One message per error: the field, the value the file gave and what is allowed instead."""
    out = []
    for err in exc.errors():
        loc = ([prefix] if prefix else []) + list(err["loc"])
        # list positions as the 1-based '#n' the messages use for objectives and key results
        name = "".join(f" #{p + 1}" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        value = _show(err.get("input"))
        kind = err["type"]
        field_name = next((p for p in reversed(err["loc"]) if isinstance(p, str)), "")
        parent = _model_at(model, err["loc"][:-1])
        if kind == "missing":
            out.append(f"{name}: required field is missing")
        elif kind == "extra_forbidden":
            where = name.rpartition(".")[0]
            fields = ", ".join(parent.model_fields) if parent else ""
            out.append(
                f"unknown field {_q(err['loc'][-1])}{f' in {where}' if where else ''}"
                + (f" (fields: {fields})" if fields else "")
            )
        elif kind == "literal_error" and parent is not None:
            allowed = _literal_values(parent.model_fields[err["loc"][-1]].annotation)
            out.append(f"{name} {value} is not one of {', '.join(map(str, allowed))}")
        elif kind == "value_error":  # our validators: the message reads after the value
            out.append(f"{name} {value} {err['msg'].removeprefix('Value error, ')}")
        elif kind == "string_type":
            out.append(f"{name} {value} must be text (put it in quotes)")
        elif kind in ("dict_type", "list_type", "model_type"):
            target = _model_at(model, err["loc"])
            shape = (
                _SHAPES.get(field_name)
                or (f"a mapping with the fields {', '.join(target.model_fields)}" if target else None)
                or ("a mapping" if kind == "dict_type" else "a list")
            )
            out.append(f"{name} {value} must be {shape}".lstrip())
        else:  # pragma: no cover - pydantic's own words, with the value
            out.append(f"{name} {value}: {err['msg']}".lstrip())
    return out


# --------------------------------------------------------------------------- parsing


@dataclass
class _ParsedKr:
    raw_id: Any
    kr: KeyResult | None


@dataclass
class _ParsedObjective:
    raw_id: Any
    raw_parent: Any
    objective: Objective | None  # None when its own fields are malformed
    krs: list[_ParsedKr]


@dataclass
class _ParsedFile:
    no: int
    path: Path
    period: Period | None = None
    objectives: list[_ParsedObjective] = field(default_factory=list)
    readable: bool = False


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: the models parse them, so an impossible
    date (2026-09-31) is reported like any bad value instead of failing the parser."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _raw_id(raw: Any) -> Any:
    return raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None


def _parse_file(no: int, path: Path, errors: _Errors) -> _ParsedFile:
    parsed = _ParsedFile(no, path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except OSError as exc:
        errors.add(no, path, f"cannot read the file: {exc.strerror or exc}")
        return parsed
    except UnicodeDecodeError as exc:
        errors.add(no, path, f"the file is not UTF-8 text: {exc.reason}")
        return parsed
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an explicit !!timestamp that is no date
        errors.add(no, path, "invalid YAML: " + " ".join(str(exc).split()))
        return parsed
    if not isinstance(data, dict):
        got = "the file is empty" if data is None else f"the file holds {_show(data)}"
        errors.add(no, path, f"{got}: expected a mapping with the keys 'period' and 'objectives'")
        return parsed
    parsed.readable = True
    for key in data:
        if key not in ("period", "objectives"):
            errors.add(no, path, f"unknown top-level key {_q(key)} (expected 'period' and 'objectives')")

    if "period" not in data:
        errors.add(no, path, "period: required field is missing")
    else:
        try:
            parsed.period = Period.model_validate(data["period"])
        except ValidationError as exc:
            for m in _pydantic_messages(exc, Period, prefix="period"):
                errors.add(no, path, m)

    raw_objectives = data.get("objectives")
    if raw_objectives is None:
        errors.add(no, path, "objectives: required field is missing (a list of objectives)")
        raw_objectives = []
    elif not isinstance(raw_objectives, list):
        errors.add(no, path, f"objectives {_show(raw_objectives)} must be a list of objectives")
        raw_objectives = []
    elif not raw_objectives:
        errors.add(no, path, "objectives: the file defines no objectives")

    for i, raw in enumerate(raw_objectives):
        oid = _raw_id(raw)
        label = oid if oid is not None else f"#{i + 1}"
        errors.place(no, label, i)
        if not isinstance(raw, dict):
            fields = ", ".join(Objective.model_fields)
            errors.add(no, path, f"{_show(raw)} must be a mapping with the fields {fields}", objective=label)
            continue
        raw_krs = raw.get("key_results", [])
        krs: list[_ParsedKr] = []
        if raw_krs is None:
            raw_krs = []
        if not isinstance(raw_krs, list):
            errors.add(
                no, path, f"key_results {_show(raw_krs)} must be a list of key results", objective=label
            )
            raw_krs = []
        for j, raw_kr in enumerate(raw_krs):
            kid = _raw_id(raw_kr)
            kr_label = kid if kid is not None else f"#{j + 1}"
            errors.place(no, label, j, kr_label)
            try:
                krs.append(_ParsedKr(kid, KeyResult.model_validate(raw_kr)))
            except ValidationError as exc:
                for m in _pydantic_messages(exc, KeyResult):
                    errors.add(no, path, m, objective=label, kr=kr_label)
                krs.append(_ParsedKr(kid, None))
        header = {k: v for k, v in raw.items() if k != "key_results"}
        try:
            objective = Objective.model_validate(header)
        except ValidationError as exc:
            for m in _pydantic_messages(exc, Objective):
                errors.add(no, path, m, objective=label)
            objective = None
        raw_parent = raw.get("parent")
        parsed.objectives.append(
            _ParsedObjective(oid, raw_parent if isinstance(raw_parent, str) else None, objective, krs)
        )
    return parsed


# --------------------------------------------------------------------------- rules


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def _check_key_result(f: _ParsedFile, oid: str, kr: KeyResult, catalog: Catalog, errors: _Errors) -> None:
    def err(message: str) -> None:
        errors.add(f.no, f.path, message, objective=oid, kr=kr.id)

    kpi = catalog.get(kr.kpi)
    if kpi is None:
        err(f"unknown KPI {_q(kr.kpi)} (known KPIs: {', '.join(k.id for k in catalog.kpis)})")
    if kr.window not in catalog.windows:
        err(f"unknown window {_q(kr.window)} (windows: {', '.join(catalog.window_names)})")

    if kr.filter is not None:
        if len(kr.filter) != 1:
            err(
                f"filter {_show(kr.filter)} must name exactly one dimension and its value, e.g. {{channel: chat}}"
            )
        elif kpi is not None:
            dim, value = next(iter(kr.filter.items()))
            if dim not in kpi.dimensions:
                has = ", ".join(kpi.dimensions) if kpi.dimensions else "none"
                err(
                    f"filter on dimension {_q(dim)}, which KPI {_q(kpi.id)} does not have "
                    f"(its dimensions: {has})"
                )
            else:
                allowed = kpi.dimension_values(dim)
                if allowed is not None and value not in allowed:
                    err(
                        f"unknown value {_q(value)} for dimension {_q(dim)} of KPI {_q(kpi.id)} "
                        f"(values: {', '.join(allowed)})"
                    )
                elif allowed is None and not value.strip():
                    err(f"filter value for dimension {_q(dim)} must not be empty")

    numbers = {"baseline": kr.baseline, "target": kr.target, "weight": kr.weight}
    numbers.update({f"revision {r.effective_from} target": r.target for r in kr.revisions})
    bad = [name for name, v in numbers.items() if not _finite(v)]
    for name in bad:
        err(f"{name} {_num(numbers[name])} must be a finite number")
    if bad:
        return

    if kr.weight <= 0:
        err(f"weight must be greater than 0 (got {_num(kr.weight)})")

    targets = [("target", kr.target)] + [
        (f"revision effective {r.effective_from}: target", r.target) for r in kr.sorted_revisions()
    ]
    if kr.type in ("increase", "decrease"):
        if kr.baseline is None:
            err(f"baseline is required for type {kr.type}")
        else:
            for label, target in targets:
                if target == kr.baseline:
                    err(
                        f"{label} equals the baseline ({_num(target)}) for type {kr.type}: "
                        "progress is undefined"
                    )
                elif kr.type == "increase" and target < kr.baseline:
                    err(
                        f"{label} {_num(target)} is below the baseline {_num(kr.baseline)}, "
                        "but type increase needs a target above the baseline"
                    )
                elif kr.type == "decrease" and target > kr.baseline:
                    err(
                        f"{label} {_num(target)} is above the baseline {_num(kr.baseline)}, "
                        "but type decrease needs a target below the baseline"
                    )
    elif kr.baseline is not None:
        for label, target in targets:
            if kr.type == "stay_above" and kr.baseline < target:
                err(
                    f"{label} {_num(target)} is above the baseline {_num(kr.baseline)}: type stay_above "
                    "needs a baseline at or above the target (use type increase to reach it)"
                )
            elif kr.type == "stay_below" and kr.baseline > target:
                err(
                    f"{label} {_num(target)} is below the baseline {_num(kr.baseline)}: type stay_below "
                    "needs a baseline at or below the target (use type decrease to reach it)"
                )

    if f.period is not None:
        start, end = f.period.start, f.period.end
        seen: set[date] = set()
        for r in kr.revisions:
            if r.effective_from < start or r.effective_from > end:
                err(f"revision effective_from {r.effective_from} is outside the period {start}..{end}")
            elif r.effective_from == start:
                err(
                    f"revision effective_from {r.effective_from} is the period start: "
                    "set the key result's target instead"
                )
            if r.effective_from in seen:
                err(f"two revisions take effect on {r.effective_from}")
            seen.add(r.effective_from)


def _validate(files: list[_ParsedFile], catalog: Catalog, errors: _Errors) -> None:
    # where each id is defined (for duplicates, parents and cycle reports)
    objective_at: dict[str, _ParsedFile] = {}
    kr_at: dict[str, tuple[_ParsedFile, Any]] = {}
    parent_of: dict[str, str | None] = {}
    children: dict[str, int] = {}

    for f in files:
        if f.period is not None and f.period.start > f.period.end:
            errors.add(f.no, f.path, f"period: start {f.period.start} is after end {f.period.end}")
        for po in f.objectives:
            if po.raw_id is not None:
                if po.raw_id in objective_at:
                    errors.add(
                        f.no,
                        f.path,
                        f"duplicate objective id (already defined in {objective_at[po.raw_id].path})",
                        objective=po.raw_id,
                    )
                else:
                    objective_at[po.raw_id] = f
                    parent_of[po.raw_id] = po.raw_parent
                if po.raw_parent is not None:
                    children[po.raw_parent] = children.get(po.raw_parent, 0) + 1
            for pk in po.krs:
                if pk.raw_id is None:
                    continue
                if pk.raw_id in kr_at:
                    other, other_obj = kr_at[pk.raw_id]
                    errors.add(
                        f.no,
                        f.path,
                        f"duplicate key result id (already defined in {other.path}, "
                        f"objective {_q(other_obj)})",
                        objective=po.raw_id,
                        kr=pk.raw_id,
                    )
                else:
                    kr_at[pk.raw_id] = (f, po.raw_id)

    for f in files:
        for po in f.objectives:
            o = po.objective
            if o is None:
                # its own fields are malformed (reported); still check its key results
                for pk in po.krs:
                    if pk.kr is not None and po.raw_id is not None:
                        _check_key_result(f, po.raw_id, pk.kr, catalog, errors)
                continue
            if not _finite(o.weight):
                errors.add(f.no, f.path, f"weight {_num(o.weight)} must be a finite number", objective=o.id)
            elif o.weight <= 0:
                errors.add(
                    f.no, f.path, f"weight must be greater than 0 (got {_num(o.weight)})", objective=o.id
                )
            if o.parent is not None:
                if o.parent == o.id:
                    errors.add(f.no, f.path, "parent is the objective itself (a cycle)", objective=o.id)
                elif o.parent not in objective_at:
                    known = ", ".join(sorted(objective_at))
                    errors.add(
                        f.no,
                        f.path,
                        f"parent {_q(o.parent)} does not exist in any OKR file (objectives: {known})",
                        objective=o.id,
                    )
            if not po.krs and not children.get(o.id):
                errors.add(
                    f.no,
                    f.path,
                    "has no key results and no child objectives, so it can never be scored",
                    objective=o.id,
                )
            for pk in po.krs:
                if pk.kr is not None:
                    _check_key_result(f, o.id, pk.kr, catalog, errors)

    # cycles through parents (self-parents are reported above)
    reported: set[str] = set()
    for start in sorted(parent_of):
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and node not in path and node not in reported:
            path.append(node)
            node = parent_of[node]
        if node is not None and node in path:
            cycle = path[path.index(node) :]
            if len(cycle) > 1:
                first = min(cycle)
                i = cycle.index(first)
                ordered = cycle[i:] + cycle[:i] + [first]
                f = objective_at[first]
                errors.add(
                    f.no,
                    f.path,
                    "parent cycle: " + " -> ".join(_q(c) for c in ordered),
                    objective=first,
                )
            reported.update(cycle)
        reported.update(path)


def load_okr_sets(paths_or_dir: Path | str | Iterable[Path | str], catalog: Catalog) -> list[OkrSet]:
    """Load and validate OKR files together (a directory: all its OKR files).

    Raises OkrValidationError listing every problem of every file."""
    paths = okr_files(paths_or_dir)
    errors = _Errors()
    if not paths:
        raise OkrValidationError([f"{paths_or_dir}: no OKR files found"])
    files = [_parse_file(no, path, errors) for no, path in enumerate(paths)]
    _validate(files, catalog, errors)
    if errors.items:
        raise OkrValidationError(errors.sorted())
    return [
        OkrSet(
            file=f.path,
            period=f.period,
            objectives=[
                po.objective.model_copy(update={"key_results": [pk.kr for pk in po.krs]})
                for po in f.objectives
            ],
        )
        for f in files
    ]


# --------------------------------------------------------------------------- tables

# The okr.* tables are the dbt source `okr`: its YAML is the one home of their
# columns, types and descriptions, which become the tables' DDL and comments
# here. No value from an OKR file is ever part of the DDL.
OKR_SOURCES_FILE = DBT_PROJECT_DIR / "models" / "okrs" / "_okr__sources.yml"


@cache
def okr_tables() -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """name -> (description, [(column, type, description)]) of okr.objectives, key_results, kr_targets."""
    [source] = [s for s in yaml.safe_load(OKR_SOURCES_FILE.read_text())["sources"] if s["name"] == OKR_SCHEMA]
    return {
        t["name"]: (
            " ".join(t["description"].split()),
            [(c["name"], c["data_type"], " ".join(c["description"].split())) for c in t["columns"]],
        )
        for t in source["tables"]
    }


def okr_table_rows(sets: Sequence[OkrSet]) -> dict[str, list[tuple]]:
    """The rows of okr.objectives, okr.key_results and okr.kr_targets."""
    rows: dict[str, list[tuple]] = {name: [] for name in okr_tables()}
    order = 0
    for s in sets:
        start, end = s.period.start, s.period.end
        for o in s.objectives:
            rows["objectives"].append(
                (o.id, o.title, o.owner, o.parent, float(o.weight), start, end, s.file.name, order)
            )
            order += 1
            for k_no, kr in enumerate(o.key_results):
                rows["key_results"].append(
                    (
                        kr.id,
                        o.id,
                        kr.title,
                        kr.kpi,
                        kr.window,
                        kr.filter_dimension,
                        kr.filter_value,
                        kr.type,
                        None if kr.baseline is None else float(kr.baseline),
                        float(kr.weight),
                        start,
                        end,
                        s.file.name,
                        k_no,
                    )
                )
                versions = [(start, kr.target)] + [
                    (r.effective_from, r.target) for r in kr.sorted_revisions()
                ]
                for rev, (valid_from, target) in enumerate(versions):
                    valid_to = versions[rev + 1][0] - timedelta(days=1) if rev + 1 < len(versions) else end
                    rows["kr_targets"].append((kr.id, rev, float(target), valid_from, valid_to))
    return rows


def _sql_string(text: str) -> str:
    # only for the fixed comments of okr_tables() (COMMENT ON takes no parameters)
    return "'" + text.replace("'", "''") + "'"


def write_okr_tables(con, sets: Sequence[OkrSet], schema: str = OKR_SCHEMA) -> dict[str, int]:
    """(Re)create okr.objectives, okr.key_results and okr.kr_targets on a DuckDB
    connection in one transaction, values bound as parameters. Returns row counts."""
    if not schema.isidentifier():
        raise ValueError(f"bad schema name {schema!r}")
    rows = okr_table_rows(sets)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for name, (comment, columns) in okr_tables().items():
            table = f"{schema}.{name}"
            con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t, _ in columns)})")
            con.execute(f"COMMENT ON TABLE {table} IS {_sql_string(comment)}")
            for column, _, text in columns:
                con.execute(f"COMMENT ON COLUMN {table}.{column} IS {_sql_string(text)}")
            if rows[name]:
                placeholders = ", ".join("?" for _ in columns)
                con.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows[name])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {name: len(r) for name, r in rows.items()}
