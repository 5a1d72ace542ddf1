"""The math of E(3): O(3) irreps, real Wigner D matrices, Clebsch-Gordan coefficients, spherical harmonics.

Real spherical-harmonic basis of e3nn >= 0.5 (component normalisation, l = 1 ordered (x, y, z)).
Everything here is numpy/float64 except ``spherical_harmonics`` (torch, differentiable), which is loaded
lazily so that ``import symcompile.o3`` does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from symcompile.o3.irreps import Irrep, Irreps, IrrepsError, MulIr
from symcompile.o3.legendre import spherical_harmonics_np
from symcompile.o3.rotations import (
    angles_to_matrix,
    axis_angle_to_matrix,
    is_proper,
    matrix_to_angles,
    rand_matrix,
    split_improper,
)
from symcompile.o3.wigner import so3_generators, wigner_3j, wigner_D, wigner_D_list

__all__ = [
    "Irrep",
    "Irreps",
    "IrrepsError",
    "MulIr",
    "wigner_D",
    "wigner_D_list",
    "wigner_3j",
    "so3_generators",
    "rand_matrix",
    "angles_to_matrix",
    "matrix_to_angles",
    "axis_angle_to_matrix",
    "is_proper",
    "split_improper",
    "spherical_harmonics",
    "SphericalHarmonics",
    "spherical_harmonics_np",
]


def __getattr__(name: str) -> Any:
    if name in ("spherical_harmonics", "SphericalHarmonics"):
        # Importing the submodule binds the *module* to the package attribute of the same name;
        # rebind the function. (If the submodule was imported directly first, the attribute is that
        # module, which is made callable, so `symcompile.o3.spherical_harmonics(ls, x)` works either way.)
        _mod = importlib.import_module("symcompile.o3.spherical_harmonics")

        globals()["spherical_harmonics"] = _mod.spherical_harmonics
        globals()["SphericalHarmonics"] = _mod.SphericalHarmonics
        return globals()[name]
    raise AttributeError(f"module 'symcompile.o3' has no attribute {name!r}")
