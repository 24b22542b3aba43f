"""The demo company: deterministic landing files for every source of the
contract, written the way a real company's systems would write them.

Not part of the product: Lodestar reads any landing that follows the contract
(docs/landing-contract.md); this package only fills one for the demo and the
tests (`lodestar generate`). See generator.py for the company it models.
"""

from .generator import generate

__all__ = ["generate"]
