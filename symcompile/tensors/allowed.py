"""Neumann's principle: the form of a tensor allowed by a point group, with exact counts.

The count of independent components is exact (characters). The form: in the irreps basis the
invariant tensors are (invariant vectors of each D_l under the group's generators) x (the l
copies), so the invariant Cartesian tensors come from a few small null spaces. Components are
then expressed in terms of free ones by reduced row echelon form over the index-symmetry
representatives (Voigt entries for rank <= 4), with coefficients rationalised (a + b*sqrt(3))
and checked; the free components are the first ones in reading order, as in Nye's tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from symcompile.errors import SymcompileError
from symcompile.tensors.cartesian_tensor import CartesianTensor
from symcompile.tensors.characters import multiplicities, orbit_data, signed_permutation_group
from symcompile.tensors.formula import TensorFormula, parse_formula

__all__ = ["AllowedForm", "allowed_form", "invariant_tensors", "voigt_layout",
           "MAX_FORM_RANK"]

#: Allowed forms (component listings) are computed up to this rank; counts have no limit.
MAX_FORM_RANK = 6

_VOIGT = {(0, 0): 1, (1, 1): 2, (2, 2): 3, (1, 2): 4, (2, 1): 4, (0, 2): 5, (2, 0): 5, (0, 1): 6, (1, 0): 6}
_VOIGT_PAIRS = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]


@dataclass
class AllowedForm:
    """The symmetry-allowed form of a tensor under a group, in one Cartesian frame."""

    independent_components: int
    free: list[str]
    relations: list[str]
    components: dict[str, str]
    zero_components: list[str]
    voigt: dict[str, Any] | None = None
    exact: bool = True
    frame: str = "standard"
    basis: np.ndarray | None = field(default=None, repr=False)  # [k, 3, ..., 3] orthonormal invariant tensors
    #: The Voigt matrix as numbers: each entry a {free component: coefficient} dict ({} = zero).
    voigt_terms: list[list[dict[str, float]]] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "frame": self.frame,
            "independent_components": self.independent_components,
            "free": self.free,
            "relations": self.relations,
            "components": self.components,
            "zero_components": self.zero_components,
            "exact": self.exact,
        }
        if self.voigt is not None:
            out["voigt"] = self.voigt
        return out


def _signed_generators(group: Any, f: TensorFormula) -> tuple[Any, list[tuple[np.ndarray, int]]]:
    """The group (looked up or closed) and its generators, each with the sign it puts on the tensor.

    The sign is the time-reversal sign of a magnetic operation for a time-odd tensor, else +1.
    """
    from symcompile.o3.magnetic_point_groups import MagneticPointGroup, any_point_group
    from symcompile.o3.point_groups import PointGroup, point_group_from_matrices

    if isinstance(group, str):
        group = any_point_group(group)
    if isinstance(group, MagneticPointGroup):
        return group, [(g, t if f.time_odd else 1) for g, t in group.generators] or [(np.eye(3), 1)]
    if not isinstance(group, PointGroup):
        group = point_group_from_matrices(group)
        return group, [(g, 1) for g in group.matrices]  # type: ignore[union-attr]
    return group, [(g, 1) for g in group.generators] or [(np.eye(3), 1)]


def invariant_tensors(formula: str | TensorFormula, group: Any) -> np.ndarray:
    """Orthonormal basis [k, 3, ..., 3] of the tensors of the formula's space invariant under ``group``.

    ``group`` is a PointGroup or MagneticPointGroup (its generators are used), a name, or an
    array of 3x3 matrices. Under a magnetic group a time-odd tensor also changes sign under
    every operation combined with time reversal.
    """
    from symcompile.o3 import Irrep

    f = parse_formula(formula)
    group, gens = _signed_generators(group, f)
    exact = {l: group.invariants_of_irrep(l, f.parity, f.time_parity) for l in multiplicities(f)}
    t = CartesianTensor(f)
    Q = t.change_of_basis.reshape(t.dim, 3**f.rank)
    vectors = []
    start = 0
    for l, mul in sorted(multiplicities(f).items()):
        d = 2 * l + 1
        r = exact[l]
        if r:
            ir = Irrep(l, f.parity)
            A = np.concatenate([sign * ir.D_from_matrix(g) - np.eye(d) for g, sign in gens], axis=0)
            _, s, vt = np.linalg.svd(A)
            s = np.concatenate([s, np.zeros(d - len(s))])
            if s[d - r] > 1e-7 or (d - r - 1 >= 0 and s[d - r - 1] < 1e-5):
                raise SymcompileError(f"invariant vectors of l={l} disagree with the exact count {r}")
            V = vt[d - r:]  # [r, d]
            for c in range(mul):
                block = Q[start + c * d: start + (c + 1) * d]  # [d, 3^n]
                vectors.append(V @ block)
        start += mul * d
    if not vectors:
        return np.zeros((0,) + (3,) * f.rank)
    N = np.concatenate(vectors, axis=0)
    return N.reshape((len(N),) + (3,) * f.rank)


# --------------------------------------------------------------------------- coordinates
@dataclass(frozen=True)
class _Coord:
    name: str
    code: int  # Cartesian word (base-3 code) of the representative component
    scale: float  # coordinate value = scale * T[code]
    position: tuple[int, int]  # reading order (matrix row, column) for display


def _is_symmetric_pair(H: set[tuple[int, tuple[int, ...]]], a: int, b: int, n: int) -> bool:
    perm = list(range(n))
    perm[a], perm[b] = b, a
    return (1, tuple(perm)) in H and (-1, tuple(perm)) not in H


def voigt_layout(f: TensorFormula) -> dict[str, Any] | None:
    """The matrix layout of Nye's tables for this formula, or None.

    rank 1: 1x3; rank 2: 3x3; rank 3 with jk symmetric: 3x6 (d_ia); with ij symmetric: 6x3
    (r_ak); rank 4 with ij and kl symmetric: 6x6. Entries are (name, word, scale) with
    scale = shear_factor per contracted shear pair.
    """
    n = f.rank
    if n > 4 or n == 0:
        return None
    try:
        H = signed_permutation_group(f, limit=1000)
    except ValueError:
        return None
    sym = f.symbol
    sf = float(f.shear_factor)

    def idx(*parts: int) -> str:
        return sym + "".join(str(p) for p in parts)

    rows: list[list[tuple[str, tuple[int, ...], float]]] = []
    if n == 1:
        rows = [[(idx(i + 1), (i,), 1.0) for i in range(3)]]
        return {"shape": [1, 3], "rows": rows, "row_labels": [""], "col_labels": ["1", "2", "3"]}
    if n == 2:
        rows = [[(idx(i + 1, j + 1), (i, j), 1.0) for j in range(3)] for i in range(3)]
        return {"shape": [3, 3], "rows": rows, "row_labels": ["1", "2", "3"], "col_labels": ["1", "2", "3"]}
    labels6 = [str(a) for a in range(1, 7)]
    if n == 3 and _is_symmetric_pair(H, 1, 2, 3):
        rows = [[(idx(i + 1, a + 1), (i, *_VOIGT_PAIRS[a]), sf if a >= 3 else 1.0) for a in range(6)]
                for i in range(3)]
        return {"shape": [3, 6], "rows": rows, "row_labels": ["1", "2", "3"], "col_labels": labels6}
    if n == 3 and _is_symmetric_pair(H, 0, 1, 3):
        rows = [[(idx(a + 1, k + 1), (*_VOIGT_PAIRS[a], k), sf if a >= 3 else 1.0) for k in range(3)]
                for a in range(6)]
        return {"shape": [6, 3], "rows": rows, "row_labels": labels6, "col_labels": ["1", "2", "3"]}
    if n == 4 and _is_symmetric_pair(H, 0, 1, 4) and _is_symmetric_pair(H, 2, 3, 4):
        rows = [[(idx(a + 1, b + 1), (*_VOIGT_PAIRS[a], *_VOIGT_PAIRS[b]),
                  (sf if a >= 3 else 1.0) * (sf if b >= 3 else 1.0)) for b in range(6)] for a in range(6)]
        return {"shape": [6, 6], "rows": rows, "row_labels": labels6, "col_labels": labels6}
    return None


def _priority(word: tuple[int, ...], n: int, f: TensorFormula) -> int:
    """Which Voigt entries are preferred as free constants (Nye's choice: d11, d22, C11, C12 before shear)."""
    if n == 2:
        return 0 if word[0] == word[1] else 1
    if n == 3:
        H = signed_permutation_group(f, limit=1000)
        pair, vec = ((word[1], word[2]), word[0]) if _is_symmetric_pair(H, 1, 2, 3) else ((word[0], word[1]), word[2])
        if pair[0] != pair[1]:
            return 2
        return 0 if pair[0] == vec else 1
    if n == 4:
        return int(word[0] != word[1]) + int(word[2] != word[3])
    return 0


def _code(word: tuple[int, ...]) -> int:
    c = 0
    for d in word:
        c = 3 * c + d
    return c


# --------------------------------------------------------------------------- exact numbers
_SQ3 = math.sqrt(3.0)


@dataclass(frozen=True)
class _Num:
    """a + b*sqrt(3) with rational a, b (exact), or a float when no such form was found."""

    a: Fraction = Fraction(0)
    b: Fraction = Fraction(0)
    approx: float | None = None

    def __float__(self) -> float:
        return self.approx if self.approx is not None else float(self.a) + float(self.b) * _SQ3

    @property
    def exact(self) -> bool:
        return self.approx is None

    def is_zero(self) -> bool:
        return self.exact and self.a == 0 and self.b == 0

    def __mul__(self, other: "_Num") -> "_Num":
        if self.exact and other.exact:
            return _Num(self.a * other.a + 3 * self.b * other.b, self.a * other.b + self.b * other.a)
        return _Num(approx=float(self) * float(other))

    def __add__(self, other: "_Num") -> "_Num":
        if self.exact and other.exact:
            return _Num(self.a + other.a, self.b + other.b)
        return _Num(approx=float(self) + float(other))

    def text(self) -> str:
        if not self.exact:
            return f"{self.approx:.8g}"
        if self.b == 0:
            return str(self.a)
        sq = "√3" if abs(self.b) == 1 else f"{abs(self.b)}*√3" if abs(self.b).denominator == 1 else \
            f"{abs(self.b).numerator}*√3/{abs(self.b).denominator}" if abs(self.b).numerator != 1 else \
            f"√3/{abs(self.b).denominator}"
        if self.a == 0:
            return ("-" if self.b < 0 else "") + sq
        return f"({self.a} {'-' if self.b < 0 else '+'} {sq})"


def _rationalise(x: float) -> _Num:
    """x -> p/q, else a + b*sqrt(3) with small denominators, else the float (inexact)."""
    if abs(x) < 1e-10:
        return _Num()
    fr = Fraction(x).limit_denominator(720)
    if abs(float(fr) - x) < 1e-9:
        return _Num(fr)
    for den in (2, 3, 4, 6, 8, 9, 12, 18, 24, 36):
        for k in range(-4 * den, 4 * den + 1):
            if k == 0:
                continue
            bq = Fraction(k, den)
            aq = Fraction(x - float(bq) * _SQ3).limit_denominator(72)
            if abs(float(aq) + float(bq) * _SQ3 - x) < 1e-9:
                return _Num(aq, bq)
    return _Num(approx=round(x, 10))


Expr = dict[str, _Num]  # linear combination of free components


def _scale(e: Expr, c: _Num) -> Expr:
    return {s: v * c for s, v in e.items() if not (v * c).is_zero()}


def _format(e: Expr) -> str:
    """``{'C11': 1/2, 'C12': -1/2}`` -> ``"(C11 - C12)/2"``; ``{'d11': -2}`` -> ``"-2*d11"``."""
    terms = [(s, v) for s, v in e.items() if not v.is_zero()]
    if not terms:
        return "0"
    if all(v.exact and v.b == 0 for _, v in terms):
        coeffs = [v.a for _, v in terms]
        den = math.lcm(*(c.denominator for c in coeffs))
        nums = [int(c * den) for c in coeffs]
        g = math.gcd(*nums)
        outer = Fraction(g, den)
        inner = [(s, n // g) for (s, _), n in zip(terms, nums)]
        if len(inner) == 1:
            (s, m), = inner
            c = outer * m
            body = s if abs(c.numerator) == 1 else f"{abs(c.numerator)}*{s}"
            body = body if c.denominator == 1 else f"{body}/{c.denominator}"
            return ("-" if c < 0 else "") + body
        parts = []
        for i, (s, m) in enumerate(inner):
            mag = s if abs(m) == 1 else f"{abs(m)}*{s}"
            parts.append((("-" if m < 0 else "") if i == 0 else (" - " if m < 0 else " + ")) + mag)
        body = "".join(parts)
        if outer == 1:
            return body
        pre = "" if outer.numerator == 1 else f"{outer.numerator}*"
        post = "" if outer.denominator == 1 else f"/{outer.denominator}"
        return f"{pre}({body}){post}"
    parts = []
    for i, (s, v) in enumerate(terms):
        t = v.text()
        neg = t.startswith("-")
        mag = t[1:] if neg else t
        piece = s if mag == "1" else f"{mag}*{s}"
        parts.append((("-" if neg else "") if i == 0 else (" - " if neg else " + ")) + piece)
    return "".join(parts)


def _rref(M: np.ndarray, tol: float) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form with pivots taken in column order (partial pivoting)."""
    A = M.astype(np.float64).copy()
    rows, cols = A.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r >= rows:
            break
        i = r + int(np.argmax(np.abs(A[r:, c])))
        if abs(A[i, c]) < tol:
            continue
        A[[r, i]] = A[[i, r]]
        A[r] /= A[r, c]
        for j in range(rows):
            if j != r:
                A[j] -= A[j, c] * A[r]
        pivots.append(c)
        r += 1
    A[np.abs(A) < tol] = 0.0
    return A[: len(pivots)], pivots


def allowed_form(formula: str | TensorFormula, group: Any, frame: str = "standard",
                 max_rank: int = MAX_FORM_RANK) -> AllowedForm:
    """The form of ``formula`` allowed by ``group`` (PointGroup, MagneticPointGroup, a name, or 3x3
    matrices in some frame).

    >>> allowed_form("magnetoelectric", "-3'm'").voigt["rows"]
    [['alpha11', '0', '0'], ['0', 'alpha11', '0'], ['0', '0', 'alpha33']]
    """
    f = parse_formula(formula)
    if f.rank > max_rank:
        raise ValueError(f"allowed forms are listed up to rank {max_rank}")
    group, _ = _signed_generators(group, f)
    N = invariant_tensors(f, group)
    k = len(N)
    ids, digits, alive, plus = orbit_data(f)
    n = f.rank
    Nflat = N.reshape(k, 3**n)

    # representatives of the index-symmetry orbits, in lexicographic order of the word
    rep_of: dict[int, int] = {}
    for code in np.flatnonzero(alive):
        rep_of.setdefault(int(ids[code]), int(code))
    layout = voigt_layout(f)
    coords: list[_Coord] = []
    coord_of_orbit: dict[int, int] = {}

    def general_name(code: int) -> str:
        return f.symbol + "".join(str(int(d) + 1) for d in digits[code])

    if layout is not None:
        entries = [(_priority(word, n, f), i, j, name, word, scale)
                   for i, row in enumerate(layout["rows"]) for j, (name, word, scale) in enumerate(row)]
        for _, i, j, name, word, scale in sorted(entries, key=lambda e: e[:3]):
            code = _code(word)
            if not alive[code] or int(ids[code]) in coord_of_orbit:
                continue
            coord_of_orbit[int(ids[code])] = len(coords)
            coords.append(_Coord(name, code, scale, (i, j)))
    for orbit, code in sorted(rep_of.items(), key=lambda kv: kv[1]):
        if orbit not in coord_of_orbit:
            coord_of_orbit[orbit] = len(coords)
            coords.append(_Coord(general_name(code), code, 1.0, (10**9, code)))

    def rel_sign(code: int, ref: int) -> float:
        return 1.0 if plus[code] == plus[ref] else -1.0

    if k == 0:
        E = np.zeros((0, len(coords)))
        pivots: list[int] = []
    else:
        Mc = np.stack([c.scale * Nflat[:, c.code] for c in coords], axis=0)  # [coords, k]
        E, pivots = _rref(Mc.T, tol=1e-8 * max(1.0, float(np.abs(Mc).max())))
        if len(pivots) != k:
            raise SymcompileError(f"allowed form: found {len(pivots)} free components, expected {k}")
    names = [coords[p].name for p in pivots]
    exprs: list[Expr] = []
    for c in range(len(coords)):
        e: Expr = {}
        for row, name in enumerate(names):
            val = _rationalise(float(E[row, c]))
            if not val.is_zero():
                e[name] = val
        exprs.append(e)
    exact = all(v.exact for e in exprs for v in e.values())
    # check the rationalised form reproduces the numerical one
    if k:
        num = np.array([[float(exprs[c].get(name, _Num())) for c in range(len(coords))] for name in names])
        if np.abs(num - E).max() > 1e-7:
            raise SymcompileError("rationalised allowed form does not match the numerical one")

    free = [coords[p].name for p in sorted(pivots, key=lambda p: coords[p].position)]
    relations = []
    components: dict[str, str] = {}
    zeros: list[str] = []
    for c, coord in sorted(enumerate(coords), key=lambda ic: ic[1].position):
        if not exprs[c]:
            zeros.append(coord.name)
            continue
        components[coord.name] = _format(exprs[c])
        if c not in pivots:
            relations.append(f"{coord.name} = {_format(exprs[c])}")

    voigt = None
    voigt_terms = None
    if layout is not None:
        rows_out = []
        voigt_terms = []
        for row in layout["rows"]:
            out_row = []
            terms_row: list[dict[str, float]] = []
            voigt_terms.append(terms_row)
            for _, word, scale in row:
                code = _code(word)
                if not alive[code]:
                    out_row.append("0")
                    terms_row.append({})
                    continue
                ci = coord_of_orbit[int(ids[code])]
                ref = coords[ci]
                factor = scale * rel_sign(code, ref.code) / ref.scale
                val = _rationalise(factor)
                exact &= val.exact
                entry = _scale(exprs[ci], val)
                out_row.append(_format(entry))
                terms_row.append({name: float(v) for name, v in entry.items()})
            rows_out.append(out_row)
        voigt = {"symbol": f.symbol, "shape": layout["shape"], "rows": rows_out,
                 "row_labels": layout["row_labels"], "col_labels": layout["col_labels"],
                 "shear_factor": f.shear_factor}
    return AllowedForm(k, free, relations, components, zeros, voigt, exact, frame, N, voigt_terms)
