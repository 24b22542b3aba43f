"""Files generated from the landing contract are committed in sync with it."""

from __future__ import annotations

import pytest

from pipelines.sources.contract import load_contract
from pipelines.sources.derived import render_all

DERIVED = render_all(load_contract())


@pytest.mark.parametrize("path", sorted(DERIVED), ids=lambda p: p.name)
def test_derived_file_is_in_sync_with_the_contract(path):
    assert path.read_text() == DERIVED[path], (
        f"{path} is out of date: run `python -m pipelines.sources.derived` after editing contract.yml"
    )
