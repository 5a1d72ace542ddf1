"""Symmetry of the parent decorated with per-atom features, by two independent routes.

Ours: an element g of the parent's group keeps the decoration iff f[g(i)] = D(g) f[i] on every
atom (D the Wigner matrix of the features' O(3) irrep, parity included), on the group that
the mode analysis uses. spglib's: scalar (0e) features as atom types, l = 1 features as
magnetic moments (axial for 1e, polar for 1o, operations without time reversal kept); and the
child itself, whose operations must be exactly those the decoration keeps. Both give sets of
operations in the child's primitive cell, compared one for one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import spglib

from symcompile.o3 import Irrep
from symcompile.order_params.problem import Problem
from symcompile.structures.spacegroup import quiet_spglib, space_group_of_operations

#: Features smaller than this fraction of the largest feature count as zero.
FEATURE_TOL = 1e-6


def stabiliser(problem: Problem, features: np.ndarray, rho: np.ndarray, tol: float = FEATURE_TOL) -> np.ndarray:
    """(n_trans, n_ops) mask of the group elements that keep the decoration ``features`` (N, d)."""
    scale = float(np.abs(features).max()) if features.size else 0.0
    if scale == 0.0:
        return np.ones_like(problem.child_mask)
    return problem.group.stabiliser(features[problem.analysis.child_atom], rho, tol * scale)


def has_child_symmetry(problem: Problem, features: np.ndarray, rho: np.ndarray) -> bool:
    """The decoration keeps exactly the child's operations."""
    return bool(np.any(features)) and bool(np.array_equal(stabiliser(problem, features, rho), problem.child_mask))


def _keys(rotations: np.ndarray, translations: np.ndarray) -> set[tuple[int, ...]]:
    t = np.round((np.asarray(translations, dtype=float) % 1.0) * 1e4).astype(np.int64) % 10_000
    return {(*np.asarray(w, dtype=int).ravel().tolist(), *x.tolist()) for w, x in zip(rotations, t)}


def decorated_group(problem: Problem, mask: np.ndarray) -> dict[str, Any]:
    """``{number, symbol, operations, equals_child}`` of the elements in ``mask`` (named by spglib)."""
    rot, trans = problem.child_operations(mask)
    sg = space_group_of_operations(rot, trans, problem.parent.lattice) or {"number": None, "symbol": None}
    return {**sg, "operations": len(rot), "equals_child": bool(np.array_equal(mask, problem.child_mask))}


def spglib_checks(problem: Problem, features: np.ndarray, irrep: Irrep, mask: np.ndarray,
                  symprec: float) -> list[dict[str, Any]]:
    """spglib's operations of the decoration (0e as types, 1e/1o as moments) and of the child, each
    compared with ours; ``agree`` per check."""
    ours = _keys(*problem.child_operations(mask))
    lattice, frac, numbers = problem.parent.spglib_cell()
    out = []
    scale = float(np.abs(features).max()) if features.size else 0.0
    theirs: set[tuple[int, ...]] | None = None
    kind = None
    if scale > 0 and str(irrep) == "0e":
        values = np.round(features[:, 0] / scale, 4)
        types = np.unique(np.stack([numbers, values], axis=1), axis=0, return_inverse=True)[1].ravel()
        with quiet_spglib():
            sym = spglib.get_symmetry((lattice, frac, types), symprec=symprec)
        theirs, kind = (None if sym is None else _keys(sym["rotations"], sym["translations"])), "atom types"
    elif scale > 0 and irrep.l == 1:
        moments = features / scale
        moments = np.where(np.abs(moments) < FEATURE_TOL, 0.0, moments)
        with quiet_spglib():
            sym = spglib.get_magnetic_symmetry((lattice, frac, numbers, moments), symprec=symprec,
                                               mag_symprec=1e-5, is_axial=irrep.p == 1)
        if sym is not None:
            keep = ~np.asarray(sym["time_reversals"], dtype=bool)
            theirs = _keys(sym["rotations"][keep], sym["translations"][keep])
        kind = "axial moments" if irrep.p == 1 else "polar moments"
    if kind is not None:
        out.append({"check": f"decoration as {kind}", "operations": len(ours),
                    "spglib_operations": None if theirs is None else len(theirs), "agree": theirs == ours})
    out.append(_child_check(problem, ours, symprec))
    return out


def _child_check(problem: Problem, ours: set[tuple[int, ...]], symprec: float) -> dict[str, Any]:
    """spglib's operations of the child itself, moved to the parent's origin, against the decoration's."""
    child_frac = problem.child_frac
    shift = (child_frac - problem.parent.frac_coords).mean(axis=0)
    with quiet_spglib():
        sym = spglib.get_symmetry((problem.child_lattice, child_frac - shift, problem.parent.spglib_cell()[2]),
                                  symprec=symprec)
    theirs = None if sym is None else _keys(sym["rotations"], sym["translations"])
    return {"check": "child (spglib)", "operations": len(ours),
            "spglib_operations": None if theirs is None else len(theirs), "agree": theirs == ours}
