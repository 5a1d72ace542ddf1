"""symcompile: a symmetry compiler for crystals and molecules.

The public library API is loaded lazily, so that commands that train no network
(``symmetry``, ``tensor``) never import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from symcompile._version import __version__

_LAZY = {
    "CartesianTensor": "symcompile.tensors",
    "tensor_report": "symcompile.tensors",
    "Structure": "symcompile.structures",
    "read_structure": "symcompile.structures",
    "symmetry_operations": "symcompile.structures",
    "analyse_symmetry": "symcompile.structures",
    "curie_check": "symcompile.curie",
    "property_check": "symcompile.curie",
    "order_parameters": "symcompile.order_params",
    "Irreps": "symcompile.o3",
    "Irrep": "symcompile.o3",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'symcompile' has no attribute {name!r}")
