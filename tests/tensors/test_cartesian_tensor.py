"""Change of basis: orthonormal, spans exactly the index-symmetric subspace, rotates with Wigner D
(proper and improper, pseudovector indices, axial tensors), same isotypic subspaces as e3nn."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from tensor_helpers import index_projector, rotate, tensor_rep

from symcompile.errors import InputError
from symcompile.o3 import rand_matrix
from symcompile.tensors import CartesianTensor
from symcompile.tensors.characters import signed_permutation_group

FORMULAS = [
    ("i", {}), ("ij", {}), ("ij=ji", {}), ("ij=-ji", {}), ("ijk=ikj", {}), ("ijk=-jik=-ikj", {}),
    ("ijkl=jikl=klij", {}), ("ijkl=klij", {}), ("ijkl=jikl=ikjl=ijlk", {}), ("ijklm=jklmi", {}),
    ("ijklm=-jiklm", {}), ("ijk=ikj", {"index_types": {"i": "1e"}}), ("ij=ji", {"axial": True}),
    ("ijkl=jikl", {"index_types": {"i": "1e", "l": "1e"}}), ("ijklmn=jiklmn=ijlkmn=klijmn", {}),
    ("ijkl=ilkj", {}), ("ijklm=-imlkj", {"index_types": {"j": "1e", "m": "1e"}}),  # moved indices not first
]


def _ids(case: tuple[str, dict]) -> str:
    return case[0] + ("+" + ",".join(f"{k}" for k in case[1]) if case[1] else "")


@pytest.mark.parametrize("case", FORMULAS, ids=_ids)
def test_orthonormal_and_spans_the_index_symmetric_subspace(case: tuple[str, dict]) -> None:
    t = CartesianTensor(case[0], **case[1])
    Q = t.change_of_basis.reshape(t.dim, -1)
    np.testing.assert_allclose(Q @ Q.T, np.eye(t.dim), atol=1e-12)
    np.testing.assert_allclose(Q.T @ Q, index_projector(t.formula), atol=1e-12)


@pytest.mark.parametrize("case", FORMULAS, ids=_ids)
def test_basis_tensors_obey_the_index_symmetries(case: tuple[str, dict]) -> None:
    t = CartesianTensor(case[0], **case[1])
    Q = t.change_of_basis
    for sign, perm in signed_permutation_group(t.formula):
        np.testing.assert_allclose(Q.transpose((0,) + tuple(1 + p for p in perm)), sign * Q, atol=1e-12)


@pytest.mark.parametrize("case", FORMULAS, ids=_ids)
def test_rotation_of_cartesian_tensor_is_wigner_D_of_coefficients(case: tuple[str, dict]) -> None:
    t = CartesianTensor(case[0], **case[1])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, t.dim))
    T = t.to_cartesian(x)
    for R in list(rand_matrix(3, rng=1)) + [-rand_matrix(rng=2), np.diag([1.0, -1.0, 1.0])]:
        RT = (tensor_rep(t.formula, R) @ T.reshape(4, -1).T).T.reshape(T.shape)
        np.testing.assert_allclose(t.from_cartesian(RT), x @ t.irreps.D_from_matrix(R).T, atol=1e-11)


def test_plain_rotation_helper_matches_kron() -> None:
    t = CartesianTensor("ijk=ikj")
    T = t.to_cartesian(np.arange(t.dim, dtype=float))
    R = rand_matrix(rng=5)
    np.testing.assert_allclose(rotate(T, R).reshape(-1), tensor_rep(t.formula, R) @ T.reshape(-1), atol=1e-12)


def test_round_trips() -> None:
    t = CartesianTensor("ijkl=jikl=klij")
    rng = np.random.default_rng(1)
    x = rng.normal(size=t.dim)
    np.testing.assert_allclose(t.from_cartesian(t.to_cartesian(x)), x, atol=1e-12)
    T = rng.normal(size=(3, 3, 3, 3))
    sym = (index_projector(t.formula) @ T.reshape(-1)).reshape(T.shape)
    np.testing.assert_allclose(t.to_cartesian(t.from_cartesian(T)), sym, atol=1e-12)


def test_shape_errors() -> None:
    t = CartesianTensor("ij=ji")
    with pytest.raises(InputError):
        t.to_cartesian(np.zeros(5))
    with pytest.raises(InputError):
        t.from_cartesian(np.zeros((3, 4)))


def test_rank8_target_formula() -> None:
    t = CartesianTensor("ijklmnop=jiklmnop")
    Q = t.change_of_basis
    assert Q.shape == (4374,) + (3,) * 8
    Qf = Q.reshape(4374, -1)
    rng = np.random.default_rng(2)
    sample = rng.choice(4374, size=200, replace=False)
    np.testing.assert_allclose(Qf[sample] @ Qf.T, np.eye(4374)[sample], atol=1e-11)
    np.testing.assert_allclose(Q.transpose((0, 2, 1, 3, 4, 5, 6, 7, 8))[sample], Q[sample], atol=1e-12)
    R = rand_matrix(rng=3)
    x = np.zeros(t.dim)
    x[rng.choice(t.dim, size=5)] = 1.0
    RT = rotate(t.to_cartesian(x), R)
    np.testing.assert_allclose(t.from_cartesian(RT), t.irreps.D_from_matrix(R) @ x, atol=1e-10)


# --------------------------------------------------------------------------- against e3nn's basis
@functools.lru_cache(maxsize=None)
def _e3nn_Q(formula: str) -> tuple[str, np.ndarray]:
    torch = pytest.importorskip("torch")
    e3nn_io = pytest.importorskip("e3nn.io")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        c = e3nn_io.CartesianTensor(formula)
        Q = c.reduced_tensor_products().change_of_basis.double().numpy()
    finally:
        torch.set_default_dtype(old)
    return str(c), Q.reshape(Q.shape[0], -1)


def _isotypic_projectors(irreps_str: str, Q: np.ndarray) -> dict[int, np.ndarray]:
    from symcompile.o3 import Irreps

    out: dict[int, np.ndarray] = {}
    start = 0
    for mul, ir in Irreps(irreps_str):
        rows = Q[start:start + mul * ir.dim]
        rows = np.linalg.qr(rows.T)[0].T  # e3nn's rows are orthogonal but scaled
        out[ir.l] = out.get(ir.l, 0) + rows.T @ rows
        start += mul * ir.dim
    return out


@pytest.mark.parametrize("formula", ["ij=ji", "ijk=ikj", "ijkl=jikl=klij", "ijkl=klij", "ijklm=jklmi"])
def test_isotypic_subspaces_equal_e3nn(formula: str) -> None:
    """The l-isotypic subspaces are canonical: ours and e3nn's must coincide."""
    irreps, Qe = _e3nn_Q(formula)
    t = CartesianTensor(formula)
    assert str(t.irreps) == irreps
    ours = _isotypic_projectors(str(t.irreps), t.change_of_basis.reshape(t.dim, -1))
    theirs = _isotypic_projectors(irreps, Qe)
    assert ours.keys() == theirs.keys()
    for l in ours:
        np.testing.assert_allclose(ours[l], theirs[l], atol=1e-9, err_msg=f"l={l}")


# --------------------------------------------------------------------------- exact symbolic basis
@pytest.mark.parametrize("formula", ["ij=ji", "ijk=-jik=-ikj", "ijkl=jikl=klij", "ijk=ikj"])
def test_symbolic_basis_is_exact_and_spans_the_isotypic_components(formula: str) -> None:
    t = CartesianTensor(formula)
    basis = t.symbolic_basis()
    numeric = _isotypic_projectors(str(t.irreps), t.change_of_basis.reshape(t.dim, -1))
    assert {int(k[:-1]) for k in basis} == set(numeric)
    for key, tensors in basis.items():
        M = np.array([[float(x) for x in np.array(T.tolist(), dtype=object).reshape(-1)] for T in tensors])
        assert all(x.is_integer for T in tensors for x in np.array(T.tolist(), dtype=object).reshape(-1))
        q = np.linalg.qr(M.T)[0]
        np.testing.assert_allclose(q @ q.T, numeric[int(key[:-1])], atol=1e-10)


def test_symbolic_basis_of_isotropic_elastic_tensors_is_the_two_deltas() -> None:
    from symcompile.tensors.symbolic import isotypic_basis_json

    scalars = isotypic_basis_json("elastic")["0e"]
    d = np.eye(3)
    expected = [np.einsum("ij,kl->ijkl", d, d), np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)]
    got = []
    for entries in scalars:
        T = np.zeros((3, 3, 3, 3))
        for idx, v in entries.items():
            T[tuple(int(c) - 1 for c in idx)] = v
        got.append(T.reshape(-1))
    A = np.array(got)
    B = np.array([e.reshape(-1) for e in expected])
    assert np.linalg.matrix_rank(np.vstack([A, B])) == 2
