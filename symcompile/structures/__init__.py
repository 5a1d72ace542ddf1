"""Structures: THE structure model, every reader, symmetry operations, space and point groups.

``Structure`` (crystals and molecules), ``read_structure(path)``, ``symmetry_operations(s)``
(one ``Operations`` class with atom permutations and exactly orthogonal Cartesian rotations),
``analyse_symmetry(path_or_structure)``, naming and settings from spglib's database. Every
other package gets its structures, operations and group names from here.

Loaded lazily, so that importing :mod:`symcompile.structures` costs nothing until used
(spglib and pymatgen are imported by the parts that need them; torch never).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    # the model
    "Structure": "structure", "Declared": "structure", "from_pymatgen": "structure", "as_structure": "structure",
    "Cell": "structure", "as_cell": "structure", "cell_from_structure": "structure", "element_of": "structure",
    # reading
    "read_structure": "reading", "load": "reading", "read_declared": "reading", "require_ordered": "reading",
    "as_structure_or_file": "reading", "format_of_name": "files", "is_structure_file": "files",
    # operations and groups
    "Operations": "operations", "symmetry_operations": "operations", "crystal_operations": "operations",
    "operations_from_symmetry": "operations", "cartesian_rotations": "operations",
    "molecule_operations": "molecules", "finite_approximant": "molecules",
    "dataset": "spacegroup", "standardize": "spacegroup", "space_group_name": "spacegroup",
    "point_group_from_space_group": "spacegroup", "number_from_symbol": "spacegroup",
    "hall_number_from_symbol": "spacegroup", "space_group_of_operations": "spacegroup",
    "quiet_spglib": "spacegroup", "crystal_system": "spacegroup",
    "schoenflies_symbol": "naming", "hermann_mauguin": "naming", "point_group_entry": "naming",
    "analyse_symmetry": "analysis", "crystal_symmetry": "analysis",
    "overlapping_pair": "neighbours",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"symcompile.structures.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'symcompile.structures' has no attribute {name!r}")
