"""The point group of a structure for Neumann's principle, in two frames.

Crystals: spglib's space group gives the class in the standard (IEEE/Nye) setting of its
symbol (``P-4b2`` -> ``-4m2``) and the Cartesian rotations in the structure's own frame.
Molecules: the Schoenflies group (``C2v``, ``D∞h``...) and its Cartesian operations about
the centroid; non-crystallographic groups (``C5v``, ``Ih``) have no standard form here.
Crystals with magnetic moments: the magnetic point group (``4'/mmm'`` as the BNS symbol shows it,
and its operations with time reversal in the structure's frame), so that time-odd tensors get
Neumann's principle with time reversal. All come from :mod:`symcompile.structures`, as in every
other command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symcompile.errors import InputError
from symcompile.o3.magnetic_point_groups import MagneticPointGroup
from symcompile.o3.point_groups import PointGroup, point_group, point_group_from_matrices

__all__ = ["StructureGroups", "structure_point_groups"]


@dataclass
class StructureGroups:
    """``standard``: the group in the standard orientation (None if non-crystallographic);
    ``frame``: its matrices in the structure's Cartesian frame; ``exact_below``: for infinite
    groups represented by a finite subgroup, the degree l below which it is exact. Both are
    magnetic point groups for a crystal with moments.
    ``info``: ``{"file", "kind", "space_group", "point_group", "notes"}`` in the shared record shape
    (and ``magnetic`` as ``symmetry`` reports it)."""

    standard: PointGroup | MagneticPointGroup | None
    frame: PointGroup | MagneticPointGroup
    info: dict[str, Any] = field(default_factory=dict)
    exact_below: int | None = None


def structure_point_groups(source: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                           magnetic: bool = True, mag_symprec: float | None = None) -> StructureGroups:
    """Point groups of a structure file path (or a :class:`~symcompile.structures.Structure`).

    A crystal with magnetic moments gets its magnetic point group unless ``magnetic=False``.
    """
    from symcompile.structures.analysis import magnetic_analysis
    from symcompile.structures.operations import symmetry_operations
    from symcompile.structures.reading import as_structure_or_file
    from symcompile.structures.spacegroup import point_group_from_space_group, primitive_cell

    structure = as_structure_or_file(source)
    ops = symmetry_operations(structure, symprec, angle_tol)
    info = {"file": structure.source or None, "kind": structure.kind, "space_group": ops.space_group,
            "point_group": ops.point_group, "notes": list(structure.notes)}
    found, notes = magnetic_analysis(structure, symprec, angle_tol, mag_symprec, magnetic)
    info["notes"].extend(notes)
    if found is not None:
        info["magnetic"] = found.to_dict()
        return StructureGroups(found.standard_point_group, found.point_group, info)
    if structure.lattice is not None:
        assert ops.number is not None
        # the infinite crystal's point group: a supercell can hide some of it from its own operations
        primitive = primitive_cell(structure, symprec, angle_tol)
        if primitive is not structure:
            ops = symmetry_operations(primitive, symprec, angle_tol)
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
