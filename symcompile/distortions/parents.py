"""Every parent of a distorted child within a displacement bound: a pseudo-symmetry search.

A parent is a space group G containing the child's group H, with a structure of symmetry G
from which no atom of the child is more than ``max_displacement`` Å away (the uniform
translation removed). The operations of every such G pass the pseudo-symmetry test
(:mod:`~symcompile.distortions.pseudosymmetry`: each maps every atom to within twice the
bound of an atom of its species); the groups between H and those operations are
enumerated (:mod:`~symcompile.distortions.subgroups`), the child is averaged over each
(the ideal parent: the child's positions averaged over the group with its atom permutation,
the lattice metric averaged over its point group) and the group is kept when every atom
moved by at most the bound and spglib finds exactly that group in the ideal parent. As in
Bilbao's PSEUDO (Capillas et al., J. Appl. Cryst. 44, 1017 (2011)), but all at once.

>>> import numpy as np
>>> from symcompile.structures.structure import Structure
>>> child = Structure(np.diag([4.0, 4.0, 4.04]), [[0, 0, 0], [.5, .5, .52], [.5, .5, 0], [.5, 0, .49], [0, .5, .49]],
...                   ("Ba", "Ti", "O", "O", "O"))
>>> parents = find_parents(child)
>>> [(p.space_group["symbol"], round(p.max_displacement, 3), p.parent_cells) for p in parents]
[('Pm-3m', 0.08, 1), ('P4/mmm', 0.08, 1)]
>>> select_parent(parents, "P4/mmm").space_group
{'number': 123, 'symbol': 'P4/mmm'}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.distortions.correspondence import (
    DEFAULT_MAX_DISPLACEMENT,
    DEFAULT_MAX_STRAIN,
    PrimitiveChild,
    primitive_child,
)
from symcompile.distortions.pseudosymmetry import PseudoSymmetry, WorkingCell, searches
from symcompile.distortions.spread import smallest_ball
from symcompile.distortions.subgroups import intermediate_groups
from symcompile.errors import InputError
from symcompile.structures.operations import Operations, atom_permutations, crystal_operations, symmetrized_basis
from symcompile.structures.spacegroup import dataset, number_from_symbol, space_group_name
from symcompile.structures.structure import Structure, as_structure

#: Most groups examined between the child's group and its pseudo-symmetry (the search stops there
#: and says so).
MAX_GROUPS = 3000


@dataclass(frozen=True, eq=False)
class ParentCandidate:
    """One parent within the bound, written atom for atom in the child's cell as given.

    ``ideal_parent``: the child averaged over the parent's group (positions and lattice metric);
    pass it to :func:`~symcompile.distortions.decompose` as ``ideal_parent``. ``displacements``
    (N, 3) Å: child minus parent, atom for atom, in the parent's Cartesian frame, mean zero.
    ``operations``: the parent's operations that map the child's cell onto itself.
    ``parent_cells``: parent primitive cells per child primitive cell. ``order``: the parent's
    operations per child primitive cell (point-group order x ``parent_cells``). ``strain``:
    largest principal stretch - 1 from the parent's lattice to the child's. ``subgroups`` /
    ``supergroups``: indices (in the candidate list) of the candidates whose groups this one
    contains / is contained in.
    """

    space_group: dict[str, Any]
    max_displacement: float
    rms_displacement: float
    ideal_parent: Structure
    displacements: np.ndarray
    operations: Operations
    parent_cells: int
    point_group_order: int
    strain: float
    strain_tensor: np.ndarray
    subgroups: tuple[int, ...] = ()
    supergroups: tuple[int, ...] = ()

    @property
    def order(self) -> int:
        return self.point_group_order * self.parent_cells

    @property
    def number(self) -> int:
        return int(self.space_group["number"])

    @property
    def symbol(self) -> str:
        return str(self.space_group["symbol"])

    def to_record(self) -> dict[str, Any]:
        """JSON-ready summary (no structures): group, displacements, cells, strain, inclusions."""
        return {"space_group": dict(self.space_group), "max_displacement": float(self.max_displacement),
                "rms_displacement": float(self.rms_displacement), "parent_cells": self.parent_cells,
                "point_group_order": self.point_group_order, "strain": float(self.strain),
                "subgroups": list(self.subgroups), "supergroups": list(self.supergroups)}


class ParentCandidates(list):  # type: ignore[type-arg]
    """The parents within the bound, highest symmetry first (a list of :class:`ParentCandidate`).

    ``child_group``: the child's space group; ``bound``/``max_strain``: the limits used;
    ``nearest_beyond``: the nearest group found just beyond the bound (``{"space_group",
    "max_displacement"}``) or None; ``truncated``: the search stopped at ``MAX_GROUPS``;
    ``notes``: plain words.
    """

    child_group: dict[str, Any]
    bound: float
    max_strain: float
    nearest_beyond: dict[str, Any] | None
    truncated: bool
    notes: tuple[str, ...]

    def to_record(self) -> dict[str, Any]:
        return {"child": {"space_group": dict(self.child_group)}, "max_displacement": self.bound,
                "max_strain": self.max_strain, "candidates": [c.to_record() for c in self],
                "nearest_beyond": self.nearest_beyond, "truncated": self.truncated, "notes": list(self.notes)}


# --------------------------------------------------------------------------- one group
@dataclass(frozen=True, eq=False)
class _Group:
    """A group on the working cell: rotations (integer), translations and the shifts W^-1 e_i that
    average the child over it (x_i + mean_g shifts[g, i])."""

    rotations: np.ndarray
    translations: np.ndarray
    shifts: np.ndarray

    def __len__(self) -> int:
        return len(self.rotations)

    @property
    def pure_translations(self) -> int:
        return int(np.sum(np.all(self.rotations == np.eye(3, dtype=np.int64), axis=(1, 2))))


def _rms(ops: PseudoSymmetry, mask: np.ndarray) -> float:
    cart = ops.shifts[mask].mean(axis=0) @ ops.cell.lattice
    return float(np.sqrt(np.mean(np.einsum("ij,ij->i", cart, cart))))


def _from_table(ops: PseudoSymmetry, mask: np.ndarray) -> _Group:
    return _Group(ops.rotations[ops.rotation_of[mask]], ops.translations[mask], ops.shifts[mask])


def _from_symmetric(cell: WorkingCell, parent: Structure, rotations: np.ndarray, translations: np.ndarray,
                    tol: float) -> _Group | None:
    """The operations of an exactly symmetric structure on the working cell (its atom for atom), their
    permutations read on it, their least-squares translations and shifts measured on the child."""
    perms = atom_permutations(parent, rotations, translations, tol)
    if np.any(perms < 0):
        return None
    frac = cell.frac
    trans, shifts = [], []
    for w, t, perm in zip(rotations, translations, perms):
        e = frac[perm] - frac @ w.T - t
        e -= np.rint(e)
        t = t + e.mean(axis=0)
        e -= e.mean(axis=0)
        trans.append(t - np.floor(t))
        shifts.append(e @ np.linalg.inv(w.astype(np.float64)).T)
    return _Group(np.asarray(rotations, dtype=np.int64), np.array(trans), np.array(shifts))


def _symmetrise(cell: WorkingCell, group: _Group, symprec: float, angle_tol: float | None
                ) -> tuple[_Group, dict[str, Any]] | None:
    """The child averaged over the group (positions with the atom permutation, the lattice metric over
    the point group), checked by spglib. When the average has more symmetry than the group, the child
    is averaged again over all of it (permutations read on the symmetric structure: PSEUDO's iteration);
    None when the average has less (the permutations were not a group action)."""
    for _ in range(4):
        d = -group.shifts.mean(axis=0)
        basis = symmetrized_basis(cell.lattice, np.unique(group.rotations, axis=0))  # columns, child's frame
        parent = Structure(basis.T, cell.frac - d, cell.species)
        data = dataset(parent, symprec, angle_tol)
        if len(data.rotations) == len(group):
            return group, {"d": d, "basis": basis, "number": int(data.number)}
        if len(data.rotations) < len(group):
            return None
        bigger = _from_symmetric(cell, parent, data.rotations, data.translations, 2 * symprec)
        if bigger is None:
            return None
        group = bigger
    return None


def _measure(cell: WorkingCell, group: _Group, found: dict[str, Any]) -> dict[str, Any]:
    """Displacements (parent's frame, the free uniform translation chosen to make the largest smallest),
    strain and group order of a symmetrised group."""
    u = found["d"] @ found["basis"].T
    centre, radius = smallest_ball(u)
    u0 = u - u.mean(axis=0)
    deform = cell.lattice.T @ np.linalg.inv(found["basis"])  # parent -> child (columns)
    stretches = np.linalg.svd(deform, compute_uv=False)
    return {**found, "u": u - centre, "centre": centre, "max": radius,
            "rms": float(np.sqrt(np.mean(np.einsum("ij,ij->i", u0, u0)))),
            "strain": float(np.abs(stretches - 1).max()), "deform": deform, "order": len(group),
            "pure": group.pure_translations}


# --------------------------------------------------------------------------- the search
def find_parents(child: Any, max_displacement: float = DEFAULT_MAX_DISPLACEMENT, symprec: float = 1e-3,
                 angle_tol: float | None = None, max_strain: float = DEFAULT_MAX_STRAIN) -> ParentCandidates:
    """Every supergroup of the child's space group with a structure within ``max_displacement`` Å of
    the child (the uniform translation removed) and ``max_strain`` of its lattice, highest symmetry first.

    An undistorted child (nothing above its group within the bound) gives an empty list.
    ``symprec`` (Å) and ``angle_tol`` define the child's own group.
    """
    child = as_structure(child)
    if child.lattice is None:
        raise InputError("a parent search needs a crystal (a molecule has no space group)")
    if not max_displacement > 0 or not 0 < max_strain < 1:
        raise InputError("the displacement bound must be positive and the strain bound between 0 and 1")
    prim = primitive_child(child, symprec, angle_tol)
    data = dataset(prim.cell, symprec, angle_tol)
    slack = 1 + 2 * max_strain  # the rms grows with the group, up to the change of metric
    kept: list[tuple[PseudoSymmetry, _Group, dict[str, Any]]] = []
    beyond: dict[str, Any] | None = None
    truncated = False
    for ops in searches(prim.cell, max_displacement, max_strain, data.rotations, data.translations, symprec):

        def expand(mask: np.ndarray, ops: PseudoSymmetry = ops) -> bool:
            return _rms(ops, mask) <= max_displacement * slack

        groups, stopped = intermediate_groups(ops.table, ops.child, ops.identity, expand, MAX_GROUPS)
        truncated |= stopped
        for mask in groups[1:]:
            if _rms(ops, mask) > max_displacement * slack:
                continue
            found = _symmetrise(ops.cell, _from_table(ops, mask), symprec, angle_tol)
            if found is None:
                continue
            group, ev = found
            ev = _measure(ops.cell, group, ev)
            if ev["max"] > max_displacement or ev["strain"] > max_strain:
                if beyond is None or ev["max"] < beyond["max_displacement"]:
                    beyond = {"space_group": space_group_name(ev["number"]), "max_displacement": ev["max"]}
                continue
            ev["ops"] = _child_operations(ops, group)
            if not any(_contains(ev["ops"], other["ops"]) and _contains(other["ops"], ev["ops"])
                       for _, _, other in kept):
                kept.append((ops, group, ev))
    notes = []
    if truncated:
        notes.append(f"the search stopped after {MAX_GROUPS} groups: lower the displacement bound or raise "
                     "--symprec to see every parent")
    candidates = [_candidate(child, prim, ops, ev, symprec, angle_tol) for ops, _, ev in kept]
    order = sorted(range(len(kept)), key=lambda i: (-candidates[i].order, round(candidates[i].max_displacement, 9),
                                                    candidates[i].number))
    op_sets = [kept[i][2]["ops"] for i in order]
    out = ParentCandidates()
    for i, k in enumerate(order):
        subs = tuple(j for j in range(len(order)) if j != i and _contains(op_sets[i], op_sets[j]))
        sups = tuple(j for j in range(len(order)) if j != i and _contains(op_sets[j], op_sets[i]))
        out.append(ParentCandidate(**{**candidates[k].__dict__, "subgroups": subs, "supergroups": sups}))
    out.child_group = space_group_name(int(data.number))
    out.bound = float(max_displacement)
    out.max_strain = float(max_strain)
    out.nearest_beyond = beyond
    out.truncated = truncated
    out.notes = tuple(notes)
    return out


def _child_operations(ops: PseudoSymmetry, group: _Group) -> tuple[np.ndarray, np.ndarray]:
    """The group's operations (modulo the working cell's lattice) in the child's primitive fractional
    coordinates: rotations (rational floats) and translations."""
    m = ops.cell.to_child.astype(np.float64)
    w = np.einsum("ij,njk,kl->nil", m, group.rotations.astype(np.float64), np.linalg.inv(m))
    return w, group.translations @ m.T


def _contains(big: tuple[np.ndarray, np.ndarray], small: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether every operation of ``small`` is one of ``big`` (same rotation, translation modulo the
    child's lattice)."""
    for w, t in zip(*small):
        same = np.all(np.abs(big[0] - w) < 1e-6, axis=(1, 2))
        d = big[1][same] - t
        if not np.any(np.all(np.abs(d - np.rint(d)) < 1e-5, axis=1)):
            return False
    return True


def _candidate(child: Structure, prim: PrimitiveChild, ops: PseudoSymmetry, ev: dict[str, Any], symprec: float,
               angle_tol: float | None) -> ParentCandidate:
    """The ideal parent in the child's cell as given, moved by the best uniform translation."""
    m = ops.cell.to_child.astype(np.float64)
    c = np.asarray(prim.to_input, dtype=np.float64)
    n = prim.cell.num_atoms
    # child - parent in the child's fractional coordinates: the average's d, less the centre of the ball
    d_work = ev["d"][:n] - ev["centre"] @ np.linalg.inv(ev["basis"]).T
    d_input = (d_work @ m.T)[prim.atoms] @ np.linalg.inv(c)  # the first copy is the child's own cell
    lattice = child.lattice @ np.linalg.inv(ev["deform"]).T  # the child's lattice with its strain undone
    parent = Structure(lattice, child.frac_coords - d_input, child.species, source=child.source)
    parent_ops = crystal_operations(parent, symprec, angle_tol)
    return ParentCandidate(space_group=space_group_name(ev["number"]), max_displacement=ev["max"],
                           rms_displacement=ev["rms"], ideal_parent=parent, displacements=ev["u"][:n][prim.atoms],
                           operations=parent_ops, parent_cells=ev["pure"] // len(ops.cell.copies),
                           point_group_order=ev["order"] // ev["pure"], strain=ev["strain"],
                           strain_tensor=_strain_tensor(ev["deform"]))


def _strain_tensor(deform: np.ndarray) -> np.ndarray:
    """Symmetric (Biot) strain U - 1 of the deformation parent -> child, U from its polar decomposition."""
    u, s, vt = np.linalg.svd(deform)
    return (vt.T * s) @ vt - np.eye(3)


# --------------------------------------------------------------------------- choosing one
def select_parent(candidates: ParentCandidates | list[ParentCandidate], group: int | str | None = None
                  ) -> ParentCandidate | None:
    """The candidate of space group ``group`` (number or Hermann-Mauguin symbol, any setting), or the
    highest-symmetry one when ``group`` is None (None when there is no candidate: the child is undistorted
    within the bound). InputError, listing the candidates, when no candidate has that group.

    >>> select_parent([], None) is None
    True
    """
    if group is None:
        return candidates[0] if candidates else None
    text = str(group).strip()
    number = int(text) if text.isdigit() else number_from_symbol(text)
    if number is None or not 1 <= number <= 230:
        raise InputError(f"unknown space group {group!r} (give a number 1-230 or a Hermann-Mauguin symbol)")
    for cand in candidates:
        if cand.number == number:
            return cand
    bound = getattr(candidates, "bound", None)
    within = f" within {bound:g} Å" if bound is not None else ""
    listed = ", ".join(f"{c.symbol} ({c.number}) {c.max_displacement:.2f} Å" for c in candidates) or "none"
    raise InputError(f"no parent of space group {space_group_name(number)['symbol']} ({number}){within} of the "
                     f"child; candidates: {listed}")
