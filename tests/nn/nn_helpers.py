"""Shared helpers of the nn tests: random O(3) elements and their representation matrices (torch, float64)."""

from __future__ import annotations

from typing import Any, List

import numpy as np
import torch

from symcompile.o3 import Irreps, rand_matrix


def random_o3(seed: int) -> List[np.ndarray]:
    """A random rotation, its composition with inversion, and the inversion itself."""
    R = rand_matrix(rng=seed)
    return [R, -R, -np.eye(3)]


def D(irreps: Any, R: np.ndarray) -> torch.Tensor:
    """Block-diagonal representation of the O(3) matrix R on ``irreps`` (torch float64)."""
    return torch.as_tensor(Irreps(irreps).D_from_matrix(R), dtype=torch.float64)


def rand_features(irreps: Any, n: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, Irreps(irreps).dim, generator=g, dtype=torch.float64)


def sign_3j(l1: int, l2: int, l3: int) -> float:
    """+1 or -1: our wigner_3j(l1, l2, l3) is this sign times e3nn's (the o3 helper documents +1 everywhere)."""
    from e3nn import o3 as e3o3

    from symcompile.o3 import wigner_3j

    ours = torch.as_tensor(np.asarray(wigner_3j(l1, l2, l3)), dtype=torch.float64)
    theirs = e3o3.wigner_3j(l1, l2, l3).to(torch.float64)
    s = float(torch.sign((ours * theirs).sum()))
    assert torch.allclose(ours, s * theirs, atol=1e-12), (l1, l2, l3)
    return s


def e3nn_weights_to_ours(tp: Any, weight: torch.Tensor) -> torch.Tensor:
    """Weights (last dim: one chunk per instruction, e3nn layout) giving our product the same map as e3nn's."""
    chunks, pos = [], 0
    for ins in tp.instructions:
        if not ins.has_weight:
            continue
        n = int(np.prod(ins.path_shape))
        ls = (tp.irreps_in1[ins.i_in1].ir.l, tp.irreps_in2[ins.i_in2].ir.l, tp.irreps_out[ins.i_out].ir.l)
        chunks.append(weight[..., pos : pos + n] * sign_3j(*ls))
        pos += n
    return torch.cat(chunks, dim=-1) if chunks else weight
