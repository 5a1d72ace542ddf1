"""Point-convolution network (e3nn's gate_points_2101 design): E(3)-equivariant by construction.

Every layer is a convolution over the radius graph with filters ``MLP(basis(|r|)) * cutoff(|r|) * Y(r/|r|)``
(spherical harmonics Y up to ``lmax``), self-interactions through tensor products with the node attributes
(e.g. one-hot species as ``0e``), and a gate non-linearity.  Crystals use the periodic radius graph, so a
primitive cell and any supercell of it give the same per-atom outputs.

Usage::

    net = Network("1x0e+1x1e", "16x0e+16x0o+8x1o+8x1e+4x2e+4x2o", "1x1o", irreps_node_attr="3x0e", lmax=2,
                  layers=2, max_radius=4.5, num_neighbors=20.0)
    x = torch.zeros(n, 4, dtype=torch.float64, requires_grad=True)      # learnable input features
    out = net({"pos": pos, "lattice": lattice, "x": x, "z": onehot})    # [n, 3] per atom (1x1o)
    out.pow(2).sum().backward()                                          # x.grad: gradient wrt the inputs

    # fixed geometry (training loops): graph + edge features once, reused at every step
    cache = net.precompute({"pos": pos, "lattice": lattice})  # edge_src, edge_dst, edge_shift, edge_attr, ...
    net.set_num_neighbors(len(cache["edge_src"]) / n)         # optional: normalise by the actual mean degree
    out = net({"pos": pos, "x": x, "z": onehot, **cache})

Data keys: ``pos`` [N, 3]; ``lattice`` [3, 3] (rows = lattice vectors) or [B, 3, 3] with ``batch`` (periodic;
absent = molecule); ``x`` [N, irreps_in.dim] (absent if ``irreps_in`` is None: x = 1); ``z`` [N,
irreps_node_attr.dim] (absent if ``irreps_node_attr`` is None: z = 1); ``batch`` [N] structure index (for
pooling and for graphs of several structures); optional cached ``edge_src, edge_dst, edge_shift`` (Cartesian
lattice translation of the receiving image) and ``edge_attr, edge_embedding`` (only valid while ``pos`` is
unchanged; leave them out to differentiate with respect to ``pos``).  Messages flow from ``edge_src`` to
``edge_dst`` along ``pos[dst] + shift - pos[src]``.  Small networks train fastest on one thread on a busy
machine (see :func:`symcompile.nn.torch_threads`).
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Union

import torch

from ..o3 import Irrep, Irreps
from .gate import Gate
from .graph import periodic_radius_graph, radius_graph
from .radial import RadialBasis, RadialMLP, smooth_cutoff
from .tensor_product import FullyConnectedTensorProduct, TensorProduct, path_allowed

__all__ = ["Convolution", "Network", "scatter_sum"]


def scatter_sum(src: torch.Tensor, index: torch.Tensor, dim_size: int) -> torch.Tensor:
    """``out[index[e]] += src[e]`` along the first dimension."""
    out = src.new_zeros((dim_size,) + src.shape[1:])
    return out.index_add(0, index, src)


def _path_exists(irreps_in1: Irreps, irreps_in2: Irreps, ir_out: Irrep) -> bool:
    return any(path_allowed(ir1, ir2, ir_out) for _, ir1 in irreps_in1 for _, ir2 in irreps_in2)


class Convolution(torch.nn.Module):
    """One equivariant point convolution (e3nn gate_points_2101 ``Convolution``).

    ``out = cos(pi/8) lin2(sum_neighbours tp(lin1(x)[src], edge_attr; w(r)) / sqrt(num_neighbors)) + sin(pi/8) sc(x)``
    where ``sc``, ``lin1``, ``lin2`` are fully connected tensor products with the node attributes and ``tp``
    is a channel-wise ('uvu') tensor product with the edge attributes whose per-edge weights come from a radial
    MLP of the edge-length embedding.
    """

    def __init__(
        self,
        irreps_in: Any,
        irreps_node_attr: Any,
        irreps_edge_attr: Any,
        irreps_out: Any,
        number_of_basis: int,
        radial_layers: int,
        radial_neurons: int,
        num_neighbors: float,
    ) -> None:
        super().__init__()
        self.irreps_in = Irreps(irreps_in)
        self.irreps_node_attr = Irreps(irreps_node_attr)
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.irreps_out = Irreps(irreps_out)
        self.num_neighbors = float(num_neighbors)

        self.sc = FullyConnectedTensorProduct(self.irreps_in, self.irreps_node_attr, self.irreps_out)
        self.lin1 = FullyConnectedTensorProduct(self.irreps_in, self.irreps_node_attr, self.irreps_in)

        mid, instructions = [], []
        for i, (mul, ir_in) in enumerate(self.irreps_in):
            for j, (_, ir_edge) in enumerate(self.irreps_edge_attr):
                for ir_out in ir_in * ir_edge:
                    if ir_out in self.irreps_out:
                        instructions.append((i, j, len(mid), "uvu", True))
                        mid.append((mul, ir_out))
        sorted_mid = Irreps(mid).sort()
        irreps_mid = sorted_mid.irreps
        instructions = [(i1, i2, sorted_mid.p[io], mode, w) for i1, i2, io, mode, w in instructions]
        self.tp = TensorProduct(
            self.irreps_in,
            self.irreps_edge_attr,
            irreps_mid,
            instructions,
            internal_weights=False,
            shared_weights=False,
        )
        self.fc = RadialMLP([number_of_basis] + radial_layers * [radial_neurons] + [self.tp.weight_numel])
        # simplified: merging equal consecutive irreps gives the same map (same normalisation), fewer blocks
        self.lin2 = FullyConnectedTensorProduct(irreps_mid.simplify(), self.irreps_node_attr, self.irreps_out)
        # fused messages: the edge tensor product in its path layout, weights expanded in the radial MLP's last
        # layer, and the permutation back to the irreps layout folded into lin2 (see TensorProduct.path_layout)
        self.fused = self.tp.path_layout_available
        if self.fused:
            out_from_path, weight_of_path = self.tp.path_layout()
            self.register_buffer("_weight_of_path", weight_of_path)
            self.lin2.set_input1_order(out_from_path)
        c_s, c_x = math.sin(math.pi / 8), math.cos(math.pi / 8)
        mask = self.sc.output_mask
        self.register_buffer("_c_x", (1 - mask) + c_x * mask)
        self.c_s = c_s

    def forward(
        self,
        node_input: torch.Tensor,
        node_attr: torch.Tensor,
        edge_src: torch.Tensor,
        edge_dst: torch.Tensor,
        edge_attr: torch.Tensor,
        edge_embedding: torch.Tensor,
    ) -> torch.Tensor:
        s = self.sc(node_input, node_attr)
        x = self.lin1(node_input, node_attr)
        x_src = x.index_select(0, edge_src)
        if self.fused:
            edge_features = self.tp.forward_paths(x_src, edge_attr) * self.fc(edge_embedding, self._weight_of_path)
        else:
            edge_features = self.tp(x_src, edge_attr, self.fc(edge_embedding))
        x = scatter_sum(edge_features, edge_dst, x.shape[0]) * self.num_neighbors**-0.5
        x = self.lin2(x, node_attr)
        return self.c_s * s + self._c_x.to(x.dtype) * x


class _Layer(torch.nn.Module):
    def __init__(self, conv: Convolution, gate: Optional[Gate]) -> None:
        super().__init__()
        self.conv = conv
        self.gate = gate

    def forward(self, *args: torch.Tensor) -> torch.Tensor:
        x = self.conv(*args)
        return x if self.gate is None else self.gate(x)


class Network(torch.nn.Module):
    """Equivariant point-convolution network for molecules and crystals.

    Parameters
    ----------
    irreps_in : irreps of the node input features ``x``, or None (then every node gets ``x = 1`` as ``0e``).
    irreps_hidden : irreps of the hidden features (only irreps reachable from the input are used).
    irreps_out : irreps of the output features.
    irreps_node_attr : irreps of the node attributes ``z`` (default ``"0e"``: a constant 1 per node).
    lmax : int, degree of the spherical harmonics of the edge filters; or an Irreps (edge attribute irreps).
    layers : number of gated convolution layers (one more, ungated, convolution produces the output).
    max_radius : cutoff radius of the graph (same length unit as ``pos``).
    number_of_basis : gaussians in the edge-length embedding.
    radial_neurons, radial_layers : width and depth of the radial MLP.
    num_neighbors : typical number of neighbours within ``max_radius`` (messages are divided by its sqrt).
    pool_nodes : return one output per structure (sum over its atoms / sqrt(num_nodes), or the mean with
        ``pool="mean"``) instead of one per atom.  ``reduce_output`` is an alias (e3nn's name).
    irreps_edge_attr : overrides ``lmax`` (e3nn's parameter).

    ``forward(data)`` takes a dict with ``pos [N, 3]``; optional ``lattice`` ([3, 3] lattice vectors as rows,
    or [B, 3, 3] with ``batch``) for periodic structures; ``x [N, irreps_in.dim]`` (may require grad);
    ``z [N, irreps_node_attr.dim]``; ``batch [N]`` (structure index of each atom); and optionally a
    precomputed graph ``edge_src, edge_dst, edge_shift`` (see :meth:`precompute`), plus ``edge_attr`` and
    ``edge_embedding`` when the positions are fixed.  Returns ``[N, irreps_out.dim]`` or, pooled,
    ``[B, irreps_out.dim]``.
    """

    def __init__(
        self,
        irreps_in: Any,
        irreps_hidden: Any,
        irreps_out: Any,
        irreps_node_attr: Any = None,
        lmax: Union[int, Any] = 2,
        layers: int = 2,
        max_radius: float = 3.0,
        number_of_basis: int = 10,
        radial_neurons: int = 16,
        num_neighbors: float = 10.0,
        pool_nodes: bool = False,
        *,
        radial_layers: int = 1,
        num_nodes: float = 1.0,
        pool: str = "sum",
        irreps_edge_attr: Any = None,
        reduce_output: Optional[bool] = None,
    ) -> None:
        super().__init__()
        if reduce_output is not None:
            pool_nodes = bool(reduce_output)
        if pool not in ("sum", "mean"):
            raise ValueError("pool must be 'sum' or 'mean'")
        if irreps_edge_attr is None:
            if isinstance(lmax, (int,)) and not isinstance(lmax, bool):
                irreps_edge_attr = Irreps.spherical_harmonics(int(lmax))
            else:
                irreps_edge_attr = Irreps(lmax)
        self.irreps_edge_attr = Irreps(irreps_edge_attr)
        self.lmax = self.irreps_edge_attr.lmax
        self.max_radius = float(max_radius)
        self.number_of_basis = int(number_of_basis)
        self.num_neighbors = float(num_neighbors)
        self.num_nodes = float(num_nodes)
        self.pool_nodes = bool(pool_nodes)
        self.pool = pool
        self.irreps_in = Irreps(irreps_in) if irreps_in is not None else None
        self.irreps_hidden = Irreps(irreps_hidden)
        self.irreps_out = Irreps(irreps_out)
        self.irreps_node_attr = Irreps(irreps_node_attr) if irreps_node_attr is not None else Irreps("0e")
        self.input_has_node_attr = irreps_node_attr is not None
        self.radial = RadialBasis(self.max_radius, self.number_of_basis, "gaussian")

        # activations: any on invariant scalars (0e), odd ones on scalars that change sign (0o, 0e', 0o')
        def act(ir: Irrep) -> Any:
            return torch.nn.functional.silu if ir.is_scalar() else torch.tanh

        def act_gate(ir: Irrep) -> Any:
            return torch.sigmoid if ir.is_scalar() else torch.tanh

        irreps = self.irreps_in if self.irreps_in is not None else Irreps("0e")
        mods: List[_Layer] = []
        for _ in range(layers):
            ea = self.irreps_edge_attr
            scalars = Irreps([(m, ir) for m, ir in self.irreps_hidden if ir.l == 0 and _path_exists(irreps, ea, ir)])
            gated = Irreps([(m, ir) for m, ir in self.irreps_hidden if ir.l > 0 and _path_exists(irreps, ea, ir)])
            ir_gate = next((Irrep(g) for g in ("0e", "0o", "0e'", "0o'") if _path_exists(irreps, ea, Irrep(g))),
                           Irrep("0e"))
            gates = Irreps([(m, ir_gate) for m, _ in gated])
            gate = Gate(scalars, [act(ir) for _, ir in scalars], gates, [act_gate(ir) for _, ir in gates], gated)
            conv = Convolution(
                irreps,
                self.irreps_node_attr,
                ea,
                gate.irreps_in,
                number_of_basis,
                radial_layers,
                radial_neurons,
                num_neighbors,
            )
            irreps = gate.irreps_out
            mods.append(_Layer(conv, gate))
        conv = Convolution(
            irreps,
            self.irreps_node_attr,
            self.irreps_edge_attr,
            self.irreps_out,
            number_of_basis,
            radial_layers,
            radial_neurons,
            num_neighbors,
        )
        mods.append(_Layer(conv, None))
        self.layers = torch.nn.ModuleList(mods)

    def set_num_neighbors(self, num_neighbors: float) -> None:
        """Change the message normalisation (e.g. to the mean degree of the graph actually used)."""
        self.num_neighbors = float(num_neighbors)
        for layer in self.layers:
            layer.conv.num_neighbors = self.num_neighbors

    # ------------------------------------------------------------------ graph
    def graph(self, data: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Radius graph of ``data`` (periodic when ``lattice`` is given): ``edge_src, edge_dst, edge_shift``."""
        pos = data["pos"]
        batch = data.get("batch")
        if data.get("lattice") is not None:
            g = periodic_radius_graph(pos, data["lattice"], self.max_radius, batch)
        else:
            g = radius_graph(pos, self.max_radius, batch)
        return {"edge_src": g.edge_src, "edge_dst": g.edge_dst, "edge_shift": g.edge_shift.detach()}

    def edge_features(
        self, data: Dict[str, torch.Tensor], edges: Dict[str, torch.Tensor]
    ) -> Dict[str, torch.Tensor]:
        """Edge attributes ``cutoff(r) Y(r_hat)`` and edge-length embedding for the given graph."""
        from ..o3 import spherical_harmonics

        pos = data["pos"]
        src, dst = edges["edge_src"], edges["edge_dst"]
        edge_vec = pos[dst] - pos[src] + edges["edge_shift"].to(pos.dtype)
        length = edge_vec.norm(dim=1)
        sh = spherical_harmonics(self.irreps_edge_attr, edge_vec, normalize=True)
        edge_attr = smooth_cutoff(length / self.max_radius)[:, None] * sh
        return {"edge_attr": edge_attr, "edge_embedding": self.radial(length)}

    def precompute(self, data: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Graph and edge features of a fixed geometry, to pass back in ``data`` at every call (detached)."""
        with torch.no_grad():
            edges = self.graph(data)
            feats = self.edge_features(data, edges)
        return {**edges, **{k: v.detach() for k, v in feats.items()}}

    # ---------------------------------------------------------------- forward
    def forward(self, data: Dict[str, torch.Tensor]) -> torch.Tensor:
        pos = data["pos"]
        n = pos.shape[0]
        batch = data.get("batch")
        if "edge_src" in data:
            edges = {k: data[k] for k in ("edge_src", "edge_dst", "edge_shift")}
        else:
            edges = self.graph(data)
        if "edge_attr" in data and "edge_embedding" in data:
            edge_attr, edge_embedding = data["edge_attr"], data["edge_embedding"]
        else:
            feats = self.edge_features(data, edges)
            edge_attr, edge_embedding = feats["edge_attr"], feats["edge_embedding"]

        x = _node_input(data, "x", "node features", self.irreps_in, pos)
        z = _node_input(data, "z", "node attributes",
                        self.irreps_node_attr if self.input_has_node_attr else None, pos)
        dtype = pos.dtype
        x, z = x.to(dtype), z.to(dtype)

        src, dst = edges["edge_src"], edges["edge_dst"]
        for layer in self.layers:
            x = layer(x, z, src, dst, edge_attr, edge_embedding)

        if not self.pool_nodes:
            return x
        if batch is None:
            batch = torch.zeros(n, dtype=torch.long, device=pos.device)
        nb = int(batch.max()) + 1 if n else 0
        out = scatter_sum(x, batch, nb)
        if self.pool == "mean":
            count = scatter_sum(torch.ones_like(batch, dtype=dtype)[:, None], batch, nb)
            return out / count
        return out * self.num_nodes**-0.5


def _node_input(data: dict, key: str, what: str, irreps: Irreps | None, pos: torch.Tensor) -> torch.Tensor:
    """The per-node input ``data[key]`` checked against ``irreps``; ones (a 0e scalar) when not used."""
    n = pos.shape[0]
    if irreps is None:
        return pos.new_ones(n, 1)
    if key not in data:
        raise ValueError(f"this network needs {what} {key} of irreps {irreps}")
    value = data[key]
    if value.shape != (n, irreps.dim):
        raise ValueError(f"{key} must have shape [{n}, {irreps.dim}], got {tuple(value.shape)}")
    return value
