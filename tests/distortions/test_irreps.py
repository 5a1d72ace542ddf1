"""Space-group irreps on supercells: little-group irreps irreducible and orthogonal, labelled
as Bilbao's tables (characters equal on every operation), physically irreducible real
representations that are homomorphisms, orthogonal, and together complete (Σ d² = |G/T'|),
and the perovskite facts measured with Bilbao's tables (which irrep a pseudovector on the B
site, a polar vector, or the strain carries, with either site at the origin)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from symcompile.distortions.group import SupercellGroup
from symcompile.distortions.irreps import (
    CONJUGATE_TABLES,
    labels_by_characters,
    little_group_irreps,
    physical_irreps,
    real_stars,
    stars,
)
from symcompile.distortions.lattice import row_keys
from symcompile.distortions.strain import strain_modes
from symcompile.distortions.tables import load_table

#: space group, supercell (conventional basis): centred, hexagonal, rhombohedral, non-symmorphic,
#: low symmetry, a group without inversion whose k and -k stars differ, conjugate-table points.
CASES = [
    (221, (2, 2, 2)), (225, (2, 2, 2)), (227, (1, 1, 1)), (229, (2, 2, 2)), (230, (1, 1, 1)),
    (139, (2, 2, 1)), (136, (2, 2, 2)), (194, (3, 3, 2)), (191, (2, 2, 2)), (167, (1, 1, 2)),
    (166, (1, 1, 2)), (63, (2, 2, 2)), (62, (2, 2, 2)), (14, (2, 2, 2)), (2, (2, 2, 2)),
    (143, (3, 3, 1)), (199, (2, 2, 2)), (206, (2, 2, 2)), (24, (2, 2, 2)), (141, (2, 2, 2)),
]

_BASIS = {"cubic": np.eye(3) * 4.0, "hexagonal": np.array([[4.0, 0, 0], [-2.0, 2 * 3 ** 0.5, 0], [0, 0, 6.5]]).T,
          "tetragonal": np.diag([4.0, 4.0, 6.0]), "orthorhombic": np.diag([4.0, 5.0, 6.0]),
          "monoclinic": np.array([[4.0, 0, 0], [0, 5.0, 0], [6 * np.cos(1.8), 0, 6 * np.sin(1.8)]]).T,
          "triclinic": np.array([[4.0, 0, 0], [0.7, 5.0, 0], [0.9, 1.1, 6.0]]).T}


def _family(number: int) -> str:
    for upper, name in ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"), (142, "tetragonal"),
                        (194, "hexagonal"), (230, "cubic")):
        if number <= upper:
            return name
    raise ValueError(number)


def build(number: int, cells: tuple[int, int, int]) -> SupercellGroup:
    """G/T' acting on the orbit of a general point (every operation moves it)."""
    table = load_table(number)
    cell = np.diag(np.array(cells, dtype=float))
    x0 = np.array([0.1234, 0.2345, 0.3456])
    inv = np.linalg.inv(cell)
    points: dict[tuple[int, ...], np.ndarray] = {}
    for w, t in zip(table.rotations, table.translations):
        for c in table.centring:
            x = w @ x0 + t + c
            for shift in itertools.product(*[range(n) for n in cells]):
                z = (x + shift) @ inv.T
                z -= np.floor(z)
                points.setdefault(row_keys(z)[0], z @ cell.T)
    return SupercellGroup.build(table, cell, _BASIS[_family(number)], np.array(list(points.values())))


@pytest.fixture(scope="module", params=CASES, ids=[f"SG{n}-{'x'.join(map(str, c))}" for n, c in CASES])
def group(request: pytest.FixtureRequest) -> SupercellGroup:
    return build(*request.param)


def _compose(g: SupercellGroup, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    rot, trans = g.table.rotations, g.table.translations
    w = rot[a[1]] @ rot[b[1]]
    tau = rot[a[1]] @ (trans[b[1]] + g.translations[b[0]]) + trans[a[1]] + g.translations[a[0]]
    m = g.op_index(w)
    return int(g.translation_index(tau - trans[m])[0]), m


def test_little_group_irreps_are_irreducible_orthogonal_and_labelled_as_bilbao(group: SupercellGroup) -> None:
    table = group.table
    for star in stars(group):
        irreps, little = little_group_irreps(table, star.k)
        chars = [np.trace(x, axis1=1, axis2=2) for x in irreps]
        assert sum(x.shape[1] ** 2 for x in irreps) == len(little)
        gram = np.array(chars).conj() @ np.array(chars).T / len(little)
        assert np.allclose(gram, np.eye(len(irreps)), atol=1e-8)
        for x in irreps:  # unitary
            assert np.allclose(np.einsum("nij,nkj->nik", x, x.conj()), np.eye(x.shape[1]), atol=1e-8)
        if star.point is None:
            continue
        labels = labels_by_characters(table, star.point, chars, little)
        assert sorted(labels) == sorted(star.point.irreps)
        conj = (table.number, star.letter) in CONJUGATE_TABLES
        position = {m: i for i, m in enumerate(little)}
        for label, c in zip(labels, chars):  # every operation of the little co-group
            ours = np.array([c[position[m]] for m in star.point.little])
            assert np.allclose(ours.conj() if conj else ours, star.point.irreps[label], atol=1e-4)


def test_physically_irreducible_representations_are_real_complete_and_homomorphic(group: SupercellGroup) -> None:
    rng = np.random.default_rng(group.table.number)
    total = 0
    characters = []
    for star in real_stars(group):
        for irrep in physical_irreps(group, star):
            ops, trans = irrep.ops, irrep.trans
            d = irrep.dim
            assert np.isrealobj(ops) and np.isrealobj(trans)
            assert np.allclose(np.einsum("nij,nkj->nik", ops, ops), np.eye(d), atol=1e-8)
            assert np.allclose(np.einsum("nij,nkj->nik", trans, trans), np.eye(d), atol=1e-8)
            for _ in range(25):
                a = (int(rng.integers(group.n_trans)), int(rng.integers(group.n_ops)))
                b = (int(rng.integers(group.n_trans)), int(rng.integers(group.n_ops)))
                c = _compose(group, a, b)
                da, db, dc = (trans[x[0]] @ ops[x[1]] for x in (a, b, c))
                assert np.allclose(da @ db, dc, atol=1e-8), (irrep.label, a, b)
            chi = irrep.characters()
            assert np.allclose(np.einsum("tij,mji->tm", trans, ops), chi, atol=1e-8)
            assert round(float(np.mean(chi ** 2)), 6) == irrep.norm
            characters.append(chi.ravel() / np.sqrt(irrep.norm))
            total += (2 if irrep.reality == "complex" else 1) * irrep.complex_dim ** 2
    gram = np.array(characters) @ np.array(characters).T / group.order
    assert np.allclose(gram, np.eye(len(characters)), atol=1e-8)
    assert total == group.order


def _multiplicities(g: SupercellGroup, sites: np.ndarray, rep: str) -> dict[str, int]:
    """How often each physically irreducible irrep occurs in a per-site field (characters only)."""
    fixed = np.zeros((g.n_trans, g.n_ops))
    det = np.linalg.det(g.cart)
    trace = np.einsum("nii->n", g.cart) * (det if rep == "1e" else 1)
    for t in range(g.n_trans):
        for m in range(g.n_ops):
            image = g.perm_trans[t][g.perm_ops[m][sites]]
            fixed[t, m] = np.sum(image == sites) * trace[m]
    out: dict[str, int] = {}
    for star in real_stars(g):
        for irrep in physical_irreps(g, star):
            n = float(np.sum(fixed * irrep.characters())) / g.order / irrep.norm
            if round(n):
                out[irrep.label] = round(n)
    return out


@pytest.mark.parametrize("origin, expected", [
    ("B", {"GM4+": 1, "R4+": 1, "M3+": 1, "M5+": 1}),
    ("A", {"GM4+": 1, "R5-": 1, "M2+": 1, "M5+": 1}),
])
def test_perovskite_pseudovector_on_the_b_site(origin: str, expected: dict[str, int]) -> None:
    """Bilbao: 1e on B at R is R4+ (B at the origin) or R5- (A at the origin); at M, M3+ + M5+
    or M2+ + M5+."""
    corners = np.indices((2, 2, 2)).reshape(3, -1).T.astype(float)
    b_sites = corners if origin == "B" else corners + 0.5
    g = SupercellGroup.build(load_table(221), 2 * np.eye(3), 3.9 * np.eye(3), b_sites)
    found = _multiplicities(g, np.arange(len(b_sites)), "1e")
    assert {label: n for label, n in found.items() if label[0] != "X"} == expected


def test_polar_vector_is_gm4_minus_and_strain_is_gm1_gm3_gm5() -> None:
    g = SupercellGroup.build(load_table(221), np.eye(3), 3.9 * np.eye(3), np.zeros((1, 3)))
    assert _multiplicities(g, np.arange(1), "1o") == {"GM4-": 1}
    labels = [m.irrep for m in strain_modes(np.zeros((3, 3)), load_table(221), 3.9 * np.eye(3))]
    assert labels == ["GM1+", "GM3+", "GM5+"]


@pytest.mark.slow
@pytest.mark.parametrize("number", range(1, 231))
def test_every_k_vector_of_the_tables_is_labelled_one_to_one(number: int) -> None:
    """All 230 groups: spgrep's little-group irreps at each k-vector of Bilbao's tables match
    the tables' labels one to one, with characters equal on every operation."""
    table = load_table(number)
    for point in table.points:
        irreps, little = little_group_irreps(table, point.kvec)
        assert sorted(little.tolist()) == sorted(point.little)
        labels = labels_by_characters(table, point, [np.trace(x, axis1=1, axis2=2) for x in irreps], little)
        assert sorted(labels) == sorted(point.irreps)
