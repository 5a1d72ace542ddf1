"""The decorated parent as a magnetic CIF (P1): l = 1 features drawn as moments (VESTA opens it).

Pseudovectors (1e) are genuine axial moments; polar vectors (1o) are written the same way so
that they can be looked at, which the file's comment says. Moments are given along the unit
vectors of the cell axes, as the mCIF ``_atom_site_moment.crystalaxis_*`` items expect.
"""

from __future__ import annotations

import os

import numpy as np

from symcompile.o3 import Irrep, Irreps
from symcompile.order_params.decorate import irrep_columns
from symcompile.order_params.parent import ParentMatch


def write_mcif(path: str | os.PathLike[str], match: ParentMatch, features: np.ndarray, irreps: Irreps,
               title: str = "decorated parent") -> str:
    """Write the parent (in the child's cell) with the l = 1 features as moments; return the path."""
    lattice = match.parent.lattice
    lengths = np.linalg.norm(lattice, axis=1)
    a, b, c = lengths
    alpha = np.degrees(np.arccos(lattice[1] @ lattice[2] / (b * c)))
    beta = np.degrees(np.arccos(lattice[0] @ lattice[2] / (a * c)))
    gamma = np.degrees(np.arccos(lattice[0] @ lattice[1] / (a * b)))
    moments = np.zeros((match.child.num_atoms, 3))
    kinds = []
    for name in ("1e", "1o"):
        ir = Irrep(name)
        if ir in [x for _, x in irreps]:
            part = features[:, irrep_columns(irreps, ir)]
            if np.any(part):
                moments += part
                kinds.append(name)
    scale = float(np.linalg.norm(moments, axis=1).max())
    if scale > 0:
        moments = moments / scale  # largest arrow = 1
    unit_axes = (lattice / lengths[:, None]).T  # columns: unit vectors along a, b, c
    along = np.linalg.solve(unit_axes, moments.T).T
    lines = [
        (f"# {title}: symcompile order-params; arrows are the learned l = 1 features "
         f"({', '.join(kinds) or 'none'}), largest = 1."),
        "# 1e (pseudovectors) are axial like magnetic moments; 1o (polar vectors) are drawn the same way.",
        "data_decorated_parent",
        f"_cell_length_a {a:.6f}", f"_cell_length_b {b:.6f}", f"_cell_length_c {c:.6f}",
        f"_cell_angle_alpha {alpha:.6f}", f"_cell_angle_beta {beta:.6f}", f"_cell_angle_gamma {gamma:.6f}",
        "_space_group_magn.number_BNS 1.1", "_space_group_magn.name_BNS \"P 1\"",
        "loop_", "_space_group_symop_magn_operation.id", "_space_group_symop_magn_operation.xyz", "1 x,y,z,+1",
        "loop_", "_space_group_symop_magn_centering.id", "_space_group_symop_magn_centering.xyz", "1 x,y,z,+1",
        "loop_", "_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x", "_atom_site_fract_y",
        "_atom_site_fract_z", "_atom_site_occupancy",
    ]
    labels = [f"{s}{i + 1}" for i, s in enumerate(match.child.species)]
    for label, s, x in zip(labels, match.child.species, match.parent.frac_coords):
        x = np.round(x, 6) + 0.0
        lines.append(f"{label} {s} {x[0]:.6f} {x[1]:.6f} {x[2]:.6f} 1")
    lines += ["loop_", "_atom_site_moment.label", "_atom_site_moment.crystalaxis_x",
              "_atom_site_moment.crystalaxis_y", "_atom_site_moment.crystalaxis_z"]
    for label, m in zip(labels, along):
        if np.linalg.norm(m) > 1e-8:
            m = np.round(m, 6) + 0.0
            lines.append(f"{label} {m[0]:.6f} {m[1]:.6f} {m[2]:.6f}")
    text = "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return os.fspath(path)
