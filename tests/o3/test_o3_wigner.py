"""Wigner D and wigner_3j against e3nn 0.6 (oracle), sympy's exact Clebsch-Gordan, and group theory."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from e3nn import o3 as e3

from symcompile.o3 import wigner_3j, wigner_D, wigner_D_list
from symcompile.o3.rotations import angles_to_matrix, matrix_to_angles, rand_matrix
from symcompile.o3.wigner import so3_generators, su2_clebsch_gordan

LMAX = 12


def _e3nn_D(l: int, R: np.ndarray) -> np.ndarray:
    a, b, c = e3.matrix_to_angles(torch.tensor(R))
    return e3.wigner_D(l, a, b, c).numpy()


def test_wigner_D_equals_e3nn() -> None:
    R = rand_matrix(8, rng=10)
    for l in range(LMAX + 1):
        np.testing.assert_allclose(wigner_D(l, R), _e3nn_D(l, R), atol=1e-10, rtol=0, err_msg=f"l={l}")


def test_wigner_D_equals_e3nn_from_angles_including_gimbal_lock() -> None:
    alpha = np.array([0.3, -2.0, 1.1, 4.0, 0.0])
    beta = np.array([0.0, np.pi, 1e-9, 2.5, np.pi / 2])
    gamma = np.array([1.7, 0.4, -3.0, 0.0, 0.0])
    R = angles_to_matrix(alpha, beta, gamma)
    for l in [0, 1, 2, 5, 8, 12]:
        ref = e3.wigner_D(l, *(torch.tensor(t) for t in (alpha, beta, gamma))).numpy()
        np.testing.assert_allclose(wigner_D(l, R), ref, atol=1e-10, rtol=0, err_msg=f"l={l}")


def test_wigner_D_group_properties() -> None:
    R1, R2 = rand_matrix(5, rng=11), rand_matrix(5, rng=12)
    np.testing.assert_array_equal(wigner_D(1, R1), R1)
    D1, D2, D12 = wigner_D_list(LMAX, R1), wigner_D_list(LMAX, R2), wigner_D_list(LMAX, R1 @ R2)
    for l in range(LMAX + 1):
        n = 2 * l + 1
        np.testing.assert_allclose(D12[l], D1[l] @ D2[l], atol=1e-12, rtol=0)
        np.testing.assert_allclose(D1[l] @ np.swapaxes(D1[l], -1, -2), np.broadcast_to(np.eye(n), (5, n, n)), atol=1e-12)
        np.testing.assert_allclose(wigner_D(l, np.swapaxes(R1, -1, -2)), np.swapaxes(D1[l], -1, -2), atol=1e-12)
        np.testing.assert_allclose(wigner_D(l, np.eye(3)), np.eye(n), atol=1e-13)
        np.testing.assert_allclose(np.linalg.det(D1[l]), 1.0, atol=1e-10)
        np.testing.assert_allclose(D1[l], wigner_D(l, R1), atol=0)


def test_wigner_D_character() -> None:
    # trace of D_l for a rotation by theta is sin((l + 1/2) theta) / sin(theta / 2) (independent of basis)
    R = rand_matrix(6, rng=13)
    theta = np.arccos(np.clip((np.trace(R, axis1=-2, axis2=-1) - 1) / 2, -1, 1))
    for l in range(LMAX + 1):
        chi = np.trace(wigner_D(l, R), axis1=-2, axis2=-1)
        np.testing.assert_allclose(chi, np.sin((l + 0.5) * theta) / np.sin(theta / 2), atol=1e-10)


def test_wigner_D_generators_match_e3nn() -> None:
    for l in range(6):
        ref = e3.so3_generators(l).numpy()
        np.testing.assert_allclose(so3_generators(l), ref, atol=1e-14)


def test_wigner_D_is_exponential_of_generators() -> None:
    from scipy.linalg import expm

    L = so3_generators(1)
    for l in [1, 2, 5, 9]:
        X = so3_generators(l)
        for k in range(3):
            for t in (0.3, -2.1):
                np.testing.assert_allclose(wigner_D(l, expm(t * L[k])), expm(t * X[k]), atol=1e-12)


def test_wigner_D_shapes_and_errors() -> None:
    R = rand_matrix((2, 3), rng=14)
    assert wigner_D(4, R).shape == (2, 3, 9, 9)
    assert wigner_D(0, R).shape == (2, 3, 1, 1)
    with pytest.raises(ValueError):
        wigner_D(2, -np.eye(3))  # improper
    with pytest.raises(ValueError):
        wigner_D(2, np.array([[1.0, 1, 0], [0, 1, 0], [0, 0, 1]]))  # lattice-basis, not orthogonal
    with pytest.raises(ValueError):
        wigner_D(-1, np.eye(3))


def _triples(lmax: int):
    for l1, l2 in itertools.product(range(lmax + 1), repeat=2):
        for l3 in range(abs(l1 - l2), min(lmax, l1 + l2) + 1):
            yield l1, l2, l3


def test_wigner_3j_equals_e3nn_with_same_sign() -> None:
    # Documented convention: identical to e3nn 0.6 (global sign +1 for every (l1, l2, l3)).
    for l1, l2, l3 in _triples(5):
        ours = wigner_3j(l1, l2, l3)
        ref = e3.wigner_3j(l1, l2, l3, dtype=torch.float64).numpy()
        assert ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, atol=1e-13, rtol=0, err_msg=str((l1, l2, l3)))


def test_wigner_3j_invariant_and_normalised() -> None:
    R = rand_matrix(rng=15)
    D = wigner_D_list(8, R)
    for l1, l2, l3 in _triples(8):
        C = wigner_3j(l1, l2, l3)
        assert abs(np.linalg.norm(C) - 1) < 1e-14
        rot = np.einsum("ia,jb,kc,abc->ijk", D[l1], D[l2], D[l3], C, optimize=True)
        np.testing.assert_allclose(rot, C, atol=1e-12, rtol=0, err_msg=str((l1, l2, l3)))


def test_wigner_3j_high_l_invariant_and_isometric() -> None:
    R = rand_matrix(rng=16)
    D = wigner_D_list(12, R)
    for l1, l2, l3 in [(12, 12, 12), (12, 11, 2), (6, 6, 12), (10, 12, 3)]:
        C = wigner_3j(l1, l2, l3)
        rot = np.einsum("ia,jb,kc,abc->ijk", D[l1], D[l2], D[l3], C, optimize=True)
        np.testing.assert_allclose(rot, C, atol=1e-12, rtol=0)
        # the coupling map is an isometry up to the factor 1/(2 l3 + 1)
        M = C.reshape(-1, 2 * l3 + 1)
        np.testing.assert_allclose(M.T @ M, np.eye(2 * l3 + 1) / (2 * l3 + 1), atol=1e-14)


def test_su2_clebsch_gordan_equals_sympy() -> None:
    from sympy.physics.quantum.cg import CG

    for l1, l2, l3 in [(1, 1, 2), (2, 1, 1), (3, 2, 4), (2, 2, 0), (4, 3, 5)]:
        ours = su2_clebsch_gordan(l1, l2, l3)
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                m3 = m1 + m2
                if abs(m3) > l3:
                    continue
                ref = float(CG(l1, m1, l2, m2, l3, m3).doit().evalf(30))
                assert abs(ours[l1 + m1, l2 + m2, l3 + m3] - ref) < 1e-15


def test_wigner_3j_errors_and_copy() -> None:
    with pytest.raises(ValueError):
        wigner_3j(1, 1, 3)
    C = wigner_3j(1, 1, 2)
    C[...] = 0
    assert np.linalg.norm(wigner_3j(1, 1, 2)) == pytest.approx(1.0)


def test_matrix_to_angles_consistent_with_D() -> None:
    R = rand_matrix(4, rng=17)
    a, b, c = matrix_to_angles(R)
    np.testing.assert_allclose(wigner_D(3, angles_to_matrix(a, b, c)), wigner_D(3, R), atol=1e-13)
