"""Interim parent search (until ``distortions.parents`` lands): spglib at increasing tolerance.

spglib is run on the child at a ladder of tolerances; each new space group it reports is
idealised (spglib's symmetrised standard cell mapped back into the child's cell, each atom to
the nearest idealised position of its own primitive-cell atom) and kept when the mapping is
one to one, every atom moved by at most the bound and the child's operations map the
idealised structure onto itself (the child's group is a subgroup). Memory is linear in the
number of atoms (hash-grid neighbour queries, no distance matrices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symcompile.structures.neighbours import overlapping_pair
from symcompile.structures.operations import atom_permutations
from symcompile.structures.spacegroup import point_group_from_space_group, quiet_spglib
from symcompile.structures.structure import Structure


@dataclass(eq=False)
class ScannedParent:
    """A parent candidate: its group, the idealised parent atom for atom in the child's cell."""

    space_group: dict[str, Any]
    max_displacement: float
    ideal_parent: Structure
    parent_cells: int
    found_at: float  # spglib tolerance (Å) at which the group appeared
    chain: list[dict[str, Any]] = field(default_factory=list)


def _wrap(delta: np.ndarray) -> np.ndarray:
    return delta - np.floor(delta + 0.5)


def _rational(m: np.ndarray, denominators: int = 12) -> np.ndarray:
    r = np.round(m * denominators) / denominators
    return np.where(np.abs(r - m) < 1e-6, r, m)


def idealise(child: Structure, ds: Any) -> Structure | None:
    """The symmetrised structure of spglib dataset ``ds`` (found on ``child``) in the child's cell."""
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
    by_prim: dict[int, np.ndarray] = {}
    for j in np.unique(std_prim):
        by_prim[int(j)] = np.flatnonzero(std_prim == j)
    for i in range(child.num_atoms):
        cands = by_prim.get(int(prim[i]))
        if cands is None or len(cands) == 0:
            return None
        delta = _wrap(xs[i][None, :] - std_pos[cands])
        j = int(np.argmin(np.linalg.norm(delta @ std_lattice, axis=1)))
        ideal[i] = xs[i] - delta[j]
    frac = (ideal - p) @ np.linalg.inv(P).T
    parent = Structure(lattice, frac, child.species).wrapped()
    if overlapping_pair(parent, 0.1) is not None:  # two atoms on one idealised site: not one to one
        return None
    return parent


def aligned(child: Structure, parent: Structure) -> tuple[Structure, float]:
    """The parent shifted so that child - parent has zero mean; and the largest displacement (Å)."""
    dfrac = _wrap(child.frac_coords - parent.frac_coords)
    parent = parent.replace(frac_coords=parent.frac_coords + dfrac.mean(axis=0)).wrapped()
    dfrac = _wrap(child.frac_coords - parent.frac_coords)
    return parent, float(np.linalg.norm(dfrac @ parent.lattice, axis=1).max())


def _keeps_child_operations(child: Structure, parent: Structure, symprec: float, angle_tol: float | None) -> bool:
    """Every operation of the child maps the idealised parent onto itself (same species)."""
    import spglib

    with quiet_spglib():
        sym = spglib.get_symmetry(child.spglib_cell(), symprec=symprec,
                                  angle_tolerance=-1.0 if angle_tol is None else angle_tol)
    if sym is None:
        return False
    perms = atom_permutations(parent, sym["rotations"], sym["translations"], max(4 * symprec, 1e-3))
    return bool(np.all(perms >= 0))


def scan_tolerances(symprec: float, max_displacement: float, n: int = 40) -> np.ndarray:
    """A lost operation maps an atom to within ~2x its displacement: tolerances up to 2.5x the bound."""
    lo = max(4 * symprec, 0.005)
    return np.geomspace(lo, max(2.5 * max_displacement, 2.0, 2 * lo), n)


def scan_parents(child: Structure, max_displacement: float, symprec: float,
                 angle_tol: float | None = None) -> tuple[list[ScannedParent], float | None]:
    """Every distinct group spglib reports above the child's within the bound, highest order first;
    and the smallest displacement among those beyond the bound (None if none)."""
    import spglib

    angle = -1.0 if angle_tol is None else angle_tol
    with quiet_spglib():
        own = spglib.get_symmetry_dataset(child.spglib_cell(), symprec=symprec, angle_tolerance=angle)
    n_prim_child = len(set(np.asarray(own.mapping_to_primitive).tolist()))
    child_order = point_group_from_space_group(int(own.number)).order * (child.num_atoms // n_prim_child)
    seen: set[tuple[int, int]] = set()
    found: list[tuple[int, ScannedParent]] = []
    closest_miss: float | None = None
    with quiet_spglib():
        for tol in scan_tolerances(symprec, max_displacement):
            try:
                ds = spglib.get_symmetry_dataset(child.spglib_cell(), symprec=float(tol), angle_tolerance=angle)
            except spglib.SpglibError:  # "too close distance": atoms within this trial tolerance of each other
                continue
            if ds is None:
                continue
            n_prim = len(set(np.asarray(ds.mapping_to_primitive).tolist()))
            order = point_group_from_space_group(int(ds.number)).order * (child.num_atoms // n_prim)
            key = (int(ds.number), order)
            if key in seen or order <= child_order:
                continue
            seen.add(key)
            ideal = idealise(child, ds)
            if ideal is None:
                continue
            ideal, dmax = aligned(child, ideal)
            if dmax > max_displacement:
                closest_miss = dmax if closest_miss is None else min(closest_miss, dmax)
                continue
            if not _keeps_child_operations(child, ideal, symprec, angle_tol):
                continue
            found.append((order, ScannedParent({"number": int(ds.number), "symbol": str(ds.international)}, dmax,
                                               ideal, child.num_atoms // n_prim, float(tol))))
    found.sort(key=lambda x: (-x[0], x[1].max_displacement))
    return [p for _, p in found], closest_miss
