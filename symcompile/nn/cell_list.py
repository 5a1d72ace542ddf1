"""Cell lists: atoms sorted into bins at least one cutoff wide, so that only atoms in neighbouring bins are compared.

Time and memory are linear in the number of atoms for a bounded density.  Molecules use cubic bins in Cartesian
coordinates; crystals use slabs along the three reciprocal directions in fractional coordinates wrapped into the
cell, so that any cell shape works: two points closer than ``r`` differ by less than ``r / h_i`` in fractional
coordinate ``i`` (``h_i`` the distance between lattice planes), and a cell thinner than the cutoff gets one slab
and a stencil spanning several images.  Each unordered pair of atoms (and image) is produced once; the caller
mirrors it.  Bins are a relative slack (1e-6) wider than needed, so that rounding in the bin index never loses a pair.
"""

from __future__ import annotations

import math
from typing import Iterator, NamedTuple, Optional, Sequence, Tuple

import torch

__all__ = ["Bins", "CellList", "cell_heights", "crystal_bins", "molecule_bins"]

# candidate pairs handled at once (memory bound: ~60 bytes each at the peak, ~15 MB)
CHUNK_PAIRS = 250_000
# bound on log2 of the number of bins (times structures), so that a bin's linear index fits in int64
_MAX_KEY_BITS = 60
_MAX_BINS_PER_AXIS = 2**20


class Bins(NamedTuple):
    """Bin coordinates of every atom ([N, 3] long, in ``[0, shape)``), the grid and the stencil of offsets."""

    index: torch.Tensor
    shape: Tuple[int, int, int]
    stencil: torch.Tensor  # [K, 3] long offsets (symmetric: -o is in it whenever o is) that can hold neighbours
    wrap: Optional[torch.Tensor]  # [N, 3] long: crystal atoms were moved by -wrap lattice vectors into the cell
    side: float  # smallest bin width (Å)
    radius: float  # the cutoff plus a rounding allowance: pairs closer than this are all found


def cell_heights(lattice: torch.Tensor) -> torch.Tensor:
    """Distances between opposite faces of the cell spanned by the rows of ``lattice`` ([3, 3]).

    >>> cell_heights(torch.diag(torch.tensor([2.0, 3.0, 4.0]))).tolist()
    [2.0, 3.0, 4.0]
    """
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


def _slack(dtype: torch.dtype) -> float:
    """Relative extra width of bins: far above the rounding of bin indices."""
    return max(1e-6, 1024 * torch.finfo(dtype).eps)


def _allowance(r_max: float, scale: float, dtype: torch.dtype) -> float:
    """A radius a little above ``r_max`` that covers rounding differences between two ways of computing a
    distance from coordinates up to ``scale`` (Å)."""
    return r_max + 16 * torch.finfo(dtype).eps * scale


def molecule_bins(pos: torch.Tensor, r_max: float, groups: int = 1) -> Bins:
    """Cubic bins of side at least ``r_max`` (coarser if the system is absurdly sparse) and the 27-bin stencil.

    >>> molecule_bins(torch.tensor([[0.0, 0, 0], [2.5, 0, 0]]), 1.0).index.tolist()
    [[0, 0, 0], [2, 0, 0]]
    """
    eps, rel = torch.finfo(pos.dtype).eps, _slack(pos.dtype)
    lo = pos.min(0).values
    extent = (pos.max(0).values - lo).tolist()
    far = max(extent + [float(pos.abs().max())])
    radius = _allowance(r_max, far, pos.dtype)
    # rounding error of (pos - lo) / side stays below 1/8 of the slack, in bins
    max_bins = max(1.0, min(_MAX_BINS_PER_AXIS, rel / (8 * eps)))
    side = radius * (1.0 + rel)
    while True:
        shape = [int(e // side) + 1 for e in extent]
        fits = math.log2(groups) + sum(math.log2(s) for s in shape) <= _MAX_KEY_BITS
        if fits and far / side <= max_bins:
            break
        side *= 2.0  # coarser bins are still exact (the stencil reaches one bin of side >= radius)
    index = torch.floor((pos - lo) / side).long()
    index = torch.minimum(index.clamp_min(0), torch.tensor(shape, device=pos.device) - 1)
    return Bins(index, (shape[0], shape[1], shape[2]), _box([1, 1, 1], pos.device), None, side, radius)


def crystal_bins(pos: torch.Tensor, lattice: torch.Tensor, r_max: float) -> Bins:
    """Slabs of thickness at least ``r_max`` along each reciprocal direction, atoms wrapped into the cell.

    >>> b = crystal_bins(torch.tensor([[0.5, 0, 0], [-0.5, 0, 0]]), torch.eye(3) * 3.0, 1.0)
    >>> b.shape, b.index.tolist(), b.wrap.tolist()
    ((2, 2, 2), [[0, 0, 0], [1, 0, 0]], [[0, 0, 0], [-1, 0, 0]])
    """
    eps, rel = torch.finfo(pos.dtype).eps, _slack(pos.dtype)
    frac = torch.linalg.solve(lattice.T, pos.T).T  # pos = frac @ lattice
    far = max(1.0, float(frac.abs().max()))
    if far > 2.0**26:
        raise ValueError("atoms lie more than 2^26 cells away from the origin")
    wrap = torch.floor(frac)
    heights = cell_heights(lattice).tolist()
    # coordinates entering the distances: positions, wrapping translations, images within the stencil
    lengths = float(lattice.norm(dim=1).sum())
    scale = float(pos.abs().max()) + (far + 2 + r_max / min(heights)) * lengths
    radius = _allowance(r_max, scale, pos.dtype)
    # bin-index rounding: solve() errs by ~ cond * eps * |frac|; keep it below 1/16 of the slack, in bins
    frac_error = 8 * eps * float(torch.linalg.cond(lattice)) * far
    cap = min(_MAX_BINS_PER_AXIS, int(rel / (2 * frac_error)))
    width = radius * (1.0 + rel)
    shape = [max(1, min(cap, int(h // width))) for h in heights]
    # stencil half-width: slabs that a pair closer than `radius` can span (1, or more when the cell is thinner)
    reach = [int(math.ceil(radius * s / h + frac_error * s)) for h, s in zip(heights, shape)]
    sizes = torch.tensor(shape, dtype=pos.dtype, device=pos.device)
    index = torch.floor((frac - wrap) * sizes).long()
    index = torch.minimum(index.clamp_min(0), torch.tensor(shape, device=pos.device) - 1)
    stencil = _box(reach, pos.device)
    # drop offsets whose slabs are certainly farther apart than `radius`: |centre| - half diagonal >= radius
    centre = (stencil.to(pos.dtype) / sizes) @ lattice
    half_diagonal = float((lattice.norm(dim=1) / sizes).sum())
    stencil = stencil[centre.norm(dim=1) - half_diagonal < width]
    side = min(h / s for h, s in zip(heights, shape))
    return Bins(index, (shape[0], shape[1], shape[2]), stencil, wrap.long(), side, radius)


class CellList:
    """Atoms sorted by bin; the pairs worth testing are those in bins ``b`` and ``b + offset`` for the stencil.

    ``group`` ([N] long, optional): atoms of different groups (structures of a batch) are never paired.  With
    ``periodic`` the grid wraps around (crystals) and the number of wraps is the lattice image of the second
    atom; else bins beyond the grid are empty.  Pairs come once: (i, j, n) and not also (j, i, -n).
    """

    def __init__(self, bins: Bins, group: Optional[torch.Tensor] = None, periodic: bool = False) -> None:
        device = bins.index.device
        self.periodic = periodic
        self.shape = torch.tensor(bins.shape, dtype=torch.long, device=device)
        self._size = math.prod(bins.shape)
        # half of the stencil, without 0: the pair (i, j) at offset o is the pair (j, i) at offset -o
        stencil = bins.stencil
        weight = torch.tensor([4, 2, 1], device=device)
        self.offsets = stencil[(stencil.sign() * weight).sum(1) > 0]
        key = self._key(bins.index, group)
        self.order = torch.argsort(key, stable=True)  # atoms in bin order
        self.keys, self.counts = torch.unique_consecutive(key[self.order], return_counts=True)
        self.starts = self.counts.cumsum(0) - self.counts
        first = self.order[self.starts]
        self.bin_coords = bins.index[first]  # [U, 3] occupied bins
        self.bin_group = group[first] if group is not None else None
        self.atom_bin = torch.repeat_interleave(torch.arange(len(self.keys), device=device), self.counts)
        sorted_pos = torch.arange(len(self.order), device=device)
        self._later = (self.starts + self.counts)[self.atom_bin] - sorted_pos - 1  # later atoms in the same bin
        per_bin = []
        step = max(1, CHUNK_PAIRS // max(1, len(self.offsets)))
        for start in range(0, len(self.keys), step):
            target, _ = self._targets(torch.arange(start, min(start + step, len(self.keys)), device=device))
            per_bin.append(torch.where(target >= 0, self.counts[target.clamp_min(0)], 0).sum(1))
        self.per_atom = torch.cat(per_bin)[self.atom_bin] + self._later  # candidate pairs of each atom (sorted)
        #: number of candidate pairs (each unordered pair once)
        self.candidates = int(self.per_atom.sum())

    def _key(self, coords: torch.Tensor, group: Optional[torch.Tensor]) -> torch.Tensor:
        key = (coords[..., 0] * self.shape[1] + coords[..., 1]) * self.shape[2] + coords[..., 2]
        return key if group is None else key + group * self._size

    def _targets(self, bins: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Occupied bin (index into ``keys``, or -1) at every half-stencil offset of the given bins, and the image."""
        u = self.bin_coords[bins][:, None, :] + self.offsets[None, :, :]  # [b, K, 3] unwrapped bin coordinates
        image, inside = None, None
        if self.periodic:
            image = torch.div(u, self.shape, rounding_mode="floor")
            u = u - image * self.shape
        else:
            inside = ((u >= 0) & (u < self.shape)).all(-1)
        group = self.bin_group[bins][:, None] if self.bin_group is not None else None
        key = self._key(u, group)
        at = torch.searchsorted(self.keys, key).clamp_max(len(self.keys) - 1)
        hit = self.keys[at] == key
        if inside is not None:
            hit &= inside
        return torch.where(hit, at, -1), image

    def close_pairs(
        self, coords: torch.Tensor, radius: float, lattice: Optional[torch.Tensor] = None
    ) -> Iterator[Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]]:
        """Pairs ``(src, dst, image)`` with ``|coords[dst] + image @ lattice - coords[src]| < radius``, in chunks.

        ``coords`` are the positions the bins were made from (wrapped into the cell for crystals); ``image`` is
        [M, 3] long for a periodic grid, else None.  Each unordered pair comes once.
        """
        n, device = len(self.order), self.order.device
        q = coords[self.order]  # atoms in bin order: the atoms of one bin are contiguous
        axes = [q[:, a].contiguous() for a in range(3)]
        k = max(1, len(self.offsets))
        cum = self.per_atom.cumsum(0)
        a0 = 0
        while a0 < n:
            done = int(cum[a0 - 1]) if a0 else 0
            a1 = int(torch.searchsorted(cum, torch.tensor(done + CHUNK_PAIRS, device=device), right=True))
            a1 = min(max(a1, a0 + 1), a0 + max(1, CHUNK_PAIRS // k), n)
            yield self._close_in_chunk(a0, a1, q, axes, radius, lattice)
            a0 = a1

    def _close_in_chunk(
        self,
        a0: int,
        a1: int,
        q: torch.Tensor,
        axes: Sequence[torch.Tensor],
        radius: float,
        lattice: Optional[torch.Tensor],
    ) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        device = q.device
        target, image = self._targets(self.atom_bin[a0:a1])
        rows, cols = (target >= 0).nonzero(as_tuple=True)
        hit = target[rows, cols]
        # blocks: one atom against the atoms of one bin (the later atoms of its own bin, then the stencil bins)
        own = torch.arange(a1 - a0, device=device)
        rows = torch.cat([own, rows])
        start = torch.cat([own + a0 + 1, self.starts[hit]])
        count = torch.cat([self._later[a0:a1], self.counts[hit]])
        images = None
        base = -q[rows + a0]  # [blocks, 3]: coordinate of the block's atom, negated, plus the image shift
        if self.periodic:
            images = torch.cat([torch.zeros(a1 - a0, 3, dtype=torch.long, device=device), image[target >= 0]])
            base = base + images.to(q.dtype) @ lattice
        total = int(count.sum())
        first = count.cumsum(0) - count
        dst = torch.arange(total, device=device) + torch.repeat_interleave(start - first, count, output_size=total)
        d2 = None
        for a in range(3):
            d = axes[a][dst] + torch.repeat_interleave(base[:, a], count, output_size=total)
            d2 = d * d if d2 is None else d2 + d * d
        close = (d2 < radius * radius).nonzero(as_tuple=True)[0]
        block = torch.searchsorted(count.cumsum(0), close, right=True)
        src = self.order[rows[block] + a0]
        out_images = images[block] if images is not None else None
        return src, self.order[dst[close]], out_images


def _box(reach: Sequence[int], device: torch.device) -> torch.Tensor:
    axes = [torch.arange(-m, m + 1, device=device) for m in reach]
    return torch.cartesian_prod(*axes).reshape(-1, 3)
