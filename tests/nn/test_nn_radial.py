"""Radial basis, cutoff and MLP: smoothness at r_max, normalisation, agreement with e3nn's definitions."""

from __future__ import annotations

import math

import pytest
import torch

from symcompile.nn import (
    RadialBasis,
    RadialMLP,
    bessel_basis,
    polynomial_cutoff,
    smooth_cutoff,
    soft_one_hot_linspace,
)
from symcompile.nn.activations import NormalizedActivation, parity_of, second_moment


@pytest.mark.parametrize("cutoff", [smooth_cutoff, polynomial_cutoff])
def test_cutoff_goes_smoothly_to_zero(cutoff) -> None:
    u = torch.linspace(0.0, 1.5, 3001, requires_grad=True)
    y = cutoff(u)
    (dy,) = torch.autograd.grad(y.sum(), u)
    y, u = y.detach(), u.detach()
    assert abs(float(y[0]) - 1.0) < 1e-12
    assert torch.all(y[u >= 1.0] == 0)
    assert torch.all((y >= -1e-12) & (y <= 1 + 1e-12))
    # value and slope vanish when approaching u = 1 from below
    near = (u > 0.999) & (u < 1.0)
    assert float(y[near].abs().max()) < 1e-5
    assert float(dy[near].abs().max()) < 1e-2
    # continuity: no jumps anywhere on the grid
    assert float((y[1:] - y[:-1]).abs().max()) < 5e-3


def test_smooth_cutoff_equals_e3nn() -> None:
    from e3nn.nn.models.gate_points_2101 import smooth_cutoff as e3nn_cutoff

    u = torch.linspace(0.0, 1.3, 500)
    torch.testing.assert_close(smooth_cutoff(u), e3nn_cutoff(u.clone()), atol=1e-14, rtol=0)


def test_gaussian_basis_equals_e3nn() -> None:
    from e3nn.math import soft_one_hot_linspace as e3nn_basis

    r = torch.linspace(0.0, 4.0, 200)
    ours = soft_one_hot_linspace(r, 0.0, 3.5, 10)
    theirs = e3nn_basis(r, 0.0, 3.5, 10, basis="gaussian", cutoff=False)
    torch.testing.assert_close(ours, theirs, atol=1e-14, rtol=0)
    emb = RadialBasis(3.5, 10)(r)
    torch.testing.assert_close(emb, theirs * math.sqrt(10), atol=1e-13, rtol=0)


def test_bessel_basis_finite_at_zero_and_matches_formula() -> None:
    r = torch.tensor([0.0, 0.3, 1.7])
    b = bessel_basis(r, 2.0, 4)
    n = torch.arange(1, 5) * math.pi / 2.0
    torch.testing.assert_close(b[0], math.sqrt(2 / 2.0) * n)  # sin(n r)/r -> n
    torch.testing.assert_close(b[1:], math.sqrt(2 / 2.0) * torch.sin(n * r[1:, None]) / r[1:, None])
    with_cut = RadialBasis(2.0, 4, basis="bessel", with_cutoff=True)(torch.tensor([2.0, 2.5]))
    assert torch.all(with_cut == 0)


def test_activation_normalisation_by_quadrature() -> None:
    # closed forms: E[z^2] = 1, E[tanh(z)^2] by a fine Riemann sum, E[|z|^2] = 1
    assert abs(second_moment(lambda x: x) - 1.0) < 1e-12
    z = torch.linspace(-12, 12, 200001, dtype=torch.float64)
    pdf = torch.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    ref = float((torch.tanh(z) ** 2 * pdf).sum() * (z[1] - z[0]))
    assert abs(second_moment(torch.tanh) - ref) < 1e-8
    act = NormalizedActivation(torch.tanh)
    assert abs(second_moment(act) - 1.0) < 1e-10
    assert parity_of(torch.tanh) == -1 and parity_of(torch.abs) == 1 and parity_of(torch.sigmoid) == 0


def test_radial_mlp_shape_and_unit_second_moment() -> None:
    torch.manual_seed(0)
    mlp = RadialMLP([10, 64, 64, 200])
    x = torch.randn(4000, 10)
    with torch.no_grad():
        y = mlp(x)
    assert y.shape == (4000, 200)
    assert 0.5 < float(y.pow(2).mean()) < 2.0
