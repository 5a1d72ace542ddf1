"""Equivariant linear map between irreps features: channels of the same irrep are mixed, nothing else.

By Schur's lemma the only equivariant linear maps send ``mul_in x ir`` to ``mul_out x ir`` through a
``[mul_in, mul_out]`` matrix acting on the channel index (identity on the 2l+1 components).  Normalisation
and weight layout follow e3nn's ``o3.Linear`` (path normalisation 'element': every output is divided by
sqrt of the number of input channels that feed it), so e3nn weights can be copied one to one.  Optional
biases are only allowed on even scalars ``0e`` (anything else would break equivariance).
"""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from ..o3 import Irreps

__all__ = ["Linear"]


class Linear(torch.nn.Module):
    """``Linear(irreps_in, irreps_out, biases=False)``; ``forward(x [..., irreps_in.dim]) -> [..., irreps_out.dim]``.

    Every (input block, output block) pair with the same irrep is connected.  ``biases=True`` adds a learnable
    bias to every ``0e`` output block (a list of bools selects blocks).  Internally the block weights are
    scattered into one dense ``[dim_in, dim_out]`` matrix each call, so the map is a single GEMM.
    """

    def __init__(
        self,
        irreps_in: Any,
        irreps_out: Any,
        biases: Union[bool, Sequence[bool]] = False,
        instructions: Optional[Sequence[Tuple[int, int]]] = None,
    ) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in)
        self.irreps_out = Irreps(irreps_out)
        ins_, outs = list(self.irreps_in), list(self.irreps_out)
        if instructions is None:
            instructions = [
                (i, o) for i, mi in enumerate(ins_) for o, mo in enumerate(outs) if mi.ir == mo.ir
            ]
        for i, o in instructions:
            if ins_[i].ir != outs[o].ir:
                raise ValueError(f"Linear cannot map {ins_[i].ir} to {outs[o].ir}")
        self.instructions: List[Tuple[int, int]] = [(int(i), int(o)) for i, o in instructions]

        if isinstance(biases, bool):
            biases = [biases and mo.ir.is_scalar() for mo in outs]
        biases = list(biases)
        if len(biases) != len(outs):
            raise ValueError("one bias flag per output block")
        for b, mo in zip(biases, outs):
            if b and not mo.ir.is_scalar():
                raise ValueError(f"bias on {mo.ir} would break equivariance (only 0e may have a bias)")
        self.biases = biases

        # weight layout like e3nn: one [mul_in, mul_out] block per instruction, concatenated
        fan_in = {o: sum(ins_[i].mul for i, oo in self.instructions if oo == o) for o in range(len(outs))}
        off_in = np.concatenate([[0], np.cumsum([m.dim for m in ins_])]).astype(int)
        off_out = np.concatenate([[0], np.cumsum([m.dim for m in outs])]).astype(int)
        rows, cols, widx, coef = [], [], [], []
        pos = 0
        for i, o in self.instructions:
            mi, mo = ins_[i], outs[o]
            d = mi.ir.dim
            alpha = 1.0 / math.sqrt(fan_in[o]) if fan_in[o] > 0 else 1.0
            u, w, k = np.meshgrid(np.arange(mi.mul), np.arange(mo.mul), np.arange(d), indexing="ij")
            rows.append((off_in[i] + u * d + k).ravel())
            cols.append((off_out[o] + w * d + k).ravel())
            widx.append((pos + u * mo.mul + w).ravel())
            coef.append(np.full(u.size, alpha))
            pos += mi.mul * mo.mul
        self.weight_numel = pos
        self.weight = torch.nn.Parameter(torch.randn(self.weight_numel))
        cat = (lambda xs: np.concatenate(xs) if xs else np.zeros(0, dtype=int))
        self.register_buffer("_flat", torch.as_tensor(cat(rows) * self.irreps_out.dim + cat(cols), dtype=torch.long))
        self.register_buffer("_widx", torch.as_tensor(cat(widx), dtype=torch.long))
        self.register_buffer("_coef", torch.as_tensor(cat(coef) if coef else np.zeros(0), dtype=torch.get_default_dtype()))

        bias_idx = [np.arange(off_out[o], off_out[o + 1]) for o, b in enumerate(biases) if b]
        self.bias_numel = int(sum(len(b) for b in bias_idx))
        self.bias = torch.nn.Parameter(torch.zeros(self.bias_numel))
        self.register_buffer("_bias_idx", torch.as_tensor(cat(bias_idx), dtype=torch.long))

    def matrix(self, dtype: Optional[torch.dtype] = None) -> torch.Tensor:
        """The dense ``[dim_in, dim_out]`` matrix of the map (differentiable in the weights)."""
        dtype = dtype or self.weight.dtype
        vals = self.weight.to(dtype).index_select(0, self._widx) * self._coef.to(dtype)
        m = vals.new_zeros(self.irreps_in.dim * self.irreps_out.dim)
        m = m.index_put((self._flat,), vals)  # every entry is set at most once
        return m.view(self.irreps_in.dim, self.irreps_out.dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.irreps_in.dim:
            raise ValueError(f"expected last dimension {self.irreps_in.dim}, got {x.shape[-1]}")
        y = x @ self.matrix(x.dtype)
        if self.bias_numel:
            b = y.new_zeros(self.irreps_out.dim).index_put((self._bias_idx,), self.bias.to(y.dtype))
            y = y + b
        return y

    def __repr__(self) -> str:
        return f"Linear({self.irreps_in} -> {self.irreps_out} | {self.weight_numel} weights)"
