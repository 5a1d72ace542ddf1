"""The parts of the parent search, each against an independent route: lattice symmetries against
spglib, groups between two groups against known subgroup counts, the smallest enclosing ball
against a direct minimisation, pseudo-symmetry operations against exact symmetry."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import spglib

from symcompile.distortions.holohedry import (
    greedy_group,
    group_closure,
    near_isometries,
)
from symcompile.distortions.pseudosymmetry import Matcher, pseudo_symmetry
from symcompile.distortions.spread import smallest_ball
from symcompile.distortions.subgroups import closure, intermediate_groups
from symcompile.structures import Structure

# --------------------------------------------------------------------------- lattices
BRAVAIS = {  # conventional -> a primitive basis (rows), with parameters chosen in each family
    "cP": np.eye(3) * 3.9,
    "cI": 0.5 * np.array([[-1, 1, 1], [1, -1, 1], [1, 1, -1]]) * 4.1,
    "cF": 0.5 * np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]]) * 5.4,
    "tP": np.diag([3.9, 3.9, 4.2]),
    "tI": 0.5 * np.array([[-1, 1, 1], [1, -1, 1], [1, 1, -1]]) * [3.8, 3.8, 13.2],
    "oP": np.diag([5.5, 5.7, 7.7]),
    "oC": np.array([[2.7, -2.9, 0], [2.7, 2.9, 0], [0, 0, 4.1]]),
    "hP": np.array([[4.9, 0, 0], [-2.45, 4.9 * np.sqrt(3) / 2, 0], [0, 0, 5.4]]),
    "hR": np.array([[2.574, -1.486, 4.621], [0, 2.972, 4.621], [-2.574, -1.486, 4.621]]),
    "mP": np.array([[5.0, 0, 0], [0, 6.0, 0], [1.2, 0, 7.0]]),
    "aP": np.array([[5.0, 0.3, 0.1], [0.4, 6.0, 0.2], [1.2, 0.5, 7.0]]),
}


@pytest.mark.parametrize("name", sorted(BRAVAIS))
def test_lattice_symmetry_matches_spglib(name: str) -> None:
    rng = np.random.default_rng(len(name))
    basis_change = np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]]) if rng.random() < 2 else np.eye(3)
    lattice = basis_change @ BRAVAIS[name]  # an unreduced basis of the same lattice
    ours = near_isometries(lattice, 1e-6)
    theirs = spglib.get_symmetry((lattice, [[0, 0, 0]], [1]), symprec=1e-5)["rotations"]
    assert {w.tobytes() for w in ours.astype(np.int64)} == {w.tobytes() for w in theirs.astype(np.int64)}
    group = greedy_group(lattice.T, list(ours), [], 1e-6)
    assert len(group) == len(ours) and group_closure(group) is not None


def test_strained_lattice_keeps_its_near_isometries() -> None:
    tetragonal = np.diag([3.9, 3.9, 4.1])
    assert len(near_isometries(tetragonal, 0.01)) == 16
    assert len(near_isometries(tetragonal, 0.11)) == 48  # 4.1 / 3.9 = 1.051: within twice the strain
    group = greedy_group(tetragonal.T, list(near_isometries(tetragonal, 0.11)), [], 0.11)
    assert len(group) == 48


# --------------------------------------------------------------------------- groups between groups
def permutation_table(generators: list[tuple[int, ...]]) -> tuple[np.ndarray, int]:
    """Multiplication table of the permutation group generated (a∘b = a after b) and the identity."""
    n = len(generators[0])
    identity = tuple(range(n))
    elements = [identity]
    seen = {identity}
    for a in elements:
        for g in generators:
            p = tuple(a[g[i]] for i in range(n))
            if p not in seen:
                seen.add(p)
                elements.append(p)
    index = {p: i for i, p in enumerate(elements)}
    table = np.array([[index[tuple(a[b[i]] for i in range(n))] for b in elements] for a in elements])
    return table, 0


@pytest.mark.parametrize("generators, count", [
    ([(1, 0, 2, 3), (1, 2, 3, 0)], 30),  # S4 has 30 subgroups
    ([(1, 2, 3, 0), (3, 2, 1, 0)], 10),  # the dihedral group of the square, D4: 10
    ([(1, 0, 2, 3, 4, 5), (0, 1, 3, 2, 4, 5), (0, 1, 2, 3, 5, 4)], 16),  # (Z2)^3: 16
])
def test_every_subgroup_is_found(generators: list[tuple[int, ...]], count: int) -> None:
    table, identity = permutation_table(generators)
    start = np.zeros(len(table), dtype=bool)
    start[identity] = True
    found = intermediate_groups(table, start, identity)
    groups = found.groups
    assert len(groups) == count and not found.truncated
    assert all(found.below[i] < i and np.all(groups[found.below[i]] <= g) for i, g in enumerate(groups) if i)
    assert len({g.tobytes() for g in groups}) == count
    # each is closed: products stay inside
    for g in groups:
        members = np.flatnonzero(g)
        assert np.all(g[table[np.ix_(members, members)]])


def test_groups_above_a_subgroup_and_the_bound_on_work() -> None:
    table, identity = permutation_table([(1, 0, 2, 3), (1, 2, 3, 0)])  # S4
    transposition = closure(table, [1], identity)  # <(0 1)>
    groups = intermediate_groups(table, transposition, identity).groups
    # subgroups of S4 containing a transposition: itself, <(01),(23)>, two S3, D4, S4 (counted by hand
    # from the subgroup lattice of S4)
    assert sorted(int(g.sum()) for g in groups) == [2, 4, 6, 6, 8, 24]
    few = intermediate_groups(table, transposition, identity, max_groups=3)
    assert few.truncated and len(few.groups) == 3


# --------------------------------------------------------------------------- smallest ball
@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 40, 300])
def test_smallest_ball_against_direct_minimisation(n: int) -> None:
    from scipy.optimize import minimize

    rng = np.random.default_rng(n)
    points = rng.normal(size=(n, 3)) * [0.5, 0.2, 0.05]
    centre, radius = smallest_ball(points)
    assert np.linalg.norm(points - centre, axis=1).max() == pytest.approx(radius, abs=1e-12)

    def farthest(x: np.ndarray) -> float:
        return float(np.linalg.norm(points - x, axis=1).max())

    direct = min(minimize(farthest, points.mean(axis=0) + 0.01 * rng.normal(size=3), method="Nelder-Mead",
                          options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 40000}).fun for _ in range(4))
    assert radius <= direct + 1e-9
    assert radius >= np.linalg.norm(points[:, None] - points[None], axis=2).max() / 2 - 1e-12
    # moved and reordered: the same ball, moved
    shift = np.array([0.3, -1.0, 2.0])
    moved_centre, moved_radius = smallest_ball(points[::-1] + shift)
    assert moved_radius == pytest.approx(radius, abs=1e-12)
    assert np.allclose(moved_centre, centre + shift, atol=1e-9)


# --------------------------------------------------------------------------- pseudo-symmetry
def perovskite(z_ti: float = 0.5, c: float = 3.9) -> Structure:
    return Structure(np.diag([3.9, 3.9, c]), [[0, 0, 0], [.5, .5, z_ti], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]],
                     ("Sr", "Ti", "O", "O", "O"))


def test_exact_symmetry_is_its_own_pseudo_symmetry() -> None:
    ops = pseudo_symmetry(perovskite(), bound=0.05, max_strain=0.05)
    assert len(ops) == 48 and ops.child.all()
    assert np.allclose(ops.shifts, 0, atol=1e-12)
    # the permutations are a group action: the table agrees with composing them
    for a, b in itertools.product(range(len(ops)), repeat=2):
        assert np.array_equal(ops.permutations[ops.table[a, b]], ops.permutations[a][ops.permutations[b]])


def test_polar_child_and_its_cubic_pseudo_symmetry() -> None:
    ops = pseudo_symmetry(perovskite(0.52, 3.95), bound=0.2, max_strain=0.05)
    assert len(ops) == 48 and int(ops.child.sum()) == 8
    # Ti is 0.078 Å off the centre: an operation reversing z leaves it 0.156 Å from itself, 0.078 Å at best
    # with the translation chosen for it; one turning z into x leaves it 0.089 Å off (0.056 Å at best)
    too_tight = pseudo_symmetry(perovskite(0.52, 3.95), bound=0.03, max_strain=0.05)
    reverses_z = too_tight.rotations[too_tight.rotation_of][:, 2, 2] == -1
    assert len(too_tight) == 40 and not reverses_z.any()


def test_one_to_one_assignment_when_nearest_atoms_collide() -> None:
    # two atoms of a chain and two image points both nearest the first atom: only the assignment pairs them
    matcher = Matcher(np.diag([10.0, 10.0, 10.0]), np.array([[0.0, 0, 0], [0.1, 0, 0]]), np.array([0, 0]), 0.8)
    images = np.array([[0.02, 0, 0], [0.03, 0, 0]])
    assert matcher.nearest(images)[0].tolist() == [0, 0]
    perm, vec = matcher.nearest(images, one_to_one=True)
    assert sorted(perm.tolist()) == [0, 1]
    assert np.allclose(images + vec, matcher.frac[perm])
