"""The point group of a structure for Neumann's principle, in two frames.

Crystals: spglib's space group gives the class in the standard (IEEE/Nye) setting of its
symbol (``P-4b2`` -> ``-4m2``) and the Cartesian rotations in the structure's own frame.
Molecules: the Schoenflies group (``C2v``, ``D∞h``...) and its Cartesian operations about
the centre of mass; non-crystallographic groups (``C5v``, ``Ih``) have no standard form here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from symcompile.errors import InputError
from symcompile.o3.point_groups import (
    PointGroup,
    point_group,
    point_group_from_matrices,
    point_group_from_space_group,
)

__all__ = ["StructureGroups", "structure_point_groups"]


@dataclass
class StructureGroups:
    """``standard``: the group in the standard orientation (None if non-crystallographic);
    ``frame``: its matrices in the structure's Cartesian frame; ``exact_below``: for infinite
    groups represented by a finite subgroup, the degree l below which it is exact."""

    standard: PointGroup | None
    frame: PointGroup
    info: dict[str, Any] = field(default_factory=dict)
    exact_below: int | None = None


def structure_point_groups(source: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> StructureGroups:
    """Point groups of a structure file path (or a loaded Cell / pymatgen object)."""
    from symcompile.structures import reading

    if isinstance(source, (str, os.PathLike)):
        loaded = reading.load(source)
        kind, obj = loaded.kind, (loaded.cell if loaded.kind == "crystal" else loaded.molecule)
        notes = list(loaded.notes)
    else:
        obj = source
        kind = "crystal" if hasattr(obj, "lattice") else "molecule"
        notes = []
    if kind == "crystal":
        from symcompile.structures.spacegroup import symmetry_operations

        ops = symmetry_operations(obj, symprec, angle_tol)
        std = point_group_from_space_group(ops.number)
        frame = point_group_from_matrices(ops.point_group(), tol=1e-4)
        info = {"kind": "crystal", "space_group": ops.number, "space_group_symbol": ops.symbol,
                "symprec": symprec, "angle_tol": angle_tol, "notes": notes}
        return StructureGroups(std, frame, info)
    from symcompile.structures.molecules import molecule_symmetry

    sym = molecule_symmetry(obj, symprec)
    try:
        std: PointGroup | None = point_group(sym.point_group)
    except InputError:
        std = None
    frame = point_group_from_matrices(sym.rotations, tol=1e-4, name=sym.point_group,
                                      crystallographic=False)
    info = {"kind": "molecule", "molecule_point_group": sym.point_group, "symprec": symprec, "notes": notes}
    return StructureGroups(std, frame, info, sym.exact_below)
