"""Rotations of 3D space (numpy, float64): random SO(3) elements, Euler angles, proper/improper parts.

Euler angles follow e3nn's YXY convention: ``R(alpha, beta, gamma) = Y(alpha) @ X(beta) @ Y(gamma)``.
Any O(3) matrix is ``det * R_proper`` with ``det = +-1`` (inversion commutes with every rotation).
"""

from __future__ import annotations

from typing import Sequence, Tuple, Union

import numpy as np

__all__ = [
    "rand_matrix",
    "matrix_x",
    "matrix_y",
    "matrix_z",
    "angles_to_matrix",
    "matrix_to_angles",
    "axis_angle_to_matrix",
    "is_proper",
    "is_orthogonal",
    "split_improper",
    "check_orthogonal",
]

Shape = Union[None, int, Sequence[int]]
RngLike = Union[None, int, np.random.Generator]


def _as_rng(rng: RngLike) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def rand_matrix(n: Shape = None, rng: RngLike = None) -> np.ndarray:
    """Rotation matrices drawn uniformly (Haar measure) from SO(3).

    ``n=None`` gives one (3, 3) matrix, an int ``n`` gives (n, 3, 3), a tuple gives (*n, 3, 3).
    ``rng`` is a ``numpy.random.Generator``, a seed, or None (fresh entropy).
    Uses normalised 4D Gaussian quaternions, which are uniform on S^3 and hence Haar on SO(3).
    """
    gen = _as_rng(rng)
    shape: Tuple[int, ...]
    if n is None:
        shape = ()
    elif isinstance(n, (int, np.integer)):
        shape = (int(n),)
    else:
        shape = tuple(int(s) for s in n)
    q = gen.standard_normal(shape + (4,))
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    return _quaternion_to_matrix(q)


def _quaternion_to_matrix(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    R = np.empty(q.shape[:-1] + (3, 3), dtype=np.float64)
    R[..., 0, 0] = 1 - 2 * (y * y + z * z)
    R[..., 0, 1] = 2 * (x * y - z * w)
    R[..., 0, 2] = 2 * (x * z + y * w)
    R[..., 1, 0] = 2 * (x * y + z * w)
    R[..., 1, 1] = 1 - 2 * (x * x + z * z)
    R[..., 1, 2] = 2 * (y * z - x * w)
    R[..., 2, 0] = 2 * (x * z - y * w)
    R[..., 2, 1] = 2 * (y * z + x * w)
    R[..., 2, 2] = 1 - 2 * (x * x + y * y)
    return R


def _rot(angle: np.ndarray, i: int, j: int) -> np.ndarray:
    """Rotation by ``angle`` in the (i, j) plane: e_i -> cos e_i + sin e_j."""
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    R = np.zeros(angle.shape + (3, 3), dtype=np.float64)
    k = 3 - i - j
    R[..., k, k] = 1.0
    R[..., i, i] = c
    R[..., j, j] = c
    R[..., j, i] = s
    R[..., i, j] = -s
    return R


def matrix_x(angle: Union[float, np.ndarray]) -> np.ndarray:
    """Rotation about the x axis (right-handed)."""
    return _rot(angle, 1, 2)


def matrix_y(angle: Union[float, np.ndarray]) -> np.ndarray:
    """Rotation about the y axis (right-handed)."""
    return _rot(angle, 2, 0)


def matrix_z(angle: Union[float, np.ndarray]) -> np.ndarray:
    """Rotation about the z axis (right-handed)."""
    return _rot(angle, 0, 1)


def angles_to_matrix(alpha, beta, gamma) -> np.ndarray:
    """``Y(alpha) @ X(beta) @ Y(gamma)`` (e3nn convention), broadcasting over the angle shapes."""
    alpha, beta, gamma = np.broadcast_arrays(
        np.asarray(alpha, dtype=np.float64), np.asarray(beta, dtype=np.float64), np.asarray(gamma, dtype=np.float64)
    )
    return matrix_y(alpha) @ matrix_x(beta) @ matrix_y(gamma)


def matrix_to_angles(R: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse of :func:`angles_to_matrix` for proper rotations (..., 3, 3).

    Numerically stable everywhere (beta via atan2, gamma from the residual rotation), so
    ``angles_to_matrix(*matrix_to_angles(R))`` reproduces R to round-off even near beta = 0, pi.
    Returns float64 arrays of shape (...) (0-d arrays for a single matrix).
    """
    R = np.asarray(R, dtype=np.float64)
    if R.shape[-2:] != (3, 3):
        raise ValueError(f"expected matrices of shape (..., 3, 3), got {R.shape}")
    if np.any(np.linalg.det(R) <= 0):
        raise ValueError("matrix_to_angles needs proper rotations (det = +1)")
    v = R[..., :, 1]  # R @ e_y
    alpha = np.arctan2(v[..., 0], v[..., 2])
    beta = np.arctan2(np.hypot(v[..., 0], v[..., 2]), v[..., 1])
    Rr = np.swapaxes(angles_to_matrix(alpha, beta, np.zeros_like(alpha)), -1, -2) @ R
    gamma = np.arctan2(Rr[..., 0, 2], Rr[..., 0, 0])
    return alpha, beta, gamma


def axis_angle_to_matrix(axis: np.ndarray, angle) -> np.ndarray:
    """Rodrigues' formula: rotation by ``angle`` (right-handed) about ``axis`` (any norm > 0)."""
    axis = np.asarray(axis, dtype=np.float64)
    axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    angle = np.asarray(angle, dtype=np.float64)
    axis, angle = np.broadcast_arrays(axis, angle[..., None])
    angle = angle[..., 0]
    x, y, z = axis[..., 0], axis[..., 1], axis[..., 2]
    c, s = np.cos(angle), np.sin(angle)
    C = 1 - c
    R = np.empty(angle.shape + (3, 3), dtype=np.float64)
    R[..., 0, 0] = c + x * x * C
    R[..., 0, 1] = x * y * C - z * s
    R[..., 0, 2] = x * z * C + y * s
    R[..., 1, 0] = y * x * C + z * s
    R[..., 1, 1] = c + y * y * C
    R[..., 1, 2] = y * z * C - x * s
    R[..., 2, 0] = z * x * C - y * s
    R[..., 2, 1] = z * y * C + x * s
    R[..., 2, 2] = c + z * z * C
    return R


def is_orthogonal(R: np.ndarray, atol: float = 1e-6) -> Union[bool, np.ndarray]:
    """Whether ``R R^T = 1`` within ``atol`` (elementwise), per matrix."""
    R = np.asarray(R, dtype=np.float64)
    err = np.abs(R @ np.swapaxes(R, -1, -2) - np.eye(3)).max(axis=(-1, -2))
    out = err <= atol
    return bool(out) if np.ndim(out) == 0 else out


def check_orthogonal(R: np.ndarray, atol: float = 1e-6) -> np.ndarray:
    """Return R as a float64 (..., 3, 3) array; ValueError if it is not orthogonal within ``atol``.

    Catches the classic bug of passing a rotation expressed in a non-orthonormal (lattice) basis.
    """
    R = np.asarray(R, dtype=np.float64)
    if R.ndim < 2 or R.shape[-2:] != (3, 3):
        raise ValueError(f"expected matrices of shape (..., 3, 3), got {R.shape}")
    if not np.all(is_orthogonal(R, atol)):
        raise ValueError(
            "matrix is not orthogonal (R R^T != 1); pass Cartesian rotation matrices, not lattice-basis ones"
        )
    return R


def is_proper(R: np.ndarray) -> Union[bool, np.ndarray]:
    """Whether det(R) > 0 (a rotation rather than a rotoinversion), per matrix."""
    d = np.linalg.det(np.asarray(R, dtype=np.float64))
    out = d > 0
    return bool(out) if np.ndim(out) == 0 else out


def split_improper(R: np.ndarray) -> Tuple[np.ndarray, Union[int, np.ndarray]]:
    """Split an O(3) matrix into ``(R_proper, det)`` with ``R = det * R_proper``, det = +-1.

    ``det`` is a python int for a single matrix, an int array of shape (...) for a batch.
    """
    R = np.asarray(R, dtype=np.float64)
    d = np.where(np.linalg.det(R) < 0, -1, 1)
    Rp = R * d[..., None, None]
    if np.ndim(d) == 0:
        return Rp, int(d)
    return Rp, d.astype(np.int64)
