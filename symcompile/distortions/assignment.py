"""The one-to-one matching of least total cost between the atoms of a structure and their images.

When an operation sends two atoms near the same partner, the permutation it induces is the
assignment of least summed squared distance: the linear assignment problem. This module
solves it by shortest augmenting paths with dual potentials (Jonker and Volgenant, Computing
38, 325 (1987); the rectangular form of D. F. Crouse, IEEE Trans. Aerosp. Electron. Syst. 52,
1679 (2016)), one row at a time, each step vectorised over the columns. It exists so that the
parent search does not import ``scipy.optimize`` (about 0.45 s at every start of
``order-params``); tests compare it with ``scipy.optimize.linear_sum_assignment``.

>>> import numpy as np
>>> rows, cols = min_cost_assignment(np.array([[4.0, 1, 3], [2, 0, 5], [3, 2, 2]]))
>>> rows.tolist(), cols.tolist()
([0, 1, 2], [1, 0, 2])
"""

from __future__ import annotations

import numpy as np


def min_cost_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and the columns assigned to them (each column at most once) with the least summed cost.

    ``cost``: an (n, m) array of finite numbers with n <= m (every row is assigned; transpose
    otherwise). Returns (rows, cols), rows in increasing order, as scipy's
    ``linear_sum_assignment`` does.

    >>> min_cost_assignment(np.array([[1.0, 2.0, 0.5]]))[1].tolist()
    [2]
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2 or cost.shape[0] > cost.shape[1]:
        raise ValueError(f"need an (n, m) cost matrix with n <= m, got shape {cost.shape}")
    if not np.all(np.isfinite(cost)):
        raise ValueError("the cost matrix must be finite")
    n, m = cost.shape
    u = np.zeros(n)  # row potentials
    v = np.zeros(m)  # column potentials
    col_of = np.full(n, -1, dtype=np.int64)
    row_of = np.full(m, -1, dtype=np.int64)
    for start in range(n):
        shortest = np.full(m, np.inf)  # shortest alternating path found to each column
        via = np.full(m, -1, dtype=np.int64)  # the row it arrives from
        done = np.zeros(m, dtype=bool)  # columns whose shortest path is final
        rows_seen = [start]
        row, reach, sink = start, 0.0, -1
        while sink < 0:
            reduced = reach + cost[row] - u[row] - v
            better = ~done & (reduced < shortest)
            shortest[better] = reduced[better]
            via[better] = row
            open_ = np.flatnonzero(~done)
            best = shortest[open_].min()
            ties = open_[shortest[open_] == best]
            free = ties[row_of[ties] < 0]
            col = int(free[0]) if len(free) else int(ties[0])  # a free column ends the path
            reach = float(best)
            done[col] = True
            if row_of[col] < 0:
                sink = col
            else:
                row = int(row_of[col])
                rows_seen.append(row)
        # potentials: reduced costs stay non-negative and zero along the matching
        u[start] += reach
        for r in rows_seen[1:]:
            u[r] += reach - shortest[col_of[r]]
        v[done] -= reach - shortest[done]
        # augment along the path back to the starting row
        col = sink
        while True:
            row = int(via[col])
            row_of[col] = row
            col_of[row], col = col, int(col_of[row])
            if row == start:
                break
    return np.arange(n), col_of
