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
from symcompile.distortions.pseudosymmetry import Matcher, PseudoSymmetry, WorkingCell, searches
from symcompile.distortions.spread import smallest_ball
from symcompile.distortions.strain import strain_tensor
from symcompile.distortions.subgroups import GroupSearch, closure, generators_of, intermediate_groups
from symcompile.errors import InputError
from symcompile.structures.operations import Operations, crystal_operations, symmetrized_basis
from symcompile.structures.spacegroup import dataset, number_from_symbol, space_group_name
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

    def __len__(self) -> int:
        return len(self.rotations)

    @property
    def pure_translations(self) -> int:
        return int(np.sum(np.all(self.rotations == np.eye(3, dtype=np.int64), axis=(1, 2))))


def _rms(ops: PseudoSymmetry, mask: np.ndarray) -> float:
    cart = ops.shifts[mask].mean(axis=0) @ ops.cell.lattice
    return float(np.sqrt(np.mean(np.einsum("ij,ij->i", cart, cart))))


def _from_table(ops: PseudoSymmetry, mask: np.ndarray, reference: Structure | None = None,
                tries: int = 24, references: list[tuple[np.ndarray, Structure]] | None = None) -> _Group | None:
    """The group's operations with permutations composed from generators' (so that they are one group
    action even where an element's own nearest partners differ). The generators' permutations are
    those read on the child, or on ``reference`` (atom for atom with the working cell, the child's
    centroid) when given. When they generate more than the group (no action of it: a large distortion
    confuses partners), other generating sets are tried, the child's generators and one more element
    each; None if none works."""
    members = np.flatnonzero(mask)
    matchers: dict[int, Matcher] = {}
    read: dict[int, np.ndarray | None] = {}

    def matcher_for(g: int) -> Matcher | None:
        """Where to read g's permutation: ``reference``, else the ideal parent of the largest of
        ``references`` holding g (exactly symmetric under g), else the child (None)."""
        structure, key = reference, -1
        if structure is None and references:
            for k, (sub, parent) in enumerate(references):
                if sub[g]:
                    structure, key = parent, k
                    break
        if structure is None:
            return None
        if key not in matchers:
            matchers[key] = Matcher(structure.lattice, structure.frac_coords, ops.cell.labels, ops.radius)
        return matchers[key]

    def perm_of(g: int) -> np.ndarray | None:
        matcher = matcher_for(g)
        if matcher is None:
            return ops.permutations[g]
        if g not in read:
            w = ops.rotations[ops.rotation_of[g]].astype(np.float64)
            hit = matcher.nearest(matcher.frac @ w.T + ops.translations[g], one_to_one=True)
            read[g] = None if hit is None else hit[0]
        return read[g]

    child_gens = generators_of(ops.table, ops.child, ops.identity)
    candidates = [generators_of(ops.table, mask, ops.identity)]
    for g in members:
        if len(candidates) > tries:
            break
        if not ops.child[g]:
            bigger = closure(ops.table, [*child_gens, int(g)], ops.identity)
            if bigger is not None and np.array_equal(bigger, mask):
                candidates.append([*child_gens, int(g)])
    for gens in candidates:
        perms = {g: perm_of(g) for g in gens}
        if any(p is None for p in perms.values()):
            continue
        group = _compose(ops, perms, len(members))  # type: ignore[arg-type]
        if group is not None:
            return group
    return None


def _compose(ops: PseudoSymmetry, generators: dict[int, np.ndarray], size: int) -> _Group | None:
    """The group generated by operations (rotation from the table, the given permutations), their
    least-squares translations and shifts measured on the child; None unless it has ``size`` elements."""
    n = ops.cell.num_atoms
    start = (int(ops.rotation_of[ops.identity]), np.arange(n))
    seen = {(start[0], start[1].tobytes()): start}
    frontier = [start]
    rot_index = {w.tobytes(): i for i, w in enumerate(ops.rotations)}
    while frontier:
        new = []
        for r, perm in frontier:
            for g, gen_perm in generators.items():
                w = ops.rotations[ops.rotation_of[g]] @ ops.rotations[r]
                item = (rot_index[np.ascontiguousarray(w).tobytes()], gen_perm[perm])
                key = (item[0], item[1].tobytes())
                if key not in seen:
                    seen[key] = item
                    new.append(item)
                    if len(seen) > size:
                        return None
        frontier = new
    if len(seen) != size:
        return None
    frac = ops.cell.frac
    rotations = np.array([ops.rotations[r] for r, _ in seen.values()])
    perms = np.array([p for _, p in seen.values()])
    e = frac[perms] - np.einsum("gij,nj->gni", rotations.astype(np.float64), frac)
    e -= np.rint(e - e[:, :1, :])  # one branch per operation, then the least-squares translation
    trans = e.mean(axis=1)
    e -= trans[:, None, :]
    e -= np.rint(e)
    shifts = np.einsum("gij,gnj->gni", np.linalg.inv(rotations.astype(np.float64)), e)
    return _Group(rotations, trans - np.floor(trans), shifts)


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
    return _Group(rotations, trans - np.floor(trans), shifts)


def _keeps(ops: PseudoSymmetry, members: np.ndarray, parent: Structure, tol: float) -> bool:
    """Whether the operations (with their permutations) map ``parent`` (atom for atom with the working
    cell) onto itself within ``tol`` Å: the permutations are the symmetric structure's own."""
    rot = ops.rotations[ops.rotation_of[members]].astype(np.float64)
    frac = parent.frac_coords
    image = np.einsum("gij,nj->gni", rot, frac) + ops.translations[members][:, None, :]
    d = frac[ops.permutations[members]] - image
    d -= np.rint(d)
    d -= d.mean(axis=1, keepdims=True)  # the translations were fitted to the child, not to the average
    return bool(np.linalg.norm(d @ parent.lattice, axis=2).max() <= tol)


def _symmetrise(ops: PseudoSymmetry, group: _Group, symprec: float, angle_tol: float | None
                ) -> tuple[_Group, dict[str, Any]] | None:
    """The child averaged over the group (positions with the atom permutation, the lattice metric over
    the point group), checked by spglib. When the average has more symmetry than the group, the child
    is averaged again over all of it (permutations read on the symmetric structure: PSEUDO's iteration);
    when it has less (the permutations, read on the child, were not one group action), they are read
    again on the average; None when that does not settle."""
    cell = ops.cell
    reread = None
    for _ in range(6):
        d = -group.shifts.mean(axis=0)
        if reread is not None and np.allclose(d, reread, atol=1e-12):
            return None  # read again, the same permutations: they are not one group action
        basis = symmetrized_basis(cell.lattice, np.unique(group.rotations, axis=0))  # columns, child's frame
        parent = Structure(basis.T, cell.frac - d, cell.species)
        data = dataset(parent, symprec, angle_tol)
        if len(data.rotations) == len(group):
            return group, {"d": d, "basis": basis, "number": int(data.number)}
        if len(data.rotations) < len(group):
            # the permutations, read on the child, were not one group action: read them again on the
            # average (nearer the parent), average the child again
            again = _from_symmetric(cell, parent, group.rotations, group.translations, ops.radius)
            if again is None:
                return None
            group, reread = again, d
            continue
        known = ops.find(data.rotations, data.translations, parent.frac_coords)
        if known is not None and len(np.unique(known)) == len(known) and _keeps(ops, known, parent, 2 * symprec):
            composed = _from_table(ops, known)
            if composed is not None:
                group = composed
                continue
        bigger = _from_symmetric(cell, parent, data.rotations, data.translations, 2 * symprec)
        if bigger is None:
            return None
        group = bigger
    return None


class _Evaluator:
    """The ideal parent of each group of one search, tried first with the permutations read on the
    child and, when those are no group action (large distortions confuse partners), read again on the
    ideal parent of the group it was found from, then each generator's on the ideal parent of a
    subgroup holding it; subgroups are evaluated the same way (PSEUDO's step by step iteration)."""

    def __init__(self, ops: PseudoSymmetry, search: GroupSearch, symprec: float, angle_tol: float | None) -> None:
        self.ops, self.search, self.symprec, self.angle_tol = ops, search, symprec, angle_tol
        self.memo: dict[int, tuple[_Group, dict[str, Any]] | None] = {}

    def __call__(self, i: int) -> tuple[_Group, dict[str, Any]] | None:
        if i in self.memo:
            return self.memo[i]
        ops, mask = self.ops, self.search.groups[i]
        group = _from_table(ops, mask)
        found = None if group is None else _symmetrise(ops, group, self.symprec, self.angle_tol)
        base = self.search.below[i]
        if found is None and base > 0:
            below = self(base)
            if below is not None:
                cell = ops.cell
                reference = Structure(below[1]["basis"].T, cell.frac - below[1]["d"], cell.species)
                again = _from_table(ops, mask, reference)
                found = None if again is None else _symmetrise(ops, again, self.symprec, self.angle_tol)
        if found is None and i > 0:  # each generator read on the ideal parent of a subgroup holding it
            groups = self.search.groups
            subs = sorted((j for j in range(len(groups)) if j != i and int(groups[j].sum()) < int(mask.sum())
                           and np.all(groups[j] <= mask)), key=lambda j: -int(groups[j].sum()))
            references = []
            for j in subs:
                result = self(j)
                if result is not None:
                    cell = ops.cell
                    references.append((groups[j], Structure(result[1]["basis"].T, cell.frac - result[1]["d"],
                                                            cell.species)))
            if references:
                again = _from_table(ops, mask, references=references)
                found = None if again is None else _symmetrise(ops, again, self.symprec, self.angle_tol)
        self.memo[i] = found
        return found


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
    pending: list[tuple[_Evaluator, int]] = []
    for ops in searches(prim.cell, max_displacement, max_strain, data.rotations, data.translations, symprec):

        def expand(mask: np.ndarray, ops: PseudoSymmetry = ops) -> bool:
            return _rms(ops, mask) <= max_displacement * slack

        search = intermediate_groups(ops.table, ops.child, ops.identity, expand, MAX_GROUPS, MAX_CLOSURES)
        truncated |= search.truncated
        evaluator = _Evaluator(ops, search, symprec, angle_tol)
        pending += [(evaluator, i) for i, mask in enumerate(search.groups)
                    if i and _rms(ops, mask) <= max_displacement * slack]
    # the largest groups first (per child primitive cell), so that a bounded search keeps the highest
    pending.sort(key=lambda item: -int(item[0].search.groups[item[1]].sum()) / len(item[0].ops.cell.copies))
    for evaluator, i in pending:
        if len(kept) >= MAX_CANDIDATES:
            truncated = True
            break
        found = evaluator(i)
        if found is None:
            continue
        ops = evaluator.ops
        group, ev = found
        ev = _measure(ops.cell, group, ev)
        if ev["max"] > max_displacement or ev["strain"] > max_strain:
            if beyond is None or ev["max"] < beyond["max_displacement"]:
                beyond = {"space_group": space_group_name(ev["number"]), "max_displacement": ev["max"]}
            continue
        ev["ops"] = _child_operations(ops, group)
        if not any(ev["ops"] <= other["ops"] and other["ops"] <= ev["ops"] for _, _, other in kept):
            kept.append((ops, group, ev))
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
