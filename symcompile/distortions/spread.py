"""The largest displacement of a set of atoms, free of the uniform translation: the radius of the
smallest ball that holds every displacement vector.

A child and its parent are related by displacements u_i up to one uniform translation t (the
origin of a polar structure floats; PSEUDO optimises it). The largest displacement is
min_t max_i |u_i - t|: the radius of the smallest enclosing ball of the vectors u_i, whose
centre is the best t. For a non-polar child the centre is the mean displacement (zero); it
never exceeds the largest |u_i - mean u|.

>>> import numpy as np
>>> centre, radius = smallest_ball(np.array([[0.0, 0, 0.4], [0, 0, -0.2], [0.1, 0, 0.1]]))
>>> np.round(centre, 6).tolist(), round(radius, 6)
([0.0, 0.0, 0.1], 0.3)
"""

from __future__ import annotations

from itertools import combinations

import numpy as np


def _circumball(points: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The smallest ball with every point on its boundary (centre in their affine hull); None if degenerate."""
    p0 = points[0]
    if len(points) == 1:
        return p0.copy(), 0.0
    a = points[1:] - p0
    gram = a @ a.T
    rhs = 0.5 * np.einsum("ij,ij->i", a, a)
    if abs(np.linalg.det(gram)) <= 1e-10 * float(np.prod(np.diag(gram))):  # affinely dependent
        return None
    lam = np.linalg.solve(gram, rhs)
    centre = p0 + lam @ a
    return centre, float(np.linalg.norm(centre - p0))


def _ball_of(points: np.ndarray, last: int) -> tuple[list[int], np.ndarray, float]:
    """The smallest ball holding ``points`` (at most 5 in 3D) with point ``last`` on its boundary."""
    others = [i for i in range(len(points)) if i != last]
    best: tuple[list[int], np.ndarray, float] | None = None
    for size in range(min(3, len(others)) + 1):
        for subset in combinations(others, size):
            chosen = [last, *subset]
            found = _circumball(points[chosen])
            if found is None:
                continue
            centre, radius = found
            inside = np.all(np.linalg.norm(points - centre, axis=1) <= radius * (1 + 1e-10) + 1e-12)
            if inside and (best is None or radius < best[2]):
                best = (chosen, centre, radius)
    assert best is not None  # the two farthest points always give one
    return best


def smallest_ball(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and radius of the smallest ball holding every row of ``points`` (exact, a few passes).

    Each pass adds the point farthest outside the current ball to its support and recomputes
    the ball of the support (at most 4 points on its boundary in 3D); the radius grows strictly.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    origin = pts.mean(axis=0)
    scale = float(np.linalg.norm(pts - origin, axis=1).max())
    if scale == 0.0:
        return origin, 0.0
    pts = np.unique((pts - origin) / scale, axis=0)  # scale-free tolerances
    first = int(np.argmax(np.linalg.norm(pts - pts.mean(axis=0), axis=1)))
    support = [first]
    centre, radius = pts[first].copy(), 0.0
    for _ in range(10 * len(pts) + 10):
        dist = np.linalg.norm(pts - centre, axis=1)
        far = int(np.argmax(dist))
        if dist[far] <= radius * (1 + 1e-12) + 1e-14:
            break
        local = [*support, far]
        chosen, centre, radius = _ball_of(pts[local], len(local) - 1)
        support = [local[i] for i in chosen]
    return origin + scale * centre, scale * radius
