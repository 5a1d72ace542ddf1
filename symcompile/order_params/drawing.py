"""What a picture of the order parameter needs: the parent's conventional cells, their atoms and the
vector fields on them, one per space-group irrep (plain numbers, drawn by the report).

The fields are the learned features when they are vectors (1e: axial, tilts; 1o: polar) and the
child's primary displacement modes otherwise. The child's cell repeats them; enough
conventional cells are drawn along each axis for one period of every k-vector shown (at most 4).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from symcompile.distortions.modes import Mode
from symcompile.order_params.problem import Problem

#: Most conventional cells drawn along an axis.
MAX_REPEAT = 4


def _repeat(modes: list[Mode]) -> list[int]:
    """Conventional cells along each axis that hold one period of every mode's k-vectors."""
    out = [1, 1, 1]
    for mode in modes:
        for arm in [a.k for a in mode.arms] or [mode.k]:
            for axis, k in enumerate(arm):
                denominator = Fraction(float(k)).limit_denominator(12).denominator
                out[axis] = int(min(MAX_REPEAT, np.lcm(out[axis], denominator)))
    return out


def _atoms_in_box(problem: Problem, repeat: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Conventional coordinates of every atom in the box [0, repeat) and the child atom it copies."""
    A, a = problem.match.to_conv, problem.match.shift
    x = problem.parent.frac_coords @ A.T + a
    reach = int(np.ceil(np.abs(np.linalg.inv(A)).sum(axis=1).max() * max(repeat))) + 2
    grid = np.stack(np.meshgrid(*[np.arange(-reach, reach + 1)] * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    shifts = grid @ A.T
    points = (x[:, None, :] + shifts[None]).reshape(-1, 3)
    owner = np.repeat(np.arange(len(x)), len(shifts))
    tol = 1e-6
    inside = np.all((points > -tol) & (points < np.array(repeat) - tol), axis=1)
    points, owner = points[inside], owner[inside]
    keys = np.round(points, 5)
    _, first = np.unique(keys, axis=0, return_index=True)
    first = np.sort(first)
    return points[first], owner[first]


def drawing(problem: Problem, fields: list[dict[str, Any]], modes: list[Mode]) -> dict[str, Any]:
    """``fields``: ``[{label, kind ('axial'|'polar'), source, primary, values (N, 3)}]`` on the child's
    atoms (the group's Cartesian frame). Returns cell, atoms and fields in the drawn box."""
    repeat = _repeat(modes)
    x, owner = _atoms_in_box(problem, repeat)
    basis = problem.group.basis  # columns: conventional vectors (Å)
    sites = problem.site_index
    atoms = [{"species": problem.species[i], "wyckoff": problem.site(int(sites[i])).wyckoff,
              "conventional": [float(v) for v in xi]} for xi, i in zip(x, owner)]
    return {"cell": basis.T.tolist(), "repeat": repeat, "atoms": atoms,
            "fields": [{**{k: v for k, v in f.items() if k != "values"},
                        "vectors": np.asarray(f["values"])[owner].tolist()} for f in fields]}


def displacement_fields(problem: Problem) -> tuple[list[dict[str, Any]], list[Mode]]:
    """The child's primary modes as polar vector fields (Å)."""
    modes = [m for m in problem.decomposition.modes if m.irrep in problem.primary_modes]
    return [{"label": m.irrep, "kind": "polar", "source": "the child's displacements", "primary": True, "values": m.values}
            for m in modes], modes
