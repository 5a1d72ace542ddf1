"""Symmetry of a structure decorated with per-atom irreps features.

An operation g = (W, t) of the undecorated parent is a symmetry of the decorated one iff
f[perm_g(i)] = D(R_g) f[i] on every atom, D including parity (det R = -1 multiplies an
irrep of parity p by p). The operations that pass form a group, named by spglib's
get_spacegroup_type_from_symmetry. Pseudovector (1e) and vector (1o) decorations are
cross-checked with spglib's own magnetic-symmetry search (axial / polar moments), keeping
the operations without time reversal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcompile.o3 import Irrep, Irreps
from symcompile.structures.operations import Operations
from symcompile.structures.spacegroup import quiet_spglib, space_group_of_operations
from symcompile.order_params.parent import ParentMatch

#: Features smaller than this fraction of the largest per-atom feature norm count as zero.
FEATURE_TOL = 1e-6


def feature_irreps(lmax: int) -> Irreps:
    """Every irrep up to ``lmax``, both parities: 0e + 0o + 1o + 1e + 2e + 2o + ..."""
    parts = []
    for l in range(lmax + 1):
        natural = (-1) ** l
        parts += [f"{l}{'e' if natural == 1 else 'o'}", f"{l}{'o' if natural == 1 else 'e'}"]
    return Irreps("+".join(parts))


def representation(irreps: Irreps, ops: Operations) -> np.ndarray:
    """D(R) of every operation, (n_ops, dim, dim)."""
    return np.asarray(irreps.D_from_matrix(ops.rotations), dtype=np.float64).reshape(len(ops), irreps.dim, irreps.dim)


def invariant_mask(features: np.ndarray, D: np.ndarray, ops: Operations, tol: float = FEATURE_TOL) -> np.ndarray:
    """Which operations leave the per-atom features (N, dim) invariant (relative tolerance)."""
    scale = float(np.linalg.norm(features, axis=1).max()) if features.size else 0.0
    if scale == 0.0:
        return np.ones(len(ops), dtype=bool)
    out = np.empty(len(ops), dtype=bool)
    for k in range(len(ops)):
        image = np.empty_like(features)
        image[ops.permutations[k]] = features @ D[k].T
        out[k] = float(np.abs(image - features).max()) <= tol * scale
    return out


def group_of_mask(match: ParentMatch, mask: np.ndarray, symprec: float) -> dict[str, Any]:
    """The space group formed by the parent operations in ``mask`` (in the child's cell)."""
    ops = match.ops.subset(mask)
    sg = space_group_type(ops, match.parent.lattice, symprec)
    extra_translations = int(ops.pure_translations.sum()) - 1
    sg.update({
        "operations": int(mask.sum()),
        "extra_translations": extra_translations,
        "equals_child": bool(np.array_equal(mask, match.child_mask)),
    })
    return sg


def decorated_group(match: ParentMatch, features: np.ndarray, irreps: Irreps, symprec: float,
                    D: np.ndarray | None = None, tol: float = FEATURE_TOL) -> dict[str, Any]:
    """Space group of the parent decorated with ``features`` (N, irreps.dim), with its operations mask."""
    D = representation(irreps, match.ops) if D is None else D
    mask = invariant_mask(features, D, match.ops, tol)
    out = group_of_mask(match, mask, symprec)
    out["mask"] = mask
    return out


def irrep_columns(irreps: Irreps, ir: Irrep) -> slice:
    """Columns of the (single) copy of ``ir`` in ``irreps``."""
    for (mul, other), sl in zip(irreps, irreps.slices()):
        if other == ir:
            if mul != 1:
                raise ValueError(f"{ir} appears {mul} times")
            return sl
    raise KeyError(str(ir))


def magnetic_cross_check(match: ParentMatch, features: np.ndarray, irreps: Irreps, ir: str, symprec: float,
                         tol: float = FEATURE_TOL) -> dict[str, Any] | None:
    """spglib's view of the l = 1 part ``ir`` (1e: axial moments, 1o: polar moments) of a decoration.

    Returns the operation counts by spglib and by our Wigner-D check of that part alone, and
    whether the two sets of operations agree; None if that part is zero.
    """
    import spglib

    irrep = Irrep(ir)
    if irrep.l != 1 or irrep not in [x for _, x in irreps]:
        return None
    moments = features[:, irrep_columns(irreps, irrep)]  # l = 1 is ordered (x, y, z)
    scale = float(np.linalg.norm(moments, axis=1).max())
    if scale == 0.0:
        return None
    moments = moments / scale
    moments = np.where(np.abs(moments) < tol, 0.0, moments)
    lattice, frac, numbers = match.parent.spglib_cell()
    with quiet_spglib():
        sym = spglib.get_magnetic_symmetry((lattice, frac, numbers, moments), symprec=symprec,
                                           mag_symprec=max(10 * tol, 1e-5), is_axial=irrep.p == 1)
    ours = invariant_mask(moments, representation(Irreps(str(irrep)), match.ops), match.ops, tol)
    if sym is None:
        return {"irrep": str(irrep), "spglib_operations": None, "operations": int(ours.sum()), "agree": False}
    keep = ~np.asarray(sym["time_reversals"], dtype=bool)
    theirs = {_op_key(W, t) for W, t in zip(sym["rotations"][keep], sym["translations"][keep])}
    mine = {_op_key(W, t) for W, t in zip(match.ops.frac_rotations[ours], match.ops.frac_translations[ours])}
    sg = space_group_type(match.ops.subset(ours), lattice, symprec)
    return {"irrep": str(irrep), "spglib_operations": len(theirs), "operations": len(mine),
            "agree": theirs == mine, "space_group": sg}


def space_group_type(ops: Operations, lattice: np.ndarray, symprec: float) -> dict[str, Any]:
    """``{"number", "symbol"}`` of a set of crystal operations (both None if they are no space group)."""
    found = space_group_of_operations(ops.frac_rotations, ops.frac_translations, lattice, symprec)
    return found if found is not None else {"number": None, "symbol": None}


def _op_key(W: np.ndarray, t: np.ndarray) -> tuple[int, ...]:
    t = np.round(np.asarray(t, dtype=float) * 1e4).astype(int) % 10000
    return (*np.asarray(W, dtype=int).ravel().tolist(), *t.tolist())
