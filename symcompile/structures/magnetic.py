"""The magnetic symmetry of a crystal with moments: its magnetic space group and magnetic point group.

An operation {R|t} with time-reversal sign tau is a symmetry of a magnetic crystal when it maps
every atom onto one of its kind and the moment m (an axial vector, odd under time reversal) onto
that atom's moment: m' = tau det(R) R m. spglib's magnetic search finds these operations
(positions within ``symprec`` Å, moments within ``mag_symprec`` μB); the type (BNS/OG number and
symbol, I-IV) comes from :mod:`symcompile.structures.magnetic_groups`, and the magnetic point
group, the pairs (R, tau) in the structure's Cartesian frame, is named among the 122 by
:func:`symcompile.o3.magnetic_point_groups.magnetic_point_group_from_operations`. Moments that
are all zero give the grey group (type II), as for a paramagnet.

The search runs on the primitive cell of the magnetic structure (the lattice of the translations
that keep every moment), found by spglib in the given Cartesian frame: a supercell whose shape
hides some of the symmetry (a 2a x a x c cell of a tetragonal crystal) gives the same group as
the primitive cell. Collinear moments (one number per atom) have no direction; they are taken
along Cartesian z (pymatgen's and VASP's default spin axis), with a note, since the magnetic group
depends on it.

>>> import numpy as np
>>> from symcompile.structures.structure import Structure
>>> s = Structure(np.diag([4.5, 4.5, 3.1]), [[0, 0, 0], [0.5, 0.5, 0.5]], ("Mn", "Mn"), magmoms=[[0, 0, 1], [0, 0, -1]])
>>> m = magnetic_symmetry(s)
>>> m.group.bns_symbol, m.group.type, m.point_group.name
('P_I4/mnc', 4, "4/mmm1'")
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import spglib

from symcompile.errors import InputError
from symcompile.o3.magnetic_point_groups import (
    MagneticPointGroup,
    magnetic_point_group,
    magnetic_point_group_from_operations,
)
from symcompile.structures.magnetic_groups import MagneticSpaceGroupType, magnetic_space_group_type
from symcompile.structures.operations import Operations, operations_from_symmetry, symmetrize_positions
from symcompile.structures.spacegroup import _angle, atoms_in_cell, quiet_spglib

__all__ = ["MagneticSymmetry", "magnetic_symmetry", "cartesian_moments", "COLLINEAR_NOTE", "ZERO_NOTE"]

COLLINEAR_NOTE = ("collinear moments (one number per atom) were taken along Cartesian z; the magnetic group "
                  "depends on the direction: give moment vectors for another one")
ZERO_NOTE = ("the moments vanish within the tolerance (time reversal alone is a symmetry): the grey group "
             "(type II), as for a paramagnet")


@dataclass(frozen=True)
class MagneticSymmetry:
    """The magnetic space group of a crystal with moments, and everything derived from it.

    ``structure``: the primitive magnetic cell (the given one when it is primitive), in the given
    Cartesian frame; ``operations``: the magnetic space group acting on it, with permutations and
    ``time_reversal``; ``point_group``: the magnetic point group in the structure's Cartesian
    frame; ``standard_point_group``: the same type as the BNS symbol shows it (BNS setting
    orientation, the one ``tensor -g`` understands); ``moments``: the Cartesian moments used (μB).
    """

    group: MagneticSpaceGroupType
    structure: Any
    operations: Operations
    point_group: MagneticPointGroup
    standard_point_group: MagneticPointGroup
    moments: np.ndarray
    mag_symprec: float
    notes: tuple[str, ...] = ()

    def point_group_entry(self) -> dict[str, Any]:
        """``{hm, hm_bns_setting, schoenflies, number, kind, order}`` of the magnetic point group."""
        g = self.point_group
        return {"hm": g.standard_name, "hm_bns_setting": self.standard_point_group.name,
                "schoenflies": g.schoenflies, "number": g.number, "kind": g.kind, "order": g.order}

    def to_dict(self) -> dict[str, Any]:
        """The ``magnetic`` block of a record (keys documented in the README)."""
        norms = np.linalg.norm(self.moments, axis=1)
        magnetic = norms > self.mag_symprec
        directions = self.moments[magnetic] / norms[magnetic, None] if magnetic.any() else np.zeros((0, 3))
        collinear = bool(np.all(np.abs(np.abs(directions @ directions[0]) - 1) < 1e-6)) if len(directions) else True
        return {
            **self.group.to_dict(),
            "point_group": self.point_group_entry(),
            "operations": len(self.operations),
            "primitive_atoms": len(self.structure.species),
            "moments": {
                "magnetic_atoms": int(magnetic.sum()),
                "collinear": collinear,
                "net": np.round(self.moments.sum(axis=0), 10) + 0.0,  # per primitive magnetic cell
                "largest": round(float(norms.max(initial=0.0)), 10),
            },
        }


def cartesian_moments(structure: Any) -> tuple[np.ndarray, list[str]]:
    """The structure's moments as Cartesian vectors (N, 3) in μB; collinear values along z (with a note)."""
    if structure.magmoms is None:
        raise ValueError("the structure has no magnetic moments")
    moments = np.asarray(structure.magmoms, dtype=np.float64)
    if moments.ndim == 1:
        vectors = np.zeros((len(moments), 3))
        vectors[:, 2] = moments
        return vectors, [COLLINEAR_NOTE] if np.any(moments) else []
    return moments.copy(), []


def _cell(structure: Any, moments: np.ndarray) -> tuple[Any, ...]:
    return (structure.lattice, structure.frac_coords, structure.type_numbers(), moments)


def _no_group(symprec: float, mag_symprec: float, reason: str = "no group found") -> InputError:
    return InputError(f"spglib could not determine the magnetic space group ({reason}) at symprec={symprec:g} Å, "
                      f"mag_symprec={mag_symprec:g} μB: try other tolerances, or --no-magnetic")


def _spglib(function: Any, cell: tuple[Any, ...], symprec: float, angle_tol: float | None, mag_symprec: float) -> Any:
    try:
        with quiet_spglib():
            out = function(cell, is_axial=True, symprec=symprec, angle_tolerance=_angle(angle_tol),
                           mag_symprec=mag_symprec)
    except spglib.SpglibError as exc:
        raise _no_group(symprec, mag_symprec, str(exc).strip().splitlines()[0] if str(exc).strip() else
                        "no group found") from None
    if out is None:
        raise _no_group(symprec, mag_symprec)
    return out


def symmetrized_moments(ops: Operations, moments: np.ndarray) -> np.ndarray:
    """Moments averaged over the magnetic group: exactly symmetric (m_g(i) = tau det(R) R m_i)."""
    acc = np.zeros_like(moments)
    for R, tau, perm in zip(ops.rotations, ops.time_reversal, ops.permutations):  # type: ignore[arg-type]
        image = tau * np.linalg.det(R) * moments @ R.T  # the moment of atom i carried onto atom perm[i]
        acc[perm] += image
    return acc / len(ops)


def magnetic_symmetry(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                      mag_symprec: float | None = None) -> MagneticSymmetry:
    """The magnetic symmetry of a crystal with moments (spglib's magnetic search, named and checked).

    ``mag_symprec`` (μB) is the tolerance on moments, ``symprec`` (Å) by default as in spglib.
    """
    if structure.lattice is None:
        raise InputError("magnetic space groups need a crystal (a lattice)")
    moments, notes = cartesian_moments(structure)
    tol = float(symprec if mag_symprec is None else mag_symprec)
    found = _spglib(spglib.get_magnetic_symmetry, _cell(structure, moments), symprec, angle_tol, tol)
    prim_lattice = np.asarray(found["primitive_lattice"], dtype=np.float64)
    cell = structure
    if abs(np.linalg.det(prim_lattice)) < structure.volume * (1 - 1e-6):
        cell, kept = atoms_in_cell(structure, prim_lattice, symprec)
        moments = moments[kept]
        cell = cell.replace(magmoms=moments)
    data = _spglib(spglib.get_magnetic_symmetry_dataset, _cell(cell, moments), symprec, angle_tol, tol)
    group = magnetic_space_group_type(int(data.uni_number))
    ops = operations_from_symmetry(cell, data.rotations, data.translations, 2 * symprec,
                                   group.bns_symbol, group.family_number, on_failure="raise")
    signs = np.where(np.asarray(data.time_reversals, dtype=bool), -1, 1)
    ops = replace(ops, time_reversal=signs, symmetrized=symmetrize_positions(cell, ops) @ cell.lattice)
    frame = magnetic_point_group_from_operations(ops.rotations, signs)
    standard = magnetic_point_group(group.point_group_symbol)
    if standard.number != frame.number:  # the two routes (BNS symbol, operations) must name one type
        raise ArithmeticError(f"magnetic point group of {group.bns_symbol} ({group.bns_number}): the symbol gives "
                              f"{standard.name} ({standard.number}), the operations {frame.name} ({frame.number})")
    if group.type == 2:
        notes.append(ZERO_NOTE)
    return MagneticSymmetry(group, cell, ops, frame, standard, moments, tol, tuple(notes))
