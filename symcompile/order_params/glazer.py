"""Glazer's tilt symbol of a perovskite child, from the rotations of its BX6 octahedra.

For a cubic perovskite parent (Pm-3m, a site with six nearest neighbours: B), the rotation of
each octahedron (the antisymmetric part of the affine fit of its six bond-vector changes) is
split along each cubic axis into its out-of-phase part (k = R: neighbours along every axis
rotate oppositely, '-') and its in-phase part (k = M with k_axis = 0: successive octahedra
along the axis rotate alike, '+'). Equal magnitudes share a letter; the symbol is written as
Howard & Stokes (Acta Cryst. B54, 782, 1998) list the tilt systems: zero tilts first, then
in-phase, then out-of-phase (a0a0c-, a+b-b-, a-a-a-; details in :func:`glazer_symbol_of`).
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
    """The symbol from (in-phase, out-of-phase) magnitudes about the three cubic axes.

    Letters compare magnitudes whatever the phase (Glazer's a+b+b-: the last two tilts are equal).
    Axes are listed zero first, then in-phase, then out-of-phase; within a phase, an axis equal to
    one listed before comes first, an axis equal to none next, an equal pair after, and an axis
    equal to one listed later last (a+b-b-, a-b-b-, a+a-c-, a+b+b-).
    """
    top = max(max(p, m) for p, m in tilts)
    signs, sizes = [], []
    for plus, minus in tilts:
        size = max(plus, minus)
        signs.append("0" if size <= RELATIVE_TOL * top else ("+" if plus > minus else "-"))
        sizes.append(0.0 if signs[-1] == "0" else size)
    phase = ["0+-".index(s) for s in signs]

    def equal(i: int, j: int) -> bool:
        return i != j and abs(sizes[i] - sizes[j]) <= RELATIVE_TOL * top

    def order_key(i: int) -> tuple[int, int, float]:
        if any(equal(i, j) and phase[j] < phase[i] for j in range(3)):
            rank = 0
        elif any(equal(i, j) and phase[j] == phase[i] for j in range(3)):
            rank = 2
        elif any(equal(i, j) and phase[j] > phase[i] for j in range(3)):
            rank = 3
        else:
            rank = 1
        return (phase[i], rank, -sizes[i])

    axes = sorted(range(3), key=order_key)
    letters: list[str] = []
    for position, axis in enumerate(axes):
        earlier = next((letters[p] for p in range(position) if equal(axes[p], axis)), None)
        letters.append(earlier or "abc"[position])
    return "".join(f"{letters[p]}{signs[axis]}" for p, axis in enumerate(axes))


def _octahedral_site(problem: Problem) -> int | None:
    """The parent orbit whose atoms have exactly six nearest neighbours (the B site), if any."""
    from symcompile.structures.neighbours import (
        nearest_neighbour_distances,
        periodic_index,
    )

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
    from symcompile.structures.neighbours import (
        nearest_neighbour_distances,
        periodic_index,
    )

    parent = problem.parent
    nearest = nearest_neighbour_distances(parent)
    index, wrapped = periodic_index(parent.lattice, parent.frac_coords, float(nearest.max()) * 1.05)
    cart = wrapped @ parent.lattice
    u = problem.displacements
    out = np.zeros((len(atoms), 3))
    for n, i in enumerate(atoms):
        _, pi = index.candidates(cart[i:i + 1])
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
    cell = np.rint(problem.match.to_conv).astype(int)  # columns: the child's lattice vectors, conventional

    def part(k: np.ndarray, values: np.ndarray) -> float:
        """|Fourier component| of a field on the B atoms at k (zero unless k fits the child's cell)."""
        if np.any((k @ cell) % 1.0 > 1e-9):
            return 0.0
        return abs(float(np.mean(values * np.cos(2 * np.pi * steps @ k))))

    tilts = []
    for axis in range(3):
        in_phase = np.full(3, 0.5)
        in_phase[axis] = 0.0
        tilts.append((part(in_phase, omega[:, axis]), part(np.full(3, 0.5), omega[:, axis])))
    if max(max(t) for t in tilts) < 1e-6:
        return None
    return glazer_symbol_of(tilts)

