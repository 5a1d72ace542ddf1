"""Tensor products against e3nn 0.6 (same weights -> same outputs and gradients), equivariance, normalisation.

Weights are copied with the per-path sign of our wigner_3j relative to e3nn's (the o3 helper documents
the same signs, so the flips are all +1 today); every evaluation strategy ("dense", "uvu", "blocks") must
give the same map.
"""

from __future__ import annotations

import pytest
import torch
from e3nn import o3 as e3o3
from nn_helpers import D, e3nn_weights_to_ours, rand_features, random_o3

from symcompile.nn import FullyConnectedTensorProduct, TensorProduct
from symcompile.o3 import Irreps

STRATEGIES = ["dense", "uvu", "blocks"]

FCTP_CASES = [
    ("16x0e+16x1o+16x2e", "0e+1o+2e", "16x0e+16x1o+16x2e"),
    ("3x0e+2x1o+1x1e+2x2o", "2x0e+1o+2x1e+2e", "4x0e+3x0o+2x1o+2x1e+2x2e+3x2o+3e"),
    ("2x0o+3x1e+1x3o", "3x0e", "2x0o+3x1e+1x3o+2x0e"),  # node attributes: species one-hot
]


def _uvu_instructions(irreps_in: str, irreps_edge: str):
    mid, ins = [], []
    for i, (mul, ir) in enumerate(Irreps(irreps_in)):
        for j, (_, ir2) in enumerate(Irreps(irreps_edge)):
            for ir3 in ir * ir2:
                ins.append((i, j, len(mid), "uvu", True))
                mid.append((mul, str(ir3)))
    return mid, ins


def _compare(ours, theirs, inputs, strategy, external_weight: bool = False):
    """Same outputs and gradients; an external weight input (last) is sign-mapped for ours (an involution)."""
    ours.strategy = strategy
    a = [t.clone().requires_grad_() for t in inputs]
    b = [t.clone().requires_grad_() for t in inputs]
    a_in = a[:-1] + [e3nn_weights_to_ours(ours, a[-1])] if external_weight else a
    y1, y2 = ours(*a_in), theirs(*b)
    torch.testing.assert_close(y1, y2, atol=1e-12, rtol=1e-10)
    g = torch.randn_like(y1)
    (y1 * g).sum().backward()
    (y2 * g).sum().backward()
    for p, q in zip(a, b):
        torch.testing.assert_close(p.grad, q.grad, atol=1e-12, rtol=1e-10)
    if getattr(ours, "weight", None) is not None and ours.weight.numel():
        torch.testing.assert_close(
            e3nn_weights_to_ours(ours, ours.weight.grad), theirs.weight.grad, atol=1e-11, rtol=1e-10
        )
        ours.weight.grad = None


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("irreps", FCTP_CASES)
def test_fully_connected_equals_e3nn(irreps, strategy) -> None:
    theirs = e3o3.FullyConnectedTensorProduct(*irreps)
    ours = FullyConnectedTensorProduct(*irreps)
    assert ours.weight_numel == theirs.weight_numel
    with torch.no_grad():
        ours.weight.copy_(e3nn_weights_to_ours(ours, theirs.weight))
    x1 = rand_features(irreps[0], 11, seed=1)
    x2 = rand_features(irreps[1], 11, seed=2)
    _compare(ours, theirs, [x1, x2], strategy)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_uvu_with_per_edge_weights_equals_e3nn(strategy) -> None:
    irreps_in, irreps_edge = "4x0e+3x1o+2x2e+1x1e", "0e+1o+2e"
    mid, ins = _uvu_instructions(irreps_in, irreps_edge)
    theirs = e3o3.TensorProduct(irreps_in, irreps_edge, mid, ins, internal_weights=False, shared_weights=False)
    ours = TensorProduct(irreps_in, irreps_edge, mid, ins, internal_weights=False, shared_weights=False)
    assert ours.weight_numel == theirs.weight_numel
    inputs = [rand_features(irreps_in, 9, 3), rand_features(irreps_edge, 9, 4), torch.randn(9, ours.weight_numel)]
    _compare(ours, theirs, inputs, strategy, external_weight=True)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_other_instruction_sets_equal_e3nn(strategy) -> None:
    # shared uvu with an output block that no path reaches
    mid, ins = _uvu_instructions("4x0e+3x1o+2x2e", "0e+1o+2e")
    out = mid + [(5, "3o")]
    theirs = e3o3.TensorProduct("4x0e+3x1o+2x2e", "0e+1o+2e", out, ins)
    ours = TensorProduct("4x0e+3x1o+2x2e", "0e+1o+2e", out, ins)
    with torch.no_grad():
        ours.weight.copy_(e3nn_weights_to_ours(ours, theirs.weight))
    _compare(ours, theirs, [rand_features("4x0e+3x1o+2x2e", 6, 5), rand_features("0e+1o+2e", 6, 6)], strategy)
    # unweighted uvu with multiplicity on input 2, and a mix of uvw / uvu paths into the same outputs
    mixed = [(0, 0, 0, "uvw", True), (0, 1, 1, "uvu", True), (1, 1, 0, "uvw", True), (1, 0, 1, "uvu", True),
             (0, 1, 1, "uvu", False)]
    theirs = e3o3.TensorProduct("3x0e+3x1o", "2x0e+2x1o", "4x0e+3x1o", mixed)
    ours = TensorProduct("3x0e+3x1o", "2x0e+2x1o", "4x0e+3x1o", mixed)
    with torch.no_grad():
        ours.weight.copy_(e3nn_weights_to_ours(ours, theirs.weight))
    _compare(ours, theirs, [rand_features("3x0e+3x1o", 7, 7), rand_features("2x0e+2x1o", 7, 8)], strategy)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_tensor_product_equivariance_o3(strategy) -> None:
    torch.manual_seed(0)
    a, b, c = "2x0e+2x0o+2x1o+2x1e+1x2e+1x3o", "0e+1o+2e+1e", "3x0e+3x0o+2x1o+2x1e+2x2e+2x2o+3o"
    tp = FullyConnectedTensorProduct(a, b, c)
    tp.strategy = strategy
    mid, ins = _uvu_instructions(a, "0e+1o+2e")
    conv = TensorProduct(a, "0e+1o+2e", mid, ins, internal_weights=False, shared_weights=False)
    conv.strategy = strategy
    x1, x2 = rand_features(a, 5, 1), rand_features(b, 5, 2)
    sh = rand_features("0e+1o+2e", 5, 3)
    w = torch.randn(5, conv.weight_numel)
    for seed in range(3):
        for R in random_o3(seed):
            y = tp(x1 @ D(a, R).T, x2 @ D(b, R).T)
            torch.testing.assert_close(y, tp(x1, x2) @ D(c, R).T, atol=1e-10, rtol=0)
            y = conv(x1 @ D(a, R).T, sh @ D("0e+1o+2e", R).T, w)
            torch.testing.assert_close(y, conv(x1, sh, w) @ D(Irreps(mid), R).T, atol=1e-10, rtol=0)


def test_output_has_unit_variance() -> None:
    torch.manual_seed(0)
    tp = FullyConnectedTensorProduct("16x0e+16x1o+16x2e", "0e+1o+2e", "16x0e+16x1o+16x2e")
    with torch.no_grad():
        y = tp(torch.randn(4000, tp.irreps_in1.dim), torch.randn(4000, tp.irreps_in2.dim))
    for sl in Irreps("16x0e+16x1o+16x2e").slices():
        assert 0.7 < float(y[:, sl].pow(2).mean()) < 1.4


def test_broadcasting_dtype_and_errors() -> None:
    tp = FullyConnectedTensorProduct("2x0e+1x1o", "1o", "1x1o+1x0e")
    x1 = torch.randn(2, 3, 5)
    x2 = torch.randn(3)
    y = tp(x1, x2)
    assert y.shape == (2, 3, 4)
    torch.testing.assert_close(y[1, 2], tp(x1[1, 2], x2))
    assert tp(x1.float(), x2.float()).dtype == torch.float32
    with pytest.raises(ValueError):
        tp(torch.randn(4), x2)
    with pytest.raises(ValueError):
        TensorProduct("1o", "1o", "1o", [(0, 0, 0, "uvw", True)])  # 1o x 1o has no 1o
    with pytest.raises(NotImplementedError):
        TensorProduct("1o", "1o", "1e", [(0, 0, 0, "uuu", True)])
    ext = FullyConnectedTensorProduct("1o", "1o", "0e", shared_weights=False)
    with pytest.raises(ValueError):
        ext(torch.randn(2, 3), torch.randn(2, 3))
    assert ext(torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, ext.weight_numel)).shape == (2, 1)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_input1_order_and_path_layout(strategy) -> None:
    torch.manual_seed(1)
    a, edge = "3x0e+2x0o+2x1o+1x1e+1x2e", "0e+1o+2e"
    mid, ins = _uvu_instructions(a, edge)
    conv = TensorProduct(a, edge, mid, ins, internal_weights=False, shared_weights=False)
    x1, x2 = rand_features(a, 6, 1), rand_features(edge, 6, 2)
    w = torch.randn(6, conv.weight_numel)
    out_from_path, weight_of_path = conv.path_layout()
    fused = (conv.forward_paths(x1, x2) * w[:, weight_of_path])[:, out_from_path]
    torch.testing.assert_close(fused, conv(x1, x2, w), atol=1e-13, rtol=0)
    # a product that reads its first input in a permuted layout
    lin = FullyConnectedTensorProduct(Irreps(mid).sort().irreps.simplify(), "2x0e", "2x0e+1x1o+1x2e")
    lin.strategy = strategy
    y = rand_features(Irreps(mid), 6, 3)
    z = rand_features("2x0e", 6, 4)
    ref = lin(y, z)
    perm = torch.randperm(y.shape[1], generator=torch.Generator().manual_seed(5))
    shuffled = torch.empty_like(y)
    shuffled[:, perm] = y  # the true input is shuffled[:, perm]
    lin.set_input1_order(perm)
    torch.testing.assert_close(lin(shuffled, z), ref, atol=1e-13, rtol=0)
    lin.set_input1_order(None)
    torch.testing.assert_close(lin(y, z), ref, atol=1e-13, rtol=0)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_first_and_second_derivatives(strategy) -> None:
    torch.manual_seed(2)
    tp = FullyConnectedTensorProduct("1x0e+1x1o+1x2e", "0e+1o", "1x0e+1x1o+1x2e+1x1e")
    tp.strategy = strategy
    x1 = rand_features(tp.irreps_in1, 2, 1).requires_grad_()
    x2 = rand_features(tp.irreps_in2, 2, 2).requires_grad_()
    assert torch.autograd.gradcheck(tp, (x1, x2), fast_mode=True)
    assert torch.autograd.gradgradcheck(tp, (x1, x2), fast_mode=True)
    mid, ins = _uvu_instructions("1x0e+1x1o+1x2e", "0e+1o")
    conv = TensorProduct("1x0e+1x1o+1x2e", "0e+1o", mid, ins, internal_weights=False, shared_weights=False)
    conv.strategy = strategy
    w = torch.randn(2, conv.weight_numel, requires_grad=True)
    assert torch.autograd.gradcheck(conv, (x1, x2, w), fast_mode=True)
    assert torch.autograd.gradgradcheck(conv, (x1, x2, w), fast_mode=True)
