"""The point group of a structure for Neumann's principle, in two frames.

Crystals: spglib's space group gives the class in the standard (IEEE/Nye) setting of its
symbol (``P-4b2`` -> ``-4m2``) and the Cartesian rotations in the structure's own frame.
Molecules: the Schoenflies group (``C2v``, ``D∞h``...) and its Cartesian operations about
the centroid; non-crystallographic groups (``C5v``, ``Ih``) have no standard form here.
Both come from :mod:`symcompile.structures`, as in every other command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symcompile.errors import InputError
from symcompile.o3.point_groups import PointGroup, point_group, point_group_from_matrices

__all__ = ["StructureGroups", "structure_point_groups"]


@dataclass
class StructureGroups:
    """``standard``: the group in the standard orientation (None if non-crystallographic);
    ``frame``: its matrices in the structure's Cartesian frame; ``exact_below``: for infinite
    groups represented by a finite subgroup, the degree l below which it is exact.
    ``info``: ``{"file", "kind", "space_group", "point_group", "notes"}`` in the shared record shape."""

    standard: PointGroup | None
    frame: PointGroup
    info: dict[str, Any] = field(default_factory=dict)
    exact_below: int | None = None


def structure_point_groups(source: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> StructureGroups:
    """Point groups of a structure file path (or a :class:`~symcompile.structures.Structure`)."""
    from symcompile.structures.operations import symmetry_operations
    from symcompile.structures.reading import as_structure_or_file
    from symcompile.structures.spacegroup import point_group_from_space_group

    structure = as_structure_or_file(source)
    ops = symmetry_operations(structure, symprec, angle_tol)
    info = {"file": structure.source or None, "kind": structure.kind, "space_group": ops.space_group,
            "point_group": ops.point_group, "notes": list(structure.notes)}
    if structure.lattice is not None:
        assert ops.number is not None
        frame = point_group_from_matrices(ops.point_group_rotations(), tol=1e-4)
        return StructureGroups(point_group_from_space_group(ops.number), frame, info)
    finite = ops.finite_approximant()
    try:
        std: PointGroup | None = point_group(ops.name)
    except InputError:
        std = None
    frame = point_group_from_matrices(finite.point_group_rotations(), tol=1e-4, name=ops.name,
                                      crystallographic=False)
    return StructureGroups(std, frame, info, finite.exact_below)
