"""Neighbour lists against brute force: explicit loops over atom pairs and a generous box of lattice images."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from symcompile.nn import periodic_radius_graph, radius_graph
from symcompile.nn.graph import cell_heights


def _brute_molecule(pos: np.ndarray, r: float) -> set:
    n = len(pos)
    return {(i, j) for i in range(n) for j in range(n) if i != j and np.linalg.norm(pos[j] - pos[i]) < r}


def _brute_periodic(pos: np.ndarray, lat: np.ndarray, r: float, nmax: int) -> dict:
    """(src, dst, n1, n2, n3) -> vector, scanning all images with |n_i| <= nmax (independent of cell heights)."""
    out = {}
    rng = range(-nmax, nmax + 1)
    for i, j in itertools.product(range(len(pos)), repeat=2):
        for n in itertools.product(rng, rng, rng):
            if i == j and n == (0, 0, 0):
                continue
            v = pos[j] + np.array(n) @ lat - pos[i]
            if np.linalg.norm(v) < r:
                out[(i, j) + n] = v
    return out


def _as_dict(g, lat: np.ndarray) -> dict:
    frac = np.linalg.solve(lat.T, g.edge_shift.detach().numpy().T).T
    cells = np.rint(frac).astype(int)
    assert np.allclose(frac, cells, atol=1e-9)
    return {
        (int(s), int(d)) + tuple(int(c) for c in cell): v
        for s, d, cell, v in zip(g.edge_src, g.edge_dst, cells, g.edge_vec.detach().numpy())
    }


def test_radius_graph_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    pos = rng.normal(size=(25, 3)) * 2
    g = radius_graph(torch.tensor(pos), 2.5)
    assert set(zip(g.edge_src.tolist(), g.edge_dst.tolist())) == _brute_molecule(pos, 2.5)
    np.testing.assert_allclose(g.edge_vec.numpy(), pos[g.edge_dst] - pos[g.edge_src], atol=1e-12)
    assert torch.all(g.edge_shift == 0)


def test_radius_graph_batch_never_connects_structures() -> None:
    rng = np.random.default_rng(1)
    pos = torch.tensor(rng.normal(size=(12, 3)) * 0.5)  # all close together
    batch = torch.tensor([0] * 5 + [1] * 7)
    g = radius_graph(pos, 10.0, batch)
    assert torch.all(batch[g.edge_src] == batch[g.edge_dst])
    assert len(g.edge_src) == 5 * 4 + 7 * 6


@pytest.mark.parametrize(
    "lat, r_max",
    [
        (np.eye(3) * 3.0, 2.9),  # cubic, cutoff just below the cell
        (np.eye(3) * 2.0, 5.1),  # cutoff much larger than the cell: many images of each atom, self images
        (np.array([[3.0, 0.0, 0.0], [2.7, 1.0, 0.0], [0.4, 0.3, 2.5]]), 3.3),  # strongly skewed cell
        (np.array([[2.0, 0.0, 0.0], [-1.9, 0.7, 0.0], [1.7, -0.5, 0.9]]), 2.6),  # very flat, obtuse cell
    ],
)
def test_periodic_graph_matches_brute_force(lat: np.ndarray, r_max: float) -> None:
    rng = np.random.default_rng(2)
    frac = rng.uniform(-0.3, 1.3, size=(4, 3))  # some atoms outside the cell
    pos = frac @ lat
    heights = cell_heights(torch.tensor(lat)).numpy()
    nmax = int(np.ceil(r_max / heights.min() + 1.6)) + 1  # independent, generous image box
    want = _brute_periodic(pos, lat, r_max, nmax)
    g = periodic_radius_graph(torch.tensor(pos), torch.tensor(lat), r_max)
    got = _as_dict(g, lat)
    assert set(got) == set(want)
    for key, v in want.items():
        np.testing.assert_allclose(got[key], v, atol=1e-12)
    assert len(got) == len(g.edge_src)  # no duplicates


def test_periodic_graph_cutoff_larger_than_cell_counts_self_images() -> None:
    lat = np.eye(3) * 1.0
    g = periodic_radius_graph(torch.zeros(1, 3), torch.tensor(lat), 1.5)
    # neighbours of one atom in a simple cubic lattice within 1.5: 6 at distance 1 and 12 at sqrt(2)
    assert len(g.edge_src) == 18
    assert torch.all(g.edge_src == 0) and torch.all(g.edge_dst == 0)


def test_periodic_graph_batch_and_gradient() -> None:
    rng = np.random.default_rng(3)
    lats = torch.tensor(np.stack([np.eye(3) * 2.5, np.diag([2.0, 3.0, 2.2])]))
    pos = torch.tensor(rng.uniform(0, 2, size=(5, 3)), requires_grad=True)
    batch = torch.tensor([0, 0, 1, 1, 1])
    g = periodic_radius_graph(pos, lats, 2.4, batch)
    assert torch.all(batch[g.edge_src] == batch[g.edge_dst])
    for b in range(2):
        atoms = (batch == b).nonzero()[:, 0]
        single = periodic_radius_graph(pos[atoms].detach(), lats[b], 2.4)
        assert int((batch[g.edge_src] == b).sum()) == len(single.edge_src)
    g.edge_vec.norm(dim=1).sum().backward()
    assert pos.grad is not None and torch.isfinite(pos.grad).all()
