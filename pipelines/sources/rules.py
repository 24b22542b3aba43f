"""SQL generated from the contract: typing and the row rules that quarantine.

Each rule becomes a `case when <broken> then '<reason>' end` expression; a row
is quarantined when any of them yields a reason. Rules see typed values; a
NULL never breaks a rule except `required`.
"""

from __future__ import annotations

from pipelines.sources.contract import Column, Contract, Reference, Source


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reason(column: str, condition: str, message_sql: str) -> str:
    return f"case when {condition} then {{'column': {_literal(column)}, 'reason': {message_sql}}} end"


def typed_select(table: Source | Reference, text: str = "t") -> str:
    """Typed contract columns from the text table."""
    casts = [f'try_cast({text}."{c.name}" as {c.type}) as "{c.name}"' for c in table.columns.values()]
    return ", ".join(casts)


def latest_extract_day(value: str, column_type: str) -> str:
    """SQL: the earliest extract day that may hold this event.

    A source cuts its extract at its own local midnight and stamps its own
    offset, which Parquet does not keep. An instant belongs to no later day
    than its date at UTC-12 (the last zone to end a day): an event is after
    extract day D only when it is after the end of D in every time zone.
    A date column is simply its date.
    """
    if column_type == "DATE":
        return value
    return f"cast(timezone('UTC', {value} - interval 12 hour) as date)"


def _column_reasons(column: Column, contract: Contract) -> list[str]:
    name, raw, typed = column.name, f'"_text_{column.name}"', f'"{column.name}"'
    reasons = [
        _reason(
            name,
            f"{raw} is not null and try_cast({raw} as {column.type}) is null",
            f"'{name}: ' || quote_text({raw}) || ' is not a valid {column.type}'",
        )
    ]
    if column.required:
        reasons.append(_reason(name, f"{raw} is null", f"'{name} is required'"))
    if column.enum:
        allowed = contract.enums[column.enum]
        values = ", ".join(_literal(v) for v in allowed)
        reasons.append(
            _reason(
                name,
                f"{typed} not in ({values})",
                f"'{name}: ' || quote_text({typed}) || ' is not one of {', '.join(allowed)}'",
            )
        )
    if column.min is not None:
        reasons.append(_reason(name, f"{typed} < {column.min}", f"'{name} is below {column.min:g}'"))
    if column.min_exclusive is not None:
        reasons.append(
            _reason(
                name, f"{typed} <= {column.min_exclusive}", f"'{name} must be above {column.min_exclusive:g}'"
            )
        )
    if column.max is not None:
        reasons.append(_reason(name, f"{typed} > {column.max}", f"'{name} is above {column.max:g}'"))
    if column.plausible_max is not None:
        reasons.append(
            _reason(
                name,
                f"{typed} > {column.plausible_max}",
                f"'{name} ' || {typed} || ' is above the plausibility bound {column.plausible_max:,.0f}'",
            )
        )
    if column.pattern:
        reasons.append(
            _reason(
                name,
                f"not regexp_full_match({typed}, {_literal(column.pattern)})",
                f"'{name}: ' || quote_text({typed}) || ' does not match {column.pattern}'",
            )
        )
    if column.event:  # reference files have no extract day: the rule does not apply
        reasons.append(
            _reason(
                name,
                f"{latest_extract_day(typed, column.type)} > _extract_date",
                f"'{name} is after the extract day ' || _extract_date || ': ' || quote_text({raw}) || "
                f"{_literal(' is after the end of that day in every time zone' if column.type != 'DATE' else '')}",
            )
        )
    if column.not_before:
        reasons.append(
            _reason(name, f'{typed} < "{column.not_before}"', f"'{name} is before {column.not_before}'")
        )
    if column.reference:
        ref_table, _, ref_column = column.reference.partition(".")
        reasons.append(
            _reason(
                name,
                f'{typed} not in (select "{ref_column}" from raw.{ref_table})',
                f"'{name}: ' || quote_text({typed}) || ' is not in {ref_table}'",
            )
        )
    return reasons


def checked_select(table: Source | Reference, contract: Contract, text: str) -> str:
    """SELECT of typed columns, lineage, `_raw` and `_reasons` (a list, empty when the row is accepted)."""
    reasons: list[str] = []
    for column in table.columns.values():
        reasons.extend(_column_reasons(column, contract))
    for rule in table.rules:
        reasons.append(_reason(rule.column, f"not coalesce({rule.check}, true)", _literal(rule.reason)))
    # Rules refer to typed columns by name; the text values stay alongside
    # as _text_<column> for type errors and the quarantined raw row.
    typed = typed_select(table, "t")
    texts = ", ".join(f't."{c}" as "_text_{c}"' for c in table.columns)
    typed_names = ", ".join(f'"{c}"' for c in table.columns)
    raw_row = "{" + ", ".join(f"'{c}': t.\"{c}\"" for c in table.columns) + "}"
    return f"""
        select {typed_names}, _line, _extract_date, _source_file, _raw,
               list_filter([{", ".join(reasons)}], lambda r: r is not null) as _reasons
        from (
            select {typed}, {texts}, t._line, t._extract_date, t._source_file,
                   to_json({raw_row}) as _raw
            from {text} as t
        )
    """


def quote_text_macro() -> str:
    """A DuckDB macro that quotes a value for a reason message."""
    return "create or replace temp macro quote_text(v) as '''' || cast(v as varchar) || ''''"
