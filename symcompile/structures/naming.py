"""Names of point groups and of symmetry operations.

Point groups are named from their Cartesian matrices (any frame, any order) by the principal
axis: the order n of the highest proper rotation, n 2-fold axes perpendicular to it (D), a
mirror normal to it (h), mirrors containing it (v, d), a bare rotoreflection (S2n); several
axes of order >= 3 give the cubic and icosahedral groups. Non-crystallographic groups (C5v,
D5d, Ih...) are named too. The Hermann-Mauguin symbol follows from the Schoenflies one.
Every command reports a point group in one shape: ``{"hm", "schoenflies", "order"}``.

>>> hermann_mauguin("D3h"), hermann_mauguin("D4d"), hermann_mauguin("C∞v"), hermann_mauguin("S6")
('-6m2', '-82m', '∞m', '-3')
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import numpy as np

from symcompile.o3.point_groups import _format_axis, describe_operation

#: Infinite point groups and their Hermann-Mauguin symbols.
_INFINITE_HM = {"C∞": "∞", "C∞v": "∞m", "C∞h": "∞/m", "D∞": "∞2", "D∞h": "∞/mm", "K": "∞∞", "Kh": "∞∞m"}
_POLYHEDRAL_HM = {"T": "23", "Th": "m-3", "Td": "-43m", "O": "432", "Oh": "m-3m", "I": "532", "Ih": "-53m"}


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


def element_order(P: np.ndarray, max_order: int = 720) -> int:
    """Order of the proper rotation P (smallest k with P^k = 1), from its angle."""
    frac = Fraction(_angle(P) / (2.0 * math.pi)).limit_denominator(max_order)
    return frac.denominator


def _parallel(u: np.ndarray, v: np.ndarray, tol: float = 1e-6) -> bool:
    return abs(abs(float(u @ v)) - 1.0) < tol


def schoenflies_symbol(matrices: np.ndarray) -> str:
    """``"D4h"``, ``"C2v"``, ``"Td"``... for a finite group of orthogonal 3x3 matrices.

    >>> schoenflies_symbol(np.array([np.eye(3), -np.eye(3)]))
    'Ci'
    """
    mats = np.asarray(matrices, dtype=np.float64).reshape(-1, 3, 3)
    dets = np.sign(np.linalg.det(mats))
    proper = [M for M, d in zip(mats, dets) if d > 0]
    improper = [-M for M, d in zip(mats, dets) if d < 0]  # the rotation part P of an improper element -P
    has_inversion = any(np.allclose(P, np.eye(3), atol=1e-6) for P in improper)
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
        base = {12: "T", 24: "O", 60: "I"}.get(len(proper), f"?{len(proper)}")
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


def hermann_mauguin(schoenflies: str) -> str:
    """The short Hermann-Mauguin symbol of a point group given by its Schoenflies symbol (any n)."""
    s = {"C3i": "S6", "Ci": "S2", "Cs": "C1h", "C1v": "C1h", "V": "D2", "Vh": "D2h", "Vd": "D2d"}.get(schoenflies,
                                                                                                    schoenflies)
    if s in _INFINITE_HM:
        return _INFINITE_HM[s]
    if s in _POLYHEDRAL_HM:
        return _POLYHEDRAL_HM[s]
    match = re.fullmatch(r"([CDS])(\d+)([hvd]?)", s)
    if not match:
        raise ValueError(f"not a Schoenflies symbol: {schoenflies!r}")
    family, n, kind = match.group(1), int(match.group(2)), match.group(3)
    even = n % 2 == 0
    if family == "S":  # S2n (n here is the rotoreflection order)
        if n % 4 == 0:
            return f"-{n}"
        return f"-{n // 2}"
    if family == "C":
        if kind == "":
            return str(n)
        if kind == "v":
            return "m" if n == 1 else "mm2" if n == 2 else f"{n}mm" if even else f"{n}m"
        return "m" if n == 1 else f"{n}/m" if even else f"-{2 * n}"  # h
    if kind == "":
        return "2" if n == 1 else f"{n}22" if even else f"{n}2"
    if kind == "h":
        return "mm2" if n == 1 else "mmm" if n == 2 else f"{n}/mmm" if even else f"-{2 * n}m2"
    return "2/m" if n == 1 else f"-{2 * n}2m" if even else f"-{n}m"  # d


def point_group_entry(schoenflies: str, order: int | None, hm: str | None = None) -> dict[str, Any]:
    """``{"hm", "schoenflies", "order"}``: the record shape of a point group in every command."""
    return {"hm": hm or hermann_mauguin(schoenflies), "schoenflies": schoenflies, "order": order}


def crystal_point_group_entry(number: int) -> dict[str, Any]:
    """The point group of space group ``number`` in the setting of its standard symbol."""
    from symcompile.structures.spacegroup import point_group_from_space_group

    group = point_group_from_space_group(number)
    return point_group_entry(group.schoenflies, group.order, group.name)


# --------------------------------------------------------------------------- operations in words
def axis_name(axis: np.ndarray) -> str:
    """``"z"``, ``"[110]"``, ``"[0.6 0.8 0]"``..."""
    return _format_axis(np.asarray(axis, dtype=np.float64))


def _fraction(x: float) -> str:
    f = Fraction(float(x)).limit_denominator(24)
    if abs(float(f) - x) > 1e-3:
        return f"{x:.3f}"
    return str(f)


def operation_name(R: np.ndarray, t_frac: np.ndarray | None = None) -> str:
    """One operation in words; with a non-zero fractional translation, the translation is appended.

    >>> operation_name(np.diag([-1.0, -1.0, 1.0]), np.array([0.5, 0.5, 0.5]))
    '2-fold rotation about z with translation (1/2, 1/2, 1/2)'
    """
    name = describe_operation(R, sense=True)
    if t_frac is None:
        return name
    t = np.asarray(t_frac, dtype=np.float64)
    t = t - np.round(t)
    t[np.abs(t + 0.5) < 1e-6] = 0.5  # 1/2 and -1/2 are the same translation: write 1/2
    if np.abs(t).max() < 1e-6:
        return name
    parts = ", ".join(_fraction(x) for x in t)
    if name == "identity":
        return f"translation ({parts})"
    return f"{name} with translation ({parts})"
