"""Python data as dbt (Jinja) macros: how the contract and the KPI catalog reach dbt.

dbt's graph is not there when models are parsed, so facts that decide which
models a union reads or what a model's columns are must be available as
literals. A generated macro returns them; the file is rewritten only when its
content changes, which keeps dbt's partial parsing.
"""

from __future__ import annotations

import json
from pathlib import Path


def jinja_literal(value, indent: str = "", depth: int = 1) -> str:
    """A Jinja literal of a JSON-like value (Jinja spells null `none`).

    The outer `depth` levels of dicts and lists put one item per line; deeper
    values stay on one line, so that each record (a KPI, a table) reads as one.
    """
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{json.dumps(k)}: {jinja_literal(v, inner, depth - 1)}" for k, v in value.items()]
        if depth <= 0 or not items:
            return "{" + ", ".join(items) + "}"
        return "{\n" + ",\n".join(inner + item for item in items) + f"\n{indent}}}"
    if isinstance(value, list | tuple):
        items = [jinja_literal(v, inner, depth - 1) for v in value]
        if depth <= 0 or not items:
            return "[" + ", ".join(items) + "]"
        return "[\n" + ",\n".join(inner + item for item in items) + f"\n{indent}]"
    if value is None:
        return "none"
    return json.dumps(value)  # strings, numbers, true/false


def data_macro(name: str, value, comment: str) -> str:
    """`{% macro name() %}` returning `value`."""
    return (
        f"{{# {comment} #}}\n"
        f"{{% macro {name}() -%}}\n"
        f"    {{{{ return({jinja_literal(value, '    ')}) }}}}\n"
        "{%- endmacro %}\n"
    )


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it already holds it (an unchanged file keeps dbt's partial parse)."""
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)  # atomic: parallel loaders never see half a file
    return True
