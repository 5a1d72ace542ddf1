"""The parent: the highest-symmetry structure within a displacement bound of the child,
idealised in the child's own cell with a one-to-one atom correspondence.

spglib is run on the child at increasing tolerance; each new space group it reports is
idealised (spglib's symmetrised standard cell mapped back into the child's cell), and kept
if every atom moved by at most the bound and every operation of the child is one of the
parent's (the child's group is a subgroup). The child minus the parent is the distortion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.neighbours import overlapping_pair
from symcompile.structures.operations import Operations, operations_from_symmetry
from symcompile.structures.spacegroup import (
    point_group_from_space_group,
    quiet_spglib,
    space_group_of_operations,
    standardize,
)
from symcompile.structures.structure import Structure

#: Default bound on any atom's displacement between parent and child (Å): octahedral tilts
#: of 10-15 degrees move oxygens by 0.3-0.5 Å.
DEFAULT_MAX_DISPLACEMENT = 0.8


@dataclass(eq=False)
class ParentMatch:
    """Parent and child in the same cell, atom i of one corresponding to atom i of the other."""

    child: Structure
    parent: Structure
    displacements: np.ndarray  # (N, 3) Å: child - parent, measured in the parent's lattice, zero mean
    found_at: float  # spglib tolerance (Å) at which the parent's group appeared
    given: bool
    ops: Operations  # the parent's operations in this cell (those mapping the cell onto itself)
    child_mask: np.ndarray  # which of ``ops`` are the child's operations
    parent_group: dict[str, Any]
    child_group: dict[str, Any]
    conventional: np.ndarray  # parent's conventional lattice rows, in this cell's Cartesian frame
    orbit: np.ndarray  # (N,) parent-equivalent atoms: index of the orbit's first atom
    wyckoffs: list[str]
    site_symmetry: list[str]
    point_group_order: int  # of the parent
    parent_cells: int  # parent primitive cells in this cell

    @property
    def max_displacement(self) -> float:
        return float(np.linalg.norm(self.displacements, axis=1).max())

    @property
    def child_ops(self) -> Operations:
        return self.ops.subset(self.child_mask)

    def multiplicity(self, atom: int) -> int:
        """Atoms of this atom's parent orbit per parent primitive cell."""
        return int(np.sum(self.orbit == self.orbit[atom])) // self.parent_cells

    def site_symmetry_order(self, atom: int) -> int:
        return self.point_group_order // self.multiplicity(atom)


# --------------------------------------------------------------------------- helpers
def wrap_delta(delta: np.ndarray) -> np.ndarray:
    """Fractional differences wrapped into [-0.5, 0.5)."""
    return delta - np.floor(delta + 0.5)


def point_group_order(number: int) -> int:
    """Order of the point group of a space-group type."""
    return int(point_group_from_space_group(number).order)


def _group_order(ds: Any, n_atoms: int) -> int:
    """Operations per cell of ``n_atoms`` atoms: |point group| x lattice points in the cell."""
    n_prim = len(set(np.asarray(ds.mapping_to_primitive).tolist()))
    return point_group_order(int(ds.number)) * (n_atoms // n_prim)


def with_frac(crystal: Structure, frac: np.ndarray) -> Structure:
    """The crystal with new fractional coordinates, wrapped into [0, 1)."""
    return crystal.replace(frac_coords=frac).wrapped()


def sort_atoms(crystal: Structure, decimals: int = 6) -> Structure:
    """Atoms ordered by species, then by rounded fractional position (a canonical order), wrapped."""
    frac = crystal.frac_coords - np.floor(crystal.frac_coords + 10.0 ** (-decimals))
    key = np.round(frac, decimals) % 1.0
    order = sorted(range(crystal.num_atoms), key=lambda i: (crystal.species[i], *key[i]))
    return crystal.replace(frac_coords=frac).permuted(order)


def standard_primitive(crystal: Structure, symprec: float, angle_tol: float | None = None) -> Structure:
    """spglib's ideal standard primitive cell of ``crystal`` (rotated to standard axes), sorted atoms."""
    return sort_atoms(standardize(crystal, symprec, angle_tol, primitive=True))


def check_sane(crystal: Structure, what: str = "structure", min_distance: float = 0.5) -> None:
    """Atoms closer than ``min_distance`` Å (overlapping sites) make no sense here."""
    if overlapping_pair(crystal, min_distance) is not None:
        raise InputError(f"the {what} has atoms closer than {min_distance} Å (overlapping sites?)")


def operations_of(crystal: Structure, symprec: float, angle_tol: float | None = None) -> Operations:
    """spglib's operations of ``crystal`` in its own cell, with atom permutations (2 symprec)."""
    import spglib

    with quiet_spglib():
        sym = spglib.get_symmetry(crystal.spglib_cell(), symprec=symprec,
                                  angle_tolerance=-1.0 if angle_tol is None else angle_tol)
    if sym is None:
        raise InputError("spglib found no symmetry operations")
    return operations_from_symmetry(crystal, sym["rotations"], sym["translations"], 2 * symprec)


def space_group_type(ops: Operations, lattice: np.ndarray, symprec: float) -> dict[str, Any]:
    """``{"number", "symbol"}`` of a set of operations (both None if they are no space group)."""
    found = space_group_of_operations(ops.frac_rotations, ops.frac_translations, lattice, symprec)
    return found if found is not None else {"number": None, "symbol": None}


def _rational(m: np.ndarray, denominators: int = 12) -> np.ndarray:
    r = np.round(m * denominators) / denominators
    return np.where(np.abs(r - m) < 1e-6, r, m)


def idealise(child: Structure, ds: Any) -> Structure | None:
    """The symmetrised structure of spglib dataset ``ds`` (found on ``child``) in the child's cell.

    spglib relates the cells by (a_s b_s c_s) = (a b c) P^-1 and x_s = P x + p, the idealised
    standard lattice being rotated by its std_rotation_matrix. Each child atom is moved to the
    nearest idealised position of the same primitive-cell atom.
    """
    P = _rational(np.asarray(ds.transformation_matrix, dtype=float))
    p = np.asarray(ds.origin_shift, dtype=float)
    R = np.asarray(ds.std_rotation_matrix, dtype=float)
    std_lattice = np.asarray(ds.std_lattice, dtype=float)
    std_pos = np.asarray(ds.std_positions, dtype=float)
    std_prim = np.asarray(ds.std_mapping_to_primitive)
    prim = np.asarray(ds.mapping_to_primitive)
    lattice = (R.T @ std_lattice.T @ P).T
    xs = child.frac_coords @ P.T + p
    ideal = np.empty_like(xs)
    for i in range(child.num_atoms):
        cands = np.flatnonzero(std_prim == prim[i])
        if len(cands) == 0:
            return None
        delta = wrap_delta(xs[i][None, :] - std_pos[cands])
        j = int(np.argmin(np.linalg.norm(delta @ std_lattice, axis=1)))
        ideal[i] = xs[i] - delta[j]
    frac = (ideal - p) @ np.linalg.inv(P).T
    parent = Structure(lattice, frac, child.species).wrapped()
    # one-to-one: no two atoms on the same idealised site
    diff = wrap_delta(parent.frac_coords[:, None] - parent.frac_coords[None])
    dist = np.linalg.norm(diff @ lattice, axis=-1) + np.eye(child.num_atoms) * 1e9
    if float(dist.min()) < 0.1:
        return None
    return parent


def displacements_of(child: Structure, parent: Structure) -> tuple[Structure, np.ndarray]:
    """Shift the parent so the displacements have zero mean; return it and child - parent (Å)."""
    dfrac = wrap_delta(child.frac_coords - parent.frac_coords)
    parent = with_frac(parent, parent.frac_coords + dfrac.mean(axis=0))
    dfrac = wrap_delta(child.frac_coords - parent.frac_coords)
    return parent, dfrac @ parent.lattice


@dataclass
class _Candidate:
    tol: float
    number: int
    order: int
    parent: Structure | None = None
    displacements: np.ndarray | None = None  # None: no one-to-one atom correspondence


def _candidates(child: Structure, tolerances: np.ndarray, angle_tol: float | None) -> list[_Candidate]:
    """The distinct groups spglib reports on the child over the tolerances, first occurrence each."""
    import spglib

    seen: dict[tuple[int, int], _Candidate] = {}
    with quiet_spglib():
        for tol in tolerances:
            ds = spglib.get_symmetry_dataset(child.spglib_cell(), symprec=float(tol),
                                             angle_tolerance=-1.0 if angle_tol is None else angle_tol)
            if ds is None:
                continue
            key = (int(ds.number), _group_order(ds, child.num_atoms))
            if key in seen:
                continue
            cand = _Candidate(float(tol), key[0], key[1])
            cand.parent = idealise(child, ds)
            if cand.parent is not None:
                cand.parent, cand.displacements = displacements_of(child, cand.parent)
            seen[key] = cand
    return list(seen.values())


def _assemble(child: Structure, parent: Structure, disp: np.ndarray, tol: float, given: bool, symprec: float,
              angle_tol: float | None) -> ParentMatch | str:
    """Operations, subgroup check and site data; a string says why this parent does not fit."""
    ds = _labelled_dataset(parent, symprec, angle_tol)
    if ds is None:
        return "spglib failed on the idealised parent"
    ops = operations_of(parent, symprec, angle_tol)
    child_ops = operations_of(child, symprec, angle_tol)
    # the child's operations as parent operations: those that map the child onto itself
    mask = ops.preserves(child, tol=max(4 * symprec, 1e-3))
    if int(mask.sum()) != len(child_ops):
        return (f"the child's {len(child_ops)} operations are not among the parent's "
                f"({int(mask.sum())} shared): the child's group is not a subgroup of this parent")
    child_type = space_group_type(child_ops, child.lattice, symprec)
    shared_type = space_group_type(ops.subset(mask), child.lattice, symprec)
    if child_type["number"] != shared_type["number"]:
        return "the parent operations the child keeps do not form the child's group"
    n_prim = len(set(np.asarray(ds.mapping_to_primitive).tolist()))
    P = _rational(np.asarray(ds.transformation_matrix, dtype=float))
    conventional = (parent.lattice.T @ np.linalg.inv(P)).T
    return ParentMatch(
        child=child, parent=parent, displacements=disp, found_at=tol, given=given, ops=ops, child_mask=mask,
        parent_group={"number": int(ds.number), "symbol": str(ds.international)},
        child_group=child_type, conventional=conventional,
        orbit=np.asarray(ds.crystallographic_orbits, dtype=int), wyckoffs=[str(w) for w in ds.wyckoffs],
        site_symmetry=[str(s) for s in ds.site_symmetry_symbols],
        point_group_order=point_group_order(int(ds.number)), parent_cells=child.num_atoms // n_prim,
    )


def _labelled_dataset(parent: Structure, symprec: float, angle_tol: float | None) -> Any:
    """spglib's dataset of the parent with a canonical origin, so that Wyckoff letters do not depend
    on how the child was written: an atom of the orbit of highest site symmetry (ties: species name)
    is put at the origin before spglib labels the sites."""
    import spglib

    angle = -1.0 if angle_tol is None else angle_tol
    with quiet_spglib():
        ds = spglib.get_symmetry_dataset(parent.spglib_cell(), symprec=symprec, angle_tolerance=angle)
        if ds is None:
            return None
        orbits = np.asarray(ds.crystallographic_orbits)
        first = min(set(orbits.tolist()), key=lambda o: (int(np.sum(orbits == o)), parent.species[o]))
        shifted = with_frac(parent, parent.frac_coords - parent.frac_coords[first])
        return spglib.get_symmetry_dataset(shifted.spglib_cell(), symprec=symprec, angle_tolerance=angle)


def scan_tolerances(symprec: float, max_displacement: float, n: int = 40) -> np.ndarray:
    """Tolerances to try: a lost operation maps an atom to within ~2x its displacement. The scan goes
    beyond the bound (to 2 Å at least) so that an error can say how far the nearest parent is."""
    lo = max(4 * symprec, 0.005)
    hi = max(2.5 * max_displacement, 2.0, 2 * lo)
    return np.geomspace(lo, hi, n)


def find_parent(child: Structure, symprec: float, angle_tol: float | None = None,
                max_displacement: float = DEFAULT_MAX_DISPLACEMENT) -> ParentMatch:
    """The highest-symmetry parent within ``max_displacement`` Å of ``child`` (its canonical cell)."""
    child_order = len(operations_of(child, symprec, angle_tol))
    best: ParentMatch | None = None
    best_key: tuple[int, float] | None = None
    closest_miss: float | None = None
    for cand in _candidates(child, scan_tolerances(symprec, max_displacement), angle_tol):
        if cand.order <= child_order or cand.parent is None or cand.displacements is None:
            continue
        dmax = float(np.linalg.norm(cand.displacements, axis=1).max())
        if dmax > max_displacement:
            closest_miss = dmax if closest_miss is None else min(closest_miss, dmax)
            continue
        match = _assemble(child, cand.parent, cand.displacements, cand.tol, False, symprec, angle_tol)
        if isinstance(match, str):
            continue
        key = (cand.order, -dmax)
        if best_key is None or key > best_key:
            best, best_key = match, key
    if best is None:
        hint = (f"; the nearest higher-symmetry structure needs {closest_miss:.2f} Å (raise --max-displacement)"
                if closest_miss is not None else "")
        raise InputError(f"no higher-symmetry parent within {max_displacement:g} Å of the child{hint}")
    return best


def match_parent(child: Structure, given: Structure, symprec: float, angle_tol: float | None = None,
                 max_displacement: float = DEFAULT_MAX_DISPLACEMENT) -> ParentMatch:
    """Put a given parent into the child's cell, atom for atom; InputError if they do not correspond."""
    import spglib

    if sorted(_reduced(child).items()) != sorted(_reduced(given).items()):
        raise InputError(f"parent and child do not correspond: compositions {given.formula()} and "
                         f"{child.formula()} differ")
    prim = standard_primitive(given, symprec, angle_tol)
    with quiet_spglib():
        gds = spglib.get_symmetry_dataset(prim.spglib_cell(), symprec=symprec,
                                          angle_tolerance=-1.0 if angle_tol is None else angle_tol)
    if gds is None:
        raise InputError("spglib could not find the symmetry of the parent")
    child_order = len(operations_of(child, symprec, angle_tol))
    target_order = (point_group_order(int(gds.number)) * (child.num_atoms // prim.num_atoms)
                    if child.num_atoms % prim.num_atoms == 0 else -1)
    if target_order <= child_order:
        raise InputError(f"parent and child do not correspond: the parent ({gds.international}) does not have "
                         "higher symmetry than the child in the child's cell")
    reasons = []
    for cand in _candidates(child, scan_tolerances(symprec, max_displacement), angle_tol):
        if cand.number != int(gds.number) or cand.order != target_order or cand.parent is None:
            continue
        assert cand.displacements is not None
        dmax = float(np.linalg.norm(cand.displacements, axis=1).max())
        if dmax > max_displacement:
            reasons.append(f"{dmax:.2f} Å displacement")
            continue
        if not _same_structure(standard_primitive(cand.parent, symprec, angle_tol), prim):
            reasons.append("different arrangement")
            continue
        match = _assemble(child, cand.parent, cand.displacements, cand.tol, True, symprec, angle_tol)
        if isinstance(match, str):
            reasons.append(match)
            continue
        return match
    why = f" ({'; '.join(dict.fromkeys(reasons))})" if reasons else ""
    raise InputError(f"parent and child do not correspond: no {gds.international} structure like the parent within "
                     f"{max_displacement:g} Å of the child{why}")


def _reduced(crystal: Structure) -> dict[str, int]:
    from math import gcd

    counts = {s: crystal.species.count(s) for s in set(crystal.species)}
    div = 0
    for c in counts.values():
        div = gcd(div, c)
    return {s: c // div for s, c in counts.items()}


def _same_structure(a: Structure, b: Structure) -> bool:
    """Same arrangement up to origin, orientation and scale (pymatgen StructureMatcher)."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    sa, sb = a.to_pymatgen(), b.to_pymatgen()
    return bool(StructureMatcher(ltol=0.3, stol=0.4, angle_tol=8, primitive_cell=False, scale=True).fit(sa, sb))
