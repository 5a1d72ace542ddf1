"""Structures: reading crystals and molecules, and their space groups / point groups.

Loaded lazily, so that importing :mod:`symcompile.structures` costs nothing until used
(pymatgen is imported only by the readers that need it; torch never).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Cell": "symcompile.structures.cell",
    "as_cell": "symcompile.structures.cell",
    "cell_from_structure": "symcompile.structures.cell",
    "load": "symcompile.structures.reading",
    "read_structure": "symcompile.structures.reading",
    "read_declared": "symcompile.structures.reading",
    "require_ordered": "symcompile.structures.reading",
    "is_ordered": "symcompile.structures.reading",
    "to_pymatgen_molecule": "symcompile.structures.reading",
    "dataset": "symcompile.structures.spacegroup",
    "space_group_info": "symcompile.structures.spacegroup",
    "symmetry_operations": "symcompile.structures.spacegroup",
    "SymmetryOperations": "symcompile.structures.spacegroup",
    "point_group_rotations": "symcompile.structures.spacegroup",
    "cartesian_rotations": "symcompile.structures.spacegroup",
    "number_from_symbol": "symcompile.structures.spacegroup",
    "crystal_system": "symcompile.structures.spacegroup",
    "molecule_symmetry": "symcompile.structures.molecules",
    "MoleculeSymmetry": "symcompile.structures.molecules",
    "point_group_of_molecule": "symcompile.structures.molecules",
    "compare_declared": "symcompile.structures.declared",
    "analyse_symmetry": "symcompile.structures.task",
    "SymmetryTask": "symcompile.structures.task",
}

__all__ = ["spglib_cell", "structure_point_group", *_LAZY]


def __getattr__(name: str) -> Any:
    if name == "compare_declared":
        return importlib.import_module("symcompile.structures.declared").compare
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'symcompile.structures' has no attribute {name!r}")


def spglib_cell(structure: Any) -> tuple[Any, Any, Any]:
    """``(lattice, positions, numbers)`` of a pymatgen Structure or Cell, as spglib takes it."""
    from symcompile.structures.cell import as_cell

    return as_cell(structure).spglib_cell()


def structure_point_group(obj: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> Any:
    """Cartesian point group rotations (n, 3, 3) of a crystal or a molecule, in its own frame.

    Crystals: the rotations of the space group (exactly orthogonal). Molecules: the point
    group about the centre of mass; for C∞v / D∞h / Kh a finite subgroup exact below a
    degree (see :mod:`symcompile.structures.molecules`).
    """
    from symcompile.structures.cell import Cell

    if isinstance(obj, Cell) or hasattr(obj, "lattice"):
        from symcompile.structures.spacegroup import point_group_rotations

        return point_group_rotations(obj, symprec, angle_tol)
    from symcompile.structures.molecules import molecule_symmetry

    return molecule_symmetry(obj, symprec).rotations
