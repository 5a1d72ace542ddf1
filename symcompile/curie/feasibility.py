"""Feasibility of a geometry map IN -> OUT by group theory: OUT must keep every symmetry of IN.

The target of the map is a field on IN's points: displacements d_i = OUT_i - IN_i (plus the new
species when they change; for crystals, the cell deformation F with L_out^T = F L_in^T and the
displacements in fractional coordinates times L_in, without their mean, which is a translation).
An operation g of IN (R, pi) acts on it by (g.d)_{pi(i)} = R d_i; the map is feasible iff g.d = d for every g in G_IN.
Any equivariant model outputs a G_IN-invariant field, so the best it can do is the group
average (1/|G|) sum_g g.d, the orthogonal projection of d onto the invariant fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symcompile.structures.structure import Structure
from symcompile.structures.operations import Operations
from symcompile.errors import InputError

__all__ = ["MapTarget", "map_target", "act", "residuals", "group_average", "symmetry_floor"]


@dataclass
class MapTarget:
    """What the map must produce on IN's points (all arrays indexed like IN's points)."""

    displacements: np.ndarray  # [N, 3] Å
    species: np.ndarray | None  # [N, S] one-hot of OUT's species when some point changes species
    species_names: tuple[str, ...]
    deformation: np.ndarray | None  # [3, 3] F - 1 with L_out^T = F L_in^T (crystals whose cell changes)
    lattice: np.ndarray | None  # IN's lattice (Å), to measure the deformation in Å

    def flat(self) -> np.ndarray:
        parts = [self.displacements.ravel()]
        if self.species is not None:
            parts.append(self.species.ravel())
        if self.deformation is not None:
            parts.append(self.deformation.ravel())
        return np.concatenate(parts)

    def unflat(self, v: np.ndarray) -> "MapTarget":
        n = self.displacements.size
        d = v[:n].reshape(self.displacements.shape)
        k = n
        sp = None
        if self.species is not None:
            sp = v[k : k + self.species.size].reshape(self.species.shape)
            k += self.species.size
        de = None if self.deformation is None else v[k : k + 9].reshape(3, 3)
        return MapTarget(d, sp, self.species_names, de, self.lattice)


def map_target(inp: Structure, out: Structure, symmetrized_in: np.ndarray) -> MapTarget:
    """The field OUT - IN on IN's points (per-point correspondence by index, one Cartesian frame)."""
    if len(inp) != len(out):
        raise InputError(f"IN has {len(inp)} points and OUT has {len(out)}: a per-point map needs the same number "
                         "(the correspondence is by index)")
    if inp.periodic != out.periodic:
        raise InputError("IN and OUT must both be crystals or both be finite geometries")
    species = None
    names = tuple(sorted(set(inp.species) | set(out.species)))
    if inp.species != out.species:
        species = np.zeros((len(out), len(names)))
        species[np.arange(len(out)), [names.index(s) for s in out.species]] = 1.0
    if not inp.periodic:
        return MapTarget(out.cart_coords - symmetrized_in, species, names, None, None)
    lat_in = np.asarray(inp.lattice)
    lat_out = np.asarray(out.lattice)
    f_in = np.linalg.solve(lat_in.T, symmetrized_in.T).T
    f_out = np.linalg.solve(lat_out.T, out.cart_coords.T).T
    df = f_out - f_in
    df -= np.round(df - df[0])  # one image per atom, consistent with the first atom's
    # a uniform shift of a crystal is a translation (with a strained cell it even depends on the origin
    # chosen for the strain): only the displacements relative to the mean are part of the map
    df -= df.mean(axis=0)
    F = np.linalg.solve(lat_in, lat_out).T  # lat_out^T = F lat_in^T
    deformation = F - np.eye(3)
    return MapTarget(df @ lat_in, species, names, deformation if np.abs(deformation).max() > 1e-12 else None, lat_in)


def act(R: np.ndarray, perm: np.ndarray, target: MapTarget) -> MapTarget:
    """g.target: (g.d)_{pi(i)} = R d_i, species carried along, deformation R (F - 1) R^T."""
    d = np.empty_like(target.displacements)
    d[perm] = target.displacements @ R.T
    sp = None
    if target.species is not None:
        sp = np.empty_like(target.species)
        sp[perm] = target.species
    de = None if target.deformation is None else R @ target.deformation @ R.T
    return MapTarget(d, sp, target.species_names, de, target.lattice)


def _distance(a: MapTarget, b: MapTarget) -> float:
    """Largest difference between two fields, in Å (species: 1 per changed label; deformation: on the cell)."""
    worst = float(np.linalg.norm(a.displacements - b.displacements, axis=1).max(initial=0.0))
    if a.species is not None and b.species is not None:
        worst = max(worst, float(np.abs(a.species - b.species).max(initial=0.0)))
    if a.deformation is not None and b.deformation is not None:
        worst = max(worst, float(np.linalg.norm((a.deformation - b.deformation) @ a.lattice.T, axis=0).max()))
    return worst


def residuals(ops: Operations, target: MapTarget) -> np.ndarray:
    """For each operation of IN, how far g.target is from target (Å): 0 when g is kept by the map."""
    return np.array([_distance(act(R, p, target), target) for R, p in zip(ops.rotations, ops.permutations)])


def group_average(ops: Operations, target: MapTarget) -> MapTarget:
    """The symmetry average of the target over IN's group: the orthogonal projection onto invariant fields.

    The Reynolds average (1/|G|) sum_g g.target, linear in the number of points. A continuous group
    (C∞v, D∞h, Kh) is averaged over its finite stand-in (C12v, D12h, Ih), which fixes exactly the same
    fields of degree l < 6: the target's parts have l <= 2 (species 0, displacements 1, deformation 0-2).
    """
    if not ops.finite:
        ops = ops.finite_approximant()
    acc = np.zeros_like(target.flat())
    for R, p in zip(ops.rotations, ops.permutations):
        acc += act(R, p, target).flat()
    return target.unflat(acc / len(ops))


def symmetry_floor(target: MapTarget, average: MapTarget) -> float:
    """Mean squared displacement error of the group average: the lowest loss an equivariant model reaches."""
    return float(np.mean((target.displacements - average.displacements) ** 2))
