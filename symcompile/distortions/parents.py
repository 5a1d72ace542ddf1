"""Every parent of a distorted child within a displacement bound: a pseudo-symmetry search.

A parent is a space group G containing the child's group H, with a structure of symmetry G
from which no atom of the child is more than ``max_displacement`` Å away (the uniform
translation chosen to make that smallest). As in Bilbao's PSEUDO (Capillas et al., J. Appl.
Cryst. 44, 1017 (2011)), but all groups at once: every operation of such a G maps each atom
to within twice the bound of an atom of its species (:mod:`~symcompile.distortions.pseudosymmetry`
finds them all, as exact actions on the atoms); the groups between H and those operations
are enumerated (:mod:`~symcompile.distortions.subgroups`); the child is averaged over each
(positions with the atom permutation, the lattice metric over its point group: the ideal
parent) and the group is kept when spglib finds exactly that group in the ideal parent and
every atom moved by at most the bound. When spglib finds more (the average is more
symmetric), the child is averaged again over all of it; and the groups below each highest
parent are searched again with its exact operations, read on its ideal parent (PSEUDO's
iteration: on a strongly distorted child the partners of some operations are ambiguous).

>>> import numpy as np
>>> from symcompile.structures.structure import Structure
>>> child = Structure(np.diag([4.0, 4.0, 4.04]), [[0, 0, 0], [.5, .5, .52], [.5, .5, 0], [.5, 0, .49], [0, .5, .49]],
...                   ("Ba", "Ti", "O", "O", "O"))
>>> parents = find_parents(child)
>>> [(p.space_group["symbol"], round(p.max_displacement, 3), p.parent_cells) for p in parents]
[('Pm-3m', 0.06, 1), ('P4/mmm', 0.061, 1)]
>>> select_parent(parents, "P4/mmm").space_group
{'number': 123, 'symbol': 'P4/mmm'}
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from symcompile.distortions.correspondence import (
    DEFAULT_MAX_DISPLACEMENT,
    DEFAULT_MAX_STRAIN,
    PrimitiveChild,
    primitive_child,
)
from symcompile.distortions.pseudosymmetry import (
    Matcher,
    PseudoSymmetry,
    WorkingCell,
    operation_set,
    searches,
)
from symcompile.distortions.spread import smallest_ball
from symcompile.distortions.strain import strain_tensor
from symcompile.distortions.subgroups import (
    intermediate_groups,
)
from symcompile.errors import InputError
from symcompile.structures.operations import (
    Operations,
    crystal_operations,
    symmetrized_basis,
)
from symcompile.structures.spacegroup import (
    dataset,
    number_from_symbol,
    space_group_name,
)
from symcompile.structures.structure import Structure, as_structure

#: Most groups examined between the child's group and its pseudo-symmetry, and most parents kept
#: (the search stops there and says so; the highest groups come first).
MAX_GROUPS = 1000
MAX_CLOSURES = 5000
MAX_CANDIDATES = 60


@dataclass(frozen=True, eq=False)
class ParentCandidate:
    """One parent within the bound, written atom for atom in the child's cell as given.

    ``ideal_parent``: the child averaged over the parent's group (positions with their atom
    permutations, the lattice metric over its point group); the child's centroid is kept, so the
    ideal parents of one child share its origin and their groups nest as listed. Pass it to
    :func:`~symcompile.distortions.decompose` as ``ideal_parent``. ``displacements`` (N, 3) Å:
    child minus parent, atom for atom, in the parent's Cartesian frame, mean zero (as
    AMPLIMODES). ``max_displacement``: the largest displacement once the uniform translation is
    chosen to make it smallest (``translation``, Å: the centre of the smallest ball holding the
    displacement vectors, zero unless the child is polar; PSEUDO optimises this free origin too),
    so ``max |displacements - translation|``; ``rms_displacement``: root mean square of
    ``displacements``. ``operations``: the parent's operations that map the child's cell onto
    itself (with their atom permutations, computed when first asked for). ``parent_cells``:
    parent primitive cells per child primitive cell. ``order``: the parent's operations per
    child primitive cell (point-group order x ``parent_cells``). ``strain``: largest principal
    stretch - 1 from the parent's lattice to the child's (``strain_tensor``: U - 1, the parent's
    Cartesian frame). ``subgroups`` / ``supergroups``: indices (in the candidate list) of the
    candidates whose groups this one contains / is contained in; ``maximal_subgroups``: the
    subgroups directly below it (the chain).
    """

    space_group: dict[str, Any]
    max_displacement: float
    rms_displacement: float
    ideal_parent: Structure
    displacements: np.ndarray
    translation: np.ndarray
    parent_cells: int
    point_group_order: int
    strain: float
    strain_tensor: np.ndarray
    symprec: float = 1e-3
    angle_tol: float | None = None
    subgroups: tuple[int, ...] = ()
    supergroups: tuple[int, ...] = ()
    maximal_subgroups: tuple[int, ...] = ()

    @property
    def order(self) -> int:
        return self.point_group_order * self.parent_cells

    @property
    def number(self) -> int:
        return int(self.space_group["number"])

    @property
    def symbol(self) -> str:
        return str(self.space_group["symbol"])

    @functools.cached_property
    def operations(self) -> Operations:
        """The parent's operations in the child's cell as given, with atom permutations (spglib)."""
        return crystal_operations(self.ideal_parent, self.symprec, self.angle_tol)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready summary (no structures): group, displacements, cells, strain, inclusions."""
        return {"space_group": dict(self.space_group), "max_displacement": float(self.max_displacement),
                "rms_displacement": float(self.rms_displacement), "parent_cells": self.parent_cells,
                "point_group_order": self.point_group_order, "strain": float(self.strain),
                "subgroups": list(self.subgroups), "supergroups": list(self.supergroups),
                "maximal_subgroups": list(self.maximal_subgroups)}


class ParentCandidates(list):  # type: ignore[type-arg]
    """The parents within the bound, highest symmetry first (a list of :class:`ParentCandidate`).

    ``child_group``: the child's space group; ``bound``/``max_strain``: the limits used;
    ``nearest_beyond``: the nearest group found beyond the bound (``{"space_group",
    "max_displacement"}``; among those the search met, so a hint) or None; ``truncated``: the
    search for intermediate groups was cut short (``MAX_GROUPS``...); ``notes``: plain words.
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
    permutations: np.ndarray

    def __len__(self) -> int:
        return len(self.rotations)

    @property
    def pure_translations(self) -> int:
        return int(np.sum(np.all(self.rotations == np.eye(3, dtype=np.int64), axis=(1, 2))))


def _rms(ops: PseudoSymmetry, mask: np.ndarray) -> float:
    cart = ops.shifts[mask].mean(axis=0) @ ops.cell.lattice
    return float(np.sqrt(np.mean(np.einsum("ij,ij->i", cart, cart))))


def _from_table(ops: PseudoSymmetry, mask: np.ndarray) -> _Group:
    """A group of the table: its operations are one exact action on the atoms (products by permutation)."""
    members = np.flatnonzero(mask)
    return _Group(ops.rotations[ops.rotation_of[members]], ops.translations[members], ops.shifts[members],
                  ops.permutations[members])


def _from_symmetric(cell: WorkingCell, parent: Structure, rotations: np.ndarray, translations: np.ndarray,
                    tol: float) -> _Group | None:
    """The operations of an exactly symmetric structure on the working cell (its atom for atom), their
    permutations read on it, their least-squares translations and shifts measured on the child."""
    rotations = np.asarray(rotations, dtype=np.int64)
    translations = np.asarray(translations, dtype=np.float64)
    matcher = Matcher(parent.lattice, parent.frac_coords, cell.labels, tol)
    n = cell.num_atoms
    images = np.einsum("gij,nj->gni", rotations.astype(np.float64), matcher.frac) + translations[:, None, :]
    qi, pi, _, _ = matcher.pairs(images.reshape(-1, 3), np.tile(np.arange(n), len(rotations)))
    first = np.ones(len(qi), dtype=bool)
    first[1:] = qi[1:] != qi[:-1]
    if int(first.sum()) != len(rotations) * n:
        return None
    perms = matcher.index.owner[pi[first]].reshape(len(rotations), n)
    if np.any(np.diff(np.sort(perms, axis=1), axis=1) == 0):  # two atoms sent onto one
        return None
    frac = cell.frac
    e = frac[perms] - np.einsum("gij,nj->gni", rotations.astype(np.float64), frac) - translations[:, None, :]
    e -= np.rint(e)
    mean = e.mean(axis=1)
    trans = translations + mean
    e -= mean[:, None, :]
    shifts = np.einsum("gij,gnj->gni", np.linalg.inv(rotations.astype(np.float64)), e)
    return _Group(rotations, trans - np.floor(trans), shifts, perms)


def _average(cell: WorkingCell, group: _Group) -> tuple[np.ndarray, np.ndarray, Structure]:
    """The child averaged over the group: the shift of each atom (fractional), the symmetrised
    lattice basis (columns, the child's frame) and the average as a structure."""
    d = -group.shifts.mean(axis=0)
    basis = symmetrized_basis(cell.lattice, np.unique(group.rotations, axis=0))
    return d, basis, Structure(basis.T, cell.frac - d, cell.species)


def _structure_key(cell: WorkingCell, parent: Structure) -> bytes:
    """Equal for averages that are the same structure (to 1e-9) of the same working cell (exactly)."""
    return b"".join((np.ascontiguousarray(cell.lattice).tobytes(), np.ascontiguousarray(cell.frac).tobytes(),
                     np.rint(np.asarray(parent.frac_coords) * 1e9).astype(np.int64).tobytes(),
                     np.rint(np.asarray(parent.lattice) * 1e9).astype(np.int64).tobytes()))


def _symmetrise(ops: PseudoSymmetry, group: _Group, symprec: float, angle_tol: float | None
                ) -> tuple[_Group, dict[str, Any]] | None:
    """The child averaged over the group (positions with the atom permutation, the lattice metric over
    the point group), checked by spglib. When the average has more symmetry than the group, the child
    is averaged again over all of it, the permutations read on the symmetric average (PSEUDO's
    iteration; ``extended`` says so). None if spglib finds less (the average is not symmetric)."""
    cell = ops.cell
    extended = False
    for _ in range(4):
        d, basis, parent = _average(cell, group)
        data = dataset(parent, symprec, angle_tol)
        if len(data.rotations) == len(group):
            return group, {"d": d, "basis": basis, "number": int(data.number), "extended": extended}
        if len(data.rotations) < len(group):
            return None
        bigger = _from_symmetric(cell, parent, data.rotations, data.translations, 2 * symprec)
        if bigger is None:
            return None
        group, extended = bigger, True
    return None


def _measure(cell: WorkingCell, group: _Group, found: dict[str, Any]) -> dict[str, Any]:
    """Displacements (parent's frame, the free uniform translation chosen to make the largest smallest),
    strain and group order of a symmetrised group."""
    u = found["d"] @ found["basis"].T
    centre, radius = smallest_ball(u)
    u0 = u - u.mean(axis=0)
    deform = cell.lattice.T @ np.linalg.inv(found["basis"])  # parent -> child (columns)
    eps = strain_tensor(cell.lattice, found["basis"].T)
    return {**found, "u": u, "centre": centre, "max": radius,
            "rms": float(np.sqrt(np.mean(np.einsum("ij,ij->i", u0, u0)))),
            "strain": float(np.abs(np.linalg.eigvalsh(eps)).max()), "strain_tensor": eps, "deform": deform,
            "order": len(group),
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
    pending: list[tuple[PseudoSymmetry, np.ndarray]] = []
    for ops in searches(prim.cell, max_displacement, max_strain, data.rotations, data.translations, symprec):

        def expand(mask: np.ndarray, ops: PseudoSymmetry = ops) -> bool:
            return _rms(ops, mask) <= max_displacement * slack

        search = intermediate_groups(ops.table, ops.child, ops.identity, expand, MAX_GROUPS, MAX_CLOSURES)
        truncated |= search.truncated
        pending += [(ops, mask) for mask in search.groups[1:] if _rms(ops, mask) <= max_displacement * slack]
    # the largest groups first (per child primitive cell), so that a bounded search keeps the highest
    pending.sort(key=lambda item: -int(item[1].sum()) / len(item[0].cell.copies))

    seen: set[bytes] = set()

    def keep(ops: PseudoSymmetry, group: _Group) -> None:
        nonlocal beyond
        # groups whose averages are one structure end alike (its symmetry decides the rest): once
        key = _structure_key(ops.cell, _average(ops.cell, group)[2])
        if key in seen:
            return
        seen.add(key)
        found = _symmetrise(ops, group, symprec, angle_tol)
        if found is None:
            return
        group, ev = found
        ev = _measure(ops.cell, group, ev)
        if ev["max"] > max_displacement or ev["strain"] > max_strain:
            if beyond is None or ev["max"] < beyond["max_displacement"]:
                beyond = {"space_group": space_group_name(ev["number"]), "max_displacement": ev["max"]}
            return
        ev["ops"] = _child_operations(ops, group)
        if not any(ev["ops"] <= other["ops"] and other["ops"] <= ev["ops"] for _, _, other in kept):
            kept.append((ops, group, ev))

    for ops, mask in pending:
        if len(kept) >= MAX_CANDIDATES:
            truncated = True
            break
        keep(ops, _from_table(ops, mask))
    # below each highest parent again, with its exact operations read on its ideal parent: the groups
    # whose operations, read on a strongly distorted child, were no action (PSEUDO's iteration)
    tops = [item for item in kept if not any(item[2]["ops"] <= other["ops"] and not other["ops"] <= item[2]["ops"]
                                             for _, _, other in kept)]
    for ops, group, _ in tops:
        if truncated:
            break
        exact = _exact_operations(ops, group, symprec)
        if exact is None:
            continue
        search = intermediate_groups(exact.table, exact.child, exact.identity, None, MAX_GROUPS, MAX_CLOSURES)
        truncated |= search.truncated
        for mask in search.groups[1:]:
            if len(kept) >= MAX_CANDIDATES:
                truncated = True
                break
            keep(exact, _from_table(exact, mask))
    notes = []
    if truncated:
        notes.append("the search for intermediate groups was cut short (a low-symmetry child with a "
                     "high-symmetry pseudo-symmetry has very many): the highest parents are listed; lower the "
                     "displacement bound or raise --symprec to see every parent")
    candidates = [_candidate(child, prim, ops, ev, symprec, angle_tol) for ops, _, ev in kept]
    order = sorted(range(len(kept)), key=lambda i: (-candidates[i].order, round(candidates[i].max_displacement, 9),
                                                    candidates[i].number))
    op_sets = [kept[i][2]["ops"] for i in order]
    out = ParentCandidates()
    for i, k in enumerate(order):
        subs = tuple(j for j in range(len(order)) if j != i and op_sets[j] <= op_sets[i])
        sups = tuple(j for j in range(len(order)) if j != i and op_sets[i] <= op_sets[j])
        out.append(replace(candidates[k], subgroups=subs, supergroups=sups))
    for i, cand in enumerate(out):  # the chain: subgroups with no other subgroup of this one above them
        below = set(cand.subgroups)
        direct = tuple(j for j in cand.subgroups if not any(j in out[m].subgroups for m in below))
        out[i] = replace(cand, maximal_subgroups=direct)
    out.child_group = space_group_name(int(data.number))
    out.bound = float(max_displacement)
    out.max_strain = float(max_strain)
    out.nearest_beyond = beyond
    out.truncated = truncated
    out.notes = tuple(notes)
    return out


@dataclass(frozen=True, eq=False)
class _OperationSet:
    """Operations {W|w} modulo the child's lattice (child primitive fractional coordinates) as hashable
    keys: the rotation and the translation on a grid of 1e-6, once for each of the 8 grids shifted by half
    a step along some axes, so that two equal translations share the key of at least one grid whatever
    rounding boundary lies between them."""

    per_operation: tuple[tuple[tuple[int, ...], ...], ...]
    keys: frozenset[tuple[int, ...]]

    @classmethod
    def of(cls, rotations: np.ndarray, translations: np.ndarray) -> _OperationSet:
        rot = np.rint(np.asarray(rotations).reshape(len(rotations), 9) * 720720).astype(np.int64)
        t = np.asarray(translations) % 1.0
        combos = list(np.ndindex(2, 2, 2))
        grids = [np.floor(t * 1e6 + 0.5 * np.array(c)).astype(np.int64) % 1_000_000 for c in combos]
        per = tuple(tuple((*c, *r, *g[i]) for c, g in zip(combos, grids)) for i, r in enumerate(rot))
        return cls(per, frozenset(k for keys in per for k in keys))

    def __le__(self, other: _OperationSet) -> bool:
        """Every operation of this set is one of ``other``."""
        return all(any(k in other.keys for k in keys) for keys in self.per_operation)


def _exact_operations(ops: PseudoSymmetry, group: _Group, symprec: float) -> PseudoSymmetry | None:
    """A parent's own operations (exact, one action) as a set with its product table, the child's among
    them: the groups between the child's and this parent without the ambiguity of reading partners on
    a strongly distorted child."""
    rotations = np.unique(group.rotations, axis=0)
    index = {w.tobytes(): i for i, w in enumerate(rotations)}
    rotation_of = np.array([index[w.tobytes()] for w in group.rotations], dtype=np.int64)
    residual = np.linalg.norm(np.einsum("gij,gnj->gni", group.rotations.astype(np.float64), group.shifts)
                              @ ops.cell.lattice, axis=2).max(axis=1)
    child = np.flatnonzero(residual <= 4 * symprec)
    if len(child) != int(ops.child.sum()):
        return None
    own = [(int(rotation_of[g]), group.permutations[g], group.translations[g], np.zeros((ops.cell.num_atoms, 3)))
           for g in child]
    return operation_set(ops.cell, rotations, rotation_of, group.translations, group.permutations, group.shifts,
                         own, ops.radius)


def _child_operations(ops: PseudoSymmetry, group: _Group) -> _OperationSet:
    """The group's operations in the child's primitive fractional coordinates."""
    m = ops.cell.to_child.astype(np.float64)
    w = np.einsum("ij,njk,kl->nil", m, group.rotations.astype(np.float64), np.linalg.inv(m))
    return _OperationSet.of(w, group.translations @ m.T)


def _candidate(child: Structure, prim: PrimitiveChild, ops: PseudoSymmetry, ev: dict[str, Any], symprec: float,
               angle_tol: float | None) -> ParentCandidate:
    """The ideal parent in the child's cell as given (the child's centroid kept)."""
    m = ops.cell.to_child.astype(np.float64)
    c = np.asarray(prim.to_input, dtype=np.float64)
    n = prim.cell.num_atoms
    # child - parent in the child's fractional coordinates (the first copy is the child's own cell)
    d_input = (ev["d"][:n] @ m.T)[prim.atoms] @ np.linalg.inv(c)
    lattice = child.lattice @ np.linalg.inv(ev["deform"]).T  # the child's lattice with its strain undone
    parent = Structure(lattice, child.frac_coords - d_input, child.species, source=child.source)
    return ParentCandidate(space_group=space_group_name(ev["number"]), max_displacement=ev["max"],
                           rms_displacement=ev["rms"], ideal_parent=parent, displacements=ev["u"][:n][prim.atoms],
                           translation=ev["centre"],
                           parent_cells=ev["pure"] // len(ops.cell.copies),
                           point_group_order=ev["order"] // ev["pure"], strain=ev["strain"],
                           strain_tensor=ev["strain_tensor"], symprec=symprec, angle_tol=angle_tol)


# --------------------------------------------------------------------------- choosing one
def select_parent(candidates: ParentCandidates | list[ParentCandidate], group: int | str | None = None
                  ) -> ParentCandidate | None:
    """The candidate of space group ``group`` (number or Hermann-Mauguin symbol, any setting; ``"R-3c#2"``
    for the second candidate of that group in the list), or the highest-symmetry one when ``group`` is None
    (None when there is no candidate: the child is undistorted within the bound). InputError, listing
    the candidates, when no candidate has that group.

    >>> select_parent([], None) is None
    True
    """
    if group is None:
        return candidates[0] if candidates else None
    text, _, nth = str(group).strip().partition("#")
    text = text.strip()
    number = int(text) if text.isdigit() else number_from_symbol(text)
    if number is None or not 1 <= number <= 230:
        raise InputError(f"unknown space group {group!r} (give a number 1-230 or a Hermann-Mauguin symbol)")
    if nth and not (nth.strip().isdigit() and int(nth) >= 1):
        raise InputError(f"{group!r}: after '#' give which candidate of the group, counting from 1")
    which = int(nth) if nth else 1
    of_group = [cand for cand in candidates if cand.number == number]
    if len(of_group) >= which:
        return of_group[which - 1]
    bound = getattr(candidates, "bound", None)
    within = f" within {bound:g} Å" if bound is not None else ""
    listed = ", ".join(f"{c.symbol} ({c.number}) {c.max_displacement:.2f} Å" for c in candidates) or "none"
    name = f"{space_group_name(number)['symbol']} ({number})"
    what = f"no parent of space group {name}" if not of_group else f"no parent #{which} of space group {name} " \
        f"(there are {len(of_group)})"
    raise InputError(f"{what}{within} of the child; candidates: {listed}")
