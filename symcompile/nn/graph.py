"""Neighbour lists: all pairs closer than a cutoff, for molecules and for periodic crystals.

An edge ``(src, dst, shift)`` connects atom ``src`` to the periodic image ``pos[dst] + shift`` of atom ``dst``
(``shift`` an integer combination of lattice vectors), with ``edge_vec = pos[dst] - pos[src] + shift`` and
``|edge_vec| < r_max``.  Messages flow from ``src`` to ``dst``.  Edges come sorted by ``(src, dst)`` and then
by the integer image ``(n1, n2, n3)``, so that the same input always gives the same graph.

Periodic images: a pair of images is closer than ``r_max`` only if its fractional separation along reciprocal
direction ``i`` is below ``r_max / h_i``, where ``h_i = V / |a_j x a_k|`` is the height of the cell (distance
between lattice planes).  This bounds the integer image range in every direction for any cell shape (skewed
cells, cutoff larger than the cell).

Two algorithms give the same edges (the same distance test on the same floating-point numbers):

- small systems test every pair (every pair and image for crystals), vectorised and chunked;
- larger systems use cell lists, time and memory linear in the number of atoms: atoms are sorted into bins,
  of side at least ``r_max`` in Cartesian coordinates for molecules, and for crystals slabs of thickness at
  least ``r_max`` along the three reciprocal directions (fractional coordinates wrapped into the cell;
  when the cell is thinner than ``r_max`` there is one bin and the stencil spans several images).  Only atoms
  in neighbouring bins are tested.  The switch is where they cost the same, measured:
  :data:`ALL_PAIRS_LIMIT_MOLECULES` pairs (~700 atoms) and :data:`ALL_PAIRS_LIMIT_CRYSTALS` pair-images.

Limits: the graph holds 64 bytes per edge (float64) and needs at most ~320 bytes per edge while it is built,
plus ~15 MB of candidate buffers.  Before building, the number of edges is estimated (number density times the
volume of the cutoff sphere, per atom) and it is counted while building; a graph that would need more than
:data:`MAX_GRAPH_BYTES` (2 GiB, about 6.7 million edges) raises :class:`GraphTooLargeError` (a ``ValueError`` and
an ``InputError``) naming the limit, instead of running out of memory.  At r_max = 5 Å a 10,000-atom oxide
crystal has about 0.5 million edges: ~0.3 s and ~150 MiB to build on one core.  Coordinates must be finite,
and crystal atoms within 2^26 cells of the origin.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Optional, Sequence, Tuple

import torch

from symcompile.errors import InputError

from .cell_list import CellList, cell_heights, crystal_bins, molecule_bins

__all__ = [
    "ALL_PAIRS_LIMIT_CRYSTALS",
    "ALL_PAIRS_LIMIT_MOLECULES",
    "Graph",
    "GraphTooLargeError",
    "MAX_GRAPH_BYTES",
    "cell_heights",
    "image_range",
    "periodic_radius_graph",
    "radius_graph",
]

#: Memory budget of one neighbour list (bytes); beyond it :class:`GraphTooLargeError` is raised.
MAX_GRAPH_BYTES = 2 * 2**30
#: Peak bytes per edge while a graph is built (the output's 64 bytes, the half list, its mirror, sort keys),
#: measured with tests/benchmarks/bench_graph.py (240-320 for 10,000-atom crystals).
_BYTES_PER_EDGE = 320
#: Molecules with N^2 at most this test every pair; above it, cell lists (the crossover measured with
#: tests/benchmarks/bench_graph.py: about 700 atoms).
ALL_PAIRS_LIMIT_MOLECULES = 500_000
#: Crystals with N^2 times the number of candidate images at most this test every pair and image; above it,
#: cell lists (the crossover measured with tests/benchmarks/bench_graph.py: ~40 atoms at r_max = 5 Å).
ALL_PAIRS_LIMIT_CRYSTALS = 250_000
# candidate pair vectors evaluated at once when every pair is tested (memory bound, ~100 MB in float64)
_CHUNK_ELEMENTS = 4_000_000


class Graph(NamedTuple):
    """Edges of a radius graph (all tensors have one entry per edge)."""

    edge_src: torch.Tensor  # [E] long, sending atom
    edge_dst: torch.Tensor  # [E] long, receiving atom
    edge_vec: torch.Tensor  # [E, 3] = pos[dst] - pos[src] + edge_shift (Cartesian)
    edge_shift: torch.Tensor  # [E, 3] Cartesian lattice translation of the dst image (zeros for molecules)


class GraphTooLargeError(InputError, ValueError):
    """The neighbour list would exceed :data:`MAX_GRAPH_BYTES` (a smaller cutoff or structure is needed)."""


# ----------------------------------------------------------------------------------------------- public API
def radius_graph(
    pos: torch.Tensor,
    r_max: float,
    batch: Optional[torch.Tensor] = None,
) -> Graph:
    """All ordered pairs ``(src, dst)``, ``src != dst``, with ``|pos[dst] - pos[src]| < r_max`` (no periodicity).

    ``batch`` ([N] long, optional) assigns atoms to structures; atoms of different structures are never
    connected.  Returns a :class:`Graph` (a 4-tuple; ``edge_shift`` is all zeros) sorted by ``(src, dst)``.
    ``edge_vec`` is differentiable with respect to ``pos``.  Raises :class:`GraphTooLargeError` beyond
    :data:`MAX_GRAPH_BYTES`.

    >>> g = radius_graph(torch.tensor([[0.0, 0, 0], [1.0, 0, 0], [5.0, 0, 0]]), 2.0)
    >>> g.edge_src.tolist(), g.edge_dst.tolist()
    ([0, 1], [1, 0])
    """
    _check_pos(pos)
    r = _check_radius(r_max)
    n = pos.shape[0]
    if batch is not None and batch.shape != (n,):
        raise ValueError("batch must have shape [N]")
    with torch.no_grad():
        p = pos.detach()
        if r == 0.0 or n < 2:
            edge_src = edge_dst = torch.zeros(0, dtype=torch.long, device=p.device)
        elif n * n <= ALL_PAIRS_LIMIT_MOLECULES:
            edge_src, edge_dst = _molecule_pairs_all(p, r, batch)
        else:
            edge_src, edge_dst = _molecule_pairs_binned(p, r, batch)
    edge_vec = pos[edge_dst] - pos[edge_src]
    return Graph(edge_src, edge_dst, edge_vec, torch.zeros_like(edge_vec))


def image_range(pos: torch.Tensor, lattice: torch.Tensor, r_max: float) -> list[int]:
    """Largest |n_i| of lattice translations that can bring two atoms of ``pos`` closer than ``r_max``.

    Atoms need not be inside the cell: the spread of their fractional coordinates is added to the bound.

    >>> image_range(torch.zeros(1, 3), torch.eye(3) * 2.0, 3.0)
    [2, 2, 2]
    """
    lat = lattice.detach()
    frac = torch.linalg.solve(lat.T, pos.detach().T).T  # pos = frac @ lattice
    spread = (frac.max(0).values - frac.min(0).values) if len(frac) else torch.zeros(3, dtype=lat.dtype)
    heights = cell_heights(lat)
    # small slack so that pairs at exactly the bound are still tested (the distance test decides)
    bound = r_max / heights + spread + 1e-9
    return [int(math.ceil(b)) for b in bound.tolist()]


def periodic_radius_graph(
    pos: torch.Tensor,
    lattice: torch.Tensor,
    r_max: float,
    batch: Optional[torch.Tensor] = None,
) -> Graph:
    """All ``(src, dst, shift)`` with ``0 < |pos[dst] + shift - pos[src]| < r_max``, periodic boundary conditions.

    ``lattice`` holds the lattice vectors as rows ([3, 3], pymatgen convention ``cart = frac @ lattice``), or
    one lattice per structure ([B, 3, 3]) together with ``batch`` ([N] long).  Any cell shape and any cutoff
    (also larger than the cell: an atom is then connected to its own images).  The only excluded pair is an atom
    with itself at zero shift.  ``edge_vec`` is differentiable with respect to ``pos`` and ``lattice``.  Raises
    :class:`GraphTooLargeError` beyond :data:`MAX_GRAPH_BYTES`.

    >>> g = periodic_radius_graph(torch.zeros(1, 3), torch.eye(3) * 2.0, 2.5)  # simple cubic: 6 neighbours
    >>> len(g.edge_src), g.edge_shift[0].tolist()
    (6, [-2.0, 0.0, 0.0])
    """
    _check_pos(pos)
    r = _check_radius(r_max)
    if lattice.dim() == 3:
        if batch is None:
            if lattice.shape[0] != 1:
                raise ValueError("several lattices need a batch vector")
            lattice = lattice[0]
        else:
            return _batched_periodic(pos, lattice, r, batch)
    if lattice.shape != (3, 3):
        raise ValueError("lattice must have shape [3, 3] (lattice vectors as rows)")
    if batch is not None and lattice.dim() == 2:
        # one lattice shared by all structures of the batch
        return _batched_periodic(pos, lattice.expand(int(batch.max()) + 1 if len(batch) else 0, 3, 3), r, batch)
    if not bool(torch.isfinite(lattice.detach()).all()):
        raise ValueError("lattice has non-finite entries")
    if abs(float(torch.linalg.det(lattice.detach()))) < 1e-12:
        raise ValueError("lattice is singular")

    n = pos.shape[0]
    dtype, device = pos.dtype, pos.device
    with torch.no_grad():
        p, lat = pos.detach(), lattice.detach().to(dtype)
        if n == 0 or r == 0.0:
            src = dst = torch.zeros(0, dtype=torch.long, device=device)
            cells = torch.zeros(0, 3, dtype=torch.long, device=device)
        else:
            _check_budget(_periodic_edge_estimate(n, lat, r), n, r)
            nmax = image_range(p, lat, r)
            if n * n * math.prod(2 * m + 1 for m in nmax) <= ALL_PAIRS_LIMIT_CRYSTALS:
                src, dst, cells = _periodic_pairs_all(p, lat, r, nmax)
            else:
                src, dst, cells = _periodic_pairs_binned(p, lat, r)
    edge_shift = _cartesian(cells.to(dtype), lattice.to(dtype))
    edge_vec = pos[dst] - pos[src] + edge_shift
    return Graph(src, dst, edge_vec, edge_shift)


# ------------------------------------------------------------------------------------- input checks, limits
def _check_pos(pos: torch.Tensor) -> None:
    if pos.dim() != 2 or pos.shape[1] != 3:
        raise ValueError(f"pos must have shape [N, 3], got {tuple(pos.shape)}")
    if not bool(torch.isfinite(pos.detach()).all()):
        raise ValueError("pos has non-finite entries (nan or inf)")


def _check_radius(r_max: float) -> float:
    r = float(r_max)
    if not math.isfinite(r) or r < 0:
        raise ValueError(f"r_max must be a finite number >= 0, got {r_max}")
    return r


def _check_budget(edges: float, n_atoms: int, r_max: float) -> None:
    """Raise :class:`GraphTooLargeError` if ``edges`` edges would exceed :data:`MAX_GRAPH_BYTES`."""
    if edges * _BYTES_PER_EDGE > MAX_GRAPH_BYTES:
        raise GraphTooLargeError(
            f"the neighbour list of {n_atoms} atom{'s' if n_atoms != 1 else ''} within r_max = {r_max:g} Å would hold about {edges:.3g} edges "
            f"({edges * _BYTES_PER_EDGE / 2**30:.1f} GiB), above the neighbour-list memory limit of "
            f"{MAX_GRAPH_BYTES / 2**30:g} GiB (symcompile.nn.graph.MAX_GRAPH_BYTES): use a smaller cutoff or "
            f"fewer atoms"
        )


def _periodic_edge_estimate(n: int, lattice: torch.Tensor, r_max: float) -> float:
    """Expected number of edges: N atoms times (N / V) times the volume of the cutoff sphere."""
    volume = abs(float(torch.linalg.det(lattice)))
    return n * (n / volume) * (4.0 / 3.0) * math.pi * r_max**3


# -------------------------------------------------------------------------------------- shared arithmetic
def _cartesian(cells: torch.Tensor, lattice: torch.Tensor) -> torch.Tensor:
    """``cells @ lattice`` written out, so that every path rounds the same way ([M, 3] -> [M, 3])."""
    return cells[:, 0:1] * lattice[0] + cells[:, 1:2] * lattice[1] + cells[:, 2:3] * lattice[2]


def _within(vec: torch.Tensor, r_max: float) -> torch.Tensor:
    """``|vec| < r_max`` along the last axis, summed in a fixed order (the same in every path)."""
    x, y, z = vec.unbind(-1)
    return x * x + y * y + z * z < r_max * r_max


def _sort_edges(src: torch.Tensor, dst: torch.Tensor, n: int, cells: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Permutation that sorts edges by (src, dst) and then by the integer image (n1, n2, n3)."""
    key = src * n + dst
    if cells is None or len(cells) == 0:
        return torch.argsort(key)
    lo = cells.min(0).values
    width = (cells.max(0).values - lo + 1).tolist()
    if math.log2(max(1, n * n)) + sum(math.log2(w) for w in width) < 62:
        c = cells - lo
        return torch.argsort(((key * width[0] + c[:, 0]) * width[1] + c[:, 1]) * width[2] + c[:, 2])
    order = torch.arange(len(src), device=src.device)  # lexicographic by successive stable sorts
    for column in (cells[:, 2], cells[:, 1], cells[:, 0], key):
        order = order[torch.argsort(column[order], stable=True)]
    return order


# ------------------------------------------------------------------------------------- every pair (small N)
def _molecule_pairs_all(
    p: torch.Tensor, r_max: float, batch: Optional[torch.Tensor]
) -> Tuple[torch.Tensor, torch.Tensor]:
    n = p.shape[0]
    rows = max(1, _CHUNK_ELEMENTS // max(1, n))  # bounded memory: rows x N pairs at a time
    srcs, dsts = [], []
    for start in range(0, n, rows):
        mask = _within(p[None, :, :] - p[start : start + rows, None, :], r_max)  # [rows, N]
        idx = torch.arange(start, min(n, start + rows), device=p.device)
        mask[idx - start, idx] = False
        if batch is not None:
            mask &= batch[start : start + rows, None] == batch[None, :]
        i, j = mask.nonzero(as_tuple=True)
        srcs.append(i + start)
        dsts.append(j)
    return torch.cat(srcs), torch.cat(dsts)  # row-major: already sorted by (src, dst)


def _periodic_pairs_all(
    p: torch.Tensor, lat: torch.Tensor, r_max: float, nmax: Sequence[int]
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    n, device = p.shape[0], p.device
    axes = [torch.arange(-m, m + 1, device=device) for m in nmax]
    cells = torch.cartesian_prod(*axes)  # [S, 3] integer shifts, lexicographic
    shifts = _cartesian(cells.to(p.dtype), lat)
    # prune images that no pair can use: |d + s| >= r_max for every pair d, using |d| <= diameter
    diam = (p.max(0).values - p.min(0).values).norm()
    keep = shifts.norm(dim=1) < r_max + diam + 1e-9
    cells, shifts = cells[keep], shifts[keep]
    diff = p[None, :, :] - p[:, None, :]  # [src, dst, 3] = pos[dst] - pos[src]
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n * n))
    found = []
    for start in range(0, len(shifts), chunk):
        mask = _within(diff[None] + shifts[start : start + chunk, None, None, :], r_max)  # [S, src, dst]
        zero = (cells[start : start + chunk] == 0).all(dim=1)
        if zero.any():
            mask[zero] &= ~torch.eye(n, dtype=torch.bool, device=device)
        k, i, j = mask.nonzero(as_tuple=True)
        found.append(torch.stack([i, j, k + start], dim=1))
    idx = torch.cat(found)
    # images are in lexicographic order, so sorting by (src, dst, image index) sorts by (src, dst, n1, n2, n3)
    idx = idx[torch.argsort((idx[:, 0] * n + idx[:, 1]) * len(cells) + idx[:, 2])]
    return idx[:, 0], idx[:, 1], cells[idx[:, 2]]


# --------------------------------------------------------------------------------- cell lists (linear in N)
def _molecule_pairs_binned(
    p: torch.Tensor, r_max: float, batch: Optional[torch.Tensor]
) -> Tuple[torch.Tensor, torch.Tensor]:
    n = p.shape[0]
    bins = molecule_bins(p, r_max, int(batch.max()) + 1 if batch is not None else 1)
    cells = CellList(bins, group=batch)
    # density x volume of the cutoff sphere: the candidates of an atom fill 27 bins
    _check_budget(2 * cells.candidates * (4.0 / 3.0) * math.pi * r_max**3 / (27 * bins.side**3), n, r_max)
    srcs, dsts, edges = [], [], 0
    for src, dst, _ in cells.close_pairs(p, bins.radius):
        keep = _within(p[dst] - p[src], r_max)  # the exact test, as in _molecule_pairs_all
        srcs.append(src[keep])
        dsts.append(dst[keep])
        edges += 2 * len(srcs[-1])
        _check_budget(edges, n, r_max)
    half_src, half_dst = torch.cat(srcs), torch.cat(dsts)
    del srcs, dsts
    src, dst = torch.cat([half_src, half_dst]), torch.cat([half_dst, half_src])  # |d(i, j)| = |d(j, i)| exactly
    order = _sort_edges(src, dst, n)
    return src[order], dst[order]


def _periodic_pairs_binned(
    p: torch.Tensor, lat: torch.Tensor, r_max: float
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    n = p.shape[0]
    bins = crystal_bins(p, lat, r_max)
    cells = CellList(bins, periodic=True)
    wrapped = p - _cartesian(bins.wrap.to(p.dtype), lat)
    srcs, dsts, images, edges = [], [], [], 0
    for src, dst, image in cells.close_pairs(wrapped, bins.radius, lat):
        shift = image + bins.wrap[src] - bins.wrap[dst]  # image of the wrapped atom -> image of the given one
        keep = _within(p[dst] - p[src] + _cartesian(shift.to(p.dtype), lat), r_max)  # the exact test
        srcs.append(src[keep])
        dsts.append(dst[keep])
        images.append(shift[keep])
        edges += 2 * len(srcs[-1])
        _check_budget(edges, n, r_max)
    half_src, half_dst, half_shift = torch.cat(srcs), torch.cat(dsts), torch.cat(images)
    del srcs, dsts, images
    # d(j, i, -n) = -d(i, j, n) exactly in floating point, so the mirrored pairs pass the same test
    src, dst = torch.cat([half_src, half_dst]), torch.cat([half_dst, half_src])
    shift = torch.cat([half_shift, -half_shift])
    order = _sort_edges(src, dst, n, shift)
    return src[order], dst[order], shift[order]


def _batched_periodic(pos: torch.Tensor, lattices: torch.Tensor, r_max: float, batch: torch.Tensor) -> Graph:
    if batch.shape != (pos.shape[0],):
        raise ValueError("batch must have shape [N]")
    parts, edges = [], 0
    for b in range(lattices.shape[0]):
        atoms = (batch == b).nonzero(as_tuple=True)[0]
        if len(atoms) == 0:
            continue
        g = periodic_radius_graph(pos[atoms], lattices[b], r_max)
        parts.append(Graph(atoms[g.edge_src], atoms[g.edge_dst], g.edge_vec, g.edge_shift))
        edges += len(g.edge_src)
        _check_budget(edges, pos.shape[0], r_max)
    if not parts:
        empty = pos.new_zeros(0, 3)
        none = torch.zeros(0, dtype=torch.long, device=pos.device)
        return Graph(none, none, empty, empty)
    return Graph(*(torch.cat(t) for t in zip(*parts)))
