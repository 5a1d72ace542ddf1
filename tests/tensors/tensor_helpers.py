"""Independent brute-force tools for the tensor tests: everything in the full 3^n Cartesian space."""

from __future__ import annotations

import itertools
import math

import numpy as np

from symcompile.tensors.characters import signed_permutation_group
from symcompile.tensors.formula import TensorFormula, parse_formula


def rotate(T: np.ndarray, R: np.ndarray, rank: int | None = None) -> np.ndarray:
    """R acting on each of the last ``rank`` indices of T."""
    n = T.ndim if rank is None else rank
    lead = T.ndim - n
    for k in range(n):
        T = np.moveaxis(np.tensordot(R, T, axes=([1], [lead + k])), 0, lead + k)
    return T


def tensor_rep(f: TensorFormula, g: np.ndarray) -> np.ndarray:
    """The 3^n x 3^n matrix of g acting on the formula's tensors (det per pseudovector index, axial)."""
    det = float(np.sign(np.linalg.det(g)))
    M = np.ones((1, 1))
    for t in f.index_types:
        M = np.kron(M, g * (det if t == "1e" else 1.0))
    return M * (det if f.axial else 1.0)


def index_projector(formula: str | TensorFormula, **kw: object) -> np.ndarray:
    """(1/|H|) sum_h sign(h) pi(h) on the 3^n space, H enumerated in full."""
    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    n = f.rank
    eye = np.eye(3**n).reshape((3**n,) + (3,) * n)
    P = np.zeros((3**n, 3**n))
    H = signed_permutation_group(f)
    for s, p in H:
        P += s * eye.transpose((0,) + tuple(1 + a for a in p)).reshape(3**n, 3**n)
    return P / len(H)


def dof_by_svd(formula: str | TensorFormula, matrices: np.ndarray, **kw: object) -> int:
    """Independent components: rank of (group average) x (index projector), by singular values."""
    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    P = index_projector(f)
    A = sum(tensor_rep(f, g) for g in matrices) / len(matrices)
    s = np.linalg.svd(A @ P, compute_uv=False)
    assert np.all((s < 1e-8) | (s > 1 - 1e-8)), "not a projector"
    return int(np.sum(s > 0.5))


PAIRS = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]


def voigt_to_tensor(name: str, rows: list[list[str]], values: dict[str, float]) -> np.ndarray:
    """Rebuild the Cartesian tensor from the printed Voigt matrix, with the documented factors."""
    f = parse_formula(name)
    env = dict(values)
    M = np.array([[eval(e.replace("√3", "math.sqrt(3)"), {"math": math}, env) for e in row] for row in rows])  # noqa: S307
    sf = f.shear_factor
    if f.rank == 1:
        return M[0]
    if f.rank == 2:
        return M
    T = np.zeros((3,) * f.rank)
    if M.shape == (3, 6):
        for i, a in itertools.product(range(3), range(6)):
            for j, k in {PAIRS[a], PAIRS[a][::-1]}:
                T[i, j, k] = M[i, a] / (sf if a >= 3 else 1)
    elif M.shape == (6, 3):
        for a, k in itertools.product(range(6), range(3)):
            for i, j in {PAIRS[a], PAIRS[a][::-1]}:
                T[i, j, k] = M[a, k] / (sf if a >= 3 else 1)
    else:
        for a, b in itertools.product(range(6), range(6)):
            for (i, j), (k, l) in itertools.product({PAIRS[a], PAIRS[a][::-1]}, {PAIRS[b], PAIRS[b][::-1]}):
                T[i, j, k, l] = M[a, b] / ((sf if a >= 3 else 1) * (sf if b >= 3 else 1))
    return T
