"""Cartesian tensors with index symmetries as O(3) irreps: an orthonormal change of basis.

Route: the indices moved by the formula's permutations are coupled one vector at a time with
real Clebsch–Gordan coefficients (1 x 1 -> L, L x 1 -> L', ...), an orthonormal irreps basis of
(R^3)^(x r). The signed symmetriser commutes with O(3), so on the multiplicity space of each L it
is a small matrix, computed from a single m-component of the basis and the generators only; its
fixed subspace (eigenvalue-0 space of sum_g (2 - s_g (A_g + A_g^T))) gives the symmetric copies of
L. Indices no permutation moves are coupled afterwards. Multiplicities are checked against the
exact character count (characters are the authority).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np

from symcompile.errors import InputError, SymcompileError
from symcompile.tensors.characters import multiplicities, tensor_irreps
from symcompile.tensors.formula import TensorFormula, parse_formula

__all__ = ["CartesianTensor", "MAX_BASIS_BYTES"]

#: The largest change of basis (and intermediate coupling basis) built, in bytes (float64).
MAX_BASIS_BYTES = 3 * 2**30

Blocks = dict[int, np.ndarray]  # l -> array [multiplicity, 2l+1, 3**k]


@functools.lru_cache(maxsize=None)
def _coupler(l: int, L: int) -> np.ndarray:
    """sqrt(2L+1) * wigner_3j(l, 1, L): isometry (l x 1 -> L), shape (2l+1, 3, 2L+1)."""
    from symcompile.o3 import wigner_3j

    W = np.sqrt(2 * L + 1) * wigner_3j(l, 1, L)
    W.setflags(write=False)
    return W


def _couple_vector(blocks: Blocks) -> Blocks:
    """Couple one more vector index (appended last) to an irreps basis."""
    out: dict[int, list[np.ndarray]] = {}
    for l, B in sorted(blocks.items()):
        mul, dl, D = B.shape
        for L in range(abs(l - 1), l + 2):
            if l == 0 and L != 1:
                continue
            W = _coupler(l, L)  # (dl, 3, dL)
            # new[c, M, I, j] = sum_m W[m, j, M] B[c, m, I]
            X = np.einsum("cmI,mjM->cMIj", B, W, optimize=True).reshape(mul, 2 * L + 1, D * 3)
            out.setdefault(L, []).append(X)
    return {L: np.concatenate(xs, axis=0) for L, xs in sorted(out.items())}


@functools.lru_cache(maxsize=4)
def _full_basis(rank: int) -> Blocks:
    """Orthonormal irreps basis of (R^3)^(x rank) by sequential coupling (cached, read-only)."""
    blocks: Blocks = {0: np.ones((1, 1, 1))}
    for _ in range(rank):
        blocks = _couple_vector(blocks)
    for B in blocks.values():
        B.setflags(write=False)
    return blocks


def _apply_perm(S: np.ndarray, perm: tuple[int, ...]) -> np.ndarray:
    """Rows of S (each a tensor of rank len(perm), flattened) with the indices permuted."""
    r = len(perm)
    T = S.reshape((S.shape[0],) + (3,) * r)
    return np.ascontiguousarray(T.transpose((0,) + tuple(1 + p for p in perm))).reshape(S.shape[0], -1)


def _symmetrised_blocks(f: TensorFormula) -> Blocks:
    """Irreps basis of the formula's subspace (all indices of ``f`` are coupled)."""
    r = f.rank
    target = multiplicities(f)
    if not f.generators:
        return _full_basis(r)
    prev = _full_basis(r - 1)
    result: Blocks = {}
    for L, k in sorted(target.items()):
        parts = []  # (l', B_l')
        slices = []
        for lp in (L - 1, L, L + 1):
            if lp < 0 or lp not in prev or (lp == 0 and L != 1):
                continue
            B = prev[lp]
            W = _coupler(lp, L)[:, :, L]  # fixed component M = L (m = 0)
            slices.append(np.einsum("pmI,mj->pIj", B, W).reshape(B.shape[0], -1))
            parts.append((lp, B))
        S = np.concatenate(slices, axis=0)
        K = np.zeros((S.shape[0], S.shape[0]))
        for sign, perm in f.generators:
            A = S @ _apply_perm(S, perm).T
            K += 2.0 * np.eye(len(K)) - sign * (A + A.T)
        evals, evecs = np.linalg.eigh(K)
        if evals[k - 1] > 1e-7 or (k < len(evals) and evals[k] < 1e-5):
            raise SymcompileError(f"numerical symmetrisation of l={L} disagrees with the exact multiplicity {k}")
        U = evecs[:, :k]
        Q = None
        start = 0
        for lp, B in parts:
            n = B.shape[0]
            Y = (U[start:start + n].T @ B.reshape(n, -1)).reshape(k, B.shape[1], -1)  # [c, m, I]
            X = np.einsum("cmI,mjM->cMIj", Y, _coupler(lp, L), optimize=True).reshape(k, 2 * L + 1, -1)
            Q = X if Q is None else Q + X
            start += n
        result[L] = Q  # type: ignore[assignment]
    return result


def _check_budget(f: TensorFormula, moved: int, dim: int) -> None:
    need = max(dim * 3**f.rank, 3 ** (2 * max(moved - 1, 0)), 1) * 8
    if need > MAX_BASIS_BYTES:
        raise InputError(f"the change of basis of {f.text!r} needs about {need / 2**30:.1f} GiB "
                         f"(limit {MAX_BASIS_BYTES / 2**30:.0f} GiB); irreps and counts are still available")


@functools.lru_cache(maxsize=4)
def _change_of_basis(f: TensorFormula) -> np.ndarray:
    n = f.rank
    target = multiplicities(f)
    dim = sum(m * (2 * l + 1) for l, m in target.items())
    moved = sorted({k for _, p in f.generators for k in range(n) if p[k] != k})
    if any(p == tuple(range(n)) for _, p in f.generators):  # (identity, -1): everything vanishes
        moved = moved or [0]
    _check_budget(f, len(moved), dim)
    if dim == 0:
        return np.zeros((0,) + (3,) * n)
    free = [k for k in range(n) if k not in moved]
    if moved:
        sub_gens = tuple((s, tuple(moved.index(p[k]) for k in moved)) for s, p in f.generators)
        sub = replace(f, text=f.text, indices="".join(f.indices[k] for k in moved), generators=sub_gens,
                      index_types=tuple(f.index_types[k] for k in moved))
        blocks = _symmetrised_blocks(sub)
    else:
        blocks = {0: np.ones((1, 1, 1))}
    for _ in free:
        blocks = _couple_vector(blocks)
    got = {l: B.shape[0] for l, B in blocks.items() if B.shape[0]}
    if got != target:
        raise SymcompileError(f"change of basis multiplicities {got} differ from the exact ones {target}")
    order = moved + free  # axis k of the built tensors is original index order[k]
    Q = np.concatenate([B.reshape(-1, 3**n) for _, B in sorted(blocks.items())], axis=0)
    Q = Q.reshape((dim,) + (3,) * n)
    inverse = [order.index(k) for k in range(n)]
    Q = np.ascontiguousarray(Q.transpose((0,) + tuple(1 + a for a in inverse)))
    Q.setflags(write=False)
    return Q


class CartesianTensor:
    """A Cartesian tensor with index symmetries, decomposed into O(3) irreps.

    >>> t = CartesianTensor("ijkl=jikl=klji")
    >>> str(t.irreps), t.dim
    ('2x0e+2x2e+1x4e', 21)

    ``formula`` is an e3nn formula or a named tensor (``"elastic"``, ``"piezoelectric"``...);
    per-index types as ``index_types={"i": "1e"}`` or e3nn-style keywords ``i="1e"``;
    ``axial=True`` for an axial (pseudo) tensor. ``change_of_basis`` has orthonormal rows,
    shape ``[dim, 3, ..., 3]``, in the order of ``irreps``; ``from_cartesian(R.T)`` equals
    ``irreps.D_from_matrix(R) @ from_cartesian(T)`` (with det(R) per pseudovector index and
    for an axial tensor).
    """

    def __init__(self, formula: str | TensorFormula, index_types: dict[str, str] | None = None,
                 axial: bool | None = None, **letters: str) -> None:
        self.formula: TensorFormula = parse_formula(formula, index_types=index_types, axial=axial, **letters)

    @property
    def rank(self) -> int:
        return self.formula.rank

    @property
    def indices(self) -> str:
        return self.formula.indices

    @functools.cached_property
    def irreps(self) -> Any:
        """o3.Irreps sorted by l, e.g. ``2x0e+2x2e+1x4e`` (exact, from characters)."""
        return tensor_irreps(self.formula)

    @property
    def dim(self) -> int:
        return int(self.irreps.dim)

    @property
    def change_of_basis(self) -> np.ndarray:
        """Orthonormal rows Q, shape [dim, 3, ..., 3]: T = sum_a x_a Q_a (built on first use, cached)."""
        return _change_of_basis(self.formula)

    def to_cartesian(self, x: np.ndarray) -> np.ndarray:
        """Irreps coefficients [..., dim] -> Cartesian tensor [..., 3, ..., 3]."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[-1:] != (self.dim,):
            raise InputError(f"expected irreps coefficients of size {self.dim}, got shape {x.shape}")
        Q = self.change_of_basis.reshape(self.dim, 3**self.rank)
        return (x @ Q).reshape(x.shape[:-1] + (3,) * self.rank)

    def from_cartesian(self, T: np.ndarray) -> np.ndarray:
        """Cartesian tensor [..., 3, ..., 3] -> irreps coefficients [..., dim] (projects onto the symmetric part)."""
        T = np.asarray(T, dtype=np.float64)
        if T.shape[T.ndim - self.rank:] != (3,) * self.rank:
            raise InputError(f"expected a tensor ending in {self.rank} axes of size 3, got shape {T.shape}")
        Q = self.change_of_basis.reshape(self.dim, 3**self.rank)
        flat = T.reshape(T.shape[: T.ndim - self.rank] + (-1,))
        return flat @ Q.T

    def symbolic_basis(self) -> dict[str, list[Any]]:
        """Exact (sympy, rational) basis of each isotypic component, keyed by irrep (``"0e"``...)."""
        from symcompile.tensors.symbolic import isotypic_basis

        return isotypic_basis(self.formula)

    def __repr__(self) -> str:
        return f"CartesianTensor({str(self.formula)!r}, irreps={self.irreps})"
