"""The point-convolution network: E(3) equivariance (rotations, inversion, translations), permutations,
periodic images (primitive cell = supercell), batching, cached graphs, and e3nn's gate_points_2101 as oracle."""

from __future__ import annotations

import math

import pytest
import torch
from nn_helpers import D, e3nn_weights_to_ours, random_o3

from symcompile.nn import Network
from symcompile.o3 import Irreps

IRREPS_IN = "2x0e+1x0o+1x1o+1x1e"
IRREPS_OUT = "1x0e+1x0o+1x1o+1x1e+1x2e"
HIDDEN = "6x0e+4x0o+3x1o+3x1e+2x2e+2x2o"


def _net(pooled: bool = False, **kw) -> Network:
    torch.manual_seed(0)
    args = {"irreps_node_attr": "2x0e", "lmax": 2, "layers": 2, "max_radius": 2.6, "num_neighbors": 8.0,
            "pool_nodes": pooled}
    args.update(kw)
    return Network(IRREPS_IN, HIDDEN, IRREPS_OUT, **args)


def _molecule(n: int = 9, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    pos = torch.randn(n, 3, generator=g) * 1.2
    x = torch.randn(n, Irreps(IRREPS_IN).dim, generator=g)
    z = torch.nn.functional.one_hot(torch.randint(0, 2, (n,), generator=g), 2).double()
    return pos, x, z


def _crystal(seed: int = 0):
    """A skewed 3-atom cell, smaller than the cutoff in one direction."""
    lat = torch.tensor([[2.2, 0.0, 0.0], [0.9, 2.0, 0.0], [0.3, -0.4, 2.4]])
    g = torch.Generator().manual_seed(seed)
    frac = torch.rand(3, 3, generator=g)
    x = torch.randn(3, Irreps(IRREPS_IN).dim, generator=g)
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    return frac @ lat, lat, x, z


def test_molecule_equivariance_rotation_inversion_translation() -> None:
    net = _net()
    pos, x, z = _molecule()
    out = net({"pos": pos, "x": x, "z": z})
    assert out.shape == (9, Irreps(IRREPS_OUT).dim)
    assert float(out.detach().abs().max()) > 1e-3  # not trivially zero
    t = torch.tensor([0.3, -1.2, 2.0])
    for seed in range(2):
        for R in random_o3(seed):
            Rt = torch.as_tensor(R)
            out2 = net({"pos": pos @ Rt.T + t, "x": x @ D(IRREPS_IN, R).T, "z": z})
            torch.testing.assert_close(out2, out @ D(IRREPS_OUT, R).T, atol=1e-10, rtol=0)


def test_permutation_invariance() -> None:
    net = _net()
    pos, x, z = _molecule()
    out = net({"pos": pos, "x": x, "z": z})
    perm = torch.randperm(9, generator=torch.Generator().manual_seed(1))
    out2 = net({"pos": pos[perm], "x": x[perm], "z": z[perm]})
    torch.testing.assert_close(out2, out[perm], atol=1e-12, rtol=0)


def test_crystal_equivariance_and_lattice_translations() -> None:
    net = _net()
    pos, lat, x, z = _crystal()
    out = net({"pos": pos, "lattice": lat, "x": x, "z": z})
    assert float(out.detach().abs().max()) > 1e-3
    # moving an atom by a lattice vector changes nothing
    shifted = pos.clone()
    shifted[1] += lat[0] - 2 * lat[2]
    torch.testing.assert_close(net({"pos": shifted, "lattice": lat, "x": x, "z": z}), out, atol=1e-12, rtol=0)
    perm = torch.tensor([2, 0, 1])
    permuted = net({"pos": pos[perm], "lattice": lat, "x": x[perm], "z": z[perm]})
    torch.testing.assert_close(permuted, out[perm], atol=1e-12, rtol=0)
    t = torch.tensor([1.7, 0.2, -0.9])
    for R in random_o3(3):
        Rt = torch.as_tensor(R)
        out2 = net({"pos": pos @ Rt.T + t, "lattice": lat @ Rt.T, "x": x @ D(IRREPS_IN, R).T, "z": z})
        torch.testing.assert_close(out2, out @ D(IRREPS_OUT, R).T, atol=1e-10, rtol=0)


def test_primitive_cell_equals_supercell() -> None:
    net = _net()
    pos, lat, x, z = _crystal(seed=4)
    out = net({"pos": pos, "lattice": lat, "x": x, "z": z})
    shifts = torch.tensor([[i, j, k] for i in range(2) for j in range(2) for k in range(2)], dtype=torch.float64)
    big_pos = (pos[None] + (shifts @ lat)[:, None]).reshape(-1, 3)
    big_lat = lat * 2
    big = net({"pos": big_pos, "lattice": big_lat, "x": x.repeat(8, 1), "z": z.repeat(8, 1)})
    torch.testing.assert_close(big, out.repeat(8, 1), atol=1e-12, rtol=0)
    mean = _net(pooled=True, pool="mean")
    torch.testing.assert_close(
        mean({"pos": big_pos, "lattice": big_lat, "x": x.repeat(8, 1), "z": z.repeat(8, 1)}),
        mean({"pos": pos, "lattice": lat, "x": x, "z": z}),
        atol=1e-12,
        rtol=0,
    )


def test_batch_pooling_and_cached_graph_and_input_gradient() -> None:
    net = _net(pooled=True, num_nodes=4.0)
    p1, x1, z1 = _molecule(5, seed=1)
    p2, x2, z2 = _molecule(7, seed=2)
    batch = torch.tensor([0] * 5 + [1] * 7)
    both = net({"pos": torch.cat([p1, p2 + 100.0]), "x": torch.cat([x1, x2]), "z": torch.cat([z1, z2]),
                "batch": batch})
    assert both.shape == (2, Irreps(IRREPS_OUT).dim)
    torch.testing.assert_close(both[0], net({"pos": p1, "x": x1, "z": z1})[0], atol=1e-12, rtol=0)
    torch.testing.assert_close(both[1], net({"pos": p2, "x": x2, "z": z2})[0], atol=1e-12, rtol=0)
    # periodic batch with one lattice per structure
    pos, lat, x, z = _crystal()
    lats = torch.stack([lat, lat * 1.1])
    out = net({"pos": torch.cat([pos, pos * 1.1]), "lattice": lats, "x": x.repeat(2, 1), "z": z.repeat(2, 1),
               "batch": torch.tensor([0, 0, 0, 1, 1, 1])})
    torch.testing.assert_close(out[1], net({"pos": pos * 1.1, "lattice": lat * 1.1, "x": x, "z": z})[0])
    # precomputed graph and edge features: same output; gradient with respect to the input features
    data = {"pos": pos, "lattice": lat, "z": z}
    cache = net.precompute(data)
    xg = x.clone().requires_grad_()
    y1 = net({**data, "x": xg, **cache})
    y2 = net({**data, "x": x})
    torch.testing.assert_close(y1, y2, atol=1e-13, rtol=0)
    (g,) = torch.autograd.grad(y1.pow(2).sum(), xg)
    assert g.shape == x.shape and float(g.abs().max()) > 0
    edges_only = {k: cache[k] for k in ("edge_src", "edge_dst", "edge_shift")}
    torch.testing.assert_close(net({**data, "x": x, **edges_only}), y2, atol=1e-13, rtol=0)


def test_defaults_without_features_or_attributes() -> None:
    torch.manual_seed(0)
    net = Network(None, "4x0e+2x1o", "1x1o", lmax=1, layers=1, max_radius=3.0)
    pos, _, _ = _molecule()
    out = net({"pos": pos})
    R = random_o3(5)[0]
    torch.testing.assert_close(net({"pos": pos @ torch.as_tensor(R).T}), out @ torch.as_tensor(R).T, atol=1e-10, rtol=0)
    with pytest.raises(ValueError):
        _net()({"pos": pos, "z": torch.ones(9, 2)})  # x missing


# ------------------------------------------------------------------------------------------ e3nn as oracle
def _copy_e3nn_into_ours(theirs, ours) -> None:
    """Same weights and the same activation constants (e3nn estimates them by Monte Carlo)."""
    from e3nn.nn import Gate as E3Gate

    ours_layers = list(ours.layers)
    theirs_layers = list(theirs.layers)
    assert len(ours_layers) == len(theirs_layers)
    with torch.no_grad():
        for lo, lt in zip(ours_layers, theirs_layers):
            ct = lt.first if hasattr(lt, "first") else lt
            co = lo.conv
            co.sc.weight.copy_(e3nn_weights_to_ours(co.sc, ct.sc.weight))
            co.lin1.weight.copy_(e3nn_weights_to_ours(co.lin1, ct.lin1.weight))
            for k, w in enumerate(co.fc.weights):
                w.copy_(getattr(ct.fc, f"layer{k}").weight)
            # the radial MLP's outputs are the edge product's weights: same per-path sign map
            co.fc.weights[-1].copy_(e3nn_weights_to_ours(co.tp, co.fc.weights[-1]))
            co.fc.act.cst = ct.fc.layer0.act.cst
            co.lin2.weight.copy_(e3nn_weights_to_ours(co.lin2, _merged_lin2_weight(ct.lin2, co.lin2)))
            if hasattr(lt, "second"):
                gt: E3Gate = lt.second
                for a_o, a_t in zip(lo.gate.act_scalars.acts, gt.act_scalars.acts):
                    a_o.cst = a_t.cst
                for a_o, a_t in zip(lo.gate.act_gates.acts, gt.act_gates.acts):
                    a_o.cst = a_t.cst


def _merged_lin2_weight(lin_t, lin_o) -> torch.Tensor:
    """e3nn's lin2 acts on the unsimplified middle irreps; ours on the simplified ones (same map)."""
    groups, cur = [], None
    for b, (_, ir) in enumerate(lin_t.irreps_in1):
        if cur is not None and ir == cur[0]:
            cur[1].append(b)
        else:
            cur = (ir, [b])
            groups.append(cur)
    w_t, pos = {}, 0
    for ins in lin_t.instructions:
        n = math.prod(ins.path_shape)
        w_t[(ins.i_in1, ins.i_in2, ins.i_out)] = lin_t.weight[pos : pos + n].view(ins.path_shape)
        pos += n
    parts = []
    for ins in lin_o.instructions:
        blocks = groups[ins.i_in1][1]
        parts.append(torch.cat([w_t[(b, ins.i_in2, ins.i_out)] for b in blocks], dim=0).reshape(-1))
    return torch.cat(parts)


def test_network_equals_e3nn_gate_points_2101() -> None:
    from e3nn import o3 as e3o3
    from e3nn.math import soft_one_hot_linspace
    from e3nn.nn.models.gate_points_2101 import Network as E3Network
    from e3nn.nn.models.gate_points_2101 import smooth_cutoff

    class E3OnGraph(E3Network):
        """e3nn's network fed with our (periodic) graph; same edge vectors as ours."""

        def forward(self, data):
            src, dst = data["edge_src"], data["edge_dst"]
            vec = data["pos"][dst] - data["pos"][src] + data["edge_shift"]
            sh = e3o3.spherical_harmonics(self.irreps_edge_attr, vec, True, normalization="component")
            length = vec.norm(dim=1)
            emb = soft_one_hot_linspace(length, 0.0, self.max_radius, self.number_of_basis, basis="gaussian",
                                        cutoff=False).mul(self.number_of_basis**0.5)
            attr = smooth_cutoff(length / self.max_radius)[:, None] * sh
            x = data["x"]
            for lay in self.layers:
                x = lay(x, data["z"], src, dst, attr, emb)
            return x

    torch.manual_seed(0)
    theirs = E3OnGraph(IRREPS_IN, HIDDEN, IRREPS_OUT, "2x0e", "0e+1o+2e", layers=2, max_radius=2.6,
                       number_of_basis=10, radial_layers=1, radial_neurons=16, num_neighbors=8.0, num_nodes=1.0,
                       reduce_output=False)
    ours = _net(radial_neurons=16, number_of_basis=10)
    _copy_e3nn_into_ours(theirs, ours)
    pos, lat, x, z = _crystal(seed=7)
    data = {"pos": pos, "lattice": lat, "x": x, "z": z}
    data.update(ours.graph(data))
    y_o, y_t = ours(data), theirs(data)
    assert float(y_t.detach().abs().max()) > 1e-3
    torch.testing.assert_close(y_o, y_t, atol=1e-11, rtol=1e-9)


def test_graphs_without_edges_and_empty_irreps() -> None:
    net = _net()
    pos, x, z = _molecule(3)
    far = {"pos": pos * 100.0, "x": x, "z": z}  # no neighbours within the cutoff: self-interaction only
    out = net(far)
    R = random_o3(6)[0]
    rotated = {"pos": far["pos"] @ torch.as_tensor(R).T, "x": x @ D(IRREPS_IN, R).T, "z": z}
    torch.testing.assert_close(net(rotated), out @ D(IRREPS_OUT, R).T, atol=1e-10, rtol=0)
    one = net({"pos": pos[:1], "x": x[:1], "z": z[:1]})
    torch.testing.assert_close(one, out[:1], atol=1e-12, rtol=0)
    # hidden irreps that the input cannot reach leave an empty gate: still a valid (constant) network
    empty = Network(None, "4x1e", "0e", lmax=1, layers=1, max_radius=2.0)
    assert empty({"pos": pos}).shape == (3, 1)
