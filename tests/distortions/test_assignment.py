"""The linear assignment of distortions.assignment against scipy.optimize.linear_sum_assignment (oracle)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from symcompile.distortions.assignment import min_cost_assignment


@pytest.mark.parametrize("seed", range(40))
def test_same_least_cost_as_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    m = n + int(rng.integers(0, 6))
    kind = seed % 4
    if kind == 0:
        cost = rng.random((n, m))
    elif kind == 1:  # many ties
        cost = rng.integers(0, 3, size=(n, m)).astype(float)
    elif kind == 2:  # the parent search's form: a few cheap edges, the rest forbidden (1e6)
        cost = np.full((n, m), 1e6)
        cost[np.arange(n), rng.permutation(m)[:n]] = rng.random(n)
        extra = rng.integers(0, n, size=2 * n), rng.integers(0, m, size=2 * n)
        cost[extra] = rng.random(2 * n)
    else:  # squared distances of points to shuffled, slightly moved copies
        points = rng.random((m, 3))
        moved = points[rng.permutation(m)[:n]] + rng.normal(scale=0.05, size=(n, 3))
        cost = ((moved[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    rows, cols = min_cost_assignment(cost)
    ref_rows, ref_cols = linear_sum_assignment(cost)
    assert rows.tolist() == ref_rows.tolist()
    assert len(set(cols.tolist())) == n and cols.min() >= 0 and cols.max() < m
    assert cost[rows, cols].sum() == pytest.approx(cost[ref_rows, ref_cols].sum(), rel=1e-12, abs=1e-12)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        min_cost_assignment(np.zeros((3, 2)))
    with pytest.raises(ValueError):
        min_cost_assignment(np.array([[np.inf, 1.0]]))
