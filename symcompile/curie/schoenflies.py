"""The Schoenflies symbol of a finite point group given by its Cartesian matrices (any frame, any order).

Classification by the principal axis: the order n of the highest proper rotation, n 2-fold axes
perpendicular to it (D family), a mirror normal to it (h), mirrors containing it (v, d), a bare
rotoreflection (S2n); several axes of order >= 3 give the cubic and icosahedral groups.
Non-crystallographic groups (C5v, D5d, Ih...) are named too.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = ["schoenflies_symbol", "element_order", "rotation_axis"]


def _angle(P: np.ndarray) -> float:
    return math.acos(float(np.clip((np.trace(P) - 1.0) / 2.0, -1.0, 1.0)))


def rotation_axis(P: np.ndarray) -> np.ndarray:
    """Unit axis of a proper rotation P (any sign); z for the identity."""
    theta = _angle(P)
    if theta < 1e-8:
        return np.array([0.0, 0.0, 1.0])
    if abs(theta - math.pi) < 1e-6:
        S = (P + np.eye(3)) / 2.0
        v = S[:, int(np.argmax(np.diag(S)))]
    else:
        v = np.array([P[2, 1] - P[1, 2], P[0, 2] - P[2, 0], P[1, 0] - P[0, 1]])
    return v / np.linalg.norm(v)


def element_order(P: np.ndarray, max_order: int = 120) -> int:
    """Order of the proper rotation P (smallest k with P^k = 1), from its angle."""
    frac = Fraction(_angle(P) / (2.0 * math.pi)).limit_denominator(max_order)
    return frac.denominator


def _parallel(u: np.ndarray, v: np.ndarray, tol: float = 1e-6) -> bool:
    return abs(abs(float(u @ v)) - 1.0) < tol


def schoenflies_symbol(matrices: np.ndarray) -> str:
    """``"D4h"``, ``"C2v"``, ``"Td"``... for a finite group of orthogonal 3x3 matrices."""
    mats = np.asarray(matrices, dtype=np.float64).reshape(-1, 3, 3)
    dets = np.sign(np.linalg.det(mats))
    proper = [M for M, d in zip(mats, dets) if d > 0]
    improper = [-M for M, d in zip(mats, dets) if d < 0]  # the rotation part P of an improper element -P
    has_inversion = any(np.allclose(P, np.eye(3), atol=1e-6) for P in improper)
    # mirrors: -P with P a 2-fold rotation; the mirror normal is P's axis
    mirror_normals = [rotation_axis(P) for P in improper if abs(_angle(P) - math.pi) < 1e-6]
    axes: list[tuple[np.ndarray, int]] = []  # (axis, order) of proper rotations, one entry per axis (max order)
    for P in proper:
        k = element_order(P)
        if k == 1:
            continue
        ax = rotation_axis(P)
        for i, (a, k0) in enumerate(axes):
            if _parallel(a, ax):
                axes[i] = (a, math.lcm(k0, k))
                break
        else:
            axes.append((ax, k))
    high = [a for a, k in axes if k >= 3]
    if len(high) >= 2:
        n_proper = len(proper)
        base = {12: "T", 24: "O", 60: "I"}.get(n_proper, f"?{n_proper}")
        if not improper:
            return base
        if has_inversion:
            return base + "h"
        return "Td" if base == "T" else base + "?"
    if not axes:  # no proper rotation besides the identity
        if not improper:
            return "C1"
        return "Ci" if has_inversion else "Cs"
    n = max(k for _, k in axes)
    candidates = [a for a, k in axes if k == n]
    if n == 2 and len(candidates) > 1:
        # D2d and S4: the principal axis is the one carrying the 4-fold rotoreflection
        s4 = [rotation_axis(P) for P in improper if element_order(P) == 4]
        if s4:
            candidates = [a for a in candidates if _parallel(a, s4[0])] or candidates
    main = candidates[0]
    perpendicular_c2 = [a for a, k in axes if k % 2 == 0 and abs(float(a @ main)) < 1e-6]
    sigma_h = any(_parallel(m, main) for m in mirror_normals)
    sigma_v = any(abs(float(m @ main)) < 1e-6 for m in mirror_normals)
    if len(perpendicular_c2) >= n:
        if sigma_h:
            return f"D{n}h"
        return f"D{n}d" if sigma_v else f"D{n}"
    if sigma_h:
        return f"C{n}h"
    if sigma_v:
        return f"C{n}v"
    if improper:
        return "C3i" if n == 3 else f"S{2 * n}"
    return f"C{n}"
