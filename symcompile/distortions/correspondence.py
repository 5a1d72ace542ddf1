"""Parent and child atom for atom: the supercell, the origin shift and the atom mapping.

A distorted child sits on a supercell of its parent: its lattice is S times the parent's
(up to a small strain), and each child atom is a parent atom moved by a small displacement.
Two ways in: the parent as its own crystal (any cell, setting, orientation, origin), from
which the supercell matrix, the origin and the mapping are found by search; or an idealised
parent already written atom for atom in the child's cell (what ``order-params`` computes).
Either way the result is expressed against the parent in the setting of Bilbao's tables.

>>> from symcompile.structures.cell import Cell
>>> import numpy as np
>>> parent = Cell(np.eye(3) * 4.0, [[0, 0, 0], [.5, .5, .5]], ("Cs", "Cl"))
>>> child = Cell(np.diag([4.0, 4.0, 8.02]), [[0, 0, 0], [.5, .5, .26], [0, 0, .5], [.5, .5, .75]],
...              ("Cs", "Cl", "Cs", "Cl"))
>>> match = correspond(child, parent)
>>> match.cells, round(match.max_displacement, 3)  # one Cl moved 0.08 Å: 0.04 Å each way at best
(2, 0.04)
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from typing import Any

import numpy as np

from symcompile.distortions.lattice import closure, rational, row_keys
from symcompile.distortions.setting import ParentSetting, parent_setting
from symcompile.errors import InputError
from symcompile.structures.cell import Cell, as_cell
from symcompile.structures.spacegroup import dataset as spglib_dataset

#: Default bound on any atom's displacement between parent and child (Å), for a given parent and
#: for the parent search (:func:`~symcompile.distortions.parents.find_parents`) alike. Measured on
#: published structures: octahedral tilts of 10-15 degrees move O by 0.3-0.5 Å (-> Pm-3m: LaMnO3
#: 0.46 Å, CaTiO3 0.40 Å, BiFeO3 0.42 Å), alpha -> beta cristobalite 0.68 Å, LiNbO3 -> Pm-3m 0.66 Å;
#: 1.0 Å keeps them all with a margin, while twice the bound (the pseudo-symmetry test) stays below
#: the shortest distance between like atoms of these crystals (2.5-2.8 Å).
DEFAULT_MAX_DISPLACEMENT = 1.0
#: Default bound on the lattice strain between parent and child (largest principal stretch - 1).
DEFAULT_MAX_STRAIN = 0.15


@dataclass(frozen=True, eq=False)
class Correspondence:
    """The child and its parent, atom for atom, on the child's primitive cell.

    Child fractional coordinates y map to the parent's conventional coordinates (tables'
    setting, chosen origin) as x = ``to_conv`` @ y + ``shift``. Child atom i corresponds to
    parent atom ``site_of[i]`` of ``setting.positions``; ``ideal[i]`` is that parent atom in
    the child's fractional coordinates. ``supercell`` S: child lattice rows = S @ parent's
    conventional rows. ``reference_lattice``: the parent's own lattice in the child's cell
    (rows, Å, in the parent's Cartesian frame), the zero of strain.
    """

    child: Cell  # the child's primitive cell (everything below refers to it)
    setting: ParentSetting
    to_conv: np.ndarray
    shift: np.ndarray
    ideal: np.ndarray
    site_of: np.ndarray
    reference_lattice: np.ndarray
    given: bool  # the parent was given as its own crystal (not idealised in the child's cell)
    input_cell: Cell | None = None  # the child as given
    input_atoms: np.ndarray | None = None  # primitive atom of each atom of the child as given

    def expand(self, values: np.ndarray) -> np.ndarray:
        """Per-atom values of the primitive child on the atoms of the child as given."""
        return np.asarray(values)[self.input_atoms] if self.input_atoms is not None else np.asarray(values)

    @property
    def supercell(self) -> np.ndarray:
        return rational(self.to_conv.T)

    @property
    def cells(self) -> int:
        """Parent primitive cells in the child's cell."""
        return round(abs(float(np.linalg.det(self.to_conv))) * len(self.setting.table.centring))

    @property
    def frac_displacements(self) -> np.ndarray:
        d = self.child.frac_coords - self.ideal
        return d - np.rint(d)

    @property
    def max_displacement(self) -> float:
        """Largest displacement (Å, on the parent's lattice) once the uniform translation is chosen to
        make it smallest: the radius of the smallest ball holding the displacement vectors (the same
        measure as :func:`~symcompile.distortions.parents.find_parents`)."""
        from symcompile.distortions.spread import smallest_ball

        return float(smallest_ball(self.frac_displacements @ self.reference_lattice)[1])


# --------------------------------------------------------------------------- helpers
def _wrap(d: np.ndarray) -> np.ndarray:
    return d - np.rint(d)


def _reduced_formula(species: tuple[str, ...]) -> dict[str, int]:
    counts = {s: species.count(s) for s in set(species)}
    div = 0
    for c in counts.values():
        div = gcd(div, c)
    return {s: c // div for s, c in counts.items()}


def _formula(counts: dict[str, int]) -> str:
    return "".join(f"{s}{n if n != 1 else ''}" for s, n in sorted(counts.items()))


def _site_index(setting: ParentSetting, x_conv: np.ndarray) -> np.ndarray:
    """Index of the conventional-cell atom at each conventional position (modulo the lattice)."""
    keys = {k: i for i, k in enumerate(row_keys(setting.positions))}
    out = []
    for k in row_keys(x_conv):
        if k not in keys:
            raise RuntimeError("a position of the idealised parent is not a parent atom")  # pragma: no cover
        out.append(keys[k])
    return np.array(out, dtype=int)


@dataclass(frozen=True, eq=False)
class PrimitiveChild:
    """The child's primitive cell and how the child as given is built from it."""

    cell: Cell  # the primitive child
    to_input: np.ndarray  # integer C: input rows = C @ primitive rows
    atoms: np.ndarray  # primitive atom of each input atom
    representatives: np.ndarray  # an input atom for each primitive atom


def primitive_child(child: Cell, symprec: float, angle_tol: float | None) -> PrimitiveChild:
    """The child's primitive cell (spglib, same orientation), atoms as the first input atom of each orbit
    under the child's pure translations."""
    data = spglib_dataset(child, symprec, angle_tol)
    lattice = np.asarray(data.primitive_lattice, dtype=float)
    mapping = np.asarray(data.mapping_to_primitive)
    to_input = np.rint(child.lattice @ np.linalg.inv(lattice))
    if (not np.allclose(child.lattice, to_input @ lattice, atol=1e-6 * max(1.0, np.abs(lattice).max()))
            or len(set(mapping.tolist())) * round(abs(np.linalg.det(to_input))) != child.num_atoms):
        to_input, mapping, lattice = np.eye(3), np.arange(child.num_atoms), child.lattice
    reps = np.array([int(np.flatnonzero(mapping == j)[0]) for j in sorted(set(mapping.tolist()))])
    index = {int(j): i for i, j in enumerate(sorted(set(mapping.tolist())))}
    frac = child.cart_coords[reps] @ np.linalg.inv(lattice)
    cell = Cell(lattice, frac - np.floor(frac), tuple(child.species[i] for i in reps))
    return PrimitiveChild(cell, to_input, np.array([index[int(j)] for j in mapping]), reps)


# --------------------------------------------------------------------------- (b) idealised parent
def _from_ideal(child: Cell, ideal: Cell, origin: str | None, symprec: float, angle_tol: float | None,
                max_displacement: float) -> Correspondence:
    if ideal.num_atoms != child.num_atoms or tuple(ideal.species) != tuple(child.species):
        raise InputError("the idealised parent must list the child's atoms in the child's order "
                         f"({ideal.num_atoms} and {child.num_atoms} atoms)")
    prim = primitive_child(child, symprec, angle_tol)
    inv_c = np.linalg.inv(prim.to_input)
    ideal_lattice = inv_c @ ideal.lattice
    ideal_frac = (ideal.frac_coords[prim.representatives] @ prim.to_input)
    ideal = Cell(ideal_lattice, ideal_frac - np.floor(ideal_frac), prim.cell.species)
    given, child = child, prim.cell
    setting = parent_setting(ideal, symprec, angle_tol, origin=origin, keep_own_origin=False)
    A, a = setting.to_conv, setting.shift
    x = ideal.frac_coords @ A.T + a
    ideal_y = ideal.frac_coords + np.rint(child.frac_coords - ideal.frac_coords)
    match = Correspondence(child=child, setting=setting, to_conv=A, shift=a, ideal=ideal_y,
                           site_of=_site_index(setting, x), reference_lattice=ideal.lattice.copy(), given=False,
                           input_cell=given, input_atoms=prim.atoms)
    if match.max_displacement > max_displacement:
        raise InputError(f"parent and child do not correspond: an atom moves {match.max_displacement:.2f} Å "
                         f"(bound {max_displacement:g} Å)")
    return match


# --------------------------------------------------------------------------- (a) parent as given
def _lattice_candidates(child: Cell, prim: np.ndarray, n: int, max_strain: float) -> list[tuple[float, np.ndarray]]:
    """Integer M (child rows = M @ prim rows, |det M| = n), by increasing strain."""
    lengths = np.linalg.norm(child.lattice, axis=1)
    gc = child.lattice @ child.lattice.T
    reach = lengths.max() * (1 + max_strain)
    shortest = np.min(np.linalg.svd(prim, compute_uv=False))
    r = int(np.ceil(reach / shortest)) + 1
    grid = np.stack(np.meshgrid(*[np.arange(-r, r + 1)] * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    vecs = grid @ prim
    norms = np.linalg.norm(vecs, axis=1)
    per_axis = [np.flatnonzero(np.abs(norms / lengths[i] - 1) <= max_strain) for i in range(3)]
    if any(len(c) == 0 for c in per_axis):
        return []
    tol = 2.5 * max_strain
    sign = np.sign(np.linalg.det(child.lattice)) * np.sign(np.linalg.det(prim))
    a, b, c = (vecs[idx] for idx in per_axis)
    ok_ab = np.abs(a @ b.T - gc[0, 1]) <= tol * lengths[0] * lengths[1]
    ok_ac = np.abs(a @ c.T - gc[0, 2]) <= tol * lengths[0] * lengths[2]
    ok_bc = np.abs(b @ c.T - gc[1, 2]) <= tol * lengths[1] * lengths[2]
    pairs = np.argwhere(ok_ab)
    if not len(pairs):
        return []
    triples = np.argwhere(ok_ac[pairs[:, 0]] & ok_bc[pairs[:, 1]])
    if not len(triples):
        return []
    m = np.stack([grid[per_axis[0][pairs[triples[:, 0], 0]]], grid[per_axis[1][pairs[triples[:, 0], 1]]],
                  grid[per_axis[2][triples[:, 1]]]], axis=1)
    det = np.rint(np.linalg.det(m.astype(float))).astype(int)
    m = m[det == sign * n]
    if not len(m):
        return []
    f = np.einsum("ij,njk->nik", child.lattice.T, np.linalg.inv(m @ prim).transpose(0, 2, 1))
    strain = np.max(np.abs(np.linalg.svd(f, compute_uv=False) - 1), axis=1)
    out = [(float(e), mm) for e, mm in zip(strain, m) if e <= max_strain]
    out.sort(key=lambda c: (round(c[0], 6), tuple(c[1].ravel())))
    return out


def _canonical(m: np.ndarray, prim_rotations: list[np.ndarray]) -> np.ndarray:
    """The representative of {M W^T} (the same supercell, rotated by the parent's point group)
    with the largest entries first: the child's axes along the parent's where possible."""
    return max((m @ w.T for w in prim_rotations), key=lambda x: tuple(x.ravel()))


def _assign(child_y: np.ndarray, child_species: tuple[str, ...], sites_y: np.ndarray, site_species: list[str],
            lattice: np.ndarray) -> np.ndarray | None:
    """Nearest parent site of the same species for each child atom; None unless one-to-one."""
    out = np.empty(len(child_y), dtype=int)
    for s in set(child_species):
        ci = np.flatnonzero(np.array(child_species) == s)
        si = np.flatnonzero(np.array(site_species) == s)
        if len(ci) != len(si):
            return None
        d = _wrap(child_y[ci, None, :] - sites_y[None, si, :])
        dist = np.linalg.norm(d @ lattice, axis=-1)
        best = np.argmin(dist, axis=1)
        if len(set(best.tolist())) != len(ci):
            return None
        out[ci] = si[best]
    return out


def _reduce(y: np.ndarray) -> np.ndarray:
    return y - np.floor(y + 1e-9)


class _Search:
    """The best origin shift and atom mapping over candidate supercells (smallest rms displacement)."""

    def __init__(self, child: Cell, setting: ParentSetting, anchor: int, anchors: list[int],
                 max_displacement: float) -> None:
        self.child, self.setting, self.anchor, self.anchors = child, setting, anchor, anchors
        self.max_displacement = max_displacement
        self.best: tuple[float, float, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self.closest = np.inf

    def try_supercell(self, A: np.ndarray, strain: float) -> None:
        """``A``: x_conv = A @ y for child fractional coordinates y."""
        child, setting = self.child, self.setting
        A_inv = np.linalg.inv(A)
        translations = closure(np.vstack([np.eye(3), setting.table.centring[1:]]) @ A_inv.T, _reduce)
        sites_y = _reduce((setting.positions @ A_inv.T)[:, None, :] + translations[None]).reshape(-1, 3)
        owner = np.repeat(np.arange(len(setting.positions)), len(translations))
        uniq = sorted({k: i for i, k in reversed(list(enumerate(row_keys(sites_y))))}.values())
        sites_y, owner = sites_y[uniq], owner[uniq]
        if len(sites_y) != child.num_atoms:  # pragma: no cover - guaranteed by |det M| = n
            return
        site_species = [setting.species[j] for j in owner]
        for j in self.anchors:
            tau = child.frac_coords[self.anchor] - setting.positions[j] @ A_inv.T
            d = None
            for _ in range(2):  # assign, re-centre, assign again
                assign = _assign(child.frac_coords, child.species, _reduce(sites_y + tau), site_species,
                                 child.lattice)
                if assign is None:
                    break
                d = _wrap(child.frac_coords - sites_y[assign] - tau)
                tau = tau + d.mean(axis=0)
                d -= d.mean(axis=0)
            if assign is None or d is None:
                continue
            disp = np.linalg.norm(d @ child.lattice, axis=1)
            self.closest = min(self.closest, float(disp.max()))
            if disp.max() > self.max_displacement:
                continue
            score = (float(np.sqrt(np.mean(disp ** 2))), strain)
            if self.best is None or score < self.best[:2]:
                self.best = (*score, A, tau, child.frac_coords - d, owner[assign])


def _from_parent(child: Cell, parent: Cell, origin: str | None, symprec: float, angle_tol: float | None,
                 max_displacement: float, max_strain: float) -> Correspondence:
    cf, pf = _reduced_formula(child.species), _reduced_formula(parent.species)
    if cf != pf:
        raise InputError(f"parent and child do not correspond: compositions {_formula(pf)} (parent) and "
                         f"{_formula(cf)} (child) differ")
    prim = primitive_child(child, symprec, angle_tol)
    given, child = child, prim.cell
    setting = parent_setting(parent, symprec, angle_tol, origin=origin, keep_own_origin=True)
    table = setting.table
    prim_basis = table.primitive  # columns, conventional coordinates
    prim_rows = prim_basis.T @ setting.lattice  # Å, parent's frame
    x_prim = setting.positions @ np.linalg.inv(prim_basis).T
    keys = row_keys(x_prim)
    first = sorted({k: i for i, k in reversed(list(enumerate(keys)))}.values())
    n_prim = len(first)
    if child.num_atoms % n_prim:
        raise InputError(f"parent and child do not correspond: the child's {child.num_atoms} atoms are not a "
                         f"multiple of the parent's {n_prim} per primitive cell")
    n = child.num_atoms // n_prim
    inv_prim = np.linalg.inv(prim_basis)
    prim_rotations = [np.rint(inv_prim @ w @ prim_basis).astype(int) for w in table.rotations]
    species = np.array(child.species)
    counts = {s: int(np.sum(species == s)) for s in set(child.species)}
    rare = min(counts, key=lambda s: (counts[s], s))
    anchor = int(np.flatnonzero(species == rare)[0])
    # the child's anchor atom sits near one parent atom of its species: one per primitive cell is
    # enough, parent lattice translations leave the parent unchanged
    anchors = [j for j in first if setting.species[j] == rare]
    search = _Search(child, setting, anchor, anchors, max_displacement)
    windows = sorted({min(w, max_strain) for w in (0.03, 0.08, max_strain)})
    seen: set[tuple[int, ...]] = set()
    found_lattice = False
    for window in windows:
        for strain, m in _lattice_candidates(child, prim_rows, n, window):
            m = _canonical(m, prim_rotations)
            key = tuple(m.ravel())
            if key in seen or len(seen) >= 48:
                continue
            seen.add(key)
            found_lattice = True
            search.try_supercell((m @ prim_basis.T).T, strain)
        if search.best is not None:
            break
    if not found_lattice:
        raise InputError(f"parent and child do not correspond: no supercell of {n} parent cells matches the "
                         f"child's lattice within {max_strain:.0%} strain")
    best, closest = search.best, search.closest
    if best is None:
        hint = (f"; the closest arrangement needs {closest:.2f} Å" if np.isfinite(closest) else
                "; no one-to-one atom mapping exists")
        raise InputError(f"parent and child do not correspond within {max_displacement:g} Å{hint}")
    _, _, A, tau, ideal, site_of = best
    shift = -(A @ tau)
    reference = A.T @ setting.lattice
    return Correspondence(child=child, setting=setting, to_conv=A, shift=shift, ideal=ideal, site_of=site_of,
                          reference_lattice=reference, given=True, input_cell=given, input_atoms=prim.atoms)


def correspond(child: Any, parent: Any = None, ideal_parent: Any = None, origin: str | None = None,
               symprec: float = 1e-3, angle_tol: float | None = None,
               max_displacement: float = DEFAULT_MAX_DISPLACEMENT,
               max_strain: float = DEFAULT_MAX_STRAIN) -> Correspondence:
    """Child and parent atom for atom; InputError (with the numbers) when they do not correspond.

    Give either ``parent`` (its own crystal, any setting) or ``ideal_parent`` (the parent
    written atom for atom in the child's cell). ``origin``: species at the parent's origin.
    """
    if (parent is None) == (ideal_parent is None):
        raise InputError("give either the parent crystal or the idealised parent in the child's cell")
    child_cell = as_cell(child)
    if parent is not None:
        return _from_parent(child_cell, as_cell(parent), origin, symprec, angle_tol, max_displacement, max_strain)
    return _from_ideal(child_cell, as_cell(ideal_parent), origin, symprec, angle_tol, max_displacement)

