"""Real spherical harmonics in torch (differentiable to any order), e3nn >= 0.5 basis, component normalised.

Same recurrence and constants as :mod:`symcompile.o3.legendre` (the numpy version): associated-Legendre
rows in y (the polar axis) times Re/Im of (z + i x)^m, advanced one degree l at a time directly on Y.
Speed: all work is done on (rows, block) slabs (one kernel covers every m of a degree), blocks of vectors
are sized to stay in cache, and the (dim, block) result is written into the (N, dim) output with torch's
blocked-transpose copy. Without autograd the recurrence runs in place in one buffer; with autograd it
uses plain differentiable ops (any order), with a custom transpose-copy Function whose backward is the
inverse transpose.
"""

from __future__ import annotations

import math
import sys
import types
from typing import Any, Dict, List, Sequence, Tuple, Union

import numpy as np
import torch

from symcompile.o3.legendre import parse_ls, sh_tables

__all__ = ["spherical_harmonics", "SphericalHarmonics"]

_Key = Tuple[int, torch.dtype, torch.device]
_CACHE: Dict[_Key, Any] = {}


def _constants(lmax: int, dtype: torch.dtype, device: torch.device):
    """Coefficients of the direct recurrence on Y (signs folded in), per degree l >= 1:

    inner rows (|m| <= l-1):  Y_l^m = A[l]_m y Y_{l-1}^m + B[l]_m r^2 Y_{l-2}^m   (B = -b, only |m| <= l-2)
    edge rows (m = +-l):      Y_l^{+l} = ep[0] z Y_{l-1}^{l-1} - ep[1] x Y_{l-1}^{-(l-1)}
                              Y_l^{-l} = em[0] x Y_{l-1}^{l-1} + em[1] z Y_{l-1}^{-(l-1)}
    i.e. F_l^m times Re/Im (z + i x)^m, advanced one degree at a time.
    """
    key = (lmax, dtype, device)
    got = _CACHE.get(key)
    if got is not None:
        return got
    t = sh_tables(lmax)
    s = t.signs
    A: List[torch.Tensor] = [torch.zeros(0, 1, dtype=dtype, device=device)]
    B: List[torch.Tensor] = [torch.zeros(0, 1, dtype=dtype, device=device)]
    edges: List[Tuple[float, float, float, float]] = [(0.0, 0.0, 0.0, 0.0)]
    for l in range(1, lmax + 1):
        m = np.arange(-(l - 1), l)
        a = t.a[l][np.abs(m)] * s[l][l + m] * s[l - 1][l - 1 + m]
        A.append(torch.tensor(a, dtype=dtype, device=device).unsqueeze(1))
        if l >= 2:
            mb = np.arange(-(l - 2), l - 1)
            b = t.b[l][np.abs(mb)] * s[l][l + mb] * s[l - 2][l - 2 + mb]
        else:
            b = np.zeros(0)
        B.append(torch.tensor(-b, dtype=dtype, device=device).unsqueeze(1))  # stored negated
        c = t.diag[l] / t.diag[l - 1]
        sp, sm = s[l][2 * l], s[l][0]  # signs of Y_l^{+l}, Y_l^{-l}
        qp, qm = s[l - 1][2 * l - 2], s[l - 1][0]  # signs of Y_{l-1}^{+(l-1)}, Y_{l-1}^{-(l-1)}
        edges.append((c * sp * qp, c * sp * qm, c * sm * qp, c * sm * qm))
    # all degrees stacked, so that y * A and r^2 * B are one kernel each (split afterwards: views)
    A_all = torch.cat(A[1:], dim=0) if lmax >= 1 else None
    B_all = torch.cat(B[2:], dim=0) if lmax >= 2 else None
    sizes_A = [2 * l - 1 for l in range(1, lmax + 1)]
    sizes_B = [2 * l - 3 for l in range(2, lmax + 1)]
    out = (A_all, sizes_A, B_all, sizes_B, edges, float(t.diag[0] * s[0][0]))
    _CACHE[key] = out
    return out


_NORMALIZATIONS = ("component", "norm", "integral")


_BLOCK_BYTES = 8 * 2**20  # bytes of all (rows, block) slabs of one block
_MIN_BLOCK = 1024


def _sh_block(lsl: List[int], lmax: int, v: torch.Tensor) -> torch.Tensor:
    """Y for degrees ``lsl`` of vectors v (n, 3) (already normalised if requested): (n, sum(2l+1))."""
    A_all, sizes_A, B_all, sizes_B, edges, y00 = _constants(lmax, v.dtype, v.device)

    vt = v.t().contiguous()  # (3, n): contiguous rows, every slab below is (rows, n)
    x, y, z = vt[0:1], vt[1:2], vt[2:3]
    yA = (y * A_all).split(sizes_A) if lmax >= 1 else ()
    if lmax >= 2:
        r2 = (vt * vt).sum(0, keepdim=True)
        r2B = (r2 * B_all).split(sizes_B)

    # Each Y_l is assembled as cat(minus_l, inner_l, plus_l); the edge rows are kept separately so that
    # no slicing of autograd tensors is needed (slice backward would allocate full-size zeros).
    Y0 = torch.full_like(x, y00)
    Ys: List[torch.Tensor] = [Y0]
    plus_prev, minus_prev = Y0, None
    Ym2: torch.Tensor = Y0
    for l in range(1, lmax + 1):
        Y1 = Ys[-1]
        if l >= 2:
            w = torch.nn.functional.pad(Ym2 * r2B[l - 2], (0, 0, 1, 1))  # rows |m| = l-1 get no r^2 term
            inner = torch.addcmul(w, Y1, yA[l - 1])
        else:
            inner = Y1 * yA[0]
        ep0, ep1, em0, em1 = edges[l]
        if minus_prev is None:  # l == 1: (Re, Im) w^0 = (1, 0)
            plus, minus = z * (plus_prev * ep0), x * (plus_prev * em0)
        else:
            plus = torch.addcmul(z * (plus_prev * ep0), x, minus_prev, value=-ep1)
            minus = torch.addcmul(x * (plus_prev * em0), z, minus_prev, value=em1)
        Ym2 = Y1
        Ys.append(torch.cat([minus, inner, plus], dim=0))
        plus_prev, minus_prev = plus, minus

    return torch.cat([Ys[l] for l in lsl], dim=0)  # (dim, n)


class _TransposeBlocks(torch.autograd.Function):
    """cat([b.T for b in blocks], dim=0) for blocks (dim, n_i), using torch's fast blocked-transpose copy
    (copy_ into a transposed view). Its backward is :class:`_UntransposeBlocks` and vice versa, so
    derivatives of any order stay on the fast path."""

    @staticmethod
    def forward(ctx: Any, *blocks: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        ns = [b.shape[1] for b in blocks]
        ctx.ns = ns
        out = blocks[0].new_empty((sum(ns), blocks[0].shape[0]))
        i = 0
        for b, n in zip(blocks, ns):
            out[i : i + n].t().copy_(b)
            i += n
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> Tuple[torch.Tensor, ...]:  # type: ignore[override]
        return _UntransposeBlocks.apply(grad, *ctx.ns)


class _UntransposeBlocks(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, full: torch.Tensor, *ns: int) -> Tuple[torch.Tensor, ...]:  # type: ignore[override]
        full = full.contiguous()
        outs = []
        i = 0
        for n in ns:
            b = full.new_empty((full.shape[1], n))
            b.t().copy_(full[i : i + n])
            outs.append(b)
            i += n
        return tuple(outs)

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> Tuple[Any, ...]:  # type: ignore[override]
        return (_TransposeBlocks.apply(*grads),) + (None,) * len(grads)


def _sh_no_grad(lsl: List[int], lmax: int, v: torch.Tensor, block: int) -> torch.Tensor:
    """Same values as the autograd path, computed in place into one (rows, block) buffer per block."""
    A_all, sizes_A, B_all, sizes_B, edges, y00 = _constants(lmax, v.dtype, v.device)
    nrows = (lmax + 1) ** 2
    select = None if lsl == list(range(lmax + 1)) else torch.tensor(
        [l * l + i for l in lsl for i in range(2 * l + 1)], device=v.device
    )
    dim = sum(2 * l + 1 for l in lsl)
    out = v.new_empty((v.shape[0], dim))
    start = 0
    with torch.no_grad():
        for part in v.split(block):
            n = part.shape[0]
            buf = v.new_empty((nrows, n))
            vt = part.t().contiguous()
            x, y, z = vt[0:1], vt[1:2], vt[2:3]
            buf[0:1].fill_(y00)
            if lmax >= 1:
                yA = (y * A_all).split(sizes_A)
            if lmax >= 2:
                r2B = ((vt * vt).sum(0, keepdim=True) * B_all).split(sizes_B)
            for l in range(1, lmax + 1):
                Yl, Y1 = buf[l * l : (l + 1) * (l + 1)], buf[(l - 1) * (l - 1) : l * l]
                torch.mul(Y1, yA[l - 1], out=Yl[1:-1])
                if l >= 2:
                    Yl[2:-2].addcmul_(buf[(l - 2) * (l - 2) : (l - 1) * (l - 1)], r2B[l - 2])
                ep0, ep1, em0, em1 = edges[l]
                plus_prev, minus_prev = Y1[-1:], Y1[0:1]
                torch.mul(z, plus_prev, out=Yl[-1:]).mul_(ep0)
                torch.mul(x, plus_prev, out=Yl[0:1]).mul_(em0)
                if l >= 2:
                    Yl[-1:].addcmul_(x, minus_prev, value=-ep1)
                    Yl[0:1].addcmul_(z, minus_prev, value=em1)
            res = buf if select is None else buf.index_select(0, select)
            out[start : start + n].t().copy_(res)  # fast blocked transpose
            start += n
    return out


def spherical_harmonics(
    ls: Union[int, Sequence[int], str, Any],
    vectors: torch.Tensor,
    normalize: bool = True,
    normalization: str = "component",
) -> torch.Tensor:
    """Real spherical harmonics Y^l(vectors) for l in ``ls``: shape (..., sum(2l+1)), contiguous.

    ``ls``: an int, a list of ints (repeats allowed, any order) or irreps such as ``"0e+1o+2e"``.
    ``normalize=True`` projects the vectors on the unit sphere first (zero vectors give (1, 0, ...));
    otherwise the outputs are the homogeneous polynomials |r|^l Y^l(r / |r|).
    ``normalization``: 'component' (sum_m Y_lm^2 = 2l+1 on the sphere, default), 'norm' (= 1) or
    'integral' (orthonormal on S^2). Identical to ``e3nn.o3.spherical_harmonics`` with the same arguments.
    Differentiable (any order) with plain torch ops; works in any floating dtype and device.
    """
    if normalization not in _NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {_NORMALIZATIONS}, got {normalization!r}")
    lsl = parse_ls(ls)
    lmax = max(lsl)
    if vectors.shape[-1] != 3:
        raise ValueError(f"vectors must have shape (..., 3), got {tuple(vectors.shape)}")
    if not vectors.is_floating_point():
        vectors = vectors.to(torch.get_default_dtype())
    batch = vectors.shape[:-1]
    v = vectors.reshape(-1, 3)
    if normalize:
        v = torch.nn.functional.normalize(v, dim=-1)
    # Work on blocks of vectors small enough that the (rows, block) slabs stay in cache; each block's
    # (dim, block) result is written transposed straight into the (N, dim) output.
    dim = sum(2 * l + 1 for l in lsl)
    block = max(_MIN_BLOCK, _BLOCK_BYTES // ((lmax + 1) ** 2 * v.element_size()))
    if v.shape[0] == 0:
        out = v.new_zeros((0, dim))
    elif not (torch.is_grad_enabled() and v.requires_grad):
        out = _sh_no_grad(lsl, lmax, v, block)
    else:
        parts = [_sh_block(lsl, lmax, part) for part in v.split(block)]
        if len(parts) == 1 and parts[0].shape[1] < 64:
            out = parts[0].t().contiguous()
        else:
            out = _TransposeBlocks.apply(*parts)
    if normalization != "component":
        if normalization == "integral":
            out = out / math.sqrt(4 * math.pi)
        else:
            scale = torch.cat(
                [torch.full((2 * l + 1,), 1 / math.sqrt(2 * l + 1), dtype=v.dtype, device=v.device) for l in lsl]
            )
            out = out * scale
    return out.reshape(batch + (out.shape[-1],))


class SphericalHarmonics(torch.nn.Module):
    """Module form of :func:`spherical_harmonics` with fixed ``ls``, ``normalize`` and ``normalization``."""

    def __init__(self, ls: Union[int, Sequence[int], str, Any], normalize: bool = True, normalization: str = "component"):
        super().__init__()
        self.ls = parse_ls(ls)
        self.normalize = normalize
        self.normalization = normalization
        self.dim = sum(2 * l + 1 for l in self.ls)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        return spherical_harmonics(self.ls, vectors, self.normalize, self.normalization)

    def extra_repr(self) -> str:
        return f"ls={self.ls}, normalize={self.normalize}, normalization={self.normalization!r}"


class _CallableModule(types.ModuleType):
    """Importing this submodule rebinds ``symcompile.o3.spherical_harmonics`` to the module object;
    making the module callable keeps ``symcompile.o3.spherical_harmonics(ls, x)`` working either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> torch.Tensor:
        return spherical_harmonics(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
