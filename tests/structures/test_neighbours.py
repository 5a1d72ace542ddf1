"""The periodic point index (structures.neighbours) against brute force over lattice translations.

Many atoms (binned, not all pairs); queries on cell faces (fractional coordinates 0, 1/2,
1 - 1e-17) are the hard case: a query moved by a lattice vector must still find its neighbours
with the right vectors (alpha cristobalite lost its Fd-3m parent to this).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from symcompile.structures.neighbours import PeriodicIndex


def brute_force_distances(lattice: np.ndarray, frac: np.ndarray, query: np.ndarray, radius: float) -> list[float]:
    """Every distance from the query to an atom or a periodic image within the radius (sorted)."""
    shifts = np.array(list(itertools.product(range(-4, 5), repeat=3)), dtype=np.float64)
    images = (frac[None, :, :] + shifts[:, None, :]).reshape(-1, 3) @ lattice
    d = np.linalg.norm(images - query @ lattice, axis=1)
    return sorted(d[d <= radius].round(9).tolist())


@pytest.mark.parametrize("seed", range(5))
def test_face_queries_find_their_neighbours_with_the_right_vectors(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # an oblique cell (alpha cristobalite's tetragonal cell in a parent's basis) or a random one
    lattice = np.array([[4.957000000000001, 4.957, 6.070574183373429e-16], [1.5942927948894173e-15, 9.914,
                        6.070574183373429e-16], [0.0, 0.0, 6.8903]]) if seed < 2 else \
        np.diag([4.9, 4.9, 6.9]) + rng.normal(scale=0.8, size=(3, 3))
    frac = np.vstack([rng.random((60, 3)), [[0, 0, 0], [0.5, 0.5, 0], [1 - 1e-17, 0.5, 0.25]]])
    radius = 2.5
    index = PeriodicIndex(lattice, frac, radius)
    cart = np.vstack([np.vstack([frac, [[0, 0.5, 1.0], [-1e-17, 0, 0.5]]]) @ lattice,
                      [[-1.510397899999998, 8.403602099999999, 3.4451500000000004]]])  # (-0.3047, 1, 1/2)
    queries = cart @ np.linalg.inv(lattice)
    prepared = index.prepare(cart)
    qi, pi = index.candidates(prepared)
    d = np.linalg.norm(index.points[pi] - prepared[qi], axis=1)
    for q, query in enumerate(queries):
        found = sorted(d[(qi == q) & (d <= radius)].round(9).tolist())
        assert found == brute_force_distances(lattice, frac, query, radius)
