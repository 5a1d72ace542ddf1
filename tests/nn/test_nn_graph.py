"""Neighbour lists against independent references: numpy loops over lattice images, scipy's k-d tree, pymatgen.

Both algorithms (every pair, cell lists) are tested on the same cases: the ``algorithm`` fixture forces one.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import symcompile.nn.graph as graph
from symcompile.errors import InputError
from symcompile.nn import periodic_radius_graph, radius_graph
from symcompile.nn.graph import GraphTooLargeError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "structures"
Key = Tuple[int, int, int, int, int]


@contextlib.contextmanager
def forced(algorithm: str) -> Iterator[None]:
    """Use one of the two algorithms, whatever the size."""
    names = ("ALL_PAIRS_LIMIT_MOLECULES", "ALL_PAIRS_LIMIT_CRYSTALS")
    old = [getattr(graph, name) for name in names]
    for name in names:
        setattr(graph, name, 10**18 if algorithm == "every pair" else 0)
    try:
        yield
    finally:
        for name, value in zip(names, old):
            setattr(graph, name, value)


@pytest.fixture(params=["every pair", "cell list"])
def algorithm(request: pytest.FixtureRequest) -> Iterator[str]:
    with forced(request.param):
        yield request.param


# --------------------------------------------------------------------------------------------- references
def _reference_molecule(pos: np.ndarray, r: float, batch: Optional[np.ndarray] = None) -> set:
    """Every ordered pair closer than r, one row of atoms at a time."""
    out = set()
    for i in range(len(pos)):
        d = np.sqrt(((pos - pos[i]) ** 2).sum(1))
        for j in np.flatnonzero(d < r):
            if j != i and (batch is None or batch[i] == batch[j]):
                out.add((i, int(j)))
    return out


def _reference_periodic(pos: np.ndarray, lat: np.ndarray, r: float) -> Dict[Key, np.ndarray]:
    """(src, dst, n1, n2, n3) -> vector, scanning a generous box of images one image at a time.

    The box: fractional separations of two points closer than r are below r / h_i (h_i = V / |a_j x a_k|),
    plus the spread of the atoms' fractional coordinates, plus one.
    """
    vol = abs(np.linalg.det(lat))
    heights = [vol / np.linalg.norm(np.cross(lat[(i + 1) % 3], lat[(i + 2) % 3])) for i in range(3)]
    frac = np.linalg.solve(lat.T, pos.T).T
    spread = frac.max(0) - frac.min(0) if len(pos) else np.zeros(3)
    nmax = [int(np.ceil(r / h + s)) + 1 for h, s in zip(heights, spread)]
    out = {}
    diff = pos[None, :, :] - pos[:, None, :]  # [src, dst] = pos[dst] - pos[src]
    for n1 in range(-nmax[0], nmax[0] + 1):
        for n2 in range(-nmax[1], nmax[1] + 1):
            for n3 in range(-nmax[2], nmax[2] + 1):
                vec = diff + np.array([n1, n2, n3]) @ lat
                close = np.sqrt((vec**2).sum(-1)) < r
                if (n1, n2, n3) == (0, 0, 0):
                    np.fill_diagonal(close, False)
                for i, j in zip(*np.nonzero(close)):
                    out[(int(i), int(j), n1, n2, n3)] = vec[i, j]
    return out


def _as_dict(g: graph.Graph, lat: np.ndarray) -> Dict[Key, np.ndarray]:
    cells = _cells(g, lat)
    out = {
        (int(s), int(d)) + tuple(int(c) for c in cell): v
        for s, d, cell, v in zip(g.edge_src, g.edge_dst, cells, g.edge_vec.detach().numpy())
    }
    assert len(out) == len(g.edge_src)  # no duplicates
    return out


def _cells(g: graph.Graph, lat: np.ndarray) -> np.ndarray:
    frac = np.linalg.solve(lat.T, g.edge_shift.detach().numpy().T).T
    cells = np.rint(frac).astype(int)
    assert np.allclose(frac, cells, atol=1e-8)
    return cells.reshape(-1, 3)


def _assert_matches(g: graph.Graph, pos: np.ndarray, lat: np.ndarray, r: float) -> None:
    want = _reference_periodic(pos, lat, r)
    got = _as_dict(g, lat)
    assert set(got) == set(want)
    for key, v in want.items():
        np.testing.assert_allclose(got[key], v, atol=1e-10)


def _random_rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


# ----------------------------------------------------------------------------------------------- molecules
@pytest.mark.parametrize("n, spread, r", [(1, 1.0, 2.0), (2, 1.0, 2.0), (30, 2.0, 2.5), (200, 3.0, 2.0),
                                          (150, 0.3, 1.0), (120, 40.0, 3.0)])
def test_molecule_matches_reference(algorithm: str, n: int, spread: float, r: float) -> None:
    rng = np.random.default_rng(n)
    pos = rng.normal(size=(n, 3)) * spread + rng.normal(size=3) * 100
    g = radius_graph(torch.tensor(pos), r)
    assert set(zip(g.edge_src.tolist(), g.edge_dst.tolist())) == _reference_molecule(pos, r)
    np.testing.assert_allclose(g.edge_vec.numpy(), pos[g.edge_dst] - pos[g.edge_src], atol=1e-12)
    assert torch.all(g.edge_shift == 0)


def test_molecule_batch_never_connects_structures(algorithm: str) -> None:
    rng = np.random.default_rng(1)
    pos = rng.normal(size=(60, 3)) * 1.5  # overlapping structures
    batch = np.sort(rng.integers(0, 4, size=60))
    g = radius_graph(torch.tensor(pos), 2.0, torch.tensor(batch))
    assert set(zip(g.edge_src.tolist(), g.edge_dst.tolist())) == _reference_molecule(pos, 2.0, batch)
    g = radius_graph(torch.tensor(pos), 100.0, torch.tensor(batch))
    assert len(g.edge_src) == sum(int(c) * (int(c) - 1) for c in np.bincount(batch))


def test_molecule_large_matches_kd_tree() -> None:
    """10,000 atoms at 0.1 atoms/Å^3 (a compact cluster) against scipy's k-d tree."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(7)
    pos = rng.uniform(0, (10_000 / 0.1) ** (1 / 3), size=(10_000, 3))
    g = radius_graph(torch.tensor(pos), 4.0)
    pairs = cKDTree(pos).query_pairs(4.0, output_type="ndarray")
    want = set(map(tuple, pairs.tolist())) | set(map(tuple, pairs[:, ::-1].tolist()))
    assert set(zip(g.edge_src.tolist(), g.edge_dst.tolist())) == want


# ------------------------------------------------------------------------------------------------ crystals
SKEWED = np.array([[3.0, 0.0, 0.0], [2.7, 1.0, 0.0], [0.4, 0.3, 2.5]])
FLAT_OBTUSE = np.array([[2.0, 0.0, 0.0], [-1.9, 0.7, 0.0], [1.7, -0.5, 0.9]])
SLAB = np.array([[6.0, 0.0, 0.0], [1.0, 6.5, 0.0], [2.5, -1.5, 0.6]])  # thinner than the cutoff along c*


@pytest.mark.parametrize(
    "lat, r_max, n",
    [
        (np.eye(3) * 3.0, 2.9, 4),  # cubic, cutoff just below the cell
        (np.eye(3) * 2.0, 5.1, 4),  # cutoff much larger than the cell: many images of each atom, self images
        (SKEWED, 3.3, 5),  # strongly skewed cell
        (FLAT_OBTUSE, 2.6, 4),  # very flat, obtuse cell
        (SLAB, 2.2, 6),  # one direction thinner than the cutoff, the others several cutoffs wide
        (np.diag([9.0, 10.0, 11.0]), 2.5, 40),  # several bins in every direction
        (SKEWED * 3, 2.0, 30),  # skewed cell with several bins
        (np.array([[4.2, 0.0, 0.0], [-2.1, 3.6373, 0.0], [0.0, 0.0, 5.3]]), 6.0, 1),  # 1-atom hexagonal cell
    ],
)
def test_periodic_matches_reference(algorithm: str, lat: np.ndarray, r_max: float, n: int) -> None:
    rng = np.random.default_rng(2)
    frac = rng.uniform(-0.3, 1.3, size=(n, 3))  # some atoms outside the cell
    pos = frac @ lat
    _assert_matches(periodic_radius_graph(torch.tensor(pos), torch.tensor(lat), r_max), pos, lat, r_max)


def test_periodic_atoms_far_outside_the_cell(algorithm: str) -> None:
    rng = np.random.default_rng(4)
    lat = SKEWED * 2
    pos = rng.uniform(-6, 7, size=(7, 3)) @ lat
    _assert_matches(periodic_radius_graph(torch.tensor(pos), torch.tensor(lat), 3.0), pos, lat, 3.0)


def test_one_atom_cell_counts_self_images(algorithm: str) -> None:
    g = periodic_radius_graph(torch.zeros(1, 3), torch.eye(3), 1.5)
    # neighbours of one atom in a simple cubic lattice within 1.5: 6 at distance 1 and 12 at sqrt(2)
    assert len(g.edge_src) == 18
    assert torch.all(g.edge_src == 0) and torch.all(g.edge_dst == 0)
    # fcc conventional cell (4 atoms) at 3.0 Å, a = 3.0: 12 at a/sqrt(2) and 6 at a; the cutoff excludes a
    fcc = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]) * 3.0
    for r, per_atom in [(3.0, 12), (3.0 + 1e-9, 18)]:
        g = periodic_radius_graph(torch.tensor(fcc), torch.eye(3, dtype=torch.float64) * 3.0, r)
        assert np.bincount(g.edge_src.numpy()).tolist() == [per_atom] * 4


@pytest.mark.parametrize("shift", [0.0, 0.5, 1.0, 2.5])
def test_atoms_on_bin_boundaries(algorithm: str, shift: float) -> None:
    """A grid whose spacing is the cutoff: atoms on bin faces, distances exactly r_max (excluded) and just below."""
    a, m = 2.0, 4
    grid = np.array([[i, j, k] for i in range(m) for j in range(m) for k in range(m)], dtype=float) * a + shift
    lat = np.eye(3) * a * m
    # (an irrational cutoff would make the tie a matter of rounding: |d| < r and d.d < r^2 then differ)
    for r in (a, a * (1 + 1e-12), 2 * a, a * math.sqrt(2) * (1 - 1e-12), a * math.sqrt(2) * (1 + 1e-12)):
        _assert_matches(periodic_radius_graph(torch.tensor(grid), torch.tensor(lat), r), grid, lat, r)
        g = radius_graph(torch.tensor(grid), r)
        assert set(zip(g.edge_src.tolist(), g.edge_dst.tolist())) == _reference_molecule(grid, r)


def test_empty_graphs(algorithm: str) -> None:
    lat = torch.eye(3, dtype=torch.float64) * 10.0
    far = torch.tensor([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]], dtype=torch.float64)
    for g in (
        radius_graph(torch.zeros(0, 3), 2.0),
        radius_graph(torch.zeros(1, 3), 2.0),
        radius_graph(far, 2.0),
        radius_graph(far, 0.0),
        periodic_radius_graph(torch.zeros(0, 3, dtype=torch.float64), lat, 2.0),
        periodic_radius_graph(far, lat, 2.0),
        periodic_radius_graph(far, lat, 0.0),
    ):
        assert g.edge_src.shape == (0,) and g.edge_dst.shape == (0,)
        assert g.edge_vec.shape == (0, 3) and g.edge_shift.shape == (0, 3)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 9),
    st.lists(st.floats(-3.0, 3.0), min_size=9, max_size=9),
    st.floats(0.05, 2.5),
    st.integers(0, 2**32 - 1),
)
def test_cell_list_matches_reference_property(n: int, entries: list, r_rel: float, seed: int) -> None:
    """Random cells (any shape, any cutoff relative to the cell), cell lists forced."""
    lat = np.array(entries).reshape(3, 3) + np.eye(3) * 2.5
    vol = abs(np.linalg.det(lat))
    if vol < 0.5 or vol > 1e3:
        return
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-0.5, 1.5, size=(n, 3)) @ lat
    r = r_rel * vol ** (1 / 3)
    with forced("cell list"):
        g = periodic_radius_graph(torch.tensor(pos), torch.tensor(lat), r)
    _assert_matches(g, pos, lat, r)


def test_both_algorithms_give_the_same_graph() -> None:
    """Same edges, same order, same numbers: switching algorithm with size never changes a training run."""
    rng = np.random.default_rng(5)
    lat = torch.tensor(SKEWED * 3)
    pos = torch.tensor(rng.uniform(0, 1, size=(90, 3))) @ lat
    mol = torch.tensor(rng.normal(size=(400, 3)) * 3)
    graphs = []
    for algorithm in ("every pair", "cell list"):
        with forced(algorithm):
            graphs.append((periodic_radius_graph(pos, lat, 3.5), radius_graph(mol, 2.5)))
    for a, b in zip(*graphs):
        assert len(a.edge_src) > 100
        for x, y in zip(a, b):
            assert torch.equal(x, y)


def test_edges_sorted_by_src_dst_image(algorithm: str) -> None:
    rng = np.random.default_rng(6)
    lat = np.eye(3) * 2.5
    pos = rng.uniform(0, 2.5, size=(5, 3))
    g = periodic_radius_graph(torch.tensor(pos), torch.tensor(lat), 4.0)
    keys = [tuple(k) for k in np.column_stack([g.edge_src, g.edge_dst, _cells(g, lat)]).tolist()]
    assert keys == sorted(keys)
    g = radius_graph(torch.tensor(rng.normal(size=(50, 3))), 1.5)
    keys = list(zip(g.edge_src.tolist(), g.edge_dst.tolist()))
    assert keys == sorted(keys)


# -------------------------------------------------------------------------------------- invariance
def test_invariant_under_rotation_translation_permutation(algorithm: str) -> None:
    rng = np.random.default_rng(8)
    lat = SKEWED * 2.2
    pos = rng.uniform(0, 1, size=(24, 3)) @ lat
    r = 3.1
    base = set(_as_dict(periodic_radius_graph(torch.tensor(pos), torch.tensor(lat), r), lat))
    rot = _random_rotation(rng)
    g = periodic_radius_graph(torch.tensor(pos @ rot.T), torch.tensor(lat @ rot.T), r)
    assert set(_as_dict(g, lat @ rot.T)) == base
    # a translation by a non-lattice vector moves no atom relative to another
    t = rng.normal(size=3) * 5
    assert set(_as_dict(periodic_radius_graph(torch.tensor(pos + t), torch.tensor(lat), r), lat)) == base
    perm = rng.permutation(len(pos))  # new atom k is old atom perm[k]
    g = periodic_radius_graph(torch.tensor(pos[perm]), torch.tensor(lat), r)
    assert {(int(perm[k[0]]), int(perm[k[1]])) + k[2:] for k in _as_dict(g, lat)} == base
    # molecules
    mol = rng.normal(size=(80, 3)) * 2.5
    g = radius_graph(torch.tensor(mol), 2.0)
    base_m = set(zip(g.edge_src.tolist(), g.edge_dst.tolist()))
    g = radius_graph(torch.tensor(mol @ rot.T + t), 2.0)
    assert set(zip(g.edge_src.tolist(), g.edge_dst.tolist())) == base_m
    perm = rng.permutation(len(mol))
    g = radius_graph(torch.tensor(mol[perm]), 2.0)
    assert {(int(perm[s]), int(perm[d])) for s, d in zip(g.edge_src.tolist(), g.edge_dst.tolist())} == base_m


def _read(name: str):  # pymatgen reads the example CIF (an independent reader)
    import warnings

    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Structure.from_file(str(EXAMPLES / name))


@pytest.mark.parametrize("cif, supercell", [("CaTiO3_Pnma.cif", (2, 3, 1)), ("LaAlO3_R-3c.cif", (2, 2, 2))])
def test_primitive_and_supercell_have_the_same_neighbours(algorithm: str, cif: str, supercell: tuple) -> None:
    """Published structures (CaTiO3 Pnma, Yamanaka et al. 2002; LaAlO3 R-3c, see the CIFs): every atom of a
    supercell, and of the conventional cell, has the neighbour distances of its primitive-cell counterpart."""
    conventional = _read(cif)
    primitive = conventional.get_primitive_structure()
    r = 5.0
    prim_lat = primitive.lattice.matrix
    g = periodic_radius_graph(torch.tensor(primitive.cart_coords), torch.tensor(prim_lat), r)
    dist = g.edge_vec.norm(dim=1).numpy()
    ref = [np.sort(dist[g.edge_src.numpy() == i]) for i in range(len(primitive))]
    for big in (conventional, primitive * supercell):
        gb = periodic_radius_graph(torch.tensor(big.cart_coords), torch.tensor(big.lattice.matrix), r)
        db = gb.edge_vec.norm(dim=1).numpy()
        # counterpart: the primitive atom that differs by a primitive lattice vector
        frac = np.linalg.solve(prim_lat.T, (big.cart_coords[:, None, :] - primitive.cart_coords[None]).transpose(0, 2, 1))
        off = np.abs(frac - np.rint(frac)).max(1)  # [big atom, primitive atom]
        partner = off.argmin(1)
        assert off.min(1).max() < 1e-6
        assert len(gb.edge_src) == len(g.edge_src) * len(big) // len(primitive)
        for i, j in enumerate(partner):
            np.testing.assert_allclose(np.sort(db[gb.edge_src.numpy() == i]), ref[j], atol=1e-9)


def test_ten_thousand_atom_crystal_matches_pymatgen() -> None:
    """An 8x8x8 supercell of CaTiO3 Pnma (10,240 atoms) against pymatgen's neighbour list."""
    s = _read("CaTiO3_Pnma.cif") * (8, 8, 8)
    lat = s.lattice.matrix
    g = periodic_radius_graph(torch.tensor(s.cart_coords), torch.tensor(lat), 4.5)
    centre, neighbour, images, _ = s.get_neighbor_list(4.5)
    want = set(map(tuple, np.column_stack([centre, neighbour, np.rint(images).astype(int)]).tolist()))
    got = np.column_stack([g.edge_src.numpy(), g.edge_dst.numpy(), _cells(g, lat)])
    assert len(got) == len(want) > 300_000
    assert set(map(tuple, got.tolist())) == want


# ------------------------------------------------------------------------------------ gradients, limits
def test_periodic_graph_batch_and_gradient(algorithm: str) -> None:
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


def test_edge_vec_gradient_wrt_positions_and_lattice(algorithm: str) -> None:
    """d/d(pos, lattice) of sum(w . edge_vec) is the analytic sum over edges (edge_vec = pos[dst] - pos[src] + n L)."""
    rng = np.random.default_rng(9)
    lat = torch.tensor(SKEWED, requires_grad=True)
    pos = torch.tensor(rng.uniform(0, 1, size=(6, 3)) @ SKEWED, requires_grad=True)
    g = periodic_radius_graph(pos, lat, 3.0)
    w = torch.tensor(rng.normal(size=tuple(g.edge_vec.shape)))
    (g.edge_vec * w).sum().backward()
    cells = torch.tensor(_cells(g, SKEWED), dtype=torch.float64)
    want_pos = torch.zeros(6, 3, dtype=torch.float64).index_add_(0, g.edge_dst, w).index_add_(0, g.edge_src, -w)
    torch.testing.assert_close(pos.grad, want_pos)
    torch.testing.assert_close(lat.grad, cells.T @ w)


def test_graph_beyond_the_memory_limit_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # one atom in a 1 Å cell with a 1000 Å cutoff: ~4e9 edges, refused before anything is allocated
    with pytest.raises(GraphTooLargeError, match="MAX_GRAPH_BYTES") as err:
        periodic_radius_graph(torch.zeros(1, 3), torch.eye(3), 1000.0)
    assert isinstance(err.value, ValueError) and isinstance(err.value, InputError)
    assert "\n" not in str(err.value)
    # clustered atoms defeat a density estimate: the edges are also counted while the graph is built
    monkeypatch.setattr(graph, "MAX_GRAPH_BYTES", 2**20)
    clump = torch.tensor(np.random.default_rng(0).normal(size=(3000, 3)) * 0.2)
    with pytest.raises(GraphTooLargeError, match="limit"):
        radius_graph(clump, 5.0)
    lat = torch.eye(3, dtype=torch.float64) * 3.0
    with pytest.raises(GraphTooLargeError):
        periodic_radius_graph(clump[:600], lat, 5.0, torch.zeros(600, dtype=torch.long))
    assert len(radius_graph(clump[:100], 5.0).edge_src) == 100 * 99  # small graphs still work


def test_bad_arguments_are_value_errors() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        radius_graph(torch.tensor([[0.0, 0.0, float("nan")]]), 1.0)
    with pytest.raises(ValueError, match="non-finite"):
        periodic_radius_graph(torch.zeros(1, 3), torch.eye(3) * float("inf"), 1.0)
    with pytest.raises(ValueError, match="r_max"):
        radius_graph(torch.zeros(2, 3), -1.0)
    with pytest.raises(ValueError, match="singular"):
        periodic_radius_graph(torch.zeros(2, 3), torch.zeros(3, 3), 1.0)
