"""Normalised scalar activations: phi(x) * c with c chosen so that E[(c phi(z))^2] = 1 for z ~ N(0, 1).

With unit-variance inputs the output keeps unit second moment, so deep stacks neither blow up nor vanish
(the convention of e3nn's ``normalize2mom``).  The moment is computed by Gauss-Hermite quadrature, so the
constant is deterministic.  ``parity_of`` tells whether an activation is even (+1), odd (-1) or neither (0),
which decides what it may be applied to: odd scalars (``0o``) need an even or odd activation.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import torch

__all__ = ["NormalizedActivation", "normalize2mom", "parity_of", "second_moment"]


def second_moment(f: Callable[[torch.Tensor], torch.Tensor]) -> float:
    """E[f(z)^2] for z standard normal (Gauss-Hermite quadrature, 200 nodes, float64)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(200)
    weights = weights / weights.sum()
    with torch.no_grad():
        values = f(torch.as_tensor(nodes, dtype=torch.float64))
    return float((values.double().pow(2) * torch.as_tensor(weights)).sum())


def parity_of(f: Callable[[torch.Tensor], torch.Tensor]) -> int:
    """+1 if f is even, -1 if odd, 0 otherwise (tested numerically on [0, 10])."""
    x = torch.linspace(0.0, 10.0, 257, dtype=torch.float64)
    with torch.no_grad():
        a, b = f(x), f(-x)
    if (a - b).abs().max() < 1e-9:
        return 1
    if (a + b).abs().max() < 1e-9:
        return -1
    return 0


class NormalizedActivation(torch.nn.Module):
    """``c * f(x)`` with ``E[(c f(z))^2] = 1`` for standard normal z (c = 1 if already normalised)."""

    def __init__(self, f: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        if isinstance(f, NormalizedActivation):
            f = f.f
        self.f = f
        c = second_moment(f) ** -0.5
        self.cst = 1.0 if abs(c - 1.0) < 1e-4 else c
        self.parity = parity_of(f)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.f(x)
        return y if self.cst == 1.0 else y * self.cst

    def __repr__(self) -> str:
        name = getattr(self.f, "__name__", self.f.__class__.__name__)
        return f"NormalizedActivation({name}, c={self.cst:.4f})"


def normalize2mom(f: Optional[Callable[[torch.Tensor], torch.Tensor]]) -> Optional[NormalizedActivation]:
    """None stays None; anything else is wrapped in :class:`NormalizedActivation`."""
    return None if f is None else NormalizedActivation(f)
