"""Exact rational bases of the isotypic components of a symmetrised tensor space (sympy).

The index-symmetry orbits give an exact basis of the formula's subspace (entries 0, ±1). The
SO(3) Casimir -sum_a J_a^2 (J_a integer generators acting on every index) is a rational matrix
there, with eigenvalue l(l+1) on the l-isotypic component; its exact null spaces (rational
reduced row echelon form) are the bases returned. No floating point anywhere.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.tensors.characters import multiplicities, orbit_data
from symcompile.tensors.formula import TensorFormula, parse_formula

__all__ = ["isotypic_basis", "isotypic_basis_json", "MAX_SYMBOLIC_DIM"]

#: Exact bases are computed for spaces of at most this dimension (sympy rational linear algebra).
MAX_SYMBOLIC_DIM = 250

# (J_a)_{bc} = -epsilon_{abc}: generators of rotations about x, y, z acting on vectors
_J = np.zeros((3, 3, 3), dtype=np.int64)
for _a, _b, _c, _s in [(0, 1, 2, 1), (1, 2, 0, 1), (2, 0, 1, 1), (0, 2, 1, -1), (1, 0, 2, -1), (2, 1, 0, -1)]:
    _J[_a, _b, _c] = -_s


def _apply_on_axes(J: np.ndarray, V: np.ndarray) -> np.ndarray:
    """sum_k J acting on index k of each row tensor of V ([d, 3, ..., 3])."""
    n = V.ndim - 1
    out = np.zeros_like(V)
    for k in range(n):
        out += np.moveaxis(np.tensordot(J, V, axes=([1], [k + 1])), 0, k + 1)
    return out


def _orbit_basis(f: TensorFormula) -> tuple[np.ndarray, list[int]]:
    ids, _, alive, plus = orbit_data(f)
    reps: dict[int, int] = {}
    for code in np.flatnonzero(alive):
        reps.setdefault(int(ids[code]), int(code))
    order = sorted(reps.values())
    index = {int(ids[c]): i for i, c in enumerate(order)}
    V = np.zeros((len(order), 3**f.rank), dtype=np.int64)
    for code in np.flatnonzero(alive):
        i = index[int(ids[code])]
        V[i, code] = 1 if plus[code] == plus[order[i]] else -1
    return V.reshape((len(order),) + (3,) * f.rank), order


def isotypic_basis(formula: str | TensorFormula, **kw: Any) -> dict[str, list[Any]]:
    """{irrep: [sympy Array of shape (3,)*rank, ...]}: exact bases of each l-isotypic component."""
    import sympy as sp
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix

    f = parse_formula(formula, **kw)
    mults = multiplicities(f)
    dim = sum(m * (2 * l + 1) for l, m in mults.items())
    if dim > MAX_SYMBOLIC_DIM:
        raise InputError(f"exact symbolic bases are computed for dimension <= {MAX_SYMBOLIC_DIM}, this space has {dim}")
    if dim == 0:
        return {}
    V, _ = _orbit_basis(f)
    d = len(V)
    CV = np.zeros_like(V)
    for a in range(3):
        CV -= _apply_on_axes(_J[a], _apply_on_axes(_J[a], V))
    Vf = V.reshape(d, -1)
    G = Vf @ CV.reshape(d, -1).T  # <u, C v>
    norms = (Vf * Vf).sum(axis=1)
    C = [[QQ(int(G[u, v]), int(norms[u])) for v in range(d)] for u in range(d)]
    out: dict[str, list[Any]] = {}
    p = "e" if f.parity == 1 else "o"
    for l, m in sorted(mults.items()):
        shift = [[C[u][v] - (QQ(l * (l + 1)) if u == v else QQ(0)) for v in range(d)] for u in range(d)]
        ns = DomainMatrix(shift, (d, d), QQ).nullspace().to_Matrix()  # rows span the null space
        if ns.rows != m * (2 * l + 1):
            raise ArithmeticError(f"exact isotypic component of l={l} has dimension {ns.rows}, "
                                  f"expected {m * (2 * l + 1)}")
        tensors = []
        for r in range(ns.rows):
            coeffs = [Fraction(int(sp.fraction(x)[0]), int(sp.fraction(x)[1])) for x in ns.row(r)]
            den = 1
            for c in coeffs:
                den = den * c.denominator // np.gcd(den, c.denominator)
            ints = np.array([int(c * den) for c in coeffs], dtype=np.int64)
            g = int(np.gcd.reduce(np.abs(ints[ints != 0]))) if np.any(ints) else 1
            T = (ints // g) @ Vf
            tensors.append(sp.ImmutableDenseNDimArray(T.tolist(), (3,) * f.rank))
        out[f"{l}{p}"] = tensors
    return out


def isotypic_basis_json(formula: str | TensorFormula, **kw: Any) -> dict[str, list[dict[str, int]]]:
    """JSON-ready form: {irrep: [{"113": 1, "223": -1, ...}, ...]} (1-based index strings, integers)."""
    f = parse_formula(formula, **kw)
    out: dict[str, list[dict[str, int]]] = {}
    for ir, tensors in isotypic_basis(f).items():
        rows = []
        for T in tensors:
            flat = np.array(T.tolist(), dtype=object).reshape(-1) if f.rank else [T]
            entries = {}
            for code, value in enumerate(flat):
                if value != 0:
                    word = np.unravel_index(code, (3,) * f.rank)
                    entries["".join(str(int(w) + 1) for w in word)] = int(value)
            rows.append(entries)
        out[ir] = rows
    return out
