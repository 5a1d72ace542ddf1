"""Time reversal in the engine: time-odd irreps (``1e'``), their selection rules, and networks that respect them.

The group is O(3) x {1, 1'}: time reversal 1' commutes with space and acts on an irrep by its time
parity t. Checked independently of our selection rules: the representation matrices are built by
hand (t times the O(3) matrix), and the network is tested as a function (its output under a
flipped input), not by reading its paths.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from nn_helpers import D, random_o3

from symcompile.nn import FullyConnectedTensorProduct, Gate, Linear, Network
from symcompile.o3 import Irrep, Irreps


def time_reversal(irreps: str) -> torch.Tensor:
    """The matrix of pure time reversal 1' on ``irreps``: -1 on the time-odd components, +1 elsewhere."""
    signs = [ir.t for mul, ir in Irreps(irreps) for _ in range(mul * ir.dim)]
    return torch.diag(torch.tensor(signs, dtype=torch.float64))


def test_notation_order_and_products() -> None:
    ir = Irrep("1e'")
    assert (ir.l, ir.p, ir.t, str(ir)) == (1, 1, -1, "1e'")
    assert ir == Irrep(1, 1, -1) == Irrep((1, 1, -1)) == Irrep("1e\u2032")
    assert Irrep("1e").t == 1 and tuple(Irrep("1e")) == (1, 1)  # time-even irreps are e3nn's pairs
    assert ir != Irrep("1e") and hash(ir) != hash(Irrep("1e"))
    assert sorted([Irrep("1e'"), Irrep("1o"), Irrep("1e"), Irrep("0e'")]) == [Irrep(s) for s in ("0e'", "1o", "1e", "1e'")]
    assert [str(x) for x in Irrep("1e'") * Irrep("1e'")] == ["0e", "1e", "2e"]
    assert [str(x) for x in Irrep("1e'") * Irrep("1o")] == ["0o'", "1o'", "2o'"]
    irreps = Irreps("2x1e'+0e+1x2o'")
    assert str(irreps) == "2x1e'+1x0e+1x2o'" and irreps.dim == 12 and Irreps(str(irreps)) == irreps
    assert irreps.count("1e'") == 2 and "1e" not in irreps and not Irrep("0e'").is_scalar()


def test_representation_with_time_reversal() -> None:
    R = random_o3(3)[1]  # improper
    for name in ("1e'", "2o'", "0e'"):
        ir = Irrep(name)
        even = Irrep(ir.l, ir.p)
        np.testing.assert_allclose(ir.D_from_matrix(R), even.D_from_matrix(R), atol=1e-14)
        np.testing.assert_allclose(ir.D_from_matrix(R, -1), -even.D_from_matrix(R), atol=1e-14)
    stack = np.stack([R, R])
    both = Irreps("1e+1e'").D_from_matrix(stack, [1, -1])
    np.testing.assert_allclose(both[0], Irreps("1e+1e").D_from_matrix(R), atol=1e-14)
    np.testing.assert_allclose(both[1][3:, 3:], -Irrep("1e").D_from_matrix(R), atol=1e-14)


def test_no_path_from_time_even_to_time_odd() -> None:
    tp = FullyConnectedTensorProduct("2x0e+1x1o+1x1e", "0e+1o+2e", "1e'+0e'")
    assert tp.weight_numel == 0
    x, y = torch.randn(5, tp.irreps_in1.dim), torch.randn(5, tp.irreps_in2.dim)
    assert torch.count_nonzero(tp(x, y)) == 0
    tp = FullyConnectedTensorProduct("1e'", "1o", "0o'+2o'+1e")
    assert tp.weight_numel == 2  # 1e' x 1o -> 0o' and 2o'; never the time-even 1e


def test_linear_and_gate_respect_time_parity() -> None:
    with pytest.raises(ValueError):
        Linear("0e'", "0e'", biases=[True])
    assert not any(Linear("0e+0e'", "0e+0e'", biases=True).biases[1:])
    gate = Gate("2x0e+1x0e'", [torch.relu, torch.tanh], "1x0e'", [torch.tanh], "1x1o")
    assert str(gate.irreps_out) == "2x0e+1x0e'+1x1o'"
    with pytest.raises(ValueError):  # relu is neither even nor odd: not allowed on 0e'
        Gate("0e'", [torch.relu], "", [], "")
    x = torch.randn(4, gate.irreps_in.dim)
    T_in, T_out = time_reversal(str(gate.irreps_in)), time_reversal(str(gate.irreps_out))
    assert torch.allclose(gate(x @ T_in.T), gate(x) @ T_out.T, atol=1e-12)


IN, HIDDEN, OUT = "1x0e+1x1e'", "4x0e+4x0o+4x0e'+4x0o'+2x1o+2x1e+2x1o'+2x1e'+2x2e+2x2e'", "1x0e+1x1e'+1x2o'+1x0e'"


def _network(irreps_in: str = IN, pooled: bool = True) -> Network:
    torch.manual_seed(1)
    return Network(irreps_in, HIDDEN, OUT, irreps_node_attr="2x0e", lmax=2, layers=2, max_radius=3.0,
                   num_neighbors=4.0, pool_nodes=pooled)


def _molecule(n: int = 7, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    pos = torch.randn(n, 3, generator=g)
    x = torch.randn(n, Irreps(IN).dim, generator=g)
    z = torch.nn.functional.one_hot(torch.randint(0, 2, (n,), generator=g), 2).double()
    return pos, x, z


@pytest.mark.parametrize("seed", [0, 1])
def test_network_is_equivariant_under_rotations_inversion_and_time_reversal(seed: int) -> None:
    net = _network(pooled=False)
    pos, x, z = _molecule(seed=seed)
    out = net({"pos": pos, "x": x, "z": z})
    T_in, T_out = time_reversal(IN), time_reversal(OUT)
    assert torch.allclose(net({"pos": pos, "x": x @ T_in.T, "z": z}), out @ T_out.T, atol=1e-10)
    for R in random_o3(seed):
        Rt = torch.as_tensor(R)
        moved = net({"pos": pos @ Rt.T, "x": x @ D(IN, R).T @ T_in.T, "z": z})
        assert torch.allclose(moved, out @ D(OUT, R).T @ T_out.T, atol=1e-10)


def test_time_even_inputs_give_exactly_zero_time_odd_outputs() -> None:
    """Curie's principle for time reversal: nothing time-odd comes out of time-even inputs."""
    net = _network("1x0e+1x1e", pooled=True)
    pos, _, z = _molecule()
    x = torch.randn(len(pos), 4)
    out = net({"pos": pos, "x": x, "z": z})[0]
    odd = torch.tensor([ir.t == -1 for mul, ir in Irreps(OUT) for _ in range(mul * ir.dim)])
    assert torch.all(out[odd] == 0.0)  # exactly: no path exists, not merely small
    assert torch.count_nonzero(out[~odd]) == int((~odd).sum())
