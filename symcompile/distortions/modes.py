"""Symmetry-mode decomposition of a per-atom field (displacements first) into the parent's irreps.

The field on the parent's atoms in the child's cell spans a representation of the finite
group G/T' (permutation of atoms x rotation of each atom's components). Its projection on
the isotypic component of each physically irreducible irrep Γ is the Γ mode; the modes are
orthogonal, so their squared amplitudes add up to the squared total. For each mode: the
amplitude (normalised per primitive cell of the child, as AMPLIMODES does), the isotropy
subgroup (parent operations that leave the mode unchanged), the order-parameter direction,
the amplitude on each parent Wyckoff site and on each arm of the star. Primary modes are a
smallest set whose isotropy subgroups intersect to exactly the child's group.

>>> import numpy as np
>>> inversion = -np.eye(3)[None]
>>> float(rotation_rep(inversion, "1o")[0, 0, 0]), float(rotation_rep(inversion, "1e")[0, 0, 0])
(-1.0, 1.0)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import spglib

from symcompile.distortions.direction import fixed_subspace, simplest
from symcompile.distortions.group import SupercellGroup
from symcompile.distortions.irreps import (
    PhysicalIrrep,
    Star,
    physical_irreps,
    real_stars,
)
from symcompile.distortions.lattice import fraction_text


@dataclass(frozen=True)
class SiteAmplitude:
    """A mode's amplitude on the atoms of one parent Wyckoff orbit (Å per child primitive cell)."""

    species: str
    wyckoff: str
    amplitude: float

    def to_record(self) -> dict[str, Any]:
        return {"species": self.species, "wyckoff": self.wyckoff, "amplitude": float(self.amplitude)}


@dataclass(frozen=True)
class ArmAmplitude:
    """A mode's amplitude on one arm ±k of its star (k in the conventional reciprocal basis)."""

    k: tuple[float, float, float]
    amplitude: float

    @property
    def k_text(self) -> list[str]:
        return [fraction_text(x) for x in self.k]


@dataclass(frozen=True, eq=False)
class Mode:
    """The part of the field that transforms as one physically irreducible irrep of the parent."""

    irrep: str  # "R4+", "M2+M4+" (complex pair), "(0,1/4,0)#2" (k not in Bilbao's tables)
    k: tuple[float, float, float]  # representative arm, conventional reciprocal basis (the tables' k)
    k_label: str  # "R"; the coordinates when the tables do not list this k
    in_tables: bool
    dim: int
    direction: str  # "(a,0,0)"
    amplitude: float
    primary: bool
    isotropy_subgroup: dict[str, Any]  # {"number", "symbol"}
    sites: tuple[SiteAmplitude, ...]
    arms: tuple[ArmAmplitude, ...]  # arms with a non-zero part
    values: np.ndarray = field(repr=False)  # the mode itself on the child's atoms (N, c)
    stabiliser: np.ndarray = field(repr=False)  # (n, m) mask of G/T'

    def to_record(self) -> dict[str, Any]:
        return {"irrep": self.irrep, "k": [fraction_text(x) for x in self.k], "k_label": self.k_label,
                "direction": self.direction, "amplitude": float(self.amplitude), "primary": bool(self.primary),
                "isotropy_subgroup": dict(self.isotropy_subgroup), "sites": [s.to_record() for s in self.sites]}


@dataclass(frozen=True, eq=False)
class FieldDecomposition:
    modes: tuple[Mode, ...]
    total: float  # |field| per child primitive cell, after symmetrisation on the child's group
    residual: float  # the part removed by symmetrisation (noise below the tolerance)
    child_group: dict[str, Any]
    child_mask: np.ndarray
    cells: int  # child primitive cells in the group's supercell


# --------------------------------------------------------------------------- representations
def rotation_rep(cart: np.ndarray, kind: str | Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Matrices of each Cartesian rotation on per-atom components: '0e', '0o', '1o', '1e' or a callable."""
    cart = np.asarray(cart, dtype=float)
    det = np.linalg.det(cart)
    if callable(kind):
        return np.stack([np.asarray(kind(r), dtype=float) for r in cart])
    if kind == "0e":
        return np.ones((len(cart), 1, 1))
    if kind == "0o":
        return det[:, None, None].reshape(-1, 1, 1)
    if kind == "1o":
        return cart.copy()
    if kind == "1e":
        return cart * det[:, None, None]
    raise ValueError(f"unknown per-atom representation {kind!r} (use '0e', '0o', '1o', '1e' or a callable)")


def group_type(group: SupercellGroup, mask: np.ndarray) -> dict[str, Any]:
    """Space-group type (number, symbol) of the elements selected by ``mask`` (spglib)."""
    rot, trans = group.operations(mask)
    sg = spglib.get_spacegroup_type_from_symmetry(rot, trans, lattice=group.cartesian_cell, symprec=1e-5)
    return {"number": int(sg.number), "symbol": str(sg.international_short)}


# --------------------------------------------------------------------------- primary modes
def primary_set(masks: list[np.ndarray], weights: list[float], target: np.ndarray) -> set[int]:
    """A smallest set of modes whose stabilisers intersect to exactly ``target`` (ties: the
    largest summed squared amplitude)."""
    for size in range(1, len(masks) + 1):
        hits = []
        for combo in itertools.combinations(range(len(masks)), size):
            inter = np.logical_and.reduce([masks[i] for i in combo])
            if np.array_equal(inter, target):
                hits.append(combo)
        if hits:
            best = max(hits, key=lambda c: (sum(weights[i] ** 2 for i in c), [-i for i in c]))
            return set(best)
    return set()


# --------------------------------------------------------------------------- the analysis
class ModeAnalysis:
    """Decompose per-atom fields of the child's atoms on G/T'.

    ``child_atom[i]``: the child atom of supercell atom i (the child's cell repeated to fill
    the supercell T'). ``site_labels[j]``: (species, Wyckoff) of child atom j's parent orbit.
    """

    def __init__(self, group: SupercellGroup, child_atom: np.ndarray, site_labels: list[tuple[str, str]]) -> None:
        self.group = group
        self.child_atom = np.asarray(child_atom)
        self.site_labels = site_labels
        self.n_child = len(site_labels)
        self._irreps: dict[int, list[PhysicalIrrep]] = {}
        self.stars = real_stars(group)

    def irreps(self, index: int) -> list[PhysicalIrrep]:
        if index not in self._irreps:
            self._irreps[index] = physical_irreps(self.group, self.stars[index])
        return self._irreps[index]

    def _arm_norms(self, values: np.ndarray, star: Star) -> np.ndarray:
        """|Fourier component|² of a field on each arm of a star (and on -arm)."""
        g = self.group
        shifted = np.empty((g.n_trans, *values.shape))
        for t in range(g.n_trans):
            shifted[t][g.perm_trans[t]] = values
        arms = np.vstack([star.arms, -star.arms])
        phases = np.exp(2j * np.pi * arms @ g.translations.T) / g.n_trans  # (2s, n)
        comps = np.einsum("kt,tic->kic", phases, shifted)
        return (np.abs(comps) ** 2).sum(axis=(1, 2)).reshape(2, -1)

    def parts(self, field: np.ndarray, rho: np.ndarray, floor: float) -> Iterator[tuple[PhysicalIrrep, np.ndarray]]:
        """The irreps of a field on the supercell's atoms (N', c) whose part has norm above ``floor``,
        with that part (the projection on the irrep's isotypic component)."""
        g = self.group
        images = g.apply_ops(field, rho)
        for index, star in enumerate(self.stars):
            if self._arm_norms(field, star).sum() <= floor ** 2:
                continue
            for irrep in self.irreps(index):
                weights = irrep.dim / (g.order * irrep.norm) * irrep.characters()
                part = g.project(field, rho, weights, images)
                if float(np.linalg.norm(part)) > floor:
                    yield irrep, part

    def decompose(self, values: np.ndarray, rho: np.ndarray, tol: float) -> FieldDecomposition:
        """Modes of a per-child-atom field ``values`` (N, c); ``rho`` (m, c, c): the matrices of
        the group's coset representatives on the components; ``tol``: the symmetry tolerance
        (same units as the field) that defines the child's group."""
        g = self.group
        full = np.asarray(values, dtype=float)[self.child_atom]
        child_mask = g.stabiliser(full, rho, tol)
        symmetric = g.project(full, rho, child_mask / child_mask.sum())
        cells = int(child_mask[:, 0].sum())
        residual = float(np.linalg.norm(full - symmetric) / np.sqrt(cells))
        total = float(np.linalg.norm(symmetric) / np.sqrt(cells))
        child_group = group_type(g, child_mask)
        floor = max(1e-9, 1e-9 * total)
        found: list[tuple[PhysicalIrrep, np.ndarray, float, np.ndarray]] = []
        for irrep, part in self.parts(symmetric, rho, floor * np.sqrt(cells)):
            amplitude = float(np.linalg.norm(part) / np.sqrt(cells))
            mask = g.stabiliser(part, rho, 1e-7 * float(np.abs(part).max()))
            found.append((irrep, part, amplitude, mask))
        primary = primary_set([f[3] for f in found], [f[2] for f in found], child_mask)
        modes = []
        for i, (irrep, part, amplitude, mask) in enumerate(found):
            modes.append(self._mode(irrep, part, amplitude, mask, cells, i in primary))
        modes.sort(key=lambda m: (not m.primary, -m.amplitude, m.irrep))
        return FieldDecomposition(tuple(modes), total, residual, child_group, child_mask, cells)

    def _mode(self, irrep: PhysicalIrrep, part: np.ndarray, amplitude: float, mask: np.ndarray, cells: int,
              primary: bool) -> Mode:
        g = self.group
        basis = fixed_subspace(irrep.average(mask)[None])
        direction = simplest(irrep.images(basis))
        per_atom = (part ** 2).sum(axis=1)
        sites: dict[tuple[str, str], float] = {}
        for i, value in enumerate(per_atom):
            label = self.site_labels[self.child_atom[i]]
            sites[label] = sites.get(label, 0.0) + float(value)
        site_list = tuple(SiteAmplitude(s, w, float(np.sqrt(v / cells))) for (s, w), v in sorted(sites.items())
                          if np.sqrt(v / cells) > 1e-9 * amplitude)
        norms = self._arm_norms(part, irrep.star)
        arms = []
        seen: set[tuple[int, ...]] = set()
        for arm, plus, minus in zip(irrep.star.arms, norms[0], norms[1]):
            key = g.k_key(arm)[0]
            if key in seen:
                continue
            seen.update(g.k_key(np.vstack([arm, -arm])))
            both = plus + (minus if g.k_key(-arm)[0] != key else 0.0)
            value = float(np.sqrt(both / cells)) if both > 0 else 0.0
            if value > 1e-9 * amplitude:
                arms.append(ArmAmplitude(tuple(float(x) for x in arm), value))
        return Mode(irrep=irrep.label, k=tuple(float(x) for x in irrep.star.k), k_label=irrep.star.label,
                    in_tables=irrep.in_tables, dim=irrep.dim, direction=direction, amplitude=amplitude,
                    primary=primary, isotropy_subgroup=group_type(g, mask), sites=site_list, arms=tuple(arms),
                    values=part[: self.n_child].copy(), stabiliser=mask)
