"""Large inputs stay linear (issue 14): molecules of thousands of atoms get their point group, curie
never builds N x N arrays. Memory is measured with tracemalloc (deterministic), never time.

Before: random molecules of 200 / 500 / 1,000 atoms took 6.7 s / 45 s / >100 s; `curie` on N points
allocated N x N x 3 distances for its network cutoff and a (3N)^2 matrix to average over a linear
molecule's group.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from symcompile.o3.rotations import axis_angle_to_matrix
from symcompile.structures import Structure, symmetry_operations
from symcompile.structures.validation import validate


def fcc_cluster(target: int) -> Structure:
    """A ball of fcc points (complete shells, integer coordinates) with two species by |x|+|y|+|z| mod 4:
    both the points and the species pattern are invariant under all 48 signed permutations (Oh)."""
    k = int(np.ceil((target * 2 * 3 / (4 * np.pi)) ** (1 / 3))) + 2
    grid = np.stack(np.meshgrid(*[np.arange(-k, k + 1)] * 3, indexing="ij"), -1).reshape(-1, 3)
    grid = grid[grid.sum(axis=1) % 2 == 0]
    r2 = (grid ** 2).sum(axis=1)
    points = grid[r2 < np.sort(r2)[target]]
    species = tuple("Cu" if s % 4 == 0 else "Au" for s in np.abs(points).sum(axis=1))
    return Structure.molecule(species, 1.4 * points)


def jittered_molecule(n: int, seed: int) -> Structure:
    """n atoms on a 1.6 Å grid moved by up to 0.3 Å at random: no symmetry, no overlaps."""
    rng = np.random.default_rng(seed)
    k = int(np.ceil(n ** (1 / 3)))
    grid = np.stack(np.meshgrid(*[np.arange(k)] * 3, indexing="ij"), -1).reshape(-1, 3)[:n] * 1.6
    species = tuple(rng.choice(["C", "H", "N", "O"], size=n))
    return Structure.molecule(species, grid + rng.uniform(-0.3, 0.3, size=grid.shape))


@pytest.mark.parametrize("n", [200, 500, 1000])
def test_random_molecules_are_c1(n: int) -> None:
    ops = symmetry_operations(validate(jittered_molecule(n, n)), 1e-3)
    assert ops.name == "C1" and len(ops) == 1


def test_a_10000_atom_cluster_is_oh_in_any_frame() -> None:
    cluster = fcc_cluster(10_000)
    assert 9_000 < cluster.num_atoms <= 10_000
    R = axis_angle_to_matrix(np.array([0.3, -0.5, 0.8]), 1.1)
    order = np.random.default_rng(0).permutation(cluster.num_atoms)
    for structure in (cluster, cluster.transformed(R, [5.0, -2.0, 1.0]).permuted(order)):
        tracemalloc.start()
        ops = symmetry_operations(validate(structure), 1e-3)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert ops.name == "Oh" and len(ops) == 48
        assert peak < 400 * 2 ** 20  # an N x N float array alone would be 800 MB


def test_curie_network_cutoff_is_found_without_n_by_n_arrays() -> None:
    from symcompile.curie.training import _COMPLETE_GRAPH_MAX, _max_radius

    small = jittered_molecule(40, 1).cart_coords
    brute = np.linalg.norm(small[:, None] - small[None], axis=-1)
    assert abs(_max_radius(small, None) - (2.0 * brute.max() + 1e-3)) < 1e-12
    medium = jittered_molecule(300, 2).cart_coords
    assert len(medium) > _COMPLETE_GRAPH_MAX
    brute = np.linalg.norm(medium[:, None] - medium[None], axis=-1)
    np.fill_diagonal(brute, np.inf)
    assert abs(_max_radius(medium, None) - 5.0 * brute.min()) < 1e-12
    # a crystal: the shortest distance counts periodic images, an atom's own image included
    lattice = np.array([[3.0, 0, 0], [0.5, 3.2, 0], [0.2, 0.3, 2.9]])
    frac = np.array([[0.0, 0, 0], [0.45, 0.5, 0.52]])
    images = np.array([[i, j, k] for i in range(-2, 3) for j in range(-2, 3) for k in range(-2, 3)], float)
    cart = frac @ lattice
    distances = [np.linalg.norm((frac[b] - frac[a] + images) @ lattice, axis=1) for a in range(2) for b in range(2)]
    shortest = min(d[d > 1e-12].min() for d in distances)
    assert abs(_max_radius(cart, lattice) - 5.0 * shortest) < 1e-12
    big = jittered_molecule(10_000, 3).cart_coords
    tracemalloc.start()
    _max_radius(big, None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 * 2 ** 20  # N x N x 3 float64 would be 2.4 GB


def test_the_average_over_a_linear_molecules_group_is_the_projection() -> None:
    """C∞v / D∞h are averaged over C12v / D12h (linear in N): the same as the orthogonal projection onto the
    fields fixed by the continuous group's generators, computed here densely for a small molecule."""
    from symcompile.curie.feasibility import act, group_average, map_target

    for species in (("O", "C", "O"), ("H", "C", "N", "O")):
        n = len(species)
        z = np.linspace(-1.6, 1.6, n)
        linear = Structure.molecule(species, np.stack([np.zeros(n), np.zeros(n), z], axis=1))
        bent = linear.replace(cart_coords=linear.cart_coords + np.random.default_rng(n).normal(0, 0.1, (n, 3)))
        ops = symmetry_operations(linear, 1e-3)
        assert not ops.finite
        target = map_target(linear, bent, ops.symmetrized)
        dim = target.flat().size
        rows = []
        for R, p in zip(ops.rotations, ops.permutations):  # generators: the fixed space is their common one
            M = np.stack([act(R, p, target.unflat(np.eye(dim)[k])).flat() for k in range(dim)], axis=1)
            rows.append(M - np.eye(dim))
        _, s, vt = np.linalg.svd(np.concatenate(rows))
        null = vt[np.sum(s > 1e-10):]
        expected = null.T @ (null @ target.flat())
        assert np.allclose(group_average(ops, target).flat(), expected, atol=1e-12)
