"""Which atom is within a small distance of a point: a hash grid, linear in the number of atoms.

Symmetry search asks one question many times: is there an atom of the same species within the
tolerance of this image point? Binning the atoms into cubes whose side is twice the search
radius means only the 2 x 2 x 2 cubes nearest a point can hold an answer, so N queries cost
O(N) instead of the O(N^2) of a distance matrix (a 10,000-atom molecule stays fast and small).
Crystals are handled by adding the periodic images that lie within the radius of the cell.

>>> import numpy as np
>>> index = PointIndex(np.array([[0.0, 0, 0], [1.5, 0, 0]]), radius=0.01)
>>> index.nearest(np.array([[1.501, 0, 0], [0.7, 0, 0]])).tolist()
[1, -1]
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

_OFFSETS = np.array(list(itertools.product((0, 1), repeat=3)), dtype=np.int64)
#: Below this many (query, point) pairs every pair is a candidate (no binning).
_ALL_PAIRS = 4096
#: At most this many cubes along an axis, so that cube keys fit in 64 bits (cubes grow for tiny radii).
_MAX_CUBES = 2 ** 20
#: Periodic images stored at most, per atom (a search radius much longer than the cell is refused).
_MAX_IMAGES_PER_ATOM = 4096


class PointIndex:
    """Points binned in cubes of side 2 ``radius``; queries return the nearest point within ``radius``.

    ``labels`` (optional, one int per point) restricts a match to points with the query's label;
    ``owner`` maps each stored point to the atom it stands for (periodic images share an owner).
    """

    def __init__(self, points: np.ndarray, radius: float, labels: np.ndarray | None = None,
                 owner: np.ndarray | None = None) -> None:
        if not radius > 0:
            raise ValueError("radius must be positive")
        self.points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        self.radius = float(radius)
        self.labels = None if labels is None else np.asarray(labels)
        self.owner = np.arange(len(self.points)) if owner is None else np.asarray(owner)
        extent = float(np.ptp(self.points, axis=0).max()) if len(self.points) else 0.0
        self._side = max(2.0 * self.radius, extent / _MAX_CUBES)  # larger cubes are still correct, only slower
        cells = np.floor(self.points / self._side).astype(np.int64)
        self._origin = cells.min(axis=0) - 2 if len(cells) else np.zeros(3, dtype=np.int64)
        span = (cells.max(axis=0) + 3 - self._origin) if len(cells) else np.ones(3, dtype=np.int64)
        self._dims = np.maximum(span, 1)
        keys = self._keys(cells)
        self._order = np.argsort(keys, kind="stable")
        self._sorted = keys[self._order]

    def _keys(self, cells: np.ndarray) -> np.ndarray:
        c = cells - self._origin
        inside = np.all((c >= 0) & (c < self._dims), axis=-1)
        keys = c[..., 0] + self._dims[0] * (c[..., 1] + self._dims[1] * c[..., 2])
        return np.where(inside, keys, -1)

    def prepare(self, queries: np.ndarray) -> np.ndarray:
        """Queries as an (Q, 3) float array, as the index compares them (see :class:`PeriodicIndex`)."""
        return np.asarray(queries, dtype=np.float64).reshape(-1, 3)

    def candidates(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All (query, stored point) pairs in the 8 cubes that can hold a point within ``radius``.

        The queries must come from :meth:`prepare` (once: preparing twice can move a query on a cell
        face by a lattice vector, and then the vectors to the stored points are wrong).
        """
        if len(q) * len(self.points) <= _ALL_PAIRS:  # small: every pair costs less than the binning
            return np.repeat(np.arange(len(q)), len(self.points)), np.tile(np.arange(len(self.points)), len(q))
        cells = np.floor(q / self._side - 0.5).astype(np.int64)  # the ball lies in cells c .. c + 1
        keys = self._keys(cells[:, None, :] + _OFFSETS[None, :, :])  # (Q, 8)
        left = np.searchsorted(self._sorted, keys, side="left")
        right = np.searchsorted(self._sorted, keys, side="right")
        counts = np.where(keys >= 0, right - left, 0)
        total = int(counts.sum())
        query_idx = np.repeat(np.repeat(np.arange(len(q)), len(_OFFSETS)), counts.ravel())
        starts = np.repeat(left.ravel(), counts.ravel())
        run_start = np.repeat(np.cumsum(counts.ravel()) - counts.ravel(), counts.ravel())
        within = np.arange(total) - run_start
        return query_idx, self._order[starts + within]

    def nearest(self, queries: np.ndarray, query_labels: np.ndarray | None = None) -> np.ndarray:
        """For each query: the owner of the nearest stored point within ``radius`` (same label), else -1."""
        q = self.prepare(queries)
        out = np.full(len(q), -1, dtype=np.int64)
        qi, pi = self.candidates(q)
        if len(qi) == 0:
            return out
        d2 = ((q[qi] - self.points[pi]) ** 2).sum(axis=1)
        ok = d2 <= self.radius ** 2
        if self.labels is not None and query_labels is not None:
            ok &= np.asarray(query_labels)[qi] == self.labels[pi]
        qi, pi, d2 = qi[ok], pi[ok], d2[ok]
        order = np.lexsort((d2, qi))  # per query, the nearest first
        qi, pi = qi[order], pi[order]
        first = np.ones(len(qi), dtype=bool)
        first[1:] = qi[1:] != qi[:-1]
        out[qi[first]] = self.owner[pi[first]]
        return out


def cell_heights(lattice: np.ndarray) -> np.ndarray:
    """Distances between opposite faces of the cell (Å), one per lattice direction."""
    lattice = np.asarray(lattice, dtype=np.float64)
    volume = abs(float(np.linalg.det(lattice)))
    return np.array([volume / np.linalg.norm(np.cross(lattice[(i + 1) % 3], lattice[(i + 2) % 3]))
                     for i in range(3)])


class PeriodicIndex(PointIndex):
    """A :class:`PointIndex` of a crystal's atoms and their periodic images near one cell.

    Queries anywhere in space are first moved by lattice vectors into that cell, so a query
    finds the atoms within ``radius`` of it whatever cell it was given in. The cell is the
    given one, or its Delaunay-reduced form when the given one is too oblique for the radius
    (faces closer than the radius), so that the images stored stay few.
    """

    def __init__(self, lattice: np.ndarray, frac: np.ndarray, radius: float, labels: np.ndarray | None = None
                 ) -> None:
        lattice = np.asarray(lattice, dtype=np.float64)
        cart = np.asarray(frac, dtype=np.float64).reshape(-1, 3) @ lattice
        if np.any(radius > cell_heights(lattice)):
            lattice = _reduced(lattice)
        self.lattice = lattice
        self._inverse = np.linalg.inv(lattice)
        margin = radius / cell_heights(lattice)
        reach = np.ceil(margin).astype(np.int64)
        if int(np.prod(2 * reach + 1)) > _MAX_IMAGES_PER_ATOM:
            raise ValueError(f"a search radius of {radius:g} Å reaches {int(np.prod(2 * reach + 1))} periodic "
                             "images of each atom: the cell is far smaller than the radius")
        wrapped = self._wrap_frac(cart @ self._inverse)
        shifts = np.array(list(itertools.product(*(range(-r, r + 1) for r in reach))), dtype=np.float64)
        moved = wrapped[None, :, :] + shifts[:, None, :]  # (images, N, 3)
        keep = np.all((moved > -margin) & (moved < 1 + margin), axis=2)
        owner = np.nonzero(keep)[1]
        super().__init__(moved[keep] @ lattice, radius, None if labels is None else np.asarray(labels)[owner], owner)

    @staticmethod
    def _wrap_frac(frac: np.ndarray) -> np.ndarray:
        wrapped = frac % 1.0
        wrapped[wrapped >= 1.0] = 0.0
        return wrapped

    def prepare(self, queries: np.ndarray) -> np.ndarray:
        """Cartesian queries moved into the index's cell (by lattice vectors)."""
        q = np.asarray(queries, dtype=np.float64).reshape(-1, 3)
        return self._wrap_frac(q @ self._inverse) @ self.lattice


def _reduced(lattice: np.ndarray) -> np.ndarray:
    """The Delaunay-reduced basis of the lattice (spglib), or the lattice itself if reduction fails."""
    import spglib

    from symcompile.structures.spacegroup import quiet_spglib

    try:
        with quiet_spglib():
            reduced = spglib.delaunay_reduce(lattice, eps=1e-5)
    except Exception:  # noqa: BLE001 - spglib raises its own error types on degenerate input
        reduced = None
    return lattice if reduced is None else np.asarray(reduced, dtype=np.float64)


def periodic_index(lattice: np.ndarray, frac: np.ndarray, radius: float, labels: np.ndarray | None = None
                   ) -> tuple[PointIndex, np.ndarray]:
    """A :class:`PeriodicIndex` of the atoms of a crystal, and their fractional coordinates wrapped into [0, 1).

    Query with Cartesian points (any cell); ``nearest`` returns atom indices.
    """
    wrapped = PeriodicIndex._wrap_frac(np.asarray(frac, dtype=np.float64))
    return PeriodicIndex(lattice, frac, radius, labels), wrapped


def shortest_lattice_vector(lattice: np.ndarray) -> float:
    """Length (Å) of the shortest non-zero lattice vector: the shortest of a, b, c and their sums and
    differences in the Delaunay-reduced basis (exact for a Delaunay-reduced cell).

    >>> round(shortest_lattice_vector(np.array([[4.0, 0, 0], [0, 4, 0], [40, 1, 4]])), 6)
    4.0
    """
    a, b, c = _reduced(np.asarray(lattice, dtype=np.float64))
    candidates = [a, b, c, a + b, a - b, b + c, b - c, a + c, a - c, a + b + c, a + b - c, a - b + c, -a + b + c]
    return float(min(np.linalg.norm(v) for v in candidates))


def overlapping_pair(structure: Any, distance: float) -> tuple[int, int, float] | None:
    """Two atoms (or an atom and its own periodic image) closer than ``distance`` Å, or None.

    >>> from symcompile.structures.structure import Structure
    >>> overlapping_pair(Structure.molecule(("H", "H"), [[0, 0, 0], [0, 0, 0.01]]), 0.1)[:2]
    (0, 1)
    """
    i, j, d = close_pairs(structure, distance)
    if len(d) == 0:
        return None
    k = int(np.argmin(d))
    first, second = sorted((int(i[k]), int(j[k])))
    return first, second, float(d[k])


def close_pairs(structure: Any, radius: float, atoms: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(atom, other atom, distance) for every pair closer than ``radius`` (periodic images included, an atom
    and its own image too), the first atom among ``atoms`` (default: all). Linear in the number of atoms.

    >>> from symcompile.structures.structure import Structure
    >>> [a.tolist() for a in close_pairs(Structure.molecule(("H", "H", "O"), [[0, 0, 0], [0, 0, 0.7], [0, 0, 3]]), 1.0)]
    [[0, 1], [1, 0], [0.7, 0.7]]
    """
    if structure.lattice is None:
        index: PointIndex = PointIndex(np.asarray(structure.cart_coords), radius)
    else:
        index = PeriodicIndex(structure.lattice, structure.frac_coords, radius)
    points = index.prepare(structure.cart_coords)
    atoms = np.arange(len(points)) if atoms is None else np.asarray(atoms)
    qi, pi = index.candidates(points[atoms])
    qi = atoms[qi]
    d = np.linalg.norm(points[qi] - index.points[pi], axis=1)
    keep = (d < radius) & ~((index.owner[pi] == qi) & (d < 1e-12))
    return qi[keep], index.owner[pi[keep]], d[keep]


def nearest_neighbour_distances(structure: Any) -> np.ndarray:
    """Distance (Å) from each atom to its nearest neighbour, periodic images included; linear in N.

    >>> from symcompile.structures.structure import Structure
    >>> nearest_neighbour_distances(Structure.molecule(("O", "C", "O"), [[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]]))
    array([1.16, 1.16, 1.16])
    """
    n = structure.num_atoms
    out = np.full(n, np.inf)
    if n == 1 and structure.lattice is None:
        return out
    radius, ceiling = _first_radius(structure)
    todo = np.arange(n)
    while len(todo):
        i, _, d = close_pairs(structure, radius, todo)
        np.minimum.at(out, i, d)
        todo = todo[~np.isfinite(out[todo])]
        radius = min(2 * radius, ceiling)
    return out


def _first_radius(structure: Any) -> tuple[float, float]:
    """A search radius that finds about one neighbour per atom, and one that finds at least one (crystals:
    every atom has its own image at the shortest lattice vector; molecules: the whole extent)."""
    n = structure.num_atoms
    if structure.lattice is None:
        extent = max(float(np.ptp(structure.cart_coords, axis=0).max()), 1e-6)
        return extent / n ** (1 / 3), 2 * extent
    ceiling = 1.0001 * shortest_lattice_vector(structure.lattice)
    return min(float(cell_heights(structure.lattice).max()) / n ** (1 / 3), ceiling), ceiling


def closest_pair(structure: Any) -> tuple[int, int, float] | None:
    """The two nearest atoms (periodic images included) and their distance; None for a lone atom."""
    if structure.num_atoms < 2 and structure.lattice is None:
        return None
    radius, ceiling = _first_radius(structure)
    while True:
        found = overlapping_pair(structure, radius)  # the nearest of all pairs closer than radius
        if found is not None:
            return found
        radius = min(2 * radius, ceiling)
