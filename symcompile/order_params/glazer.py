"""Glazer's tilt symbol of a perovskite child, from the rotations of its BX6 octahedra.

For a cubic perovskite parent (Pm-3m, a site with six nearest neighbours: B), the rotation of
each octahedron (the antisymmetric part of the affine fit of its six bond-vector changes) is
split along each cubic axis into its out-of-phase part (k = R: neighbours along every axis
rotate oppositely, '-') and its in-phase part (k = M with k_axis = 0: successive octahedra
along the axis rotate alike, '+'). Equal magnitudes share a letter; the symbol is written as
Howard & Stokes (Acta Cryst. B54, 782, 1998) list the tilt systems: zero tilts first, then
in-phase, then out-of-phase, the unequal axis before an equal pair (a0a0c-, a+b-b-, a-a-a-).
This uses the child's displacements, whatever the carrier (BiFeO3's polar R3c: a-a-a-).

>>> glazer_symbol_of([(0.0, 0.1), (0.0, 0.1), (0.12, 0.0)])
'a+b-b-'
"""

from __future__ import annotations

import numpy as np

from symcompile.order_params.problem import Problem

#: Tilts below this fraction of the largest count as zero; magnitudes within it are equal.
RELATIVE_TOL = 1e-3


def glazer_symbol_of(tilts: list[tuple[float, float]]) -> str:
    """The symbol from (in-phase, out-of-phase) magnitudes about the three cubic axes."""
    top = max(max(p, m) for p, m in tilts)
    signs, sizes = [], []
    for plus, minus in tilts:
        size = max(plus, minus)
        signs.append("0" if size <= RELATIVE_TOL * top else ("+" if plus > minus else "-"))
        sizes.append(0.0 if signs[-1] == "0" else size)

    def equal(i: int, j: int) -> bool:
        return signs[i] == signs[j] and abs(sizes[i] - sizes[j]) <= RELATIVE_TOL * top

    def order_key(i: int) -> tuple[int, int, float]:
        pair = sum(equal(i, j) for j in range(3)) > 1
        return ("0+-".index(signs[i]), int(pair), -sizes[i])

    axes = sorted(range(3), key=order_key)
    letters: list[str] = []
    for position, axis in enumerate(axes):
        earlier = next((letters[p] for p in range(position) if equal(axes[p], axis)), None)
        letters.append(earlier or "abc"[position])
    return "".join(f"{letters[p]}{signs[axis]}" for p, axis in enumerate(axes))


def _octahedral_site(problem: Problem) -> int | None:
    """The parent orbit whose atoms have exactly six nearest neighbours (the B site), if any."""
    from symcompile.structures.neighbours import nearest_neighbour_distances, periodic_index

    parent = problem.parent
    nearest = nearest_neighbour_distances(parent)
    index, wrapped = periodic_index(parent.lattice, parent.frac_coords, float(nearest.max()) * 1.05)
    qi, pi = index.candidates(wrapped @ parent.lattice)
    d = np.linalg.norm(index.points[pi] - (wrapped @ parent.lattice)[qi], axis=1)
    counts = np.bincount(qi[(d > 1e-8) & (d <= nearest[qi] * 1.05)], minlength=parent.num_atoms)
    sites = problem.site_index
    six = [s for s in set(sites.tolist()) if np.all(counts[sites == s] == 6)
           and problem.site(s).site_symmetry.replace(".", "") == "m-3m"]
    return min(six) if len(six) == 1 else None


def octahedron_rotations(problem: Problem, atoms: np.ndarray) -> np.ndarray:
    """(n, 3) rotation vectors (rad) of the octahedra centred on ``atoms``, from the displacements."""
    from symcompile.structures.neighbours import nearest_neighbour_distances, periodic_index

    parent = problem.parent
    nearest = nearest_neighbour_distances(parent)
    index, wrapped = periodic_index(parent.lattice, parent.frac_coords, float(nearest.max()) * 1.05)
    cart = wrapped @ parent.lattice
    u = problem.displacements
    out = np.zeros((len(atoms), 3))
    for n, i in enumerate(atoms):
        qi, pi = index.candidates(cart[i:i + 1])
        vec = index.points[pi] - cart[i]
        d = np.linalg.norm(vec, axis=1)
        ok = (d > 1e-8) & (d <= nearest[i] * 1.05)
        bonds, owners = vec[ok], index.owner[pi[ok]]
        design = np.hstack([np.ones((len(bonds), 1)), bonds])
        fit, *_ = np.linalg.lstsq(design, u[owners] - u[i], rcond=None)
        A = fit[1:].T
        out[n] = [(A[2, 1] - A[1, 2]) / 2, (A[0, 2] - A[2, 0]) / 2, (A[1, 0] - A[0, 1]) / 2]
    return out


def glazer_symbol(problem: Problem) -> str | None:
    """The tilt system of a perovskite child of a Pm-3m parent; None for other parents or no tilts."""
    if problem.setting.number != 221:
        return None
    site = _octahedral_site(problem)
    if site is None:
        return None
    atoms = np.flatnonzero(problem.site_index == site)
    omega = octahedron_rotations(problem, atoms)
    basis = problem.group.basis / np.linalg.norm(problem.group.basis, axis=0)  # unit cubic axes (columns)
    omega = omega @ basis  # components about the cubic axes
    x = problem.parent.cart_coords[atoms] @ np.linalg.inv(problem.group.basis).T  # conventional coordinates
    steps = np.rint(x - x[0]).astype(int)
    r_sign = (-1.0) ** steps.sum(axis=1)
    tilts = []
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        m_sign = (-1.0) ** steps[:, others].sum(axis=1)
        tilts.append((abs(float(np.mean(omega[:, axis] * m_sign))), abs(float(np.mean(omega[:, axis] * r_sign)))))
    if max(max(t) for t in tilts) < 1e-6:
        return None
    return glazer_symbol_of(tilts)

