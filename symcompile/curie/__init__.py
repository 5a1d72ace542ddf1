"""Curie's principle as a command: can an equivariant map turn IN into OUT, can IN carry a property?

Two independent answers: exact group theory on the explicit symmetry operations of IN
(feasible iff every operation of IN is a symmetry of the target), and an E(3)-equivariant
network trained on the single pair, which can only reach the symmetry average of the target.
Importing this package does not import torch (training is imported when used).
"""

from __future__ import annotations

from typing import Any

__all__ = ["curie_check", "property_check", "CurieOptions"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from symcompile.curie import check

        return getattr(check, name)
    raise AttributeError(f"module 'symcompile.curie' has no attribute {name!r}")
