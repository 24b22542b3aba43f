"""Great Expectations runs on pandas frames, one GX run per frame for many partitions.

Suites are files (see `suites.py`); the slices they judge are computed in
DuckDB and handed to GX as pandas frames (GX's SQL datasource does not work
with DuckDB). GX (5–8 s to import) is imported on first use only, and one
ephemeral context (progress bars off) is kept per process.

Validating many partitions (`validate_partitions`) runs each frame ONCE over
all partitions and splits failures by partition from the unexpected rows' index
(GX's COMPLETE result format), so a backfill of 1,000 days costs one GX run
per frame, not 1,000: that is what makes GX affordable here. Expectations
whose result is not a per-row property (aggregates such as a row count or a
mean, `mostly`, whole-column uniqueness) cannot be split that way: they run
partition by partition. An expectation that raises (bad column, type error) is
a *broken check*, reported as such for every partition of the run, never
mistaken for bad data.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
import threading
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.config import EXPECTATIONS_DIR
from pipelines.quality import suites
from pipelines.quality.outcomes import ExpectationOutcome, PartitionValidation
from pipelines.quality.suites import PLACEHOLDER, ROWS_FRAME, Suite, SuiteError

SAMPLE_SIZE = 5

# Expectations whose outcome is a property of each row (or of the schema), so a
# run over many partitions can be split by partition from the unexpected rows.
_ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_values_to_match_like_pattern",
        "expect_column_values_to_not_match_like_pattern",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_dateutil_parseable",
        "expect_column_values_to_be_json_parseable",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_in_set",
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
_SCHEMA = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_column_to_exist",
    }
)
# Unique within the rows of the batch: splittable only when the partition
# column is part of the compound key (then "within the batch" = "within the partition").
_UNIQUE_WITHIN_BATCH = frozenset({"expect_compound_columns_to_be_unique"})


_gx_cache: dict[tuple, Any] = {}
_lock = threading.RLock()


def suite_path(name: str, directory: Path | None = None) -> Path:
    return (directory or EXPECTATIONS_DIR) / f"{name}.json"


def load_suite(name_or_path: str | Path, directory: Path | None = None) -> Suite:
    """A suite by name (`expectations/<name>.json`) or by path; see `suites.load_suite`."""
    path = Path(name_or_path) if isinstance(name_or_path, Path) else suite_path(name_or_path, directory)
    return suites.load_suite(path)


# --------------------------------------------------------------------------- GX


def _gx_batch_definition():
    """The process-wide ephemeral GX context's whole-dataframe batch definition."""
    with _lock:
        if "batch_definition" not in _gx_cache:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            _skip_batch_fingerprint()
            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            asset = context.data_sources.add_pandas("lodestar_quality").add_dataframe_asset("frame")
            _gx_cache["context"] = context
            _gx_cache["batch_definition"] = asset.add_batch_definition_whole_dataframe("whole_frame")
        return _gx_cache["batch_definition"]


def _skip_batch_fingerprint() -> None:
    """Turn off GX's fingerprint of each pandas batch, a batch marker nothing here reads.

    GX 1.x hashes every frame smaller than `HASH_THRESHOLD` bytes, twice per
    validation: about 1.4 s for 550k rows, more than the expectations cost.
    The threshold is a private module constant, so it is set only while it
    exists as a number; a test notices when an upgrade moves it (the runs stay
    correct, only slower).
    """
    from great_expectations.execution_engine import pandas_execution_engine as engine

    if isinstance(getattr(engine, "HASH_THRESHOLD", None), int | float):
        engine.HASH_THRESHOLD = 0


def gx_context():
    """The cached ephemeral GX context (created and GX imported on first call)."""
    _gx_batch_definition()
    return _gx_cache["context"]


def _gx_suite(suite: Suite, indexes: Sequence[int]):
    key = (suite.path, id(suite), tuple(indexes))
    with _lock:
        cached = _gx_cache.get(key)
        if cached is None:
            import great_expectations as gx
            from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

            expectations = []
            for index in indexes:
                spec = suite.expectations[index]
                meta = {**(spec.get("meta") or {}), "lodestar_index": index}  # results map back by index
                try:
                    config = ExpectationConfiguration(
                        type=spec["type"],
                        kwargs=spec.get("kwargs", {}),
                        meta=meta,
                        severity=spec.get("severity") or "critical",
                        description=spec.get("description"),
                    )
                    expectations.append(config.to_domain_obj())
                except Exception as exc:  # unknown type, bad kwargs
                    raise SuiteError(f"{suite.path}: expectation #{index} ({spec['type']}): {exc}") from exc
            cached = gx.ExpectationSuite(name=f"{suite.name}", expectations=expectations)
            _gx_cache[key] = cached
        return cached


# --------------------------------------------------------------------------- results


@dataclass
class FrameValidation:
    """All expectations of one GX run."""

    suite: str
    frame: str
    rows: int
    outcomes: list[ExpectationOutcome]


def _exception_text(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by metric id."""
    if not info:
        return None
    if isinstance(info, dict) and "raised_exception" in info:
        if not info.get("raised_exception"):
            return None
        message = info.get("exception_message") or "raised an exception"
        lines = [line for line in str(message).strip().splitlines() if line.strip()]
        return lines[0][:300] if lines else "raised an exception"
    if isinstance(info, dict):
        messages = [_exception_text(v) for v in info.values() if isinstance(v, dict)]
        messages = [m for m in messages if m]
        return "; ".join(dict.fromkeys(messages)) or None
    return None


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        return (
            value.date().isoformat()
            if value == value.normalize() and value.tzinfo is None
            else value.isoformat()
        )
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _sample_rows(df: pd.DataFrame, index: Iterable, columns: Sequence[str], size: int) -> list[dict]:
    labels = list(index)[:size]
    present = [c for c in dict.fromkeys(columns) if c in df.columns]
    if not labels or not present:
        return []
    rows = df.loc[labels, present]
    # column by column: iterrows would upcast a row's ints to floats next to a float column
    cells = {c: rows[c].tolist() for c in present}
    return [{c: _jsonable(cells[c][i]) for c in present} for i in range(len(rows))]


def _outcome(
    suite: Suite, index: int, frame: str, success: bool, exception: str | None
) -> ExpectationOutcome:
    spec = suite.expectations[index]
    return ExpectationOutcome(
        index=index,
        expectation=spec["type"],
        column=",".join(suite.columns(index)) or None,
        frame=frame,
        severity=suite.severity(index),
        rule=spec.get("description"),
        success=success,
        broken=exception is not None,
        exception=exception,
    )


def validate_dataframe(
    df: pd.DataFrame,
    suite: Suite | str,
    *,
    frame: str = ROWS_FRAME,
    indexes: Sequence[int] | None = None,
    sample_size: int = SAMPLE_SIZE,
) -> FrameValidation:
    """Run the expectations of `suite` that belong to `frame` (or `indexes`) on `df`.

    Returns plain results; the df index labels of unexpected rows are kept on
    each outcome as `unexpected_index` for callers that split them.
    """
    suite = load_suite(suite) if isinstance(suite, str) else suite
    if indexes is None:
        indexes = suite.frames().get(frame, [])
    if not indexes:
        return FrameValidation(suite.name, frame, len(df), [])
    gx_suite = _gx_suite(suite, indexes)
    with _lock, warnings.catch_warnings():
        # GX matches regexes with str.contains, which warns about capture groups.
        warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
        batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(
            gx_suite, result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False}
        )
    id_columns = suite.frame_id_columns(frame)
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        index = int(config.meta["lodestar_index"])
        detail = item.result or {}
        error = _exception_text(item.exception_info)
        outcome = _outcome(suite, index, frame, success=bool(item.success) and error is None, exception=error)
        if not outcome.success and not outcome.broken:
            unexpected_index = detail.get("unexpected_index_list")
            outcome.unexpected_count = detail.get("unexpected_count")
            if unexpected_index is not None and all(not isinstance(i, dict) for i in unexpected_index[:1]):
                outcome.unexpected_index = list(unexpected_index)
                outcome.sample = _sample_rows(
                    df, unexpected_index, [*suite.columns(index), *id_columns], sample_size
                )
            else:
                outcome.sample = _jsonable(list(detail.get("partial_unexpected_list") or [])[:sample_size])
                observed = {k: detail[k] for k in ("observed_value", "details") if k in detail}
                outcome.observed = _jsonable(observed) or None
        outcomes.append(outcome)
    outcomes.sort(key=lambda o: o.index)
    return FrameValidation(suite.name, frame, len(df), outcomes)


# --------------------------------------------------------------------------- DuckDB frames


def _sql_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _norm(value: Any) -> Any:
    """A partition value from a DataFrame cell, comparable with the caller's partition keys."""
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() and value.tzinfo is None else value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def _splittable(suite: Suite, index: int, frame_columns: Iterable[str]) -> bool:
    spec = suite.expectations[index]
    kind, kwargs = spec["type"], spec.get("kwargs", {})
    if kwargs.get("mostly", 1) != 1:
        return False
    if kind in _SCHEMA:
        return True
    pcols = suite.partition_columns
    if not pcols or not set(pcols) <= set(frame_columns):
        return False
    if kind in _ROW_WISE:
        return True
    return kind in _UNIQUE_WITHIN_BATCH and set(pcols) <= set(kwargs.get("column_list") or [])


_frames_serial = itertools.count()


class _Frames:
    """Rows and view frames for a set of partitions, computed on demand in DuckDB.

    A compound partitioning registers the partition keys on the connection
    (as an Arrow table) for the life of the object: use it as a context manager.
    """

    def __init__(
        self,
        con,
        suite: Suite,
        relation: str,
        partitions: Sequence | None,
        inputs: Mapping[str, str] | None = None,
    ):
        self.con, self.suite, self.partitions = con, suite, partitions
        self.relation = relation
        self.inputs = dict(inputs or {})
        self._registered: str | None = None
        pcols = suite.partition_columns
        if partitions is None or not pcols:
            self.rows_sql = f"select * from {relation}"
            self.partitions_sql = "(select null as _partition)"
        elif len(pcols) == 1:
            values = ", ".join(_sql_literal(p) for p in partitions)
            self.rows_sql = f"select * from {relation} where {pcols[0]} in ({values})"
            self.partitions_sql = f"(select unnest([{values}]) as {pcols[0]})"
        else:
            import pyarrow as pa

            keys = list(partitions)
            table = pa.table({c: pa.array([k[i] for k in keys]) for i, c in enumerate(pcols)})
            self._registered = f"_lodestar_partitions_{next(_frames_serial)}"
            con.register(self._registered, table)
            using = ", ".join(f'"{c}"' for c in pcols)
            self.rows_sql = f"select r.* from {relation} as r semi join {self._registered} using ({using})"
            self.partitions_sql = f"(select * from {self._registered})"
        self._cache: dict[str, pd.DataFrame] = {}

    def __enter__(self) -> _Frames:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._cache.clear()
        name, self._registered = self._registered, None
        if name:
            # e.g. a failed query left the connection busy: never mask that error
            with contextlib.suppress(Exception):
                self.con.unregister(name)

    def sql(self, frame: str) -> str:
        if frame == ROWS_FRAME:
            order = ", ".join(f'"{c}"' for c in self.suite.id_columns)
            rows = f"select {self._rows_columns()} from ({self.rows_sql}) as r"
            return rows + (f" order by {order}" if order else "")
        view = self.suite.views[frame]
        values = {
            "rows": f"({self.rows_sql})",
            "partitions": self.partitions_sql,
            "relation": self.relation,
            **self.inputs,
        }

        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name not in values:
                raise SuiteError(f"view {frame} reads input {{{name}}}, which the caller did not provide")
            return values[name]

        return PLACEHOLDER.sub(fill, view.sql)

    def _rows_columns(self) -> str:
        """Every column of the relation, under its name, with values only where something reads them.

        Turning DuckDB rows into pandas costs more than the expectations, so
        columns that no rows expectation, partition or id column reads come
        as NULL: schema expectations still see every name.
        """
        indexes = self.suite.frames().get(ROWS_FRAME, [])
        if any("row_condition" in self.suite.expectations[i].get("kwargs", {}) for i in indexes):
            return "*"  # a condition may read any column
        read = {*self.suite.partition_columns, *self.suite.id_columns}
        read.update(c for i in indexes for c in self.suite.columns(i))
        names = [d[0] for d in self.con.execute(f"select * from {self.relation} limit 0").description]
        return ", ".join(f'"{c}"' if c in read else f'null as "{c}"' for c in names)

    def get(self, frame: str) -> pd.DataFrame:
        if frame not in self._cache:
            self._cache[frame] = self.con.execute(self.sql(frame)).df()
        return self._cache[frame]


def _broken_everywhere(suite: Suite, index: int, frame: str, message: str) -> ExpectationOutcome:
    return _outcome(suite, index, frame, success=False, exception=message[:300])


def validate_relation(
    con, suite: Suite | str, relation: str, inputs: Mapping[str, str] | None = None
) -> PartitionValidation:
    """Validate a whole (unpartitioned) table or subquery, e.g. a reference table."""
    suite = load_suite(suite) if isinstance(suite, str) else suite
    problems: list[ExpectationOutcome] = []
    evaluated = 0
    rows = 0
    with _Frames(con, suite, relation, None, inputs) as frames:
        for frame, indexes in suite.frames().items():
            evaluated += len(indexes)
            try:
                df = frames.get(frame)
            except Exception as exc:  # the view's SQL fails: every expectation on it is broken
                problems += [
                    _broken_everywhere(suite, i, frame, f"view {frame} failed: {exc}") for i in indexes
                ]
                continue
            if frame == ROWS_FRAME:
                rows = len(df)
            result = validate_dataframe(df, suite, frame=frame, indexes=indexes)
            problems += [o for o in result.outcomes if not o.success]
    problems.sort(key=lambda o: o.index)
    return PartitionValidation(partition=None, rows=rows, evaluated=evaluated, problems=problems)


def _partition_keys(df: pd.DataFrame, labels: Sequence, pcols: tuple[str, ...]) -> list:
    """The partition key of each row label: a value, or a tuple for compound partitions."""
    if len(pcols) == 1:
        return [_norm(v) for v in df.loc[labels, pcols[0]]]
    cells = df.loc[labels, list(pcols)].itertuples(index=False, name=None)
    return [tuple(_norm(v) for v in row) for row in cells]


def _rows_of(df: pd.DataFrame, key: Any, pcols: tuple[str, ...]) -> pd.DataFrame:
    """The rows of `df` that belong to partition `key`."""
    parts = (key,) if len(pcols) == 1 else key
    mask = pd.Series(True, index=df.index)
    for column, value in zip(pcols, parts, strict=True):
        mask &= df[column].map(_norm) == value
    return df[mask]


def validate_partitions(
    con,
    suite: Suite | str,
    relation: str,
    partitions: Sequence,
    sample_size: int = SAMPLE_SIZE,
    inputs: Mapping[str, str] | None = None,
) -> dict[Any, PartitionValidation]:
    """Validate `relation` (a table name or a parenthesised subquery) for each of `partitions`.

    A partition is a value of the partition column, or a tuple of values for a
    compound partitioning (in `partition_column` order). `inputs` provides the
    relations the suite's views read as `{<input>}` (SQL text: a table, a
    registered frame, a parenthesised subquery).

    One GX run per frame over all partitions; failures are attributed to
    partitions from the unexpected rows. Expectations that cannot be split
    (aggregates, frames without the partition columns) run partition by
    partition. Returns one PartitionValidation per partition, in input order.
    """
    suite = load_suite(suite) if isinstance(suite, str) else suite
    pcols = suite.partition_columns
    if not pcols:
        raise SuiteError(f"suite {suite.name} declares no meta.lodestar.partition_column")
    if len(pcols) > 1:
        partitions = [tuple(p) for p in partitions]
        if any(len(p) != len(pcols) for p in partitions):
            raise ValueError(f"suite {suite.name}: a partition is a tuple of {pcols}")
    partitions = list(dict.fromkeys(partitions))
    if not partitions:
        return {}
    with _Frames(con, suite, relation, partitions, inputs) as frames:
        return _validate_partitions(con, suite, relation, partitions, frames, sample_size, inputs)


def _validate_partitions(con, suite, relation, partitions, frames, sample_size, inputs):
    pcols = suite.partition_columns
    known = set(partitions)
    problems: dict[Any, list[ExpectationOutcome]] = defaultdict(list)
    evaluated = 0
    rows_df = frames.get(ROWS_FRAME)
    rows_per_partition = {p: 0 for p in partitions}
    if len(rows_df):
        for value, count in rows_df.groupby(list(pcols), sort=False).size().items():
            parts = value if isinstance(value, tuple) else (value,)
            key = _norm(parts[0]) if len(pcols) == 1 else tuple(_norm(v) for v in parts)
            rows_per_partition[key] = int(count)

    per_partition: list[tuple[str, list[int]]] = []
    for frame, indexes in suite.frames().items():
        evaluated += len(indexes)
        try:
            df = frames.get(frame)
        except Exception as exc:
            for p in partitions:
                problems[p] += [
                    _broken_everywhere(suite, i, frame, f"view {frame} failed: {exc}") for i in indexes
                ]
            continue
        batch = [i for i in indexes if _splittable(suite, i, df.columns)]
        rest = [i for i in indexes if i not in batch]
        result = validate_dataframe(df, suite, frame=frame, indexes=batch, sample_size=sample_size)
        id_columns = [c for c in suite.frame_id_columns(frame) if c not in pcols]
        for outcome in result.outcomes:
            if outcome.success:
                continue
            unexpected = outcome.unexpected_index
            if outcome.broken or outcome.expectation in _SCHEMA or unexpected is None:
                if outcome.broken or outcome.expectation in _SCHEMA:
                    for p in partitions:
                        problems[p].append(replace(outcome))
                else:  # unexpectedly no row index: judge partition by partition
                    rest.append(outcome.index)
                continue
            by_partition: dict[Any, list] = defaultdict(list)
            for label, key in zip(unexpected, _partition_keys(df, unexpected, pcols), strict=True):
                by_partition[key].append(label)
            strays = [label for p in list(by_partition) if p not in known for label in by_partition.pop(p)]
            if strays:  # a view that is not partition-local: blame every partition rather than none
                for p in partitions:
                    by_partition[p].extend(strays)
            columns = [*suite.columns(outcome.index), *id_columns]
            for p, labels in by_partition.items():
                problems[p].append(
                    replace(
                        outcome,
                        unexpected_count=len(labels),
                        sample=_sample_rows(df, labels, columns, sample_size),
                        unexpected_index=labels,
                    )
                )
        if rest:
            per_partition.append((frame, sorted(set(rest))))

    for frame, indexes in per_partition:
        for p in partitions:
            try:
                if set(pcols) <= set(frames.get(frame).columns):
                    df = _rows_of(frames.get(frame), p, pcols)
                else:  # recompute the view for this partition alone
                    with _Frames(con, suite, relation, [p], inputs) as alone:
                        df = alone.get(frame)
            except Exception as exc:
                problems[p] += [
                    _broken_everywhere(suite, i, frame, f"view {frame} failed: {exc}") for i in indexes
                ]
                continue
            result = validate_dataframe(df, suite, frame=frame, indexes=indexes, sample_size=sample_size)
            problems[p] += [o for o in result.outcomes if not o.success]

    out = {}
    for p in partitions:
        found = sorted(problems.get(p, []), key=lambda o: o.index)
        out[p] = PartitionValidation(
            partition=p, rows=rows_per_partition.get(p, 0), evaluated=evaluated, problems=found
        )
    return out
