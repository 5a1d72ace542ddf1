"""Unblocking an infeasible map: the lowest global input irreps that break exactly the symmetry the target breaks.

Let G be IN's group and H (a subgroup) the operations that keep the target. An extra global
input v in an irrep V makes the map feasible without breaking anything the target keeps iff
Stab_G(v) = H: v is H-invariant and fixed by no operation of G outside H. A generic v in the
H-invariant subspace W avoids every proper subspace Fix(g) ∩ W, so such v exists iff no
g in G \\ H fixes all of W. Square -> rectangle (D4h -> D2h): 0e, 0o, 1o, 1e fail, 2e works.
A global input sees only rotation parts, so it cannot break a pure lattice translation. In a
magnetic group the time-odd irreps (``1e'``: a magnetic field, a magnetisation) are candidates
too: they break the operations followed by time reversal.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from symcompile.structures.operations import Operations
from symcompile.o3 import Irrep, Irreps

__all__ = ["Unblocking", "unblocking_irreps", "invariant_direction", "stabiliser"]

_TOL = 1e-8


@dataclass
class Unblocking:
    """The answer: ``irreps`` (e.g. ``"2e"``), a direction in it with stabiliser exactly H, or why none."""

    irreps: str | None
    direction: np.ndarray | None = None
    alternatives: list[str] = field(default_factory=list)  # other irreps of the same (lowest) degree
    reason: str | None = None
    checked: list[str] = field(default_factory=list)


def _fixed_basis(mats: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of the vectors fixed by every matrix (the Reynolds projector's range)."""
    P = mats.mean(0)
    w, v = np.linalg.eigh((P + P.T) / 2)
    return v[:, w > 0.5]


def _breaks(D: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """For each operation: does it move some H-invariant vector of this representation?"""
    W = _fixed_basis(D[kept])
    if W.shape[1] == 0:
        return np.zeros(len(D), dtype=bool)
    moved = np.abs(np.einsum("gij,jk->gik", D, W) - W[None]).max(axis=(1, 2))
    return moved > _TOL


def invariant_direction(D: np.ndarray, kept: np.ndarray, seed: int = 0) -> np.ndarray:
    """A generic unit vector of the H-invariant subspace (deterministic)."""
    W = _fixed_basis(D[kept])
    rng = np.random.default_rng(seed)
    v = W @ rng.normal(size=W.shape[1])
    return v / np.linalg.norm(v)


def stabiliser(D: np.ndarray, v: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Boolean mask of the operations fixing v."""
    return np.abs(np.einsum("gij,j->gi", D, v) - v[None]).max(axis=1) <= tol * max(1.0, float(np.abs(v).max()))


def unblocking_irreps(ops: Operations, kept: np.ndarray, lmax: int = 4, max_terms: int = 2,
                      prefer_time_odd: bool = False) -> Unblocking:
    """Lowest-degree irreps (one, else a sum of two) whose generic H-invariant vector has stabiliser H in G.

    In a magnetic group, ``prefer_time_odd`` tries the time-odd irreps of each degree first (for a
    time-odd target, a field such as ``1e'`` is the natural input), else the time-even ones.
    """
    kept = np.asarray(kept, dtype=bool)
    if kept.all():
        return Unblocking(None, reason="feasible: nothing to unblock")
    if not ops.finite:
        return Unblocking(None, reason=f"not computed for the continuous group {ops.name} (finite groups only)")
    rots, tau = ops.rotations, ops.time_reversal
    blocked = ~kept
    unitary = np.ones(len(ops), dtype=bool) if tau is None else np.asarray(tau) > 0
    pure_translations = [g for g in np.flatnonzero(blocked)
                         if unitary[g] and np.allclose(rots[g], np.eye(3), atol=1e-8)]
    if pure_translations:
        return Unblocking(None, reason="the target breaks a lattice translation, which no global input can break "
                                       "(per-site inputs are needed)")
    irreps = list(Irrep.iterator(lmax))
    if not unitary.all():  # time-odd candidates after the time-even ones of each degree
        irreps = [x for ir in irreps for x in (ir, Irrep(ir.l, ir.p, -1))]
        irreps.sort(key=lambda ir: (ir.l, (ir.t == -1) != prefer_time_odd))
    breaks = {ir: _breaks(ir.D_from_matrix(rots, tau), kept) for ir in irreps}
    checked: list[str] = []
    single: list[Irrep] = []
    for ir in irreps:
        if single and ir.l > single[0].l:
            break
        checked.append(str(ir))
        if breaks[ir][blocked].all():
            single.append(ir)
    if single:
        best = single[0]
        lowest = [str(ir) for ir in single if ir.l == best.l]
        return Unblocking(str(best), invariant_direction(best.D_from_matrix(rots, tau), kept),
                          alternatives=lowest[1:], checked=checked)
    if max_terms >= 2:
        pairs = sorted(itertools.combinations(irreps, 2), key=lambda ab: (max(ab[0].l, ab[1].l), ab[0].l + ab[1].l))
        for a, b in pairs:
            if (breaks[a] | breaks[b])[blocked].all():
                both = Irreps([(1, a), (1, b)])
                return Unblocking(str(both).replace("1x", ""),
                                  invariant_direction(both.D_from_matrix(rots, tau), kept), checked=checked)
    return Unblocking(None, reason=f"no irreps up to l={lmax} (or a sum of two) break exactly the target's "
                                   "symmetry breaking", checked=checked)
