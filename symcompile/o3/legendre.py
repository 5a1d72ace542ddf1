"""Real spherical harmonics by the associated-Legendre recurrence (numpy; shared tables for the torch version).

Basis of e3nn >= 0.5, component normalisation (sum_m Y_lm^2 = 2l+1 on the unit sphere): the polar axis is
y and the azimuth runs from z towards x, so with w = z + i x and F_l^m the normalised Legendre polynomial
part (homogeneous, degree l - m in (y, r^2)):

    Y_l,m = s_lm F_l^m(y, r^2) Re(w^m),   Y_l,-m = s_lm F_l^m(y, r^2) Im(w^m),   m >= 0,

    F_l^m = a_lm y F_{l-1}^m - b_lm r^2 F_{l-2}^m,   F_m^m = sqrt((2m+1)(2 - d_m0)(2m-1)!!/(2m)!!).

The signs s_lm are *derived* (not copied): e3nn defines Y^{l+1} as a positive multiple of
wigner_3j(l+1, 1, l) contracted with x and Y^l, and we reproduce that recursion with our own wigner_3j.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple, Union

import numpy as np

from symcompile.o3.wigner import _wigner_3j_ro

__all__ = ["SHTables", "sh_tables", "parse_ls", "spherical_harmonics_np"]


@dataclass(frozen=True)
class SHTables:
    """Precomputed constants for degrees 0..lmax (all float64 numpy arrays, read-only)."""

    lmax: int
    a: Tuple[np.ndarray, ...]  # a[l] shape (l,) for m = 0..l-1 (a[0] empty)
    b: Tuple[np.ndarray, ...]  # b[l] shape (l,) for m = 0..l-1 (zero where l - m - 1 <= 0)
    diag: np.ndarray  # F_m^m, shape (lmax+1,)
    signs: Tuple[np.ndarray, ...]  # signs[l] shape (2l+1,), index l + m

    def gather_index(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the flat output (l, m) -> (row of F in the packed (l, |m|) table, row of [Re w^m | Im w^m],
        sign). Packed F rows: offset l(l+1)/2 + |m|. Trig rows: m >= 0 -> m, m < 0 -> lmax + |m|."""
        return _gather_index(self.lmax)


def _double_factorial_ratio(m: int) -> float:
    """(2m-1)!! / (2m)!! exactly, then rounded once."""
    num, den = 1, 1
    for k in range(1, m + 1):
        num *= 2 * k - 1
        den *= 2 * k
    return num / den


@functools.lru_cache(maxsize=None)
def _unsigned_tables(lmax: int) -> Tuple[Tuple[np.ndarray, ...], Tuple[np.ndarray, ...], np.ndarray]:
    a_list: List[np.ndarray] = [np.zeros(0)]
    b_list: List[np.ndarray] = [np.zeros(0)]
    for l in range(1, lmax + 1):
        m = np.arange(l, dtype=np.float64)
        a = np.sqrt((2 * l + 1) * (2 * l - 1) / ((l - m) * (l + m)))
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.sqrt(np.maximum((2 * l + 1) * (l + m - 1) * (l - m - 1), 0.0) / ((2 * l - 3) * (l - m) * (l + m)))
        b = np.where(l - m - 1 > 0, b, 0.0)
        a_list.append(a)
        b_list.append(b)
    diag = np.array(
        [math.sqrt((2 * m + 1) * (2.0 if m > 0 else 1.0) * _double_factorial_ratio(m)) for m in range(lmax + 1)]
    )
    for arr in (*a_list, *b_list, diag):
        arr.setflags(write=False)
    return tuple(a_list), tuple(b_list), diag


def _legendre_unsigned(lmax: int, v: np.ndarray) -> List[np.ndarray]:
    """Unsigned Y_l (l = 0..lmax) at points v (..., 3) using the recurrence; list of (..., 2l+1)."""
    a, b, diag = _unsigned_tables(lmax)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    r2 = x * x + y * y + z * z
    w = z + 1j * x
    wm = [np.ones_like(w)]
    for _ in range(lmax):
        wm.append(wm[-1] * w)
    F: List[List[np.ndarray]] = []  # F[l][m]
    for l in range(lmax + 1):
        row = []
        for m in range(l):
            t = a[l][m] * y * F[l - 1][m]
            if l - m - 1 > 0:
                t = t - b[l][m] * r2 * F[l - 2][m]
            row.append(t)
        row.append(np.full(x.shape, diag[l]))
        F.append(row)
    out = []
    for l in range(lmax + 1):
        comps = [F[l][abs(m)] * (wm[abs(m)].imag if m < 0 else wm[m].real) for m in range(-l, l + 1)]
        out.append(np.stack(comps, axis=-1))
    return out


@functools.lru_cache(maxsize=None)
def _signs(lmax: int) -> Tuple[np.ndarray, ...]:
    # e3nn's definition: Y^0 = 1, Y^1 = sqrt(3) x, Y^{l+1} ∝+ C(l+1, 1, l)_{ijk} x_j Y^l_k (positive factor).
    pts = np.array([[0.3, 0.5, 0.8], [-0.7, 0.2, 0.45], [0.15, -0.6, -0.35]])
    pts /= np.linalg.norm(pts, axis=-1, keepdims=True)
    unsigned = _legendre_unsigned(lmax, pts)
    rec = [np.ones((len(pts), 1))]
    if lmax >= 1:
        rec.append(np.sqrt(3) * pts)
    for l in range(1, lmax):
        C = _wigner_3j_ro(l + 1, 1, l)
        nxt = np.einsum("ijk,pj,pk->pi", C, pts, rec[-1])
        rec.append(nxt / np.linalg.norm(nxt, axis=-1, keepdims=True) * np.sqrt(2 * l + 3))
    signs = []
    for l in range(lmax + 1):
        u, r = unsigned[l], rec[l]
        best = np.argmax(np.abs(u), axis=0)  # per component, the point where it is largest
        cols = np.arange(2 * l + 1)
        ratio = r[best, cols] / u[best, cols]
        if not np.allclose(np.abs(ratio), 1.0, atol=1e-9) or not np.allclose(r, u * np.sign(ratio), atol=1e-9):
            raise AssertionError(f"spherical harmonics basis mismatch at l={l}")  # pragma: no cover
        s = np.sign(ratio)
        s.setflags(write=False)
        signs.append(s)
    return tuple(signs)


@functools.lru_cache(maxsize=None)
def sh_tables(lmax: int) -> SHTables:
    """Recurrence coefficients, diagonal start values and derived signs for degrees 0..lmax (cached)."""
    if not isinstance(lmax, int) or lmax < 0:
        raise ValueError(f"lmax must be a non-negative integer, got {lmax!r}")
    a, b, diag = _unsigned_tables(lmax)
    return SHTables(lmax=lmax, a=a, b=b, diag=diag, signs=_signs(lmax))


@functools.lru_cache(maxsize=None)
def _gather_index(lmax: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    signs = _signs(lmax)
    f_idx, t_idx, sgn = [], [], []
    for l in range(lmax + 1):
        for m in range(-l, l + 1):
            f_idx.append(l * (l + 1) // 2 + abs(m))
            t_idx.append(m if m >= 0 else lmax + abs(m))
            sgn.append(signs[l][l + m])
    out = (np.array(f_idx), np.array(t_idx), np.array(sgn))
    for arr in out:
        arr.setflags(write=False)
    return out


def parse_ls(ls: Union[int, Sequence[int], str, object]) -> List[int]:
    """Degrees requested: an int, a list of ints, or irreps (``"0e+1o+2e"`` / Irreps; multiplicities repeat)."""
    if isinstance(ls, (int, np.integer)) and not isinstance(ls, bool):
        out = [int(ls)]
    elif isinstance(ls, str) or type(ls).__name__ == "Irreps":
        from symcompile.o3.irreps import Irreps

        out = Irreps(ls).ls
    else:
        out = [int(l) for l in ls]  # type: ignore[union-attr]
    if not out:
        raise ValueError("no degrees l requested")
    if min(out) < 0:
        raise ValueError(f"degrees must be non-negative, got {out}")
    return out


def spherical_harmonics_np(
    ls: Union[int, Sequence[int], str, object], vectors: np.ndarray, normalize: bool = True
) -> np.ndarray:
    """Real spherical harmonics (numpy, float64) of ``vectors`` (..., 3): shape (..., sum(2l+1)).

    Component normalised, the same values as ``e3nn.o3.spherical_harmonics(ls, v, normalize,
    normalization='component')``. With ``normalize=False`` they are the homogeneous polynomials r^l Y_l.
    Zero vectors give (1, 0, 0, ...).
    """
    lsl = parse_ls(ls)
    lmax = max(lsl)
    v = np.asarray(vectors, dtype=np.float64)
    if v.shape[-1:] != (3,):
        raise ValueError(f"vectors must have shape (..., 3), got {v.shape}")
    if normalize:
        n = np.linalg.norm(v, axis=-1, keepdims=True)
        v = v / np.where(n > 0, n, 1.0)
    t = sh_tables(lmax)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    r2 = x * x + y * y + z * z
    npts = x.size
    x, y, z, r2 = (q.reshape(npts) for q in (x, y, z, r2))
    # packed F table, rows (l, m) with m = 0..l
    F = np.empty(((lmax + 1) * (lmax + 2) // 2, npts))
    F[0] = t.diag[0]
    for l in range(1, lmax + 1):
        o, o1 = l * (l + 1) // 2, (l - 1) * l // 2
        cur = F[o : o + l]
        np.multiply(t.a[l][:, None], F[o1 : o1 + l], out=cur)
        cur *= y
        if l >= 2:
            o2 = (l - 2) * (l - 1) // 2
            cur[: l - 1] -= t.b[l][: l - 1, None] * F[o2 : o2 + l - 1] * r2
        F[o + l] = t.diag[l]
    # trig table rows: Re w^m (m = 0..lmax), then Im w^m (m = 1..lmax)
    T = np.empty((2 * lmax + 1, npts))
    re, im = np.ones(npts), np.zeros(npts)
    T[0] = re
    for m in range(1, lmax + 1):
        re, im = re * z - im * x, re * x + im * z
        T[m] = re
        T[lmax + m] = im
    f_idx, t_idx, sgn = _gather_index(lmax)
    Y = F[f_idx] * T[t_idx] * sgn[:, None]
    if lsl != list(range(lmax + 1)):
        Y = np.concatenate([Y[l * l : (l + 1) * (l + 1)] for l in lsl], axis=0)
    return np.moveaxis(Y, 0, -1).reshape(v.shape[:-1] + (Y.shape[0],))
