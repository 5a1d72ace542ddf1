"""How each atom's coordination shell deforms from parent to child, channel by channel.

The bond vectors r_j from an atom to its first shell of neighbours (parent) become r_j + Δ_j
in the child (strain included, rotation of the whole crystal removed). The best affine fit
Δ_j ≈ c + A r_j splits into the familiar local order parameters: the off-centring of the atom
in its cage (c, a polar vector 1o, divided by the mean bond length), the rotation of the
polyhedron (the antisymmetric part of A, a pseudovector 1e: tilts), its change of volume (the
trace, 0e: breathing) and of shape (the symmetric traceless part, 2e: Jahn-Teller). Each is a
dimensionless amplitude (Frobenius norms, so that the squares add up).

>>> import numpy as np
>>> r = np.array([[2.0, 0, 0], [-2, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 2], [0, 0, -2]])
>>> jt = r @ np.diag([-0.05, -0.05, 0.1])          # elongated along z: Jahn-Teller shape change
>>> {k: round(float(v), 3) for k, v in channels(r, jt).items()}
{'1o': 0.0, '0e': 0.0, '1e': 0.0, '2e': 0.122}
"""

from __future__ import annotations

import numpy as np

from symcompile.structures.neighbours import periodic_index
from symcompile.structures.structure import Structure

#: Neighbours within this factor of an atom's nearest-neighbour distance form its first shell.
SHELL_FACTOR = 1.15
#: The O(3) channels of the affine fit.
CHANNELS = ("1o", "0e", "1e", "2e")


def channels(bonds: np.ndarray, changes: np.ndarray) -> dict[str, float]:
    """Local deformation amplitudes of one shell: parent bond vectors (n, 3), their changes (n, 3)."""
    design = np.hstack([np.ones((len(bonds), 1)), bonds])
    fit, *_ = np.linalg.lstsq(design, changes, rcond=1e-8)  # minimum norm where the shell is flat or linear
    c, A = fit[0], fit[1:].T
    sym = (A + A.T) / 2
    trace = float(np.trace(sym))
    mean_bond = float(np.linalg.norm(bonds, axis=1).mean())
    return {"1o": float(np.linalg.norm(c)) / mean_bond, "0e": abs(trace) / np.sqrt(3.0),
            "1e": float(np.linalg.norm(A - A.T)) / 2, "2e": float(np.linalg.norm(sym - trace / 3 * np.eye(3)))}


def shell_deformations(parent: Structure, child_frac: np.ndarray, child_lattice: np.ndarray) -> list[dict[str, float]]:
    """The channels of every atom: ``parent`` (its lattice and positions), the child's fractional
    coordinates on its own ``child_lattice`` (rows, the same cell, atoms in the same order)."""
    from symcompile.structures.neighbours import nearest_neighbour_distances

    lattice = np.asarray(parent.lattice, dtype=float)
    child_lattice = np.asarray(child_lattice, dtype=float)
    deformation = child_lattice.T @ np.linalg.inv(lattice.T)
    u, _, vt = np.linalg.svd(deformation)
    rotation = u @ vt  # the rigid rotation between the two frames, removed
    nearest = nearest_neighbour_distances(parent)
    radius = float(nearest.max()) * SHELL_FACTOR
    index, wrapped = periodic_index(lattice, parent.frac_coords, radius)
    points = wrapped @ lattice
    qi, pi = index.candidates(points)
    vectors = index.points[pi] - points[qi]
    length = np.linalg.norm(vectors, axis=1)
    owner = index.owner[pi]
    keep = (length > 1e-8) & (length <= SHELL_FACTOR * nearest[qi])
    qi, owner, vectors = qi[keep], owner[keep], vectors[keep]
    frac_bonds = vectors @ np.linalg.inv(lattice)
    child = np.asarray(child_frac, dtype=float)
    delta = child[owner] - child[qi] - (wrapped[owner] - wrapped[qi])  # the same bond in the child
    child_bonds = (frac_bonds + delta - np.rint(delta)) @ child_lattice @ rotation
    out = []
    for i in range(parent.num_atoms):
        mine = qi == i
        out.append(channels(vectors[mine], child_bonds[mine] - vectors[mine]) if mine.any()
                   else dict.fromkeys(CHANNELS, 0.0))
    return out
