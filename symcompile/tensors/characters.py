"""Exact O(3) content of a symmetrised tensor space by character theory (integers only).

The character at a rotation R(theta) about z is sum_w N_w z^w (z = e^{i theta}), where N_w
counts the orbits of the signed index-permutation group H on weight-w basis words
(e_-1, e_0, e_+1 eigenvectors of R_z) whose stabiliser has trivial sign, i.e. that do not
cancel. Then the multiplicity of l is N_l - N_{l+1}; inversion acts on the whole tensor by
one sign (the tensor's parity), so every irrep is (l, p). Invariants under a group G:
sum_l mult_l * (1/|G|) sum_g chi_(l,p)(g) for finite G, analytic rules for continuous G.

``cycle_index_character`` is the textbook route (1/|H|) sum_h sign(h) prod_c tr(g^|c|)
with Laurent polynomials in z, enumerating H: an independent check for small H.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from symcompile.tensors.formula import TensorFormula, parse_formula

if TYPE_CHECKING:
    from symcompile.o3 import Irreps
    from symcompile.o3.magnetic_point_groups import MagneticPointGroup
    from symcompile.o3.point_groups import PointGroup

__all__ = [
    "weight_counts",
    "orbit_data",
    "multiplicities",
    "tensor_irreps",
    "tensor_dim",
    "count_invariants",
    "character",
    "cycle_index_character",
    "signed_permutation_group",
]


def _word_digits(n: int) -> np.ndarray:
    """All 3**n words over {0,1,2} (digit d = weight d-1), most significant index first."""
    if n == 0:
        return np.zeros((1, 0), dtype=np.int8)
    codes = np.arange(3**n, dtype=np.int64)
    powers = 3 ** np.arange(n - 1, -1, -1, dtype=np.int64)
    return ((codes[:, None] // powers) % 3).astype(np.int8)


def _connected_components(n_nodes: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Component labels (the smallest node of each component) by hooking and pointer jumping."""
    labels = np.arange(n_nodes, dtype=np.int64)
    while True:
        lu, lv = labels[src], labels[dst]
        differ = lu != lv
        if not differ.any():
            return labels
        lu, lv = lu[differ], lv[differ]
        np.minimum.at(labels, np.maximum(lu, lv), np.minimum(lu, lv))
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


@functools.lru_cache(maxsize=64)
def _orbit_data(f: TensorFormula) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per word: orbit id, digits, alive (does not cancel), and the component label of (word, +).

    Two words w, v of one orbit have T[w] = T[v] if their ``plus`` labels agree, else T[w] = -T[v].

    Orbits are connected components of a doubled graph on (word, sign): a generator (s, p)
    joins (w, +) to (w∘p, s). An orbit cancels (T must vanish there) iff (w, +) and (w, -)
    are connected, i.e. some element of H fixes w with sign -1.
    """
    n = f.rank
    digits = _word_digits(n)
    N = len(digits)
    powers = 3 ** np.arange(n - 1, -1, -1, dtype=np.int64)
    if not f.generators:
        ids = np.arange(N, dtype=np.int64)
        return ids, digits, np.ones(N, dtype=bool), ids
    src, dst = [], []
    nodes = np.arange(N, dtype=np.int64)
    for sign, perm in f.generators:
        image = digits[:, list(perm)].astype(np.int64) @ powers
        if sign == 1:
            src += [nodes, nodes + N]
            dst += [image, image + N]
        else:
            src += [nodes, nodes + N]
            dst += [image + N, image]
    labels = _connected_components(2 * N, np.concatenate(src), np.concatenate(dst))
    plus, minus = labels[:N], labels[N:]
    alive = plus != minus
    ids = np.minimum(plus, minus).astype(np.int64)
    return ids, digits, alive, plus.astype(np.int64)


def orbit_data(formula: str | TensorFormula, **kw: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Orbits of the index group on index words (digits 0, 1, 2): see ``_orbit_data``."""
    return _orbit_data(parse_formula(formula, **kw))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def _weight_counts_cached(f: TensorFormula) -> tuple[int, ...]:
    ids, digits, alive, _ = _orbit_data(f)
    weights = digits.astype(np.int64).sum(axis=1) - f.rank
    out = []
    for w in range(f.rank + 1):
        sel = alive & (weights == w)
        out.append(int(len(np.unique(ids[sel]))))
    return tuple(out)


def weight_counts(formula: str | TensorFormula, **kw: object) -> tuple[int, ...]:
    """N_w for w = 0..rank: dimension of the weight-w subspace (R_z eigenvalue e^{i w theta})."""
    return _weight_counts_cached(parse_formula(formula, **kw))  # type: ignore[arg-type]


def multiplicities(formula: str | TensorFormula, **kw: object) -> dict[int, int]:
    """{l: multiplicity} of the SO(3) irreps (all have the tensor's parity), exact."""
    N = weight_counts(formula, **kw)
    out = {}
    for l in range(len(N)):
        m = N[l] - (N[l + 1] if l + 1 < len(N) else 0)
        if m < 0:
            raise ArithmeticError("negative multiplicity: character is not a valid SO(3) character")
        if m:
            out[l] = m
    return out


def tensor_irreps(formula: str | TensorFormula, **kw: object) -> "Irreps":
    """The irreps of the symmetrised tensor space, sorted by l (e3nn's CartesianTensor order)."""
    from symcompile.o3 import Irreps

    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    return Irreps([(m, (l, f.parity)) for l, m in sorted(multiplicities(f).items())])


def tensor_dim(formula: str | TensorFormula, **kw: object) -> int:
    """Number of independent components allowed by the index symmetries alone."""
    return sum(m * (2 * l + 1) for l, m in multiplicities(formula, **kw).items())


def count_invariants(formula: str | TensorFormula, group: "PointGroup | MagneticPointGroup | str",
                     **kw: object) -> int:
    """Independent components under a point group (Neumann's principle), exact integer.

    ``group`` may be magnetic (``"4'/m'm'm"``): operations with time reversal then act on a
    time-odd tensor with an extra sign.

    >>> count_invariants("magnetoelectric", "-3'm'")
    2
    """
    from symcompile.o3.magnetic_point_groups import any_point_group

    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    G = any_point_group(group)
    return sum(m * G.invariants_of_irrep(l, f.parity, f.time_parity) for l, m in multiplicities(f).items())


def character(formula: str | TensorFormula, M: np.ndarray, **kw: object) -> int:
    """Character of the symmetrised tensor space at an orthogonal matrix with 2cos(theta) integer."""
    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    M = np.asarray(M, dtype=np.float64)
    det = 1 if np.linalg.det(M) > 0 else -1
    t = int(round(np.trace(det * M) - 1.0))
    N = weight_counts(f)
    c_prev, c = 2, t
    chi = N[0]
    for w in range(1, len(N)):
        chi += N[w] * c
        c_prev, c = c, t * c - c_prev
    return chi * (f.parity if det < 0 else 1)


# --------------------------------------------------------------------------- cycle-index route
def signed_permutation_group(f: TensorFormula, limit: int = 100_000) -> set[tuple[int, tuple[int, ...]]]:
    """All (sign, perm) of the group generated by the formula (small groups only)."""
    e = (1, tuple(range(f.rank)))
    group = {e}
    frontier = [e]
    while frontier:
        new = []
        for s1, p1 in frontier:
            for s2, p2 in f.generators:
                h = (s1 * s2, tuple(p1[k] for k in p2))
                if h not in group:
                    group.add(h)
                    new.append(h)
                    if len(group) > limit:
                        raise ValueError(f"index group larger than {limit}")
        frontier = new
    return group


def _cycle_lengths(perm: tuple[int, ...]) -> list[int]:
    seen = [False] * len(perm)
    out = []
    for start in range(len(perm)):
        if not seen[start]:
            k, length = start, 0
            while not seen[k]:
                seen[k] = True
                k = perm[k]
                length += 1
            out.append(length)
    return out


def cycle_index_character(formula: str | TensorFormula, **kw: object) -> dict[int, Fraction]:
    """Laurent polynomial {w: coeff} of the character at R_z(theta), by enumerating H.

    (1/|H|) sum_(sigma, s) s prod_cycles (z^-|c| + 1 + z^|c|): exact Fractions.
    """
    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    H = signed_permutation_group(f)
    total: dict[int, Fraction] = {}
    by_type: dict[tuple[int, ...], int] = {}
    for s, p in H:
        key = tuple(sorted(_cycle_lengths(p)))
        by_type[key] = by_type.get(key, 0) + s
    for lengths, coeff in by_type.items():
        if coeff == 0:
            continue
        poly = {0: 1}
        for k in lengths:
            nxt: dict[int, int] = {}
            for w, c in poly.items():
                for dw in (-k, 0, k):
                    nxt[w + dw] = nxt.get(w + dw, 0) + c
            poly = nxt
        for w, c in poly.items():
            total[w] = total.get(w, Fraction(0)) + Fraction(coeff * c, len(H))
    return {w: c for w, c in sorted(total.items()) if c != 0}
