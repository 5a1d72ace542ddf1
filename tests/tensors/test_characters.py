"""Exact irreps and counts: against e3nn (oracle), against the cycle-index route (enumerating H),
against brute-force null spaces in the 3^n space for all 32 point groups, and published tables."""

from __future__ import annotations

import functools
import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_helpers import dof_by_svd

from symcompile.o3.point_groups import continuous_point_groups, crystallographic_point_groups, point_group
from symcompile.tensors import count_invariants, multiplicities, parse_formula, tensor_dim, tensor_irreps
from symcompile.tensors.characters import character, cycle_index_character, weight_counts

E3NN_FORMULAS = [
    "i", "ij", "ij=ji", "ij=-ji", "ijk", "ijk=ikj", "ijk=jik", "ijk=-jik=-ikj", "ijk=jki", "ijk=-jik",
    "ijkl=jikl=klij", "ijkl=jikl=klji", "ijkl=jikl=ikjl=ijlk", "ijkl=klij", "ijkl=-jikl=-ijlk=klij",
    "ijkl=jikl", "ijkl=jkli", "ijklm=jklmi", "ijklm=-jiklm", "ijklm=jiklm=ijlkm", "ijklm=jiklm=kijlm",
]
E3NN_TYPED = [  # (formula, index types) for e3nn's ReducedTensorProducts
    ("ijk=ikj", {"i": "1e", "j": "1o"}),
    ("ij=ji", {"i": "1e"}),
    ("ijkl=jikl", {"i": "1e", "k": "1o", "l": "1e"}),
    ("ij=-ji", {"i": "1e"}),
]


@functools.lru_cache(maxsize=None)
def _e3nn_cartesian(formula: str) -> tuple[str, int]:
    e3nn_io = pytest.importorskip("e3nn.io")
    c = e3nn_io.CartesianTensor(formula)
    return str(c), int(c.dim)


@pytest.mark.parametrize("formula", E3NN_FORMULAS)
def test_irreps_and_dim_equal_e3nn(formula: str) -> None:
    irreps, dim = _e3nn_cartesian(formula)
    assert str(tensor_irreps(formula)) == irreps
    assert tensor_dim(formula) == dim


@pytest.mark.parametrize("formula,types", E3NN_TYPED)
def test_typed_indices_equal_e3nn_reduced_tensor_products(formula: str, types: dict[str, str]) -> None:
    e3o = pytest.importorskip("e3nn.o3")
    f = parse_formula(formula, index_types=types)  # fills the types the permutations imply
    full = dict(zip(f.indices, f.index_types))
    rtp = e3o.ReducedTensorProducts(formula, **full)
    assert str(tensor_irreps(formula, index_types=types)) == str(rtp.irreps_out)


# --------------------------------------------------------------------------- two exact routes agree
@st.composite
def formulas(draw: st.DrawFn, max_rank: int = 6) -> str:
    n = draw(st.integers(1, max_rank))
    first = "".join(string.ascii_lowercase[:n])
    terms = [first]
    for _ in range(draw(st.integers(0, 3))):
        perm = draw(st.permutations(list(first)))
        terms.append(("-" if draw(st.booleans()) else "") + "".join(perm))
    return "=".join(terms)


@settings(max_examples=120, deadline=None)
@given(formulas())
def test_orbit_counting_equals_cycle_index_character(formula: str) -> None:
    """Burnside-style orbit counts on weight words == (1/|H|) sum_h sign(h) prod_c tr(R^|c|)."""
    N = weight_counts(formula)
    poly = cycle_index_character(formula)
    for w in range(-len(N) + 1, len(N)):
        assert poly.get(w, 0) == N[abs(w)], (formula, w)


def test_known_decompositions() -> None:
    assert str(tensor_irreps("ijklmnop=jiklmnop")) == "55x0e+141x1e+175x2e+154x3e+105x4e+55x5e+22x6e+6x7e+1x8e"
    assert tensor_dim("ijklmnop=jiklmnop") == 6 * 3**6
    # fully symmetric rank 12: one copy of each even l <= 12, dimension C(14, 2)
    assert multiplicities("abcdefghijkl=bacdefghijkl=bcdefghijkla") == {l: 1 for l in range(0, 13, 2)}
    assert tensor_dim("abcdefghijkl=bacdefghijkl=bcdefghijkla") == 91
    # fully antisymmetric rank 4 in 3 dimensions vanishes
    assert tensor_dim("ijkl=-jikl=-ikjl=-ijlk") == 0


def test_character_at_identity_is_the_dimension_and_at_inversion_the_parity() -> None:
    for formula in ("ijk=ikj", "ijkl=jikl=klij", "ij=-ji"):
        d = tensor_dim(formula)
        assert character(formula, np.eye(3)) == d
        assert character(formula, -np.eye(3)) == parse_formula(formula).parity * d


# --------------------------------------------------------------------------- point groups
BRUTE_FORCE = ["ij=ji", "ijk=ikj", "ijkl=jikl=klij"]


@pytest.mark.parametrize("formula", BRUTE_FORCE)
@pytest.mark.parametrize("group", crystallographic_point_groups(), ids=lambda g: g.name)
def test_dof_under_each_point_group_equals_svd_null_space(formula: str, group) -> None:  # type: ignore[no-untyped-def]
    assert count_invariants(formula, group) == dof_by_svd(formula, group.matrices)


@pytest.mark.parametrize("formula,types", [("ij=ji", {"axial": True}), ("ijk=-jik=-ikj", {}),
                                           ("ijk=ikj", {"index_types": {"i": "1e"}}), ("ij", {"axial": True})])
@pytest.mark.parametrize("group", crystallographic_point_groups()[::3], ids=lambda g: g.name)
def test_dof_axial_and_typed_tensors_equal_svd(formula: str, types: dict, group) -> None:  # type: ignore[no-untyped-def]
    f = parse_formula(formula, **types)
    assert count_invariants(f, group) == dof_by_svd(f, group.matrices)


@pytest.mark.parametrize("group", continuous_point_groups(), ids=lambda g: g.name)
def test_continuous_groups_equal_svd_over_dense_generators(group) -> None:  # type: ignore[no-untyped-def]
    """A rotation by 1 rad generates a dense subgroup: invariance under generators = under the group."""
    from tensor_helpers import index_projector, tensor_rep

    for formula in ("ij=ji", "ijk=ikj", "ijkl=jikl=klij"):
        f = parse_formula(formula)
        P = index_projector(f)
        A = np.concatenate([(tensor_rep(f, g) - np.eye(len(P))) @ P for g in group.generators] + [np.eye(len(P)) - P])
        s = np.linalg.svd(A, compute_uv=False)
        assert count_invariants(f, group) == int(np.sum(s < 1e-8)), formula


# Nye, Physical Properties of Crystals (tables), and the standard crystal-physics literature
ELASTIC = {"1": 21, "-1": 21, "2": 13, "m": 13, "2/m": 13, "222": 9, "mm2": 9, "mmm": 9,
           "4": 7, "-4": 7, "4/m": 7, "422": 6, "4mm": 6, "-42m": 6, "-4m2": 6, "4/mmm": 6,
           "3": 7, "-3": 7, "32": 6, "312": 6, "3m": 6, "31m": 6, "-3m": 6, "-31m": 6,
           "6": 5, "-6": 5, "6/m": 5, "622": 5, "6mm": 5, "-6m2": 5, "-62m": 5, "6/mmm": 5,
           "23": 3, "m-3": 3, "432": 3, "-43m": 3, "m-3m": 3,
           "SO(3)": 2, "O(3)": 2, "C∞": 5, "C∞v": 5, "D∞h": 5, "D∞": 5, "C∞h": 5}
PIEZO = {"1": 18, "2": 8, "m": 10, "222": 3, "mm2": 5, "4": 4, "-4": 4, "422": 1, "4mm": 3, "-42m": 2,
         "3": 6, "32": 2, "3m": 4, "6": 4, "-6": 2, "622": 1, "6mm": 3, "-6m2": 1, "23": 1, "-43m": 1, "432": 0,
         "-1": 0, "2/m": 0, "mmm": 0, "4/m": 0, "4/mmm": 0, "-3": 0, "-3m": 0, "6/m": 0, "6/mmm": 0, "m-3": 0,
         "m-3m": 0, "C∞v": 3, "C∞": 4, "D∞": 1, "SO(3)": 0}
DIELECTRIC = {"1": 6, "2": 4, "mmm": 3, "4/mmm": 2, "-3m": 2, "6mm": 2, "m-3m": 1, "D∞h": 2, "O(3)": 1}
PYRO = {"1": 3, "m": 2, "2": 1, "mm2": 1, "4mm": 1, "3m": 1, "6mm": 1, "222": 0, "-42m": 0, "432": 0, "C∞v": 1}
GYRATION = {"1": 6, "2": 4, "m": 2, "222": 3, "mm2": 1, "4": 2, "-4": 2, "422": 2, "-42m": 1, "4mm": 0,
            "32": 2, "3m": 0, "6": 2, "622": 2, "-6": 0, "23": 1, "432": 1, "-43m": 0, "m-3m": 0, "SO(3)": 1}


@pytest.mark.parametrize("table,name", [(ELASTIC, "elastic"), (PIEZO, "piezoelectric"), (DIELECTRIC, "dielectric"),
                                        (PYRO, "pyroelectric"), (GYRATION, "gyration")])
def test_published_counts(table: dict[str, int], name: str) -> None:
    got = {g: count_invariants(name, point_group(g)) for g in table}
    assert got == table
