"""Python data as dbt (Jinja) macros: how the contract and the KPI catalog reach dbt.

dbt's graph is not there when models are parsed, so facts that decide which
models a union reads or what a model's columns are must be available as
literals. A generated macro returns them; the file is rewritten only when its
content changes, which keeps dbt's partial parsing.
"""

from __future__ import annotations

import json
from pathlib import Path


def jinja_literal(value, indent: str = "") -> str:
    """A Jinja literal of a JSON-like value (Jinja spells null `none`)."""
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {jinja_literal(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}" if items else "{}"
    if isinstance(value, list | tuple):
        if any(isinstance(v, dict) for v in value):  # one record per line
            return "[\n" + ",\n".join(inner + jinja_literal(v, inner) for v in value) + f"\n{indent}]"
        return "[" + ", ".join(jinja_literal(v, inner) for v in value) + "]"
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
