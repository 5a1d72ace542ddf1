"""The decorated parent as a magnetic CIF with the child's symmetry (VESTA draws the pattern).

The parent in the child's primitive cell, its symmetry-independent atoms, and the child's
operations (the ones the decoration keeps), so that a viewer regenerates the whole pattern
from the asymmetric unit. Pseudovector (1e) features are axial like magnetic moments and are
written with every operation unprimed (no time reversal). Polar-vector (1o) features are
drawn as arrows too; as an axial quantity they would flip under improper operations, so
those carry the time-reversal flag -1 (which turns an axial arrow into a polar one) and the
file says so. Other irreps have no arrows: the file then holds the structure and operations.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from symcompile.o3 import Irrep
from symcompile.order_params.problem import Problem
from symcompile.structures.cif import symop_text


def _orbits(problem: Problem) -> list[int]:
    """One representative child atom of each orbit of the child's group (lowest index)."""
    g, child_atom = problem.group, problem.analysis.child_atom
    t_idx, m_idx = np.nonzero(problem.child_mask)
    rep = np.arange(problem.n_atoms)
    for t, m in zip(t_idx, m_idx):
        image = child_atom[g.perm_trans[t][g.perm_ops[m][: problem.n_atoms]]]
        np.minimum.at(rep, image, rep)
    changed = True
    while changed:  # propagate to a fixed point (the orbits are closed under the group)
        new = rep[rep]
        changed = bool(np.any(new != rep))
        rep = new
    return sorted(set(rep.tolist()))


def _cell_parameters(lattice: np.ndarray) -> list[float]:
    a, b, c = np.linalg.norm(lattice, axis=1)
    alpha = np.degrees(np.arccos(lattice[1] @ lattice[2] / (b * c)))
    beta = np.degrees(np.arccos(lattice[0] @ lattice[2] / (a * c)))
    gamma = np.degrees(np.arccos(lattice[0] @ lattice[1] / (a * b)))
    return [float(a), float(b), float(c), float(alpha), float(beta), float(gamma)]


def write_mcif(path: str | os.PathLike[str], problem: Problem, features: np.ndarray, irrep: Irrep,
               group: dict[str, Any], title: str) -> str:
    """Write the decorated parent with the child's operations; return the path."""
    lattice = problem.parent.lattice
    rot, trans = problem.child_operations()
    arrows = irrep.l == 1
    flags = [1 if (irrep.p == 1 or round(float(np.linalg.det(w))) == 1) else -1 for w in rot]
    a, b, c, alpha, beta, gamma = _cell_parameters(lattice)
    symbol = str(group.get("symbol") or "P1")
    lines = [
        f"# {title}: symcompile order-params. The parent decorated with the learned {irrep} features, with the "
        f"child's {len(rot)} operations ({symbol}).",
    ]
    if arrows and irrep.p == 1:
        lines.append("# Arrows: the 1e features (axial, like magnetic moments), largest = 1; no time reversal.")
    elif arrows:
        lines.append("# Arrows: the 1o features (polar vectors), largest = 1; improper operations carry the flag -1 so "
                     "that the arrows transform as polar vectors (there is no time reversal here).")
    else:
        lines.append(f"# The {irrep} features are not vectors: no arrows are drawn.")
    lines += [
        "data_decorated_parent",
        f"_cell_length_a {a:.6f}", f"_cell_length_b {b:.6f}", f"_cell_length_c {c:.6f}",
        f"_cell_angle_alpha {alpha:.6f}", f"_cell_angle_beta {beta:.6f}", f"_cell_angle_gamma {gamma:.6f}",
        f"_space_group_magn.name_BNS \"{symbol}\"",
        "loop_", "_space_group_symop_magn_operation.id", "_space_group_symop_magn_operation.xyz",
    ]
    for i, (w, t, flag) in enumerate(zip(rot, trans, flags), start=1):
        lines.append(f"{i} {symop_text(w, t)},{flag:+d}")
    lines += ["loop_", "_space_group_symop_magn_centering.id", "_space_group_symop_magn_centering.xyz", "1 x,y,z,+1",
              "loop_", "_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x", "_atom_site_fract_y",
              "_atom_site_fract_z", "_atom_site_occupancy"]
    species = problem.species
    reps = _orbits(problem)
    labels = {i: f"{species[i]}{n}" for n, i in enumerate(reps, start=1)}
    frac = problem.parent.frac_coords % 1.0
    for i in reps:
        x = np.round(frac[i], 6) + 0.0
        lines.append(f"{labels[i]} {species[i]} {x[0]:.6f} {x[1]:.6f} {x[2]:.6f} 1")
    scale = float(np.abs(features).max()) if features.size else 0.0
    if arrows and scale > 0:
        lengths = np.linalg.norm(lattice, axis=1)
        along = np.linalg.solve((lattice / lengths[:, None]).T, (features / np.linalg.norm(features, axis=1).max()).T).T
        lines += ["loop_", "_atom_site_moment.label", "_atom_site_moment.crystalaxis_x",
                  "_atom_site_moment.crystalaxis_y", "_atom_site_moment.crystalaxis_z"]
        for i in reps:
            m = np.round(along[i], 6) + 0.0
            if np.linalg.norm(m) > 1e-8:
                lines.append(f"{labels[i]} {m[0]:.6f} {m[1]:.6f} {m[2]:.6f}")
    text = "\n".join(lines) + "\n"
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return os.fspath(path)
