"""AMPLIMODES-style decomposition of a distorted child against its parent, in one call.

``decompose(child, parent)`` finds the correspondence, splits the child's displacements into
symmetry-adapted modes of the parent (labels as Bilbao/ISOTROPY, amplitudes in Å per child
primitive cell, directions, isotropy subgroups, primary vs secondary) and its strain into
the parent's Γ irreps. Displacements are measured on the child's cell with its
symmetry-breaking strain removed (the child's metric averaged over the parent's point
group), so that the modes are exactly orthogonal: Σ amplitude² = total_displacement².

>>> from symcompile.structures.cell import Cell
>>> import numpy as np
>>> parent = Cell(np.eye(3) * 4.0, [[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]],
...               ("Ba", "Ti", "O", "O", "O"))
>>> child = Cell(np.diag([4.0, 4.0, 4.04]), [[0, 0, 0], [.5, .5, .52], [.5, .5, .0], [.5, 0, .49], [0, .5, .49]],
...              ("Ba", "Ti", "O", "O", "O"))
>>> result = decompose(child, parent)
>>> [(m.irrep, m.direction, m.isotropy_subgroup["symbol"]) for m in result.modes]
[('GM4-', '(a,0,0)', 'P4mm')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.distortions.correspondence import (
    DEFAULT_MAX_DISPLACEMENT,
    DEFAULT_MAX_STRAIN,
    Correspondence,
    correspond,
)
from symcompile.distortions.group import SupercellGroup
from symcompile.distortions.irreps import CONJUGATE_TABLES
from symcompile.distortions.lattice import closure, invariant_sublattice
from symcompile.distortions.modes import Mode, ModeAnalysis, rotation_rep
from symcompile.distortions.setting import ParentSetting
from symcompile.distortions.strain import StrainMode, strain_modes, strain_tensor
from symcompile.structures.spacegroup import dataset as spglib_dataset


@dataclass(frozen=True, eq=False)
class Decomposition:
    """A child's distortion against its parent: modes, strain, setting."""

    correspondence: Correspondence
    analysis: ModeAnalysis
    modes: tuple[Mode, ...]
    strain: tuple[StrainMode, ...]
    strain_tensor: np.ndarray  # U - 1 in the parent's Cartesian frame
    total_displacement: float  # Å per child primitive cell
    max_displacement: float  # Å, largest single-atom displacement
    residual: float  # Å per child primitive cell removed as noise (not of the child's symmetry)
    child_group: dict[str, Any]
    notes: tuple[str, ...]

    @property
    def parent(self) -> ParentSetting:
        return self.correspondence.setting

    @property
    def primary(self) -> tuple[Mode, ...]:
        return tuple(m for m in self.modes if m.primary)

    @property
    def secondary(self) -> tuple[Mode, ...]:
        return tuple(m for m in self.modes if not m.primary)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready: ``parent`` (with ``origin`` and ``sites``), ``child``, ``modes``, ``strain``,
        ``total_displacement``, ``max_displacement``, ``notes``."""
        match = self.correspondence
        return {
            "parent": self.parent.to_record(),
            "child": {"space_group": dict(self.child_group)},
            "supercell": [[_fraction(x) for x in row] for row in match.supercell],
            "parent_cells": match.cells,
            "modes": [m.to_record() for m in self.modes],
            "strain": [s.to_record() for s in self.strain],
            "total_displacement": float(self.total_displacement),
            "max_displacement": float(self.max_displacement),
            "notes": list(self.notes),
        }


def _fraction(x: float) -> str:
    from symcompile.distortions.lattice import fraction_text

    return fraction_text(x)


def mode_analysis(match: Correspondence) -> ModeAnalysis:
    """The parent's group acting on the child's atoms (the child's cell repeated to a supercell
    that the parent's point group keeps), ready to decompose any per-atom field."""
    setting = match.setting
    table = setting.table
    A, a = match.to_conv, match.shift
    cell = invariant_sublattice(A, table.rotations)
    inv = np.linalg.inv(cell)

    def reduce(x: np.ndarray) -> np.ndarray:
        z = x @ inv.T
        z -= np.floor(z + 1e-9)
        return z @ cell.T

    child_translations = closure(A.T, reduce)
    x_child = match.ideal @ A.T + a
    positions = (child_translations[:, None, :] + x_child[None]).reshape(-1, 3)
    child_atom = np.tile(np.arange(len(x_child)), len(child_translations))
    basis = match.child.lattice.T @ np.linalg.inv(A)  # conventional basis vectors, child's frame
    group = SupercellGroup.build(table, cell, basis, positions)
    labels = [(setting.sites[setting.orbit[j]].species, setting.sites[setting.orbit[j]].wyckoff)
              for j in match.site_of]
    return ModeAnalysis(group, child_atom, labels)


def displacements(match: Correspondence, analysis: ModeAnalysis) -> np.ndarray:
    """Child minus parent, atom for atom (Å, (N, 3), the group's Cartesian frame), the uniform
    translation removed."""
    cart = match.frac_displacements @ match.to_conv.T @ analysis.group.basis.T
    return cart - cart.mean(axis=0)


def decompose(child: Any, parent: Any = None, ideal_parent: Any = None, origin: str | None = None,
              symprec: float = 1e-3, angle_tol: float | None = None,
              max_displacement: float = DEFAULT_MAX_DISPLACEMENT, max_strain: float = DEFAULT_MAX_STRAIN
              ) -> Decomposition:
    """Decompose a child's distortion into the parent's symmetry modes and strain.

    ``parent``: the parent crystal in its own setting; or ``ideal_parent``: the parent written
    atom for atom in the child's cell. ``origin``: species to put at the parent's origin
    (labels at k != 0 depend on it). ``symprec`` (Å) defines the child's group.
    InputError when the two do not correspond within ``max_displacement`` Å and ``max_strain``.
    """
    match = correspond(child, parent=parent, ideal_parent=ideal_parent, origin=origin, symprec=symprec,
                       angle_tol=angle_tol, max_displacement=max_displacement, max_strain=max_strain)
    analysis = mode_analysis(match)
    u = displacements(match, analysis)
    result = analysis.decompose(u, rotation_rep(analysis.group.cart, "1o"), tol=symprec)
    setting = match.setting
    eps = strain_tensor(match.child.lattice, match.reference_lattice)
    conventional = np.linalg.solve(match.supercell, match.reference_lattice)
    strain = tuple(strain_modes(eps, setting.table, conventional))
    notes = [_origin_note(setting)]
    conjugate = sorted({m.k_label for m in result.modes if (setting.number, m.k_label) in CONJUGATE_TABLES})
    if conjugate:
        notes.append(f"labels at {', '.join(conjugate)} matched on complex-conjugate characters (the tables of "
                     f"{setting.symbol} there use the opposite phase convention)")
    seen = spglib_dataset(match.input_cell or match.child, symprec, angle_tol)
    if int(seen.number) != result.child_group["number"]:
        notes.append(f"spglib finds {seen.international} ({int(seen.number)}) for the child at symprec={symprec:g} Å; "
                     f"the atoms' displacements alone keep {result.child_group['symbol']} "
                     f"({result.child_group['number']}) of the parent (the difference is the lattice strain's, "
                     "or lies within the tolerance)")
    outside = sorted({m.k_label for m in result.modes if not m.in_tables})
    if outside:
        notes.append("k = " + ", ".join(outside) + " not in Bilbao's tables (points only): irreps numbered "
                     "by dimension and characters (#n), not CDML labels")
    if result.residual > 1e-6:
        notes.append(f"{result.residual:.2g} Å per cell of the displacements breaks the child's symmetry "
                     f"(below symprec={symprec:g} Å) and was removed")
    return Decomposition(correspondence=match, analysis=analysis, modes=result.modes, strain=strain,
                         strain_tensor=eps, total_displacement=result.total,
                         max_displacement=float(np.linalg.norm(u, axis=1).max()), residual=result.residual,
                         child_group=result.child_group, notes=tuple(notes))


def _origin_note(setting: ParentSetting) -> str:
    where = setting.origin or "no atom"
    why = {"asked": "as asked", "as given": "as in the parent given",
           "rule": "lowest Wyckoff letter occupied by the atom with the shortest bonds"}[setting.origin_rule]
    others = sorted({c for c in setting.origin_choices if c and c != setting.origin})
    alt = f"; labels at k != 0 differ with {' or '.join(others)} at the origin" if others else ""
    return f"parent origin at {where} ({why}){alt}"
