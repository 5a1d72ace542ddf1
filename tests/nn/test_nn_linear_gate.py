"""Linear and Gate against e3nn 0.6 and under O(3) (rotations and inversion: parity rules of the gate)."""

from __future__ import annotations

import pytest
import torch
from e3nn import nn as e3nn_nn
from e3nn import o3 as e3o3
from nn_helpers import D, rand_features, random_o3

from symcompile.nn import Gate, Linear
from symcompile.o3 import Irreps


@pytest.mark.parametrize(
    "irreps_in, irreps_out, biases",
    [
        ("4x0e+3x1o+2x2e", "2x0e+5x1o+1x2e", False),
        ("2x0e+1x0o+3x1o+2x0e+1x1e", "3x0e+2x1o+1x0o+4x0e+2x3o", True),
    ],
)
def test_linear_equals_e3nn(irreps_in: str, irreps_out: str, biases: bool) -> None:
    theirs = e3o3.Linear(irreps_in, irreps_out, biases=biases)
    ours = Linear(irreps_in, irreps_out, biases=biases)
    assert ours.weight_numel == theirs.weight_numel
    with torch.no_grad():
        ours.weight.copy_(theirs.weight)
        if biases:
            assert ours.bias_numel == theirs.bias.numel()
            theirs.bias.normal_()
            ours.bias.copy_(theirs.bias)
    x = rand_features(irreps_in, 7).requires_grad_()
    y1, y2 = ours(x), theirs(x)
    torch.testing.assert_close(y1, y2, atol=1e-13, rtol=1e-12)
    (y1 * y2.detach()).sum().backward()
    (y2 * y2.detach()).sum().backward()
    torch.testing.assert_close(ours.weight.grad, theirs.weight.grad, atol=1e-12, rtol=1e-10)


def test_linear_equivariance_and_bias_rules() -> None:
    a, b = "3x0e+2x0o+2x1o+2x1e+1x2e", "2x0e+1x0o+3x1o+2x1e+2x2e"
    lin = Linear(a, b, biases=True)
    with torch.no_grad():
        lin.bias.normal_()
    x = rand_features(a, 4)
    for R in random_o3(0) + random_o3(1):
        torch.testing.assert_close(lin(x @ D(a, R).T), lin(x) @ D(b, R).T, atol=1e-12, rtol=0)
    with pytest.raises(ValueError):
        Linear("1o", "1o", biases=[True])
    with pytest.raises(ValueError):
        Linear("1o", "1e", instructions=[(0, 0)])


GATE_CASES = [
    # scalars (even and odd), gates (even and odd), gated (all parities)
    ("4x0e+3x0o", [torch.nn.functional.silu, torch.tanh], "2x0e+3x0o", [torch.sigmoid, torch.tanh], "2x1o+1x1e+2x2e"),
    ("2x0o", [torch.abs], "1x0o", [torch.tanh], "1x3o"),  # even activation of 0o gives 0e
    ("3x0e", [torch.nn.functional.gelu], "", [], ""),
]


@pytest.mark.parametrize("case", GATE_CASES)
def test_gate_matches_e3nn_and_is_equivariant(case) -> None:
    ours = Gate(*case)
    theirs = e3nn_nn.Gate(*case)
    assert ours.irreps_in.dim == theirs.irreps_in.dim
    assert str(ours.irreps_in) == str(theirs.irreps_in)
    assert str(ours.irreps_out.simplify()) == str(theirs.irreps_out.simplify())
    x = rand_features(ours.irreps_in, 50)
    # e3nn normalises activations by Monte Carlo (1e6 samples), we by quadrature: same up to ~1e-3
    torch.testing.assert_close(ours(x), theirs(x), atol=0, rtol=5e-3)
    for R in random_o3(2) + random_o3(3):
        torch.testing.assert_close(
            ours(x @ D(ours.irreps_in, R).T), ours(x) @ D(ours.irreps_out, R).T, atol=1e-12, rtol=0
        )


def test_gate_refuses_parity_violation_and_shapes() -> None:
    with pytest.raises(ValueError):
        Gate("2x0o", [torch.sigmoid], "", [], "")  # sigmoid is neither even nor odd
    with pytest.raises(ValueError):
        Gate("", [], "1x0e", [torch.sigmoid], "2x1o")  # one gate for two gated irreps
    with pytest.raises(ValueError):
        Gate("1x1o", [torch.tanh], "", [], "")
    g = Gate("2x0e", [torch.tanh], "1x0o", [torch.tanh], "1x1e")
    assert Irreps(g.irreps_out) == Irreps("2x0e+1x1o")  # 1e times an odd gate is 1o
