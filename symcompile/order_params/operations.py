"""Space-group operations acting on the atoms of one cell: permutations and Cartesian rotations.

An operation (W, t) maps fractional x to W x + t; on a periodic cell it permutes the atoms,
and on a per-atom irreps feature f it acts as f'[perm[i]] = D(R) f[i] with R = A W A^-1 the
Cartesian (possibly improper) rotation (A: lattice vectors as columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symcompile.order_params.crystal import Crystal, quiet_spglib, wrap_delta


@dataclass(frozen=True, eq=False)
class Operations:
    """A finite set of operations of a cell, modulo its lattice translations."""

    rotations: np.ndarray  # (n, 3, 3) int, fractional
    translations: np.ndarray  # (n, 3) fractional in [0, 1)
    cart: np.ndarray  # (n, 3, 3) orthogonal Cartesian matrices
    perms: np.ndarray  # (n, N) int: atom i goes to atom perms[k, i]

    def __len__(self) -> int:
        return len(self.rotations)

    def subset(self, mask: np.ndarray) -> Operations:
        idx = np.flatnonzero(mask)
        return Operations(self.rotations[idx], self.translations[idx], self.cart[idx], self.perms[idx])

    @property
    def pure_translations(self) -> np.ndarray:
        """Mask of the operations whose rotation is the identity."""
        return np.all(self.rotations == np.eye(3, dtype=int), axis=(1, 2))


def cartesian_rotation(lattice: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Nearest orthogonal matrix to A W A^-1 (A = lattice.T), exact for an ideal lattice."""
    A = lattice.T
    R = A @ W @ np.linalg.inv(A)
    u, _, vt = np.linalg.svd(R)
    return u @ vt


def atom_permutation(crystal: Crystal, W: np.ndarray, t: np.ndarray, tol: float) -> np.ndarray | None:
    """perm[i] = j with W x_i + t = x_j (same species, within ``tol`` Å), or None."""
    image = crystal.frac @ W.T + t
    diff = wrap_delta(image[:, None, :] - crystal.frac[None, :, :])
    dist = np.linalg.norm(diff @ crystal.lattice, axis=-1)
    same = np.array(crystal.symbols)[:, None] == np.array(crystal.symbols)[None, :]
    dist = np.where(same, dist, np.inf)
    perm = dist.argmin(axis=1)
    if not np.all(dist[np.arange(crystal.n), perm] <= tol) or len(set(perm.tolist())) != crystal.n:
        return None
    return perm


def operations_of(crystal: Crystal, symprec: float, angle_tol: float | None = None,
                  perm_tol: float | None = None) -> Operations:
    """spglib's operations of ``crystal`` in its own cell, with atom permutations."""
    import spglib

    with quiet_spglib():
        sym = spglib.get_symmetry(crystal.cell, symprec=symprec,
                                  angle_tolerance=-1.0 if angle_tol is None else angle_tol)
    if sym is None:
        raise RuntimeError("spglib found no symmetry operations")
    return build_operations(crystal, sym["rotations"], sym["translations"], perm_tol or 2 * symprec)


def build_operations(crystal: Crystal, rotations: np.ndarray, translations: np.ndarray, tol: float) -> Operations:
    rots, trans, carts, perms = [], [], [], []
    for W, t in zip(np.asarray(rotations, dtype=int), np.asarray(translations, dtype=float)):
        perm = atom_permutation(crystal, W, t, tol)
        if perm is None:
            continue
        rots.append(W)
        trans.append(t - np.floor(t + 1e-9))
        carts.append(cartesian_rotation(crystal.lattice, W))
        perms.append(perm)
    return Operations(np.array(rots, dtype=int).reshape(-1, 3, 3), np.array(trans).reshape(-1, 3),
                      np.array(carts).reshape(-1, 3, 3), np.array(perms, dtype=int).reshape(-1, crystal.n))


def preserves(crystal: Crystal, ops: Operations, tol: float) -> np.ndarray:
    """Mask of the operations (with their given permutations) that map ``crystal`` onto itself."""
    out = np.zeros(len(ops), dtype=bool)
    for k in range(len(ops)):
        image = crystal.frac @ ops.rotations[k].T + ops.translations[k]
        diff = wrap_delta(image - crystal.frac[ops.perms[k]])
        out[k] = float(np.linalg.norm(diff @ crystal.lattice, axis=-1).max()) <= tol
    return out


def space_group_type(ops: Operations, lattice: np.ndarray, symprec: float) -> dict[str, object]:
    """``{"number", "symbol"}`` of a set of operations, by spglib.get_spacegroup_type_from_symmetry."""
    import spglib

    with quiet_spglib():
        sgt = spglib.get_spacegroup_type_from_symmetry(ops.rotations.astype(np.intc), ops.translations, lattice,
                                                       symprec=symprec)
    if sgt is None:
        return {"number": None, "symbol": None}
    return {"number": int(sgt.number), "symbol": str(sgt.international_short)}
