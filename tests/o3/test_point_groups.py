"""The 32 point groups against spglib's symmetry database (orientation included), group axioms,
International Tables orders, and the analytic continuous-group rules against numerics."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from symcompile.errors import InputError
from symcompile.o3 import Irrep, rand_matrix
from symcompile.o3.point_groups import (
    PointGroup,
    continuous_point_groups,
    crystallographic_point_groups,
    describe_operation,
    point_group,
    point_group_from_matrices,
    point_group_names,
    rotation_matrix,
)

# International Tables, Vol. A, Table 10.1.2.2: order of each crystal class
ORDERS = {
    "1": 1, "-1": 2, "2": 2, "m": 2, "2/m": 4, "222": 4, "mm2": 4, "mmm": 8,
    "4": 4, "-4": 4, "4/m": 8, "422": 8, "4mm": 8, "-42m": 8, "4/mmm": 16,
    "3": 3, "-3": 6, "32": 6, "3m": 6, "-3m": 12,
    "6": 6, "-6": 6, "6/m": 12, "622": 12, "6mm": 12, "-6m2": 12, "6/mmm": 24,
    "23": 12, "m-3": 24, "432": 24, "-43m": 24, "m-3m": 48,
}
SCHOENFLIES = {
    "C1": "1", "Ci": "-1", "C2": "2", "Cs": "m", "C2h": "2/m", "D2": "222", "C2v": "mm2", "D2h": "mmm",
    "C4": "4", "S4": "-4", "C4h": "4/m", "D4": "422", "C4v": "4mm", "D2d": "-42m", "D4h": "4/mmm",
    "C3": "3", "C3i": "-3", "S6": "-3", "D3": "32", "C3v": "3m", "D3d": "-3m",
    "C6": "6", "C3h": "-6", "C6h": "6/m", "D6": "622", "C6v": "6mm", "D3h": "-6m2", "D6h": "6/mmm",
    "T": "23", "Th": "m-3", "O": "432", "Td": "-43m", "Oh": "m-3m",
}


def _as_set(mats: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(np.rint(M * 1e6).astype(int).ravel()) for M in mats}


def test_the_32_classes_have_the_international_tables_orders() -> None:
    groups = crystallographic_point_groups()
    assert [g.name for g in groups] == list(ORDERS)
    assert [g.order for g in groups] == list(ORDERS.values())


@pytest.mark.parametrize("name", [n for n in point_group_names() if not point_group(n).is_continuous])
def test_group_axioms(name: str) -> None:
    G = point_group(name).matrices
    assert G is not None
    np.testing.assert_allclose(np.einsum("nji,njk->nik", G, G), np.broadcast_to(np.eye(3), G.shape), atol=1e-12)
    elements = _as_set(G)
    assert len(elements) == len(G)
    assert _as_set(np.eye(3)[None]) <= elements
    products = np.einsum("aij,bjk->abik", G, G).reshape(-1, 3, 3)
    assert _as_set(products) == elements


@pytest.mark.parametrize("schoenflies,hm", sorted(SCHOENFLIES.items()))
def test_schoenflies_names(schoenflies: str, hm: str) -> None:
    assert point_group(schoenflies).name == hm
    assert point_group(schoenflies.lower()).name == hm
    assert point_group(hm).schoenflies in {schoenflies, {"S6": "C3i"}.get(schoenflies, schoenflies)}


@pytest.mark.parametrize("alias,name", [
    ("4/m 2/m 2/m", "4/mmm"), ("2/m 2/m 2/m", "mmm"), ("m3m", "m-3m"), ("4/m -3 2/m", "m-3m"),
    ("321", "32"), ("3m1", "3m"), ("-3m1", "-3m"), ("-3 2/m 1", "-3m"), ("1 2/m 1", "2/m"),
    ("-4 2 m", "-42m"), ("4̄2m", "-42m"), ("\u22124m2", "-4m2"), ("C∞v", "C∞v"), ("Cinfv", "C∞v"),
    ("∞/mmm", "D∞h"), ("Dinfh", "D∞h"), ("SO(3)", "SO(3)"), ("O3", "O(3)"), ("Kh", "O(3)"), ("inf", "C∞"),
])
def test_aliases(alias: str, name: str) -> None:
    assert point_group(alias).name == name


@pytest.mark.parametrize("bad", ["4/mm", "D5h", "", "   ", "P4/mmm", "xyz"])
def test_unknown_names_raise_input_error_with_one_line(bad: str) -> None:
    with pytest.raises(InputError) as info:
        point_group(bad)
    assert "\n" not in str(info.value)


def test_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(InputError, match="4/mmm"):
        point_group("4/mm")


# --------------------------------------------------------------------------- invariant counting
def _numeric_invariants(gens: list[np.ndarray], l: int, p: int) -> int:
    ir = Irrep(l, p)
    A = np.concatenate([ir.D_from_matrix(g) - np.eye(ir.dim) for g in gens])
    s = np.linalg.svd(A, compute_uv=False)
    return int(np.sum(s < 1e-8)) + max(0, ir.dim - len(s))


@pytest.mark.parametrize("group", continuous_point_groups(), ids=lambda g: g.name)
def test_continuous_group_rules_against_dense_generators(group: PointGroup) -> None:
    for l, p in itertools.product(range(9), (1, -1)):
        assert group.invariants_of_irrep(l, p) == _numeric_invariants(list(group.generators), l, p), (l, p)


@pytest.mark.parametrize("group", crystallographic_point_groups(), ids=lambda g: g.name)
def test_finite_group_invariants_by_characters_equal_group_average(group: PointGroup) -> None:
    for l, p in itertools.product(range(7), (1, -1)):
        avg = sum(Irrep(l, p).D_from_matrix(g) for g in group.matrices) / group.order
        assert group.invariants_of_irrep(l, p) == int(round(np.trace(avg))), (l, p)


def test_signatures_identify_every_class_in_any_frame() -> None:
    U = rand_matrix(rng=3)
    for g in crystallographic_point_groups():
        rotated = U @ g.matrices @ U.T
        found = point_group_from_matrices(rotated)
        assert found.schoenflies == g.schoenflies
        assert found.order == g.order
        # generators only: closure is taken
        found2 = point_group_from_matrices(U @ np.stack(g.generators or [np.eye(3)]) @ U.T)
        assert found2.order == g.order


def test_non_group_matrices_are_rejected() -> None:
    with pytest.raises(InputError):
        point_group_from_matrices(np.ones((1, 3, 3)))
    with pytest.raises(InputError):  # a 5-fold axis is not crystallographic
        point_group_from_matrices(rotation_matrix((0, 0, 1), 2 * math.pi / 5)[None])


# --------------------------------------------------------------------------- naming operations
@pytest.mark.parametrize("matrix,words", [
    (np.eye(3), "identity"),
    (-np.eye(3), "inversion"),
    (rotation_matrix((0, 0, 1), math.pi / 2), "4-fold rotation about z"),
    (np.diag([-1.0, 1.0, 1.0]), "mirror normal to x"),
    (-rotation_matrix((1, 1, 1), 2 * math.pi / 3), "-3 rotoinversion about [111]"),
    (rotation_matrix((1, 1, 0), math.pi), "2-fold rotation about [110]"),
    (rotation_matrix((1, -1, 0), math.pi), "2-fold rotation about [1-10]"),
    (-rotation_matrix((0, 1, 0), math.pi / 3), "-6 rotoinversion about y"),
    (rotation_matrix((0, 0, 1), 2 * math.pi / 3), "3-fold rotation about z"),
])
def test_describe_operation(matrix: np.ndarray, words: str) -> None:
    assert describe_operation(matrix) == words


def test_describe_operation_with_sense_names_all_48_cubic_operations_distinctly() -> None:
    names = [describe_operation(M, sense=True) for M in point_group("m-3m").matrices]
    assert len(set(names)) == 48
    assert "4-fold rotation about z (+90°)" in names and "4-fold rotation about z (-90°)" in names
    counts = {kind: sum(kind in n for n in names) for kind in ("mirror", "2-fold", "3-fold", "-3 ", "-4 ", "4-fold")}
    assert counts == {"mirror": 9, "2-fold": 9, "3-fold": 8, "-3 ": 8, "-4 ": 6, "4-fold": 6}


def test_hexagonal_axes_are_named_with_sqrt3() -> None:
    names = point_group("622").operations()
    assert "2-fold rotation about [1 √3 0]" in names
