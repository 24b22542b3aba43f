"""OKR files for tests: a key result, an objective and a set as YAML text (docs/okrs.md)."""

from __future__ import annotations

import yaml


def kr(kr_id="k1", **fields) -> dict:
    base = dict(
        id=kr_id,
        title="A key result",
        kpi="csat",
        window="trailing_28d",
        type="increase",
        baseline=0.8,
        target=0.9,
    )
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def okr_yaml(objectives: list[dict], period="{start: 2026-10-01, end: 2026-12-31}") -> str:
    body = yaml.safe_dump({"objectives": objectives}, sort_keys=False, allow_unicode=True)
    return f"period: {period}\n" + body


def objective(oid="o1", krs=None, **fields) -> dict:
    base = dict(id=oid, title="An objective", owner="team")
    base.update(fields)
    base["key_results"] = [kr()] if krs is None else krs
    return base
