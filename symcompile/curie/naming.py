"""Symmetry operations named in words: "4-fold rotation about z (+90°)", "mirror normal to [1-10]".

Point operations use the tensors/o3 helper's :func:`describe_operation`; space-group operations
add their translation in fractional coordinates of the input cell.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from symcompile.o3.point_groups import _format_axis, describe_operation

__all__ = ["axis_name", "operation_name", "operation_names"]


def axis_name(axis: np.ndarray) -> str:
    """``"z"``, ``"[110]"``, ``"[0.6 0.8 0]"``..."""
    return _format_axis(np.asarray(axis, dtype=np.float64))


def _fraction(x: float) -> str:
    f = Fraction(float(x)).limit_denominator(24)
    if abs(float(f) - x) > 1e-3:
        return f"{x:.3f}"
    return str(f)


def operation_name(R: np.ndarray, t_frac: np.ndarray | None = None) -> str:
    """One operation in words; with a non-zero fractional translation, the translation is appended."""
    name = describe_operation(R, sense=True)
    if t_frac is None:
        return name
    t = np.asarray(t_frac, dtype=np.float64)
    t = t - np.round(t)
    if np.abs(t).max() < 1e-6:
        return name
    parts = ", ".join(_fraction(x) for x in t)
    if name == "identity":
        return f"translation ({parts})"
    return f"{name} with translation ({parts})"


def operation_names(ops: object) -> list[str]:
    """Names of every operation of an :class:`~symcompile.curie.group.Operations`."""
    if getattr(ops, "labels", None):
        return list(ops.labels)  # type: ignore[attr-defined]
    rots = ops.rotations  # type: ignore[attr-defined]
    if getattr(ops, "kind", "point") == "space":
        lat = ops.lattice  # type: ignore[attr-defined]
        fr = np.linalg.solve(lat.T, ops.translations.T).T  # type: ignore[attr-defined]
        return [operation_name(R, t) for R, t in zip(rots, fr)]
    return [operation_name(R) for R in rots]
