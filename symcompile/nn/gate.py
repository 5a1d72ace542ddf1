"""Gate non-linearity: scalars through activations, non-scalars multiplied by activated gate scalars.

A pointwise function of a non-scalar would break equivariance; multiplying it by a scalar does not.  Parity
is respected: an even activation of an odd scalar ``0o`` gives ``0e``, an odd one (tanh) keeps ``0o``, any
other activation of ``0o`` is refused; a gated irrep times an odd gate flips its parity.  Time parity (``0e'``,
odd under time reversal) follows the same rules.  Activations are
normalised to unit second moment.  The input layout is e3nn's: ``(scalars + gates + gated)`` sorted by irrep
and simplified, so ``Gate.irreps_in`` is what the preceding layer must produce.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import numpy as np
import torch

from ..o3 import Irrep, Irreps
from .activations import NormalizedActivation

__all__ = ["Activation", "Gate"]

ActFn = Optional[Callable[[torch.Tensor], torch.Tensor]]


class Activation(torch.nn.Module):
    """Scalar activations, one per block of ``irreps_in`` (``None`` = identity, also allowed for non-scalars)."""

    def __init__(self, irreps_in: Any, acts: Sequence[ActFn]) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in)
        if len(self.irreps_in) != len(acts):
            raise ValueError(f"{len(self.irreps_in)} blocks in {self.irreps_in} but {len(acts)} activations")
        mods: List[Optional[NormalizedActivation]] = []
        out = []
        for (mul, ir), act in zip(self.irreps_in, acts):
            if act is None:
                mods.append(None)
                out.append((mul, ir))
                continue
            if ir.l != 0:
                raise ValueError(f"cannot apply an activation to the non-scalar {ir}")
            a = NormalizedActivation(act)
            if (ir.p == -1 or ir.t == -1) and a.parity == 0:
                raise ValueError(
                    f"activation {a} on the odd scalar {ir} is neither even nor odd: parity would be violated"
                )
            # an odd activation keeps the signs of its scalar, an even one makes it invariant
            keep = a.parity == -1
            mods.append(a)
            out.append((mul, Irrep(0, ir.p if keep else 1, ir.t if keep else 1)))
        self.irreps_out = Irreps(out)
        self.acts = torch.nn.ModuleList([m if m is not None else torch.nn.Identity() for m in mods])
        self._has_act = [m is not None for m in mods]
        self._sizes = [m.dim for m in self.irreps_in]
        # merge consecutive blocks with the same activation into one call
        self._runs: List[tuple] = []
        for k, (size, has) in enumerate(zip(self._sizes, self._has_act)):
            f = mods[k].f if has else None
            if self._runs and self._runs[-1][1] is f and self._runs[-1][2] == has:
                first, _, _, total = self._runs[-1]
                self._runs[-1] = (first, f, has, total + size)
            else:
                self._runs.append((k, f, has, size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(self._runs) == 1:
            k, _, has, _ = self._runs[0]
            return self.acts[k](x) if has else x
        parts = torch.split(x, [r[3] for r in self._runs], dim=-1)
        out = [self.acts[r[0]](p) if r[2] else p for p, r in zip(parts, self._runs)]
        return torch.cat(out, dim=-1) if out else x


class Gate(torch.nn.Module):
    """``Gate(irreps_scalars, act_scalars, irreps_gates, act_gates, irreps_gated)`` (same signature as e3nn).

    ``irreps_gates`` must be scalars with ``num_irreps == irreps_gated.num_irreps`` (one gate per gated
    irrep).  Output: ``act_scalars(scalars) + act_gates(gates) * gated`` with irreps ``irreps_out``.
    """

    def __init__(
        self,
        irreps_scalars: Any,
        act_scalars: Sequence[ActFn],
        irreps_gates: Any,
        act_gates: Sequence[ActFn],
        irreps_gated: Any,
    ) -> None:
        super().__init__()
        irreps_scalars, irreps_gates, irreps_gated = Irreps(irreps_scalars), Irreps(irreps_gates), Irreps(irreps_gated)
        if len(irreps_scalars) and irreps_scalars.lmax > 0:
            raise ValueError(f"scalars must be scalars, got {irreps_scalars}")
        if len(irreps_gates) and irreps_gates.lmax > 0:
            raise ValueError(f"gates must be scalars, got {irreps_gates}")
        if irreps_gates.num_irreps != irreps_gated.num_irreps:
            raise ValueError(
                f"{irreps_gated.num_irreps} gated irreps need as many gates, got {irreps_gates.num_irreps}"
            )
        self.irreps_scalars, self.irreps_gates, self.irreps_gated = irreps_scalars, irreps_gates, irreps_gated

        # input layout: concatenation sorted by irrep (stable) and simplified, like e3nn
        cat = list(irreps_scalars) + list(irreps_gates) + list(irreps_gated)
        order = sorted(range(len(cat)), key=lambda i: (cat[i].ir, i))
        self.irreps_in = Irreps([cat[i] for i in order]).simplify()
        sorted_offsets = np.concatenate([[0], np.cumsum([cat[i].dim for i in order])]).astype(int)
        start_of = {i: int(sorted_offsets[n]) for n, i in enumerate(order)}
        perm = np.concatenate([np.arange(start_of[i], start_of[i] + cat[i].dim) for i in range(len(cat))] or [[]])
        perm = perm.astype(int)
        self._identity = bool(np.array_equal(perm, np.arange(len(perm))))
        self.register_buffer("_perm", torch.as_tensor(perm, dtype=torch.long))
        self._split = [irreps_scalars.dim, irreps_gates.dim, irreps_gated.dim]

        self.act_scalars = Activation(irreps_scalars, act_scalars)
        self.act_gates = Activation(irreps_gates, act_gates)
        gates_out = list(self.act_gates.irreps_out)
        # gate index of every component of the gated features, and output irreps of the gated part
        gidx, gated_out, g = [], [], 0
        gate_signs = [(ir.p, ir.t) for mul, ir in gates_out for _ in range(mul)]
        for mul, ir in irreps_gated:
            for _ in range(mul):
                gidx.extend([g] * ir.dim)
                p, t = gate_signs[g]
                gated_out.append((1, Irrep(ir.l, ir.p * p, ir.t * t)))
                g += 1
        self.register_buffer("_gate_index", torch.as_tensor(gidx, dtype=torch.long))
        self.irreps_out = self.act_scalars.irreps_out + Irreps(gated_out).simplify()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.irreps_in.dim:
            raise ValueError(f"expected last dimension {self.irreps_in.dim}, got {x.shape[-1]}")
        if not self._identity:
            x = x.index_select(-1, self._perm)
        scalars, gates, gated = torch.split(x, self._split, dim=-1)
        scalars = self.act_scalars(scalars)
        if gates.shape[-1] == 0:
            return scalars
        gates = self.act_gates(gates)
        gated = gated * gates.index_select(-1, self._gate_index)
        return torch.cat([scalars, gated], dim=-1)

    def __repr__(self) -> str:
        return f"Gate({self.irreps_in} -> {self.irreps_out})"
