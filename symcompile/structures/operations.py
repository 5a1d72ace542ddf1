"""Symmetry operations of one structure, with the permutation of its atoms that each one induces.

An operation g = (R, t) moves a point r to R r + t (crystals, Cartesian Å; x -> W x + w in
the structure's own fractional basis) or to R (r - c) + c about the centre c (molecules); it
sends atom i onto atom ``permutations[g, i]`` of the same species. Cartesian rotations are
exactly orthogonal and form a group: they are built on the lattice metric averaged over the
point group (:func:`symmetrized_basis`), which differs from the given lattice only within
the tolerance; a cell tilted by a fraction of a degree still gives integral character sums.

>>> import numpy as np
>>> from symcompile.structures.structure import Structure
>>> ops = crystal_operations(Structure(4.0 * np.eye(3), [[0, 0, 0], [0.5, 0.5, 0.5]], ("Cs", "Cl")))
>>> len(ops), ops.name, ops.point_group["schoenflies"]
(48, 'Pm-3m', 'Oh')
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.o3.point_groups import _snap as snap


@dataclass(frozen=True, eq=False)
class Operations:
    """A symmetry group as explicit operations acting on the atoms of one structure.

    ``rotations`` (G, 3, 3) Cartesian and exactly orthogonal; ``translations`` (G, 3) Cartesian
    (zero for point groups, which act about ``centre``); ``permutations`` (G, N). Crystals also
    carry ``frac_rotations`` (integer W) and ``frac_translations`` (w in [0, 1)) in the
    structure's cell. ``finite`` is False for the continuous groups C∞v, D∞h and Kh, whose
    ``rotations`` are generators named by ``labels``. ``symmetrized``: the positions (Cartesian,
    Å) made exactly symmetric. ``approximates``/``exact_below``: a finite group standing for a
    continuous one (C_nv for C∞v...), exact for irreps of degree l < ``exact_below``.
    """

    rotations: np.ndarray
    translations: np.ndarray
    permutations: np.ndarray
    kind: str  # "space" | "point"
    name: str  # "Pnma", "C2v", "D∞h"...
    finite: bool = True
    frac_rotations: np.ndarray | None = None
    frac_translations: np.ndarray | None = None
    lattice: np.ndarray | None = None
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    number: int | None = None
    labels: tuple[str, ...] | None = None
    symmetrized: np.ndarray | None = None
    approximates: int | None = None
    exact_below: int | None = None
    time_reversal: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rotations)

    @property
    def order(self) -> int | None:
        """Number of operations (in this cell, for a space group); None for continuous groups."""
        return len(self.rotations) if self.finite else None

    @property
    def point_group(self) -> dict[str, Any]:
        """``{"hm", "schoenflies", "order"}`` of the rotation parts."""
        from symcompile.structures.naming import crystal_point_group_entry, point_group_entry, schoenflies_symbol

        if self.kind == "space" and self.number is not None:
            return crystal_point_group_entry(self.number)
        if not self.finite:
            return point_group_entry(self.name, None)
        if self.kind == "point" and self.name:  # named from these very matrices when found
            return point_group_entry(self.name, len(self))
        rotations = unique_rotations(self.rotations)
        return point_group_entry(schoenflies_symbol(rotations), len(rotations))

    @property
    def space_group(self) -> dict[str, Any] | None:
        """``{"number", "symbol"}`` for crystals, None for molecules."""
        from symcompile.structures.spacegroup import space_group_name

        return space_group_name(self.number) if self.number is not None else None

    def point_group_rotations(self) -> np.ndarray:
        """The distinct Cartesian rotations (the point group), shape (n, 3, 3)."""
        return unique_rotations(self.rotations)

    def subset(self, mask: np.ndarray) -> Operations:
        """The operations selected by a boolean mask (or index array), everything else kept."""
        idx = np.arange(len(self))[np.asarray(mask)]

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        labels = None if self.labels is None else tuple(self.labels[i] for i in idx)
        return replace(self, rotations=self.rotations[idx], translations=self.translations[idx],
                       permutations=self.permutations[idx], frac_rotations=pick(self.frac_rotations),
                       frac_translations=pick(self.frac_translations), labels=labels,
                       time_reversal=pick(self.time_reversal))

    @property
    def pure_translations(self) -> np.ndarray:
        """Mask of the operations whose rotation is the identity."""
        return np.all(np.abs(self.rotations - np.eye(3)) < 1e-9, axis=(1, 2))

    def names(self) -> list[str]:
        """Every operation in words: '4-fold rotation about z (+90°) with translation (1/2, 0, 0)', with
        'followed by time reversal' for the magnetic operations that carry it."""
        from symcompile.o3.magnetic_point_groups import with_time_reversal
        from symcompile.structures.naming import operation_name

        if self.labels:
            return list(self.labels)
        if self.frac_translations is not None:
            words = [operation_name(R, t) for R, t in zip(self.rotations, self.frac_translations)]
        else:
            words = [operation_name(R) for R in self.rotations]
        if self.time_reversal is None:
            return words
        return [with_time_reversal(w, int(t)) for w, t in zip(words, self.time_reversal)]

    def preserves(self, structure: Any, tol: float) -> np.ndarray:
        """Mask of the (crystal) operations that, with their permutations, map ``structure`` onto itself."""
        if self.frac_rotations is None or self.frac_translations is None:
            raise ValueError("preserves() needs the fractional operations of a crystal")
        frac = structure.frac_coords
        image = np.einsum("gij,nj->gni", self.frac_rotations, frac) + self.frac_translations[:, None, :]
        target = frac[self.permutations]
        diff = image - target
        diff -= np.round(diff)
        return np.linalg.norm(diff @ structure.lattice, axis=-1).max(axis=1) <= tol

    def finite_approximant(self, n: int = 12, direction: np.ndarray | None = None) -> Operations:
        """A finite subgroup standing for a continuous group (see :mod:`symcompile.structures.molecules`)."""
        if self.finite:
            return self
        from symcompile.structures.molecules import finite_approximant

        return finite_approximant(self, n, direction)


def unique_rotations(rotations: np.ndarray, atol: float = 1e-6) -> np.ndarray:
    """Distinct matrices of a stack, in order of first appearance."""
    out: list[np.ndarray] = []
    for rot in np.asarray(rotations, dtype=np.float64):
        if not any(np.abs(rot - other).max() < atol for other in out):
            out.append(rot)
    return np.array(out).reshape(-1, 3, 3)


# --------------------------------------------------------------------------- fractional -> Cartesian
def symmetrized_basis(lattice: np.ndarray, rotations: np.ndarray) -> np.ndarray:
    """Columns a, b, c with the metric averaged over the point group, oriented like ``lattice``.

    ``A_s = U G_s^{1/2}`` with ``G_s = mean(W^T G W)`` and U the orthogonal polar factor of
    ``A G_s^{-1/2}``; then ``A_s W A_s^-1`` is orthogonal for every W of the group.
    """
    basis = np.asarray(lattice, dtype=np.float64).T
    metric = basis.T @ basis
    distinct = np.unique(np.asarray(rotations, dtype=np.int64).reshape(-1, 9), axis=0).reshape(-1, 3, 3)
    sym_metric = np.mean([w.T @ metric @ w for w in distinct], axis=0)
    evals, evecs = np.linalg.eigh(sym_metric)
    root = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    inv_root = evecs @ np.diag(1 / np.sqrt(evals)) @ evecs.T
    u, _, vt = np.linalg.svd(basis @ inv_root)
    return (u @ vt) @ root


def cartesian_rotations(lattice: np.ndarray, rotations: np.ndarray) -> np.ndarray:
    """Fractional integer rotations W -> orthogonal Cartesian R = A_s W A_s^-1 (the frame of ``lattice``).

    The one converter from fractional to Cartesian rotations in the package.
    """
    basis = symmetrized_basis(lattice, rotations)
    return snap(np.einsum("ij,njk,kl->nil", basis, np.asarray(rotations, dtype=np.float64), np.linalg.inv(basis)))


# --------------------------------------------------------------------------- crystals
def atom_permutations(structure: Any, rotations: np.ndarray, translations: np.ndarray, tol: float
                      ) -> np.ndarray:
    """``perm[g, i]``: the atom (same species) within ``tol`` Å of image g of atom i, -1 where there is none."""
    from symcompile.structures.neighbours import periodic_index

    labels = np.unique(np.asarray(structure.species), return_inverse=True)[1]
    index, wrapped = periodic_index(structure.lattice, structure.frac_coords, tol, labels)
    out = np.empty((len(rotations), structure.num_atoms), dtype=np.int64)
    for g, (W, w) in enumerate(zip(rotations, translations)):
        image = (wrapped @ np.asarray(W, dtype=np.float64).T + w) % 1.0
        out[g] = index.nearest(image @ structure.lattice, labels)
    return out


def operations_from_symmetry(structure: Any, rotations: np.ndarray, translations: np.ndarray, tol: float,
                             name: str = "", number: int | None = None, on_failure: str = "drop"
                             ) -> Operations:
    """Operations {W|w} of a crystal (fractional, its own cell) with their permutations.

    An operation that does not map every atom onto an atom of its species within ``tol`` is
    dropped (``on_failure="drop"``) or is an :class:`InputError` (``on_failure="raise"``).
    """
    rotations = np.asarray(rotations, dtype=int).reshape(-1, 3, 3)
    translations = np.asarray(translations, dtype=np.float64).reshape(-1, 3)
    translations = translations - np.floor(translations + 1e-9)
    perms = atom_permutations(structure, rotations, translations, tol)
    good = np.all(perms >= 0, axis=1) & np.array([len(np.unique(p)) == len(p) for p in perms])
    if on_failure == "raise" and not good.all():
        raise InputError("the symmetry operations do not map the atoms onto each other at this tolerance; "
                         "try a different --symprec")
    if not good.all():
        rotations, translations, perms = rotations[good], translations[good], perms[good]
    cart = cartesian_rotations(structure.lattice, rotations) if len(rotations) else np.zeros((0, 3, 3))
    return Operations(cart, translations @ structure.lattice, perms, "space", name, True, rotations, translations,
                      np.array(structure.lattice), number=number)


def symmetrize_positions(structure: Any, ops: Operations) -> np.ndarray:
    """Fractional positions averaged over the group: exactly symmetric, each moved by at most ~symprec."""
    frac = structure.frac_coords
    acc = np.zeros_like(frac)
    for W, w, p in zip(ops.frac_rotations, ops.frac_translations, ops.permutations):  # type: ignore[arg-type]
        back = (frac[p] - w) @ np.linalg.inv(W).T
        delta = back - frac
        acc += delta - np.round(delta)
    return frac + acc / len(ops)


def crystal_operations(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                       data: Any = None) -> Operations:
    """The space-group operations of a crystal (spglib) in its own cell, with permutations.

    ``symmetrized`` holds the Cartesian positions made exactly symmetric (in the given lattice).
    """
    from symcompile.structures.spacegroup import dataset

    if data is None:
        data = dataset(structure, symprec, angle_tol)
    ops = operations_from_symmetry(structure, data.rotations, data.translations, 2 * symprec,
                                   str(data.international), int(data.number), on_failure="raise")
    frac_sym = symmetrize_positions(structure, ops)
    return replace(ops, symmetrized=frac_sym @ structure.lattice)


def symmetry_operations(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> Operations:
    """Space group (crystal) or point group about the centroid (molecule), with permutations.

    ``structure``: a :class:`~symcompile.structures.Structure` or a pymatgen Structure / Molecule.
    """
    from symcompile.structures.structure import as_structure

    structure = as_structure(structure)
    if structure.lattice is not None:
        return crystal_operations(structure, symprec, angle_tol)
    from symcompile.structures.molecules import molecule_operations

    return molecule_operations(structure, symprec)
