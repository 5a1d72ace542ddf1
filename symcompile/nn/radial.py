"""Radial part of the convolution filters: a basis of the edge length, a smooth cutoff, and a small MLP.

Filters are ``MLP(basis(r)) * cutoff(r / r_max) * Y(r_hat)``; the cutoff goes to zero with zero slope at
``r_max``, so that atoms entering or leaving the cutoff sphere change the output continuously (and smoothly).
The MLP uses normalised activations and weights scaled by 1/sqrt(fan_in) (e3nn's FullyConnectedNet
convention), so its outputs have unit second moment at initialisation.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

import torch

from .activations import normalize2mom

__all__ = ["RadialBasis", "RadialMLP", "bessel_basis", "polynomial_cutoff", "smooth_cutoff", "soft_one_hot_linspace"]


def soft_one_hot_linspace(x: torch.Tensor, start: float, end: float, number: int) -> torch.Tensor:
    """Gaussians of width ``step`` centred on ``linspace(start, end, number)``: shape ``(..., number)``.

    Scaled (by 1/1.12, like e3nn's ``basis='gaussian', cutoff=False``) so that the sum of squares is about 1.
    """
    values = torch.linspace(start, end, number, dtype=x.dtype, device=x.device)
    step = (end - start) / (number - 1) if number > 1 else (end - start)
    diff = (x[..., None] - values) / step
    return diff.pow(2).neg().exp().div(1.12)


def bessel_basis(x: torch.Tensor, r_max: float, number: int) -> torch.Tensor:
    """sqrt(2/r_max) sin(n pi x / r_max) / x, n = 1..number (DimeNet); finite at x = 0."""
    n = torch.arange(1, number + 1, dtype=x.dtype, device=x.device) * math.pi / r_max
    x = x[..., None]
    safe = torch.where(x.abs() < 1e-12, torch.ones_like(x), x)
    val = torch.sin(n * safe) / safe
    val = torch.where(x.abs() < 1e-12, n.expand_as(val), val)
    return math.sqrt(2.0 / r_max) * val


def smooth_cutoff(u: torch.Tensor) -> torch.Tensor:
    """Cosine step: 1 for u <= 1/2, (1 - cos(2 pi (u - 1))) / 2 on [1/2, 1], 0 for u >= 1.

    ``u = r / r_max``.  Continuous with continuous first derivative (e3nn's gate_points_2101 cutoff).
    """
    v = 2.0 * (u - 1.0)
    y = (1.0 - torch.cos(math.pi * v)) / 2.0
    y = torch.where(v > 0, torch.zeros_like(y), y)
    return torch.where(v < -1, torch.ones_like(y), y)


def polynomial_cutoff(u: torch.Tensor, p: int = 6) -> torch.Tensor:
    """DimeNet polynomial envelope: 1 at u = 0, reaches 0 at u = 1 with two vanishing derivatives, 0 beyond."""
    y = (
        1.0
        - (p + 1.0) * (p + 2.0) / 2.0 * u.pow(p)
        + p * (p + 2.0) * u.pow(p + 1)
        - p * (p + 1.0) / 2.0 * u.pow(p + 2)
    )
    return torch.where(u < 1.0, y, torch.zeros_like(y))


class RadialBasis(torch.nn.Module):
    """Edge length -> ``number`` basis values (gaussian or bessel), times ``sqrt(number)`` for gaussians.

    The smooth cutoff is not applied here (the network applies it to the edge attributes, as e3nn does);
    use ``with_cutoff=True`` to multiply the basis by it.
    """

    def __init__(self, r_max: float, number: int = 10, basis: str = "gaussian", with_cutoff: bool = False) -> None:
        super().__init__()
        if basis not in ("gaussian", "bessel"):
            raise ValueError(f"unknown radial basis {basis!r} (gaussian or bessel)")
        if number < 1:
            raise ValueError("number of basis functions must be >= 1")
        self.r_max = float(r_max)
        self.number = int(number)
        self.basis = basis
        self.with_cutoff = with_cutoff

    def forward(self, r: torch.Tensor) -> torch.Tensor:
        if self.basis == "gaussian":
            y = soft_one_hot_linspace(r, 0.0, self.r_max, self.number) * self.number**0.5
        else:
            y = bessel_basis(r, self.r_max, self.number)
        if self.with_cutoff:
            y = y * smooth_cutoff(r / self.r_max)[..., None]
        return y


class RadialMLP(torch.nn.Module):
    """Fully connected net ``hs[0] -> hs[1] -> ... -> hs[-1]``, activation between layers, none at the end.

    Weights are standard normal and divided by sqrt(fan_in) in the forward pass; the activation is normalised
    to unit second moment, so that unit-variance inputs give unit-variance outputs (like e3nn's
    ``FullyConnectedNet``; no biases).
    """

    def __init__(
        self, hs: Sequence[int], act: Optional[Callable[[torch.Tensor], torch.Tensor]] = torch.nn.functional.silu
    ) -> None:
        super().__init__()
        self.hs = [int(h) for h in hs]
        if len(self.hs) < 2:
            raise ValueError("RadialMLP needs at least an input and an output size")
        self.act = normalize2mom(act)
        self.weights = torch.nn.ParameterList(
            [torch.nn.Parameter(torch.randn(h1, h2)) for h1, h2 in zip(self.hs, self.hs[1:])]
        )

    def forward(self, x: torch.Tensor, out_index: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``out_index`` (optional) selects/repeats output columns: same as ``forward(x)[:, out_index]``, cheaper."""
        n = len(self.weights)
        for i, w in enumerate(self.weights):
            if i == n - 1 and out_index is not None:
                w = w.index_select(1, out_index)
            x = x @ (w * w.shape[0] ** -0.5)
            if i < n - 1 and self.act is not None:
                x = self.act(x)
        return x

    def __repr__(self) -> str:
        return f"RadialMLP{self.hs}"
