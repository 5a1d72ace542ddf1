"""Neighbour lists: all pairs closer than a cutoff, for molecules and for periodic crystals.

An edge ``(src, dst, shift)`` connects atom ``src`` to the periodic image ``pos[dst] + shift`` of atom ``dst``
(``shift`` an integer combination of lattice vectors), with ``edge_vec = pos[dst] - pos[src] + shift`` and
``|edge_vec| < r_max``.  Messages flow from ``src`` to ``dst``.

Periodic images: a pair of images is closer than ``r_max`` only if its fractional separation along reciprocal
direction ``i`` is below ``r_max / h_i``, where ``h_i = V / |a_j x a_k|`` is the height of the cell (distance
between lattice planes).  This bounds the integer image range in every direction for any cell shape (skewed
cells, cutoff larger than the cell), and every candidate image is tested, vectorised, in chunks.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Optional

import torch

__all__ = ["Graph", "cell_heights", "image_range", "periodic_radius_graph", "radius_graph"]

# candidate pair vectors evaluated at once in periodic_radius_graph (memory bound, ~100 MB in float64)
_CHUNK_ELEMENTS = 4_000_000


class Graph(NamedTuple):
    """Edges of a radius graph (all tensors have one entry per edge)."""

    edge_src: torch.Tensor  # [E] long, sending atom
    edge_dst: torch.Tensor  # [E] long, receiving atom
    edge_vec: torch.Tensor  # [E, 3] = pos[dst] - pos[src] + edge_shift (Cartesian)
    edge_shift: torch.Tensor  # [E, 3] Cartesian lattice translation of the dst image (zeros for molecules)


def radius_graph(
    pos: torch.Tensor,
    r_max: float,
    batch: Optional[torch.Tensor] = None,
) -> Graph:
    """All ordered pairs ``(src, dst)``, ``src != dst``, with ``|pos[dst] - pos[src]| < r_max`` (no periodicity).

    ``batch`` ([N] long, optional) assigns atoms to structures; atoms of different structures are never
    connected.  Returns a :class:`Graph` (a 4-tuple; ``edge_shift`` is all zeros).  ``edge_vec`` is
    differentiable with respect to ``pos``.
    """
    _check_pos(pos)
    n = pos.shape[0]
    if batch is not None and batch.shape != (n,):
        raise ValueError("batch must have shape [N]")
    with torch.no_grad():
        p = pos.detach()
        rows = max(1, _CHUNK_ELEMENTS // 4 // max(1, n))  # bounded memory: rows x N pairs at a time
        srcs, dsts = [], []
        for start in range(0, n, rows):
            d2 = (p[None, :, :] - p[start : start + rows, None, :]).pow(2).sum(-1)  # [rows, N]
            mask = d2 < r_max**2
            idx = torch.arange(start, min(n, start + rows), device=p.device)
            mask[idx - start, idx] = False
            if batch is not None:
                mask &= batch[start : start + rows, None] == batch[None, :]
            i, j = mask.nonzero(as_tuple=True)
            srcs.append(i + start)
            dsts.append(j)
        edge_src = torch.cat(srcs) if srcs else torch.zeros(0, dtype=torch.long, device=p.device)
        edge_dst = torch.cat(dsts) if dsts else torch.zeros(0, dtype=torch.long, device=p.device)
    edge_vec = pos[edge_dst] - pos[edge_src]
    return Graph(edge_src, edge_dst, edge_vec, torch.zeros_like(edge_vec))


def cell_heights(lattice: torch.Tensor) -> torch.Tensor:
    """Distances between opposite faces of the cell spanned by the rows of ``lattice`` ([3, 3])."""
    lat = lattice.detach()
    volume = torch.linalg.det(lat).abs()
    cross = torch.stack(
        [
            torch.linalg.cross(lat[1], lat[2]),
            torch.linalg.cross(lat[2], lat[0]),
            torch.linalg.cross(lat[0], lat[1]),
        ]
    )
    return volume / cross.norm(dim=1)


def image_range(pos: torch.Tensor, lattice: torch.Tensor, r_max: float) -> list[int]:
    """Largest |n_i| of lattice translations that can bring two atoms of ``pos`` closer than ``r_max``.

    Atoms need not be inside the cell: the spread of their fractional coordinates is added to the bound.
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
    with itself at zero shift.  ``edge_vec`` is differentiable with respect to ``pos`` and ``lattice``.
    """
    _check_pos(pos)
    if lattice.dim() == 3:
        if batch is None:
            if lattice.shape[0] != 1:
                raise ValueError("several lattices need a batch vector")
            lattice = lattice[0]
        else:
            return _batched_periodic(pos, lattice, r_max, batch)
    if lattice.shape != (3, 3):
        raise ValueError("lattice must have shape [3, 3] (lattice vectors as rows)")
    if batch is not None and lattice.dim() == 2:
        # one lattice shared by all structures of the batch
        return _batched_periodic(pos, lattice.expand(int(batch.max()) + 1 if len(batch) else 0, 3, 3), r_max, batch)
    if abs(float(torch.linalg.det(lattice.detach()))) < 1e-12:
        raise ValueError("lattice is singular")

    n = pos.shape[0]
    dtype, device = pos.dtype, pos.device
    nmax = image_range(pos, lattice, r_max)
    axes = [torch.arange(-m, m + 1, device=device) for m in nmax]
    cells = torch.cartesian_prod(*axes).to(dtype)  # [S, 3] integer shifts
    with torch.no_grad():
        p = pos.detach()
        shifts = cells @ lattice.detach().to(dtype)  # [S, 3] Cartesian
        # prune images that no pair can use: |d + s| >= r_max for every pair d, using |d| <= diameter
        diam = (p.max(0).values - p.min(0).values).norm() if n else torch.zeros((), dtype=dtype)
        keep = shifts.norm(dim=1) < r_max + diam + 1e-9
        cells, shifts = cells[keep], shifts[keep]
        diff = p[None, :, :] - p[:, None, :]  # [src, dst, 3] = pos[dst] - pos[src]
        chunk = max(1, _CHUNK_ELEMENTS // max(1, n * n))
        found = []
        for start in range(0, len(shifts), chunk):
            s = shifts[start : start + chunk]
            d2 = (diff[None] + s[:, None, None, :]).pow(2).sum(-1)  # [S, src, dst]
            mask = d2 < r_max**2
            zero = (cells[start : start + chunk] == 0).all(dim=1)
            if zero.any():
                mask[zero] &= ~torch.eye(n, dtype=torch.bool, device=device)
            k, i, j = mask.nonzero(as_tuple=True)
            found.append(torch.stack([i, j, k + start], dim=1))
        idx = torch.cat(found) if found else torch.zeros(0, 3, dtype=torch.long, device=device)
        # deterministic order: by src, then dst, then image
        order = torch.argsort(idx[:, 0] * (n * len(shifts)) + idx[:, 1] * len(shifts) + idx[:, 2])
        idx = idx[order]
    edge_src, edge_dst = idx[:, 0], idx[:, 1]
    edge_shift = cells[idx[:, 2]] @ lattice.to(dtype)
    edge_vec = pos[edge_dst] - pos[edge_src] + edge_shift
    return Graph(edge_src, edge_dst, edge_vec, edge_shift)


def _batched_periodic(pos: torch.Tensor, lattices: torch.Tensor, r_max: float, batch: torch.Tensor) -> Graph:
    if batch.shape != (pos.shape[0],):
        raise ValueError("batch must have shape [N]")
    parts = []
    for b in range(lattices.shape[0]):
        atoms = (batch == b).nonzero(as_tuple=True)[0]
        if len(atoms) == 0:
            continue
        g = periodic_radius_graph(pos[atoms], lattices[b], r_max)
        parts.append(Graph(atoms[g.edge_src], atoms[g.edge_dst], g.edge_vec, g.edge_shift))
    if not parts:
        empty = pos.new_zeros(0, 3)
        none = torch.zeros(0, dtype=torch.long, device=pos.device)
        return Graph(none, none, empty, empty)
    return Graph(*(torch.cat(t) for t in zip(*parts)))


def _check_pos(pos: torch.Tensor) -> None:
    if pos.dim() != 2 or pos.shape[1] != 3:
        raise ValueError(f"pos must have shape [N, 3], got {tuple(pos.shape)}")
