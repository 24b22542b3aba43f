"""Files generated from the landing contract are committed in sync with it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipelines.sources.contract import Contract, load_contract
from pipelines.sources.derived import render_all

DERIVED = render_all(load_contract())


@pytest.mark.parametrize("path", sorted(DERIVED), ids=lambda p: p.name)
def test_derived_file_is_in_sync_with_the_contract(path):
    assert path.read_text() == DERIVED[path], (
        f"{path} is out of date: run `python -m pipelines.sources.derived` after editing contract.yml"
    )


def test_a_warning_reference_names_a_known_column():
    contract = load_contract().model_dump()
    contract["sources"]["shipments"]["columns"]["order_id"]["reference_warn"] = "orders.nope"
    with pytest.raises(ValidationError, match="unknown reference_warn orders.nope"):
        Contract.model_validate(contract)
