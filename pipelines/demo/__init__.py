"""Deterministic demo landing data for every source of the contract (SPEC §8)."""

from .generator import generate

__all__ = ["generate"]
