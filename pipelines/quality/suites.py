"""Suite files: `expectations/<name>.json`, parsed without importing GX.

A suite file is a plain GX 1.x ExpectationSuite (`name`, `expectations`
[{type, kwargs, severity, description, meta}], `meta`). GX's own fields carry
what they can: `severity` (`critical`, the default, fails the check;
`warning` is reported without failing it) and `description` (the rule in
words). Lodestar adds:

- `expectation.meta.view`: the expectation validates a derived frame (a view)
  instead of the rows;
- `expectation.meta.message` (optional): a `str.format` template over a sample
  row's columns, for callers that word their own reasons;
- `suite.meta.lodestar`: `partition_column` (rows of different partitions are
  judged separately; a list for a compound partition, e.g. `["kpi_id",
  "as_of_date"]`, whose partition keys are then tuples), `id_columns`
  (identify an offending row in samples), `inputs` (relations the caller
  provides, name -> description) and `views`: named derived frames,
  `{"sql": ...}` or `{"sql_file": ...}` (a path relative to the suite file's
  folder) with `id_columns`. In the SQL, `{rows}` is the checked rows,
  `{partitions}` the checked partitions (one row per partition, columns named
  like the partition columns), `{relation}` the whole validated relation (e.g.
  history before the checked days) and `{<input>}` a declared input. A view
  must be partition-local: each output row belongs to one checked partition
  and carries its partition columns.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

ROWS_FRAME = "rows"
# GX severity -> the severity of a Lodestar check outcome. GX's `info` has no
# counterpart in dq_results and is refused.
SEVERITIES = {"critical": "error", "warning": "warning"}

# `{name}` in a view's SQL (struct literals such as {'a': 1} do not match).
PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
BUILTIN_PLACEHOLDERS = ("rows", "partitions", "relation")


class SuiteError(ValueError):
    """A suite file is missing or malformed."""


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    id_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suite:
    """One suite file, parsed. `expectations` keep the file order; an expectation's index is its position."""

    name: str
    path: Path
    expectations: tuple[dict, ...]
    meta: dict
    views: dict[str, View]

    @property
    def _lodestar(self) -> dict:
        return self.meta.get("lodestar") or {}

    @property
    def partition_columns(self) -> tuple[str, ...]:
        """The partition column(s); () when the suite is not partitioned."""
        value = self._lodestar.get("partition_column")
        if not value:
            return ()
        return (value,) if isinstance(value, str) else tuple(value)

    @property
    def partition_column(self) -> str | None:
        """The partition column of a single-column partitioning (None if none or compound)."""
        columns = self.partition_columns
        return columns[0] if len(columns) == 1 else None

    @property
    def inputs(self) -> dict[str, str]:
        """Relations the caller must provide to the views: name -> description."""
        return dict(self._lodestar.get("inputs") or {})

    @property
    def id_columns(self) -> tuple[str, ...]:
        return tuple(self._lodestar.get("id_columns") or ())

    def frame_of(self, expectation: dict) -> str:
        return (expectation.get("meta") or {}).get("view") or ROWS_FRAME

    def frames(self) -> dict[str, list[int]]:
        """Expectation indexes per frame (`rows` first, then views in declaration order)."""
        out: dict[str, list[int]] = {}
        for index, expectation in enumerate(self.expectations):
            out.setdefault(self.frame_of(expectation), []).append(index)
        order = [ROWS_FRAME, *self.views]
        return {name: out[name] for name in order if name in out}

    def frame_id_columns(self, frame: str) -> tuple[str, ...]:
        return self.id_columns if frame == ROWS_FRAME else self.views[frame].id_columns

    def severity(self, index: int) -> str:
        """`error` or `warning`, from the expectation's GX severity."""
        return SEVERITIES[self.expectations[index].get("severity") or "critical"]

    def columns(self, index: int) -> list[str]:
        """The columns an expectation reads (its domain)."""
        kwargs = self.expectations[index].get("kwargs", {})
        if "column" in kwargs:
            return [kwargs["column"]]
        if "column_A" in kwargs:
            return [kwargs["column_A"], kwargs["column_B"]]
        return list(kwargs.get("column_list") or [])


def _view_sql(suite_path: Path, name: str, spec: dict) -> str:
    if "sql" in spec:
        return spec["sql"]
    if "sql_file" not in spec:
        raise SuiteError(f"{suite_path}: view {name} has neither sql nor sql_file")
    path = suite_path.parent / spec["sql_file"]
    try:
        return path.read_text()
    except OSError as exc:
        raise SuiteError(f"{suite_path}: view {name}: cannot read {path}: {exc}") from exc


_cache: dict[Path, tuple[int, Suite]] = {}
_lock = threading.Lock()


def load_suite(path: Path) -> Suite:
    """Parse and sanity-check a suite file (cached per process until the file changes).

    Only the structure is checked here; GX validates each expectation's kwargs
    when the suite first runs. A view's SQL file is read once, with its suite.
    """
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise SuiteError(f"suite file {path} does not exist") from exc
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SuiteError(f"suite file {path} is not valid JSON: {exc}") from exc
    suite = _parse(data, path)
    with _lock:
        _cache[path] = (mtime, suite)
    return suite


def _parse(data: dict, path: Path) -> Suite:
    if not isinstance(data, dict) or not data.get("name") or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"{path}: a suite needs a name and an expectations list")
    meta = data.get("meta") or {}
    lodestar = meta.get("lodestar") or {}
    inputs = set(lodestar.get("inputs") or ())
    reserved = set(BUILTIN_PLACEHOLDERS)
    if reserved & inputs:
        raise SuiteError(f"{path}: inputs may not be named {sorted(reserved & inputs)}")
    views = {}
    for name, spec in (lodestar.get("views") or {}).items():  # in file order: the first problem is reported
        sql = _view_sql(path, name, spec)
        if "{rows}" not in sql:
            raise SuiteError(f"{path}: view {name} does not read {{rows}}")
        unknown = set(PLACEHOLDER.findall(sql)) - reserved - inputs
        if unknown:
            raise SuiteError(
                f"{path}: view {name} reads undeclared input(s) {sorted(unknown)} "
                "(declare them in meta.lodestar.inputs)"
            )
        views[name] = View(name, sql, tuple(spec.get("id_columns") or ()))
    suite = Suite(data["name"], path, tuple(data["expectations"]), meta, views)
    for index, expectation in enumerate(suite.expectations):
        where = f"{path}: expectation #{index}"
        if not isinstance(expectation, dict) or not expectation.get("type"):
            raise SuiteError(f"{where} has no type")
        if not isinstance(expectation.get("kwargs", {}), dict):
            raise SuiteError(f"{where}: kwargs must be an object")
        if (expectation.get("severity") or "critical") not in SEVERITIES:
            raise SuiteError(f"{where}: severity must be one of {sorted(SEVERITIES)}")
        view = (expectation.get("meta") or {}).get("view")
        if view and view not in suite.views:
            raise SuiteError(f"{where}: unknown view {view!r}")
    return suite
