"""Equivariant tensor products of irreps features: (x (x) y) projected on irreps by Clebsch-Gordan coefficients.

A path ``(l1, p1) x (l2, p2) -> (l3, p3)`` (allowed when ``|l1 - l2| <= l3 <= l1 + l2`` and ``p1 p2 = p3``) maps
``z_k = sum_ij C_ijk x_i y_j`` with ``C = wigner_3j(l1, l2, l3)``; learnable weights mix the channels (the
multiplicities).  Normalisation follows e3nn ("component" irreps, "element" paths), so that unit-variance
inputs give unit-variance outputs, and the weights are laid out exactly as e3nn's (``weight_numel``,
per-instruction ``path_shape``), so that the same weight vector gives the same map.

Implementation (fast on CPU, few kernels).  The 3j symbols of all paths leaving a block of input 1 (times
their normalisation) are packed into one constant matrix, so ``R = x2 @ G`` contracts input 2 with every
path at once (one GEMM) and one batched matmul per input block contracts input 1 (``T_b``).  Then, chosen
per call by a rough cost model (``strategy`` forces one):

- "blocks": the channel mixing of all paths that end in the same output block is one GEMM with the
  concatenated weights (large batches of 'uvw' products);
- "uvu": channel-wise paths only scale ``T_b`` by their weights (convolution filters with per-edge weights);
- "dense": with shared weights and few rows, the whole bilinear map is rebuilt as one dense matrix from the
  weights and applied with a single GEMM (node-level products in small molecules and crystals).
"""

from __future__ import annotations

import math
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch

from ..o3 import Irreps, wigner_3j

__all__ = ["FullyConnectedTensorProduct", "Instruction", "TensorProduct", "path_allowed"]


class Instruction(NamedTuple):
    """One path of a tensor product (same fields as e3nn's; ``path_weight`` holds the normalisation)."""

    i_in1: int
    i_in2: int
    i_out: int
    connection_mode: str
    has_weight: bool
    path_weight: float
    path_shape: Tuple[int, ...]


def path_allowed(ir1: Any, ir2: Any, ir_out: Any) -> bool:
    """Selection rule: triangle inequality on l, product of parities and product of time parities.

    Time parities (``1e'``: odd under time reversal) multiply like parities, so no path leads from
    time-even inputs to a time-odd output.
    """
    return (abs(ir1.l - ir2.l) <= ir_out.l <= ir1.l + ir2.l and ir1.p * ir2.p == ir_out.p
            and ir1.t * ir2.t == ir_out.t)


class _DenseGrad(torch.autograd.Function):
    """Identity whose backward makes the gradient contiguous.

    Strided views of T feed a concatenation; without this their gradients reach the backward of ``split``
    (a concatenation) as strided slices, which torch copies element by element (several times slower).
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return grad.contiguous()


def _dense_grad(x: torch.Tensor) -> torch.Tensor:
    return _DenseGrad.apply(x) if x.requires_grad else x


_MODES = ("uvw", "uvu")


def _path_shape(mode: str, mul1: int, mul2: int, mul_out: int) -> Tuple[int, ...]:
    if mode == "uvw":
        return (mul1, mul2, mul_out)
    return (mul1, mul2)


def _num_elements(mode: str, mul1: int, mul2: int) -> int:
    return mul1 * mul2 if mode == "uvw" else mul2


class TensorProduct(torch.nn.Module):
    """Tensor product with explicit instructions ``(i_in1, i_in2, i_out, mode, has_weight[, path_weight])``.

    Modes: ``'uvw'`` (every channel pair (u, v) of the inputs feeds every output channel w, weight
    ``[u, v, w]``) and ``'uvu'`` (channel-wise in input 1: output channel u gets ``sum_v w[u, v] x_u (x) y_v``;
    ``mul_out`` must equal ``mul_in1``; with ``has_weight=False`` the plain sum over v).

    ``forward(x1, x2, weight=None)``: ``x1 [..., irreps_in1.dim]``, ``x2 [..., irreps_in2.dim]`` (leading dims
    broadcast); ``weight`` is required when ``internal_weights=False``: shape ``[weight_numel]`` if
    ``shared_weights`` else ``[..., weight_numel]`` (e.g. one weight vector per edge from a radial MLP).
    """

    def __init__(
        self,
        irreps_in1: Any,
        irreps_in2: Any,
        irreps_out: Any,
        instructions: Sequence[tuple],
        irrep_normalization: str = "component",
        path_normalization: str = "element",
        internal_weights: Optional[bool] = None,
        shared_weights: Optional[bool] = None,
    ) -> None:
        super().__init__()
        if irrep_normalization not in ("component", "norm", "none"):
            raise ValueError(f"irrep_normalization must be component, norm or none, not {irrep_normalization!r}")
        if path_normalization not in ("element", "path", "none"):
            raise ValueError(f"path_normalization must be element, path or none, not {path_normalization!r}")
        self.irreps_in1 = Irreps(irreps_in1)
        self.irreps_in2 = Irreps(irreps_in2)
        self.irreps_out = Irreps(irreps_out)
        in1, in2, out = list(self.irreps_in1), list(self.irreps_in2), list(self.irreps_out)

        raw = [tuple(ins) if len(ins) == 6 else tuple(ins) + (1.0,) for ins in instructions]
        for i1, i2, io, mode, _, _ in raw:
            if mode not in _MODES:
                raise NotImplementedError(f"connection mode {mode!r} (supported: {', '.join(_MODES)})")
            if not path_allowed(in1[i1].ir, in2[i2].ir, out[io].ir):
                raise ValueError(f"path {in1[i1].ir} x {in2[i2].ir} -> {out[io].ir} violates the selection rules")
            if mode == "uvu" and in1[i1].mul != out[io].mul:
                raise ValueError("'uvu' needs the same multiplicity on input 1 and on the output")

        def num_el(ins: tuple) -> int:
            return _num_elements(ins[3], in1[ins[0]].mul, in2[ins[1]].mul)

        self.instructions: List[Instruction] = []
        for i1, i2, io, mode, has_w, pw in raw:
            d1, d2, d3 = in1[i1].ir.dim, in2[i2].ir.dim, out[io].ir.dim
            alpha = {"component": d3, "norm": d1 * d2, "none": 1}[irrep_normalization]
            if path_normalization == "element":
                x = sum(num_el(j) for j in raw if j[2] == io)
            elif path_normalization == "path":
                x = num_el((i1, i2, io, mode)) * len([j for j in raw if j[2] == io])
            else:
                x = 1
            if x > 0:
                alpha /= x
            alpha *= pw
            shape = _path_shape(mode, in1[i1].mul, in2[i2].mul, out[io].mul)
            self.instructions.append(Instruction(i1, i2, io, mode, bool(has_w), math.sqrt(alpha), shape))

        self.weight_numel = sum(int(np.prod(ins.path_shape)) for ins in self.instructions if ins.has_weight)
        if shared_weights is False and internal_weights is None:
            internal_weights = False
        if shared_weights is None:
            shared_weights = True
        if internal_weights is None:
            internal_weights = shared_weights and self.weight_numel > 0
        if internal_weights and not shared_weights:
            raise ValueError("internal weights imply shared weights")
        self.internal_weights = bool(internal_weights)
        self.shared_weights = bool(shared_weights)
        if self.internal_weights and self.weight_numel > 0:
            self.weight = torch.nn.Parameter(torch.randn(self.weight_numel))
        else:
            self.register_buffer("weight", torch.zeros(0))

        mask = [
            torch.full((m.dim,), 1.0 if any(ins.i_out == io and m.dim > 0 for ins in self.instructions) else 0.0)
            for io, m in enumerate(out)
        ]
        self.register_buffer("output_mask", torch.cat(mask) if mask else torch.zeros(0))
        self._build_plan()

    # ------------------------------------------------------------------ plan
    def _build_plan(self) -> None:
        in1, in2, out = list(self.irreps_in1), list(self.irreps_in2), list(self.irreps_out)
        off1 = np.concatenate([[0], np.cumsum([m.dim for m in in1])]).astype(int)
        off2 = np.concatenate([[0], np.cumsum([m.dim for m in in2])]).astype(int)
        offo = np.concatenate([[0], np.cumsum([m.dim for m in out])]).astype(int)
        self._out_shapes = [(m.mul, m.ir.dim) for m in out]
        self._dims = (self.irreps_in1.dim, self.irreps_in2.dim, self.irreps_out.dim)
        dim1, dim2, dimo = self.irreps_in1.dim, self.irreps_in2.dim, self.irreps_out.dim
        active = [k for k, ins in enumerate(self.instructions) if 0 not in ins.path_shape and in1[ins.i_in1].dim > 0]

        # weights: one chunk per instruction with weights (e3nn layout), zero-size chunks for the others
        self._w_split = [int(np.prod(ins.path_shape)) if ins.has_weight else 0 for ins in self.instructions]
        w_off = np.concatenate([[0], np.cumsum(self._w_split)]).astype(int)
        self._w_off = [int(v) for v in w_off]
        self._in1_order: Optional[torch.Tensor] = None
        self._in1_split = [m.dim for m in in1]
        C = {k: np.asarray(wigner_3j(in1[ins.i_in1].ir.l, in2[ins.i_in2].ir.l, out[ins.i_out].ir.l), dtype=np.float64)
             * ins.path_weight for k, ins in enumerate(self.instructions) if k in active}

        # --- block strategy: per input-1 block b, the 3j of all its paths packed into G_b [dim2, P_b * d1]
        # (rows of T_b = (path, k, v), i fastest); all G_b side by side in one matrix, so R = x2 @ G is one GEMM
        self._blocks: List[Tuple[int, int, int, int]] = []  # (block of in1, mul1, d1, P)
        self._T_split: List[List[int]] = []  # row chunk sizes of T_b, one per path
        path_plan: List[Tuple[int, int, int, int]] = []  # (block plan index, chunk index, mul2, ins index)
        G_parts = []
        for b1, m1 in enumerate(in1):
            paths = [k for k in active if self.instructions[k].i_in1 == b1]
            if not paths:
                continue
            d1 = m1.ir.dim
            sizes = [out[self.instructions[k].i_out].ir.dim * in2[self.instructions[k].i_in2].mul for k in paths]
            P = sum(sizes)
            G = np.zeros((dim2, P, d1))
            row = 0
            for j, k in enumerate(paths):
                ins = self.instructions[k]
                m2, mo = in2[ins.i_in2], out[ins.i_out]
                d2, d3, v = m2.ir.dim, mo.ir.dim, m2.mul
                for vv in range(v):
                    rows = slice(off2[ins.i_in2] + vv * d2, off2[ins.i_in2] + (vv + 1) * d2)
                    G[rows, row + np.arange(d3) * v + vv, :] = C[k].transpose(1, 2, 0)  # [j, k, i]
                path_plan.append((len(self._blocks), j, v, k))
                row += d3 * v
            G_parts.append(G.reshape(dim2, P * d1))
            self._blocks.append((b1, m1.mul, d1, P))
            self._T_split.append(sizes)
        self._G_split = [P * d1 for _, _, d1, P in self._blocks]
        G_all = np.concatenate(G_parts, axis=1) if G_parts else np.zeros((dim2, 0))
        self.register_buffer("_G", torch.as_tensor(G_all, dtype=torch.get_default_dtype()))

        # group paths by output block: (block plan, chunk, mul2, mul1, mode, has_weight, ins index)
        self._out_plan: List[List[Tuple[int, int, int, int, str, bool, int]]] = []
        for io in range(len(out)):
            group = []
            for blk, j, v, k in path_plan:
                ins = self.instructions[k]
                if ins.i_out == io:
                    group.append((blk, j, v, ins.path_shape[0], ins.connection_mode, ins.has_weight, k))
            self._out_plan.append(group)

        # --- uvu strategy ('uvu' only, mul2 = 1, at most one path per output block: the convolution filters):
        # T_b laid out [Z, mul1, P_b]; each path is a [Z, u, d3] view, times its [Z, u] weights, then one cat
        targets = [self.instructions[k].i_out for k in active]
        self._uvu_ok = (
            len(active) > 0
            and all(self.instructions[k].connection_mode == "uvu" for k in active)
            and all(in2[self.instructions[k].i_in2].mul == 1 for k in active)
            and len(set(targets)) == len(targets)
        )
        # output block -> (block plan index, chunk index, ins index) or None
        self._uvu_out: List[Optional[Tuple[int, int, int]]] = [None] * len(out)
        for blk, j, _, k in path_plan:
            self._uvu_out[self.instructions[k].i_out] = (blk, j, k)

        # --- dense strategy (shared weights, few rows): the whole bilinear map as one [dim1, dim2 * dim_out]
        # matrix rebuilt from the weights at each call; then one GEMM (used when Z * size is small)
        self._dense_size = dim1 * dim2 * dimo
        self._dense_ok = self.shared_weights and 0 < self._dense_size <= 2_000_000
        if self._dense_ok:
            flat, widx_d, val = [], [], []
            for k in active:
                ins = self.instructions[k]
                m1, m2, mo = in1[ins.i_in1], in2[ins.i_in2], out[ins.i_out]
                i, j, kk = np.nonzero(np.abs(C[k]) > 1e-15)
                cval = C[k][i, j, kk]
                u_r, v_r = np.arange(m1.mul), np.arange(m2.mul)
                w_r = np.arange(mo.mul) if ins.connection_mode == "uvw" else None
                if w_r is None:  # uvu: w = u
                    uu, vv = np.meshgrid(u_r, v_r, indexing="ij")
                    ww = uu
                    wi = (w_off[k] + uu * m2.mul + vv) if ins.has_weight else np.full(uu.shape, self.weight_numel)
                else:
                    uu, vv, ww = np.meshgrid(u_r, v_r, w_r, indexing="ij")
                    wi = w_off[k] + (uu * m2.mul + vv) * mo.mul + ww
                uu, vv, ww, wi = uu.ravel(), vv.ravel(), ww.ravel(), wi.ravel()
                a = off1[ins.i_in1] + uu[:, None] * m1.ir.dim + i[None, :]
                b = off2[ins.i_in2] + vv[:, None] * m2.ir.dim + j[None, :]
                c = offo[ins.i_out] + ww[:, None] * mo.ir.dim + kk[None, :]
                flat.append(((a * dim2 + b) * dimo + c).ravel())
                widx_d.append(np.repeat(wi, len(cval)))
                val.append(np.tile(cval, len(wi)))
            flat_a = np.concatenate(flat) if flat else np.zeros(0, dtype=int)
            self._dense_unique = len(np.unique(flat_a)) == len(flat_a)
            self._dense_needs_one = any(not self.instructions[k].has_weight for k in active)
            self.register_buffer("_dense_flat", torch.as_tensor(flat_a, dtype=torch.long))
            self._dense_flat_ordered: Optional[torch.Tensor] = None
            self.register_buffer("_dense_widx", torch.as_tensor(np.concatenate(widx_d) if widx_d else flat_a, dtype=torch.long))
            self.register_buffer(
                "_dense_val", torch.as_tensor(np.concatenate(val) if val else np.zeros(0), dtype=torch.get_default_dtype())
            )

        # --- rough costs (per call and per row) for choosing a strategy
        self._dense_nnz = int(self._dense_flat.numel()) if self._dense_ok else 0
        n_b = len(self._blocks)
        base = sum(P * d1 * (dim2 + mul1) for _, mul1, d1, P in self._blocks)
        mixing = 0
        for k in active:
            ins = self.instructions[k]
            d3, v, u = out[ins.i_out].ir.dim, in2[ins.i_in2].mul, in1[ins.i_in1].mul
            mixing += d3 * v * u * (out[ins.i_out].mul if ins.connection_mode == "uvw" else 1)
        self._uvu_ops = 4 + 2 * n_b + 2 * len(out)
        self._uvu_flops = 2 * base + sum(m.dim for m in out)
        self._blocks_ops = 4 + 2 * n_b + sum(4 + 3 * len(g) for g in self._out_plan)
        self._blocks_flops = 2 * (base + mixing)

    # --------------------------------------------------------------- forward
    def forward(self, x1: torch.Tensor, x2: torch.Tensor, weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        dim1, dim2, dimo = self._dims
        if x1.shape[-1] != dim1 or x2.shape[-1] != dim2:
            raise ValueError(f"expected inputs of dims {dim1} and {dim2}, got {x1.shape[-1]} and {x2.shape[-1]}")
        if weight is None:
            if self.weight_numel > 0 and not self.internal_weights:
                raise ValueError("weights must be given when internal_weights=False")
            weight = self.weight
        shared = self.shared_weights
        if self.weight_numel > 0:
            if shared and weight.shape != (self.weight_numel,):
                raise ValueError(f"weight must have shape [{self.weight_numel}]")
            if not shared and (weight.dim() < 2 or weight.shape[-1] != self.weight_numel):
                raise ValueError(f"weight must have shape [..., {self.weight_numel}]")

        # numpy's broadcasting of shapes: torch.broadcast_shapes imports sympy (~1 s) on its first call
        lead = tuple(np.broadcast_shapes(tuple(x1.shape[:-1]), tuple(x2.shape[:-1])))
        if not shared and self.weight_numel > 0:
            lead = tuple(np.broadcast_shapes(lead, tuple(weight.shape[:-1])))
        dtype = torch.promote_types(x1.dtype, x2.dtype)
        Z = math.prod(lead)
        x1 = x1.to(dtype).expand(lead + (-1,)).reshape(Z, dim1)
        x2 = x2.to(dtype).expand(lead + (-1,)).reshape(Z, dim2)
        if self.weight_numel > 0:
            weight = weight.to(dtype)
            if not shared:
                weight = weight.expand(lead + (-1,)).reshape(Z, self.weight_numel)
        if not self._blocks:
            return x1.new_zeros(lead + (dimo,))

        strategy = self.strategy or self._choose(Z)
        if strategy == "dense" and self._dense_ok:
            result = self._forward_dense(x1, x2, weight)
        else:
            if self._in1_order is not None:  # the other strategies take input 1 in its irreps layout
                x1 = x1.index_select(1, self._in1_order)
            if strategy in ("dense", "uvu") and self._uvu_ok:
                result = self._forward_uvu(x1, x2, weight)
            else:
                result = self._forward_blocks(x1, x2, weight)
        return result.view(lead + (dimo,))

    #: force an evaluation strategy ("dense", "uvu" or "blocks"; None = automatic).  All give the same map.
    strategy: Optional[str] = None

    def _choose(self, Z: int) -> str:
        """Cheapest strategy for Z rows by a rough cost model (kernel launches + flops + memory)."""
        launch, flop, word = 1e-5, 2e-10, 1e-9
        if self._uvu_ok:
            best, cost = "uvu", self._uvu_ops * launch + Z * self._uvu_flops * flop
        else:
            best, cost = "blocks", self._blocks_ops * launch + Z * self._blocks_flops * flop
        if self._dense_ok:
            dense = 6 * launch + Z * self._dense_size * 2 * flop + (self._dense_size + 3 * self._dense_nnz) * word
            if dense < cost:
                best = "dense"
        return best

    def _T_blocks(self, x1: torch.Tensor, x2: torch.Tensor, transposed: bool = False) -> List[torch.Tensor]:
        """T_b for every input-1 block, all its paths before channel mixing: [Z, P_b, mul1] ([Z, mul1, P_b])."""
        Z = x1.shape[0]
        G = self._G if self._G.dtype == x1.dtype else self._G.to(x1.dtype)
        Rs = torch.split(x2 @ G, self._G_split, dim=1)
        x1_blocks = torch.split(x1, self._in1_split, dim=1)
        T = []
        for R, (b1, mul1, d1, P) in zip(Rs, self._blocks):
            R = R.view(Z, P, d1)
            xb = x1_blocks[b1].view(Z, mul1, d1)
            if transposed:
                T.append(xb * R.view(Z, 1, P) if d1 == 1 else torch.bmm(xb, R.transpose(1, 2)))
            else:
                T.append(R * xb.view(Z, 1, mul1) if d1 == 1 else torch.bmm(R, xb.transpose(1, 2)))
        return T

    def _forward_uvu(self, x1: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        Z = x1.shape[0]
        T = [torch.split(t, s, dim=2) for t, s in zip(self._T_blocks(x1, x2, transposed=True), self._T_split)]
        if self.weight_numel > 0:
            w_paths = torch.split(weight, self._w_split, dim=-1)
        outs = []
        for io, entry in enumerate(self._uvu_out):
            mul_o, d3 = self._out_shapes[io]
            if entry is None:
                outs.append(x1.new_zeros(Z, mul_o * d3))
                continue
            blk, j, k = entry
            t = T[blk][j]  # [Z, u, d3]
            if self.instructions[k].has_weight:
                w = w_paths[k]
                t = t * (w.view(1, mul_o, 1) if self.shared_weights else w.view(Z, mul_o, 1))
            outs.append(t.reshape(Z, mul_o * d3))
        return outs[0] if len(outs) == 1 else torch.cat(outs, dim=1)

    def _forward_dense(self, x1: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        Z = x1.shape[0]
        dim2, dimo = self.irreps_in2.dim, self.irreps_out.dim
        w = weight if self.weight_numel > 0 else x1.new_zeros(0)
        if self._dense_needs_one:
            w = torch.cat([w, w.new_ones(1)])
        vals = w.index_select(0, self._dense_widx) * self._dense_val.to(x1.dtype)
        flat = self._dense_flat if self._in1_order is None else self._dense_flat_ordered
        M = vals.new_zeros(self._dense_size).index_put((flat,), vals, accumulate=not self._dense_unique)
        Y = x1 @ M.view(self.irreps_in1.dim, dim2 * dimo)
        if dim2 == 1:
            return Y * x2
        return torch.bmm(x2.unsqueeze(1), Y.view(Z, dim2, dimo)).view(Z, dimo)

    def _forward_blocks(self, x1: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        Z = x1.shape[0]
        shared = self.shared_weights
        if self.weight_numel > 0:
            w_paths = torch.split(weight, self._w_split, dim=-1)
        T = [torch.split(t, s, dim=1) for t, s in zip(self._T_blocks(x1, x2), self._T_split)]
        outs = []
        for io, group in enumerate(self._out_plan):
            mul_o, d3 = self._out_shapes[io]
            if not group:
                outs.append(x1.new_zeros(Z, mul_o * d3))
                continue
            y = None
            uvw = [g for g in group if g[4] == "uvw"]
            if uvw:
                xs, ws = [], []
                for blk, j, v, u, _, _, k in uvw:
                    xs.append(_dense_grad(T[blk][j]).reshape(Z, d3, v * u).contiguous())  # [Z, k, (v, u)]
                    if shared:
                        ws.append(w_paths[k].view(u, v, mul_o).transpose(0, 1).reshape(v * u, mul_o))
                    else:
                        ws.append(w_paths[k].view(Z, u, v, mul_o).transpose(1, 2).reshape(Z, v * u, mul_o))
                X = xs[0] if len(xs) == 1 else torch.cat(xs, dim=2)
                W = ws[0] if len(ws) == 1 else torch.cat(ws, dim=-2)
                y = (X @ W if shared else torch.bmm(X, W)).transpose(1, 2)  # [Z, w, k]
            for blk, j, v, u, mode, has_w, k in group:
                if mode != "uvu":
                    continue
                t = T[blk][j].view(Z, d3, v, u)
                if has_w:
                    w = w_paths[k]
                    w = w.view(u, v).t() if shared else w.view(Z, u, v).transpose(1, 2).unsqueeze(1)  # [.., v, u]
                    t = t[:, :, 0] * w[..., 0, :] if v == 1 else (t * w).sum(2)
                else:
                    t = t.sum(2)
                t = t.transpose(1, 2)  # [Z, u, k]
                y = t if y is None else y + t
            outs.append(y.reshape(Z, mul_o * d3))
        return outs[0] if len(outs) == 1 else torch.cat(outs, dim=1)

    # ------------------------------------------------------------ fused use
    def set_input1_order(self, order: Optional[torch.Tensor]) -> None:
        """Accept input 1 in a permuted layout: the true input is ``x1[..., order]`` (None: no permutation).

        The dense strategy folds the permutation into its matrix (free); the others gather first.
        """
        if order is None:
            self._in1_order = None
            if self._dense_ok:
                self._dense_flat_ordered = None
            return
        order = torch.as_tensor(order, dtype=torch.long).clone()
        if sorted(order.tolist()) != list(range(self.irreps_in1.dim)):
            raise ValueError("order must be a permutation of the input-1 components")
        self._in1_order = order
        if self._dense_ok:
            inner = self.irreps_in2.dim * self.irreps_out.dim
            a, rest = self._dense_flat // inner, self._dense_flat % inner
            self._dense_flat_ordered = order[a] * inner + rest

    @property
    def path_layout_available(self) -> bool:
        """True for products of 'uvu' paths with weights, mul2 = 1 and one path per output block."""
        return self._uvu_ok and all(self.instructions[k].has_weight for b in self._out_plan for (_, _, _, _, _, _, k) in b)

    def path_layout(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Index maps of the "path layout" used by :meth:`forward_paths` (see there).

        Returns ``(out_from_path, weight_of_path)``: output component ``c`` (irreps_out layout) is path-layout
        column ``out_from_path[c]``, and path-layout column ``q`` is scaled by weight ``weight_of_path[q]``.
        """
        if not self.path_layout_available:
            raise ValueError("path layout needs weighted 'uvu' paths with mul2 = 1, one per output block")
        out = list(self.irreps_out)
        offo = np.concatenate([[0], np.cumsum([m.dim for m in out])]).astype(int)
        out_from = np.full(self.irreps_out.dim, -1, dtype=int)
        w_of = []
        col = 0
        for bi, (_, mul1, _, P) in enumerate(self._blocks):
            paths = [(j, k) for g in self._out_plan for (blk, j, _, _, _, _, k) in g if blk == bi]
            paths.sort()
            starts = np.concatenate([[0], np.cumsum(self._T_split[bi])]).astype(int)
            for u in range(mul1):
                for j, k in paths:
                    ins = self.instructions[k]
                    d3 = out[ins.i_out].ir.dim
                    for kk in range(d3):
                        q = col + u * P + starts[j] + kk
                        out_from[offo[ins.i_out] + u * d3 + kk] = q
                    w_of.extend([self._w_off[k] + u] * d3)
            col += mul1 * P
        if (out_from < 0).any():
            raise ValueError("path layout needs every output block to be reached by a path")
        return torch.as_tensor(out_from, dtype=torch.long), torch.as_tensor(w_of, dtype=torch.long)

    def forward_paths(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        """Unweighted path outputs in the "path layout" ``[Z, D]``: blocks of input 1 in order, then channel u,
        then path, then component.  ``(forward_paths(x1, x2) * w[:, weight_of_path])[:, out_from_path]`` equals
        ``forward(x1, x2, w)``; a fused layer applies the weights and the permutation more cheaply elsewhere.
        """
        Z = x1.shape[0]
        T = self._T_blocks(x1, x2, transposed=True)
        flat = [t.reshape(Z, t.shape[1] * t.shape[2]) for t in T]
        return torch.cat(flat, dim=1) if len(flat) > 1 else flat[0]

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.irreps_in1} x {self.irreps_in2} -> {self.irreps_out} | "
            f"{len(self.instructions)} paths | {self.weight_numel} weights)"
        )


class FullyConnectedTensorProduct(TensorProduct):
    """All allowed paths between every block of input 1, every block of input 2 and every output block, 'uvw'.

    ``out_w = sum_paths sum_uv w_uvw x_u (x) y_v`` with one learnable weight per path and channel triple.
    """

    def __init__(
        self,
        irreps_in1: Any,
        irreps_in2: Any,
        irreps_out: Any,
        shared_weights: Optional[bool] = True,
        internal_weights: Optional[bool] = None,
        irrep_normalization: str = "component",
        path_normalization: str = "element",
    ) -> None:
        i1s, i2s, ios = Irreps(irreps_in1), Irreps(irreps_in2), Irreps(irreps_out)
        instr = [
            (a, b, c, "uvw", True, 1.0)
            for a, m1 in enumerate(i1s)
            for b, m2 in enumerate(i2s)
            for c, mo in enumerate(ios)
            if path_allowed(m1.ir, m2.ir, mo.ir)
        ]
        if internal_weights is None:
            internal_weights = bool(shared_weights)
        super().__init__(
            i1s,
            i2s,
            ios,
            instr,
            irrep_normalization=irrep_normalization,
            path_normalization=path_normalization,
            internal_weights=internal_weights,
            shared_weights=shared_weights,
        )
