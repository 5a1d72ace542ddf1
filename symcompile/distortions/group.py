"""The parent's space group acting on a supercell: a finite group of permutations and rotations.

A child cell holds a finite piece of the parent. The parent's space group G modulo a
sublattice T' of its translations is a finite group when every rotation of G maps T' onto
itself; T' is the child's lattice, or the largest sublattice of it with that property (a
√2 x √2 x 2 child of a cubic parent gives the 2 x 2 x 2 cube). Each element t∘g_m (a
lattice translation t after the tables' coset representative g_m = {W_m|w_m}) permutes the
parent's atoms in the T' cell and rotates vectors on them; its irreps are those of G at the
k-vectors of the dual group (T')*/Λ*.

>>> from symcompile.distortions.tables import load_table
>>> import numpy as np
>>> corners = np.indices((2, 2, 2)).reshape(3, -1).T  # one atom per cubic cell, 2 x 2 x 2 cells
>>> g = SupercellGroup.build(load_table(221), cell=2 * np.eye(3), basis=3.9 * np.eye(3), positions=corners)
>>> g.order, len(g.positions), len(g.kpoints())
(384, 8, 8)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from symcompile.distortions.lattice import closure, mod_key, row_keys
from symcompile.distortions.tables import IrrepTable
from symcompile.structures.spacegroup import symmetrized_basis


def _flat_keys(z: np.ndarray) -> np.ndarray:
    k = mod_key(z)
    scale = np.int64(1_441_440)
    return (k[:, 0] * scale + k[:, 1]) * scale + k[:, 2]


class _Index:
    """Find rows of fractional coordinates (modulo 1) among reference rows: by exact key,
    falling back to the nearest row for keys on a rounding boundary."""

    def __init__(self, reference: np.ndarray) -> None:
        self.reference = reference
        keys = _flat_keys(reference)
        self.order = np.argsort(keys)
        self.sorted = keys[self.order]
        if len(np.unique(keys)) != len(keys):
            raise RuntimeError("two parent atoms at the same position")  # pragma: no cover

    def __call__(self, z: np.ndarray) -> np.ndarray:
        keys = _flat_keys(z)
        pos = np.clip(np.searchsorted(self.sorted, keys), 0, len(keys) - 1)
        out = self.order[pos]
        for i in np.flatnonzero(self.sorted[pos] != keys):
            d = z[i] - self.reference
            d -= np.rint(d)
            j = int(np.argmin(np.abs(d).max(axis=1)))
            if np.abs(d[j]).max() > 1e-6:
                raise RuntimeError("an operation of the parent does not map its atoms onto themselves")
            out[i] = j
        return out


@dataclass(eq=False)
class SupercellGroup:
    """G/T' in the conventional coordinates of Bilbao's tables.

    ``cell``: columns, a basis of T'. ``translations``: the parent's lattice translations
    modulo T' (zero first). ``basis``: columns, the conventional basis vectors in Cartesian Å
    (metric exactly invariant). ``positions``: atoms in the T' cell (conventional
    coordinates); ``perm_ops[m, i]`` and ``perm_trans[t, i]``: the atom that atom i goes to.
    """

    table: IrrepTable
    cell: np.ndarray
    translations: np.ndarray
    basis: np.ndarray
    cart: np.ndarray
    positions: np.ndarray
    perm_ops: np.ndarray
    perm_trans: np.ndarray

    @classmethod
    def build(cls, table: IrrepTable, cell: np.ndarray, basis: np.ndarray, positions: np.ndarray) -> SupercellGroup:
        """``basis``: columns of the conventional basis in Cartesian (symmetrised here)."""
        cell = np.asarray(cell, dtype=float)
        inv = np.linalg.inv(cell)

        def reduce(x: np.ndarray) -> np.ndarray:
            z = x @ inv.T
            z -= np.floor(z + 1e-9)
            return z @ cell.T

        generators = np.vstack([np.eye(3), table.centring[1:]])
        translations = closure(generators, reduce)
        sym = symmetrized_basis(np.asarray(basis, dtype=float).T, table.rotations)
        cart = np.einsum("ij,njk,kl->nil", sym, table.rotations.astype(float), np.linalg.inv(sym))
        positions = reduce(np.asarray(positions, dtype=float))
        index = _Index(positions @ inv.T)
        perm_ops = np.stack([index((positions @ w.T + t) @ inv.T) for w, t in zip(table.rotations, table.translations)])
        perm_trans = np.stack([index((positions + t) @ inv.T) for t in translations])
        return cls(table, cell, translations, sym, cart, positions, perm_ops, perm_trans)

    # ------------------------------------------------------------------ sizes
    @property
    def n_ops(self) -> int:
        return len(self.table.rotations)

    @property
    def n_trans(self) -> int:
        return len(self.translations)

    @property
    def order(self) -> int:
        return self.n_ops * self.n_trans

    # ------------------------------------------------------------------ translations
    @functools.cached_property
    def _translation_lookup(self) -> _Index:
        return _Index(self.translations @ np.linalg.inv(self.cell).T)

    def translation_index(self, t: np.ndarray) -> np.ndarray:
        """Index in ``translations`` of lattice vectors t (rows, conventional), modulo T'."""
        return self._translation_lookup(np.atleast_2d(t) @ np.linalg.inv(self.cell).T)

    @functools.cached_property
    def _op_lookup(self) -> dict[bytes, int]:
        return {w.astype(np.int64).tobytes(): m for m, w in enumerate(self.table.rotations)}

    @functools.cached_property
    def inverse_rotations(self) -> np.ndarray:
        """W_m^{-1} for every coset representative (float)."""
        return np.linalg.inv(self.table.rotations.astype(float))

    def op_index(self, w: np.ndarray) -> int:
        """Index of the table's operation with rotation ``w``."""
        return self._op_lookup[np.rint(w).astype(np.int64).tobytes()]

    @functools.cached_property
    def squares(self) -> tuple[np.ndarray, np.ndarray]:
        """For every element (t, m): the (t, m) indices of its square, arrays of shape (n, m)."""
        rot, trans = self.table.rotations, self.table.translations
        sq_t = np.empty((self.n_trans, self.n_ops), dtype=np.int64)
        sq_m = np.empty((self.n_trans, self.n_ops), dtype=np.int64)
        for m, (w, tau) in enumerate(zip(rot, trans)):
            m2 = self.op_index(w @ w)
            lattice = (self.translations + tau) @ w.T + self.translations + tau - trans[m2]
            sq_t[:, m] = self.translation_index(lattice)
            sq_m[:, m] = m2
        return sq_t, sq_m

    # ------------------------------------------------------------------ k-vectors
    def k_key(self, k: np.ndarray) -> list[tuple[int, ...]]:
        """Keys of k-vectors (rows, conventional reciprocal basis) modulo the reciprocal lattice."""
        return row_keys(np.atleast_2d(k) @ self.table.primitive)

    def kpoints(self) -> np.ndarray:
        """The k-vectors of (T')*/Λ* (rows, conventional reciprocal basis), Γ first."""
        prim = self.table.primitive

        def reduce(k: np.ndarray) -> np.ndarray:
            kp = k @ prim
            kp -= np.floor(kp + 1e-9)
            return kp @ np.linalg.inv(prim)

        return closure(np.linalg.inv(self.cell), reduce)

    def same_k(self, k1: np.ndarray, k2: np.ndarray) -> bool:
        d = (np.asarray(k1) - np.asarray(k2)) @ self.table.primitive
        return bool(np.all(np.abs(d - np.rint(d)) < 1e-6))

    def rotate_k(self, m: int, k: np.ndarray) -> np.ndarray:
        """The image W_m^{-T} k of a k-vector under operation m."""
        return self.inverse_rotations[m].T @ np.asarray(k, dtype=float)

    # ------------------------------------------------------------------ acting on fields
    def apply_ops(self, field: np.ndarray, rho: np.ndarray) -> np.ndarray:
        """D(g_m) f for every coset representative: (m, N', c), with ``rho[m]`` the (c, c) matrix
        of operation m on the per-atom components."""
        rotated = np.einsum("mcd,id->mic", rho, field)
        out = np.empty_like(rotated)
        out[np.arange(self.n_ops)[:, None], self.perm_ops] = rotated
        return out

    def stabiliser(self, field: np.ndarray, rho: np.ndarray, tol: float) -> np.ndarray:
        """Boolean (n, m): which elements t∘g_m leave the per-atom field unchanged (max |Δ| <= tol)."""
        images = self.apply_ops(field, rho)  # D(g_m) f
        out = np.empty((self.n_trans, self.n_ops), dtype=bool)
        for t in range(self.n_trans):
            shifted = field[self.perm_trans[t]]  # (D(t) Y = f)  <=>  Y[i] = f[perm_t[i]]
            out[t] = np.abs(images - shifted[None]).reshape(self.n_ops, -1).max(axis=1) <= tol
        return out

    def project(self, field: np.ndarray, rho: np.ndarray, weights: np.ndarray,
                images: np.ndarray | None = None) -> np.ndarray:
        """Σ_{t,m} weights[t, m] D(t∘g_m) f (weights such as characters); ``images``: the field's
        :meth:`apply_ops`, when already computed."""
        images = self.apply_ops(field, rho) if images is None else images
        z = np.einsum("tm,mic->tic", weights, images)
        out = np.zeros_like(field)
        np.add.at(out, self.perm_trans, z)
        return out

    def operations(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The elements selected by a (n, m) mask as (rotations, translations) in the basis of T'."""
        t_idx, m_idx = np.nonzero(mask)
        inv = np.linalg.inv(self.cell)
        rot = np.rint(np.einsum("ij,njk,kl->nil", inv, self.table.rotations[m_idx].astype(float), self.cell))
        trans = (self.table.translations[m_idx] + self.translations[t_idx]) @ inv.T
        return rot.astype(np.intc), trans - np.floor(trans + 1e-9)

    @property
    def cartesian_cell(self) -> np.ndarray:
        """Rows: the basis vectors of T' in Cartesian Å."""
        return (self.basis @ self.cell).T

