"""Real Wigner D matrices and real Clebsch-Gordan coefficients (wigner_3j) of SO(3) (numpy, float64).

Basis: real spherical harmonics as in e3nn >= 0.5 (l = 1 ordered (x, y, z), so ``wigner_D(1, R) == R``).
``wigner_3j`` = exact Racah SU(2) Clebsch-Gordan (python integers) mapped to the real basis with
e3nn's change of basis; ``wigner_D(l, R)`` is built from ``D_1 = R`` by coupling ``D_{l-1} x D_1 -> D_l``
with those coefficients, so it is an exact homomorphism to round-off and needs no Euler angles.

Sign convention of wigner_3j: identical to e3nn 0.6 (same SU(2) phases -- Condon-Shortley / qutip
Racah formula -- and the same real<->complex change of basis including its (-i)^l factor); the tests
compare element-wise without sign freedom.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import List

import numpy as np

from symcompile.o3.rotations import check_orthogonal

__all__ = [
    "wigner_3j",
    "wigner_D",
    "wigner_D_list",
    "su2_clebsch_gordan",
    "change_basis_real_to_complex",
    "so3_generators",
]


def _fact(n: int) -> int:
    return math.factorial(n)


def _cg_coeff(j1: int, m1: int, j2: int, m2: int, j3: int, m3: int) -> float:
    """<j1 m1 j2 m2 | j3 m3> (Condon-Shortley) for integer j, exact rational arithmetic, one rounding."""
    if m3 != m1 + m2:
        return 0.0
    vmin = max(-j1 + j2 + m3, -j1 + m1, 0)
    vmax = min(j2 + j3 + m1, j3 - j1 + j2, j3 + m3)
    pref = Fraction(
        (2 * j3 + 1) * _fact(j3 + j1 - j2) * _fact(j3 - j1 + j2) * _fact(j1 + j2 - j3) * _fact(j3 + m3) * _fact(j3 - m3),
        _fact(j1 + j2 + j3 + 1) * _fact(j1 - m1) * _fact(j1 + m1) * _fact(j2 - m2) * _fact(j2 + m2),
    )
    s = Fraction(0)
    for v in range(vmin, vmax + 1):
        s += (-1) ** ((v + j2 + m2) % 2) * Fraction(
            _fact(j2 + j3 + m1 - v) * _fact(j1 - m1 + v),
            _fact(v) * _fact(j3 - j1 + j2 - v) * _fact(j3 + m3 - v) * _fact(v + j1 - j2 - m3),
        )
    if s == 0:
        return 0.0
    return math.copysign(math.sqrt(pref * s * s), s)


@functools.lru_cache(maxsize=None)
def _su2_cg(l1: int, l2: int, l3: int) -> np.ndarray:
    C = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1))
    for m1 in range(-l1, l1 + 1):
        for m2 in range(max(-l2, -l3 - m1), min(l2, l3 - m1) + 1):
            C[l1 + m1, l2 + m2, l3 + m1 + m2] = _cg_coeff(l1, m1, l2, m2, l3, m1 + m2)
    C.setflags(write=False)
    return C


def su2_clebsch_gordan(l1: int, l2: int, l3: int) -> np.ndarray:
    """Complex-basis (|l m>, m = -l..l) Clebsch-Gordan <l1 m1 l2 m2 | l3 m3>, shape (2l1+1, 2l2+1, 2l3+1)."""
    _check_triangle(l1, l2, l3)
    return _su2_cg(l1, l2, l3).copy()


@functools.lru_cache(maxsize=None)
def _q(l: int) -> np.ndarray:
    q = np.zeros((2 * l + 1, 2 * l + 1), dtype=np.complex128)
    s = 1 / math.sqrt(2)
    for m in range(-l, 0):
        q[l + m, l + abs(m)] = s
        q[l + m, l - abs(m)] = -1j * s
    q[l, l] = 1
    for m in range(1, l + 1):
        q[l + m, l + abs(m)] = (-1) ** m * s
        q[l + m, l - abs(m)] = 1j * (-1) ** m * s
    q = (-1j) ** l * q
    q.setflags(write=False)
    return q


def change_basis_real_to_complex(l: int) -> np.ndarray:
    """Unitary Q (complex128) with ``Y_complex = Q @ Y_real`` (rows: complex m, columns: real m), as in e3nn."""
    return _q(l).copy()


def _su2_generators(l: int) -> np.ndarray:
    m = np.arange(-l, l)
    raising = np.diag(-np.sqrt(l * (l + 1) - m * (m + 1.0)), k=-1)
    m = np.arange(-l + 1, l + 1)
    lowering = np.diag(np.sqrt(l * (l + 1) - m * (m - 1.0)), k=1)
    m = np.arange(-l, l + 1)
    return np.stack([0.5 * (raising + lowering), np.diag(1j * m), -0.5j * (raising - lowering)])


@functools.lru_cache(maxsize=None)
def _so3_generators(l: int) -> np.ndarray:
    Q = _q(l)
    X = np.conj(Q.T) @ _su2_generators(l) @ Q
    assert np.abs(X.imag).max() < 1e-12
    out = np.ascontiguousarray(X.real)
    out.setflags(write=False)
    return out


def so3_generators(l: int) -> np.ndarray:
    """Real antisymmetric generators X (3, 2l+1, 2l+1) of rotations about x, y, z (same as e3nn's).

    ``wigner_D(l, expm(t L_k)) == expm(t X[k])`` with L_k the 3x3 generators; ``so3_generators(1)[k] == L_k``.
    """
    return _so3_generators(l).copy()


def _check_triangle(l1: int, l2: int, l3: int) -> None:
    for l in (l1, l2, l3):
        if not isinstance(l, (int, np.integer)) or l < 0:
            raise ValueError(f"l must be a non-negative integer, got {l!r}")
    if not abs(l1 - l2) <= l3 <= l1 + l2:
        raise ValueError(f"(l1, l2, l3) = ({l1}, {l2}, {l3}) violates the triangle condition")


@functools.lru_cache(maxsize=None)
def _real_3j(l1: int, l2: int, l3: int) -> np.ndarray:
    C = _su2_cg(l1, l2, l3).astype(np.complex128)
    Q1, Q2, Q3 = _q(l1), _q(l2), _q(l3)
    # C_real[j, l, m] = sum Q1[i, j] Q2[k, l] conj(Q3[n, m]) C[i, k, n]
    Cr = np.einsum("ij,kl,nm,ikn->jlm", Q1, Q2, np.conj(Q3), C, optimize=True)
    assert np.abs(Cr.imag).max() < 1e-10, "real Clebsch-Gordan coefficients came out complex"
    Cr = np.ascontiguousarray(Cr.real)
    Cr[np.abs(Cr) < 1e-15] = 0.0  # exact zeros where the complex->real mixing cancels
    Cr /= np.linalg.norm(Cr)
    Cr.setflags(write=False)
    return Cr


def wigner_3j(l1: int, l2: int, l3: int) -> np.ndarray:
    """Real Clebsch-Gordan tensor C of shape (2l1+1, 2l2+1, 2l3+1), Frobenius norm 1.

    Invariant: ``C == einsum('ia,jb,kc,abc->ijk', D1, D2, D3, C)`` for D = wigner_D(l, R), any R in SO(3).
    Same values and signs as ``e3nn.o3.wigner_3j`` (0.6). Cached; returns a fresh writable copy.
    """
    _check_triangle(l1, l2, l3)
    return _real_3j(int(l1), int(l2), int(l3)).copy()


def _wigner_3j_ro(l1: int, l2: int, l3: int) -> np.ndarray:
    """Read-only cached 3j (no copy) for internal hot paths."""
    return _real_3j(l1, l2, l3)


@functools.lru_cache(maxsize=None)
def _coupling(l: int) -> np.ndarray:
    """(2l+1) * wigner_3j(l-1, 1, l) -- the isometry factor for D_l = M^T (D_{l-1} x R) M."""
    M = np.sqrt(2 * l + 1) * _real_3j(l - 1, 1, l)
    M.setflags(write=False)
    return M


def _next_D(Dprev: np.ndarray, R: np.ndarray, l: int) -> np.ndarray:
    # D_l[k, m] = (2l+1) sum_{i j a b} C[i, j, k] Dprev[i, a] R[j, b] C[a, b, m]
    M = _coupling(l)  # (2l-1, 3, 2l+1), scaled so that M^T M = 1 on the (i, j) pairs
    n1 = 2 * l - 1
    n = 2 * l + 1
    # X[..., a, j, m] = sum_b R[..., j, b] M[a, b, m]
    X = np.einsum("...jb,abm->...ajm", R, M)
    # Y[..., i, j, m] = sum_a Dprev[..., i, a] X[..., a, j, m]
    Y = Dprev @ X.reshape(X.shape[:-3] + (n1, 3 * n))
    Y = Y.reshape(Y.shape[:-2] + (n1 * 3, n))
    return np.swapaxes(M.reshape(n1 * 3, n), 0, 1) @ Y


def wigner_D_list(lmax: int, R: np.ndarray) -> List[np.ndarray]:
    """``[wigner_D(l, R) for l in range(lmax + 1)]`` computed in one pass (R proper, (..., 3, 3))."""
    R = check_orthogonal(R)
    if np.any(np.linalg.det(R) < 0):
        raise ValueError("wigner_D needs proper rotations (det = +1); use Irrep.D_from_matrix for O(3)")
    batch = R.shape[:-2]
    out = [np.ones(batch + (1, 1))]
    if lmax >= 1:
        out.append(R.copy())
    for l in range(2, lmax + 1):
        out.append(_next_D(out[-1], R, l))
    return out[: lmax + 1]


def wigner_D(l: int, R: np.ndarray) -> np.ndarray:
    """Real Wigner D matrix of degree l for proper rotation(s) R (3, 3) or (..., 3, 3).

    Same basis as e3nn's ``wigner_D(l, *matrix_to_angles(R))``; ``wigner_D(1, R) == R``;
    ``spherical_harmonics(l, R x) == wigner_D(l, R) @ spherical_harmonics(l, x)``.
    """
    if not isinstance(l, (int, np.integer)) or l < 0:
        raise ValueError(f"l must be a non-negative integer, got {l!r}")
    return wigner_D_list(int(l), R)[int(l)]
