"""Propagation vectors of a per-atom pattern, in the parent's reciprocal basis.

The parent's pure translations t in the child's cell form a finite abelian group T; a pattern
f splits into components with f[perm_t(i)] = exp(2 pi i k.t) f[i], one per k in the child's
reciprocal lattice modulo the parent's. Each k is written in the parent's conventional
reciprocal basis and labelled with its high-symmetry point (Γ, X, M, R for a cubic P parent).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from symcompile.order_params.parent import ParentMatch

#: High-symmetry points of primitive lattices, as sorted |k| in conventional coordinates
#: (cubic: any permutation) or exact coordinates (other families).
_CUBIC_P = {(0, 0, 0): "Γ", (0, 0, 0.5): "X", (0, 0.5, 0.5): "M", (0.5, 0.5, 0.5): "R"}
_TETRAGONAL_P = {(0, 0, 0): "Γ", (0, 0, 0.5): "Z", (0.5, 0, 0): "X", (0, 0.5, 0): "X", (0.5, 0.5, 0): "M",
                 (0.5, 0, 0.5): "R", (0, 0.5, 0.5): "R", (0.5, 0.5, 0.5): "A"}
_ORTHORHOMBIC_P = {(0, 0, 0): "Γ", (0.5, 0, 0): "X", (0, 0.5, 0): "Y", (0, 0, 0.5): "Z", (0.5, 0.5, 0): "S",
                   (0.5, 0, 0.5): "U", (0, 0.5, 0.5): "T", (0.5, 0.5, 0.5): "R"}


@dataclass(frozen=True)
class KPoint:
    h: tuple[int, ...]  # integer coordinates in the child's reciprocal basis
    k: tuple[float, float, float]  # in the parent's conventional reciprocal basis, in (-1/2, 1/2]
    label: str  # "Γ", "X", ... or the coordinates

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "k": [_pretty(x) for x in self.k]}


def _pretty(x: float) -> str:
    return str(Fraction(x).limit_denominator(24))


class Translations:
    """The parent's translations in the child's cell and the k-points they resolve."""

    def __init__(self, match: ParentMatch) -> None:
        pure = match.ops.pure_translations
        self.t = match.ops.frac_translations[pure]  # (n_T, 3) fractional, child cell
        self.perms = match.ops.permutations[pure]
        self.n = len(self.t)
        self.kpoints = self._kpoints(match)
        phases = np.array([kp.h for kp in self.kpoints], dtype=float) @ self.t.T  # (n_k, n_T)
        self.characters = np.exp(2j * np.pi * phases)

    def _kpoints(self, match: ParentMatch) -> list[KPoint]:
        n = self.n
        seen: dict[tuple[int, ...], KPoint] = {}
        family = _family(match.parent_group["number"]) if match.parent_group["symbol"].startswith("P") else "other"
        reciprocal = np.linalg.inv(match.parent.lattice).T  # rows: reciprocal vectors of the cell (no 2 pi)
        for h in np.ndindex(n, n, n):
            hv = np.array(h) - (np.array(h) > n // 2) * n  # small representatives first
            key = tuple(np.round((self.t @ hv) % 1.0 * 2 * n).astype(int) % (2 * n))
            if key in seen:
                continue
            k_cart = hv @ reciprocal
            k = match.conventional @ k_cart  # coordinates in the conventional reciprocal basis
            k = k - np.ceil(k - 0.5 - 1e-9)  # into (-1/2, 1/2]
            k = np.where(np.abs(k) < 1e-9, 0.0, k)
            seen[key] = KPoint(tuple(int(x) for x in hv), tuple(float(x) for x in k), _label(k, family))
            if len(seen) == n:
                break
        return sorted(seen.values(), key=lambda kp: (_label_rank(kp.label), kp.k))

    def components(self, pattern: np.ndarray) -> np.ndarray:
        """Fourier components (n_k, N, dim) of a real pattern (N, dim): sum_k = pattern."""
        stack = np.stack([pattern[perm] for perm in self.perms])  # [t, i] = f[perm_t(i)]
        return np.einsum("kt,tid->kid", np.conj(self.characters), stack) / self.n

    def by_label(self, pattern: np.ndarray) -> dict[str, np.ndarray]:
        """The real pattern split into its parts at each labelled (star of) k-point."""
        comps = self.components(pattern)
        out: dict[str, np.ndarray] = {}
        for kp, comp in zip(self.kpoints, comps):
            out[kp.label] = out.get(kp.label, 0) + comp
        return {label: np.real(v) for label, v in out.items()}


def _family(number: int) -> str:
    if number >= 195:
        return "cubic"
    if number >= 75 and number < 143:
        return "tetragonal"
    if number >= 16 and number < 75:
        return "orthorhombic"
    return "other"


def _label(k: np.ndarray, family: str) -> str:
    a = np.abs(k)
    if family == "cubic":
        key = tuple(float(x) for x in np.sort(a))
        table = _CUBIC_P
    elif family == "tetragonal":
        key, table = tuple(float(x) for x in a), _TETRAGONAL_P
    elif family == "orthorhombic":
        key, table = tuple(float(x) for x in a), _ORTHORHOMBIC_P
    else:
        key, table = (), {}
    for ref, name in table.items():
        if len(key) == 3 and np.allclose(key, ref, atol=1e-6):
            return name
    return "(" + ",".join(_pretty(float(x)) for x in k) + ")"


def _label_rank(label: str) -> int:
    order = ["Γ", "X", "Y", "Z", "M", "S", "U", "T", "R", "A"]
    return order.index(label) if label in order else len(order)
