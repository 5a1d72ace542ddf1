"""Rotation helpers: Haar-random SO(3), e3nn's YXY Euler angles (oracle: e3nn 0.6), proper/improper split."""

from __future__ import annotations

import numpy as np
import torch
from e3nn import o3 as e3

from symcompile.o3.rotations import (
    angles_to_matrix,
    axis_angle_to_matrix,
    is_proper,
    matrix_to_angles,
    rand_matrix,
    split_improper,
)


def test_rand_matrix_is_rotation_and_seeded() -> None:
    R = rand_matrix(50, rng=0)
    assert R.shape == (50, 3, 3)
    np.testing.assert_allclose(R @ np.swapaxes(R, -1, -2), np.broadcast_to(np.eye(3), R.shape), atol=1e-14)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=1e-14)
    np.testing.assert_array_equal(R, rand_matrix(50, rng=0))
    np.testing.assert_array_equal(rand_matrix(rng=np.random.default_rng(5)), rand_matrix(None, np.random.default_rng(5)))
    assert rand_matrix().shape == (3, 3)
    assert rand_matrix((2, 4)).shape == (2, 4, 3, 3)


def test_rand_matrix_is_haar() -> None:
    # For Haar measure: E[R] = 0, E[R_ij^2] = 1/3, and the rotation angle theta has density
    # (1 - cos theta)/pi, so E[cos theta] = -1/2, i.e. E[tr R] = 0.
    R = rand_matrix(40000, rng=123)
    assert np.abs(R.mean(axis=0)).max() < 0.02
    np.testing.assert_allclose((R**2).mean(axis=0), 1 / 3, atol=0.01)
    tr = np.trace(R, axis1=-2, axis2=-1)
    cos_theta = (tr - 1) / 2
    assert abs(cos_theta.mean() + 0.5) < 0.01
    # second moment: E[cos^2 theta] = 1/2 for density (1-cos)/pi on [0, pi]
    assert abs((cos_theta**2).mean() - 0.5) < 0.01


def test_angles_to_matrix_equals_e3nn() -> None:
    rng = np.random.default_rng(1)
    a, b, c = rng.uniform(-7, 7, size=(3, 20))
    ours = angles_to_matrix(a, b, c)
    ref = e3.angles_to_matrix(*(torch.tensor(t) for t in (a, b, c))).numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-14)


def test_matrix_to_angles_equals_e3nn_and_round_trips() -> None:
    R = rand_matrix(30, rng=2)
    ours = matrix_to_angles(R)
    ref = e3.matrix_to_angles(torch.tensor(R))
    for x, y in zip(ours, ref):
        d = np.angle(np.exp(1j * (x - y.numpy())))  # compare modulo 2 pi
        assert np.abs(d).max() < 1e-10
    np.testing.assert_allclose(angles_to_matrix(*ours), R, atol=1e-14)


def test_matrix_to_angles_stable_near_gimbal_lock() -> None:
    for beta in [0.0, 1e-12, 1e-7, np.pi - 1e-9, np.pi]:
        R = angles_to_matrix(0.7, beta, -1.9)
        np.testing.assert_allclose(angles_to_matrix(*matrix_to_angles(R)), R, atol=1e-14)


def test_axis_angle() -> None:
    R = axis_angle_to_matrix(np.array([0.0, 0.0, 2.0]), np.pi / 2)
    np.testing.assert_allclose(R @ np.array([1.0, 0, 0]), [0, 1, 0], atol=1e-15)
    rng = np.random.default_rng(3)
    axis, angle = rng.standard_normal((5, 3)), rng.uniform(-4, 4, 5)
    ref = e3.axis_angle_to_matrix(torch.tensor(axis), torch.tensor(angle)).numpy()
    np.testing.assert_allclose(axis_angle_to_matrix(axis, angle), ref, atol=1e-14)


def test_split_improper() -> None:
    R = rand_matrix(6, rng=4)
    G = R.copy()
    G[1::2] *= -1
    assert list(is_proper(G)) == [True, False] * 3
    Rp, det = split_improper(G)
    np.testing.assert_array_equal(Rp, R)
    assert det.tolist() == [1, -1] * 3
    Rp1, d1 = split_improper(-np.eye(3))
    assert d1 == -1 and isinstance(d1, int)
    np.testing.assert_array_equal(Rp1, np.eye(3))
    assert is_proper(np.eye(3)) is True
