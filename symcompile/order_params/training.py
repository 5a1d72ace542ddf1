"""Training: an equivariant network maps the parent plus learnable per-atom features on one
carrier block to the child's displacements; the features it needs are the order parameter.

Features start at zero (the output is then exactly zero for any weights: the parent has no
displacement) and train together with the weights from the first step. The feature optimiser
commutes with the group (Adam with one second-moment scalar for the whole feature tensor;
per-component Adam does not: its first steps are ~sign(gradient)), so the features keep the
symmetry of the gradient, the child's. The network sees the species (one-hot), the features
and their per-atom products x (x) x (a gated network of pseudovector features alone is odd in
them and cannot make the even couplings of real distortions). Training stops once the
relative loss is below the fit tolerance and the features have exactly the child's symmetry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from symcompile.nn import FullyConnectedTensorProduct, Network, periodic_radius_graph
from symcompile.o3 import Irrep, Irreps
from symcompile.structures.neighbours import nearest_neighbour_distances
from symcompile.structures.structure import Structure


@dataclass
class TrainSettings:
    steps: int = 200  # at most, per run
    seed: int = 0
    lr_features: float = 0.05
    lr_weights: float = 0.05
    fit_tolerance: float = 1e-2  # relative loss |out - d|^2 / |d|^2 that counts as a fit
    hidden: str = "8x0e+8x0o+4x1o+4x1e+2x2e+2x2o"
    layers: int = 1
    radius: float | None = None  # Å; default: 1.2 x the largest nearest-neighbour distance
    quadratic: str | None = "2x0e+2x1e+2x2e"  # per-atom x (x) x products fed in as well


@dataclass
class TrainResult:
    features: np.ndarray  # (N, d)
    loss_initial: float
    loss_final: float
    steps: int
    fitted: bool  # relative loss below the tolerance with exactly the child's symmetry
    history: list[float] = field(default_factory=list)
    radius: float = 0.0


def default_radius(parent: Structure) -> float:
    """1.2 x the largest nearest-neighbour distance of the parent: every atom sees its first shell."""
    return float(1.2 * nearest_neighbour_distances(parent).max())


def carrier_radius(parent: Structure, targets: np.ndarray, atoms: np.ndarray, irrep: Irrep,
                   cap: float = 2.5) -> float:
    """The radius of the network for features on ``atoms``: every atom that moves sees a carrier
    atom (one layer passes features only from neighbours; a polar vector 1o on a moving carrier
    maps to its own displacement directly), and the carriers and the moving atoms see their first
    shell (1.2 x their nearest-neighbour distance). At most ``cap`` times that shell radius.

    Linear in the number of atoms: neighbours by a hash grid, the radius doubled until every
    moving atom is reached.
    """
    from symcompile.structures.neighbours import (
        nearest_neighbour_distances,
        periodic_index,
    )

    nearest = nearest_neighbour_distances(parent)
    scale = float(np.abs(targets).max()) if targets.size else 0.0
    moving = np.linalg.norm(targets, axis=1) > 1e-6 * max(scale, 1e-300)
    base = 1.2 * float(nearest[np.union1d(atoms, np.flatnonzero(moving)).astype(int)].max())
    if str(irrep) == "1o":
        moving[atoms] = False
    need = np.flatnonzero(moving)
    if len(need) == 0:
        return base
    points = (parent.frac_coords[need] % 1.0) @ parent.lattice
    radius = base
    while True:
        index, _ = periodic_index(parent.lattice, parent.frac_coords[atoms], radius)
        qi, pi = index.candidates(points)
        d = np.linalg.norm(index.points[pi] - points[qi], axis=1)
        ok = (d > 1e-8) & (d <= radius)
        reach = np.full(len(need), np.inf)
        np.minimum.at(reach, qi[ok], d[ok])
        if np.all(np.isfinite(reach)):
            return float(min(max(base, 1.02 * reach.max()), cap * base))
        if radius >= cap * base:
            return cap * base
        radius = min(2 * radius, cap * base)


@contextmanager
def one_thread() -> Iterator[None]:
    """These graphs are small (tens of atoms): extra torch threads only spin."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class Model(torch.nn.Module):
    """The network on one parent geometry: species, features and their products in, displacements out."""

    def __init__(self, parent: Structure, targets: np.ndarray, irrep: Irrep, settings: TrainSettings) -> None:
        super().__init__()
        dtype = torch.float64
        torch.manual_seed(settings.seed)
        kinds = sorted(set(parent.species))
        n = parent.num_atoms
        z = torch.zeros(n, len(kinds), dtype=dtype)
        z[torch.arange(n), torch.tensor([kinds.index(s) for s in parent.species])] = 1.0
        self.register_buffer("z", z)
        self.register_buffer("target", torch.tensor(targets, dtype=dtype))
        self.norm = float((self.target**2).sum())
        self.radius = settings.radius or default_radius(parent)
        irreps = Irreps(str(irrep))
        irreps_in = Irreps(f"{len(kinds)}x0e") + irreps
        self.square = None
        if settings.quadratic:
            # x (x) x of one irrep holds even irreps up to 2L only
            products = Irreps([(mul, ir) for mul, ir in Irreps(settings.quadratic) if ir.p == 1 and ir.l <= 2 * irrep.l])
            if products.dim:
                self.square = FullyConnectedTensorProduct(irreps, irreps, products).to(dtype)
                irreps_in = irreps_in + products
        pos = torch.tensor(parent.cart_coords, dtype=dtype)
        lattice = torch.tensor(parent.lattice, dtype=dtype)
        edges = periodic_radius_graph(pos, lattice, self.radius).edge_src.numel()
        self.net = Network(irreps_in, settings.hidden, "1o", irreps_node_attr=f"{len(kinds)}x0e", lmax=2,
                           layers=settings.layers, max_radius=self.radius, number_of_basis=8, radial_neurons=16,
                           num_neighbors=max(1.0, edges / n)).to(dtype)
        self.cache = self.net.precompute({"pos": pos, "lattice": lattice})  # fixed geometry: graph once
        self.cache["pos"] = pos

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        parts = [self.z, features]
        if self.square is not None:
            parts.append(self.square(features, features))
        return self.net({"x": torch.cat(parts, dim=1), "z": self.z, **self.cache})

    def loss(self, features: torch.Tensor) -> torch.Tensor:
        """|out - d|^2 / |d|^2: 1 at features = 0."""
        return ((self(features) - self.target) ** 2).sum() / self.norm


class Adam:
    """Adam for the weights, as torch.optim.Adam computes it (constructing a torch.optim optimiser
    imports torch._dynamo, 1.5 s of start-up for a 1 s job)."""

    def __init__(self, params: list[torch.Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.addcdiv_(m, (v.sqrt() / c2**0.5).add_(self.eps), value=-self.lr / c1)


def fit(parent: Structure, targets: np.ndarray, irrep: Irrep, atoms: np.ndarray, settings: TrainSettings,
        symmetric: Callable[[np.ndarray], bool], progress: Callable[[int, int], None] | None = None) -> TrainResult:
    """Train features of ``irrep`` on ``atoms`` (zero elsewhere) and the weights, from the seeded start.

    ``symmetric(features)`` says whether a decoration has exactly the child's symmetry (the stop
    criterion together with the fit tolerance).
    """
    with one_thread():
        if settings.radius is None:
            settings = replace(settings, radius=carrier_radius(parent, targets, atoms, irrep))
        model = Model(parent, targets, irrep, settings)
        return _train(model, irrep, atoms, settings, symmetric, progress)


def _train(model: Model, irrep: Irrep, atoms: np.ndarray, settings: TrainSettings,
           symmetric: Callable[[np.ndarray], bool], progress: Callable[[int, int], None] | None) -> TrainResult:
    dtype = torch.float64
    n = model.z.shape[0]
    mask = torch.zeros(n, irrep.dim, dtype=dtype)
    mask[torch.as_tensor(atoms, dtype=torch.long)] = 1.0
    x = torch.zeros(n, irrep.dim, dtype=dtype, requires_grad=True)
    opt_w = Adam(list(model.parameters()), lr=settings.lr_weights)
    m1 = torch.zeros_like(x)
    v2 = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-12
    history: list[float] = []
    fitted = False
    for step in range(1, settings.steps + 1):
        loss = model.loss(x * mask)
        history.append(float(loss.detach()))
        if progress is not None:
            progress(step, settings.steps)
        if history[-1] < settings.fit_tolerance:
            features = (x * mask).detach().numpy()
            if np.any(features) and symmetric(features):
                fitted = True
                break
        if step == settings.steps:
            break
        opt_w.zero_grad()
        x.grad = None
        loss.backward()
        g = x.grad.detach() * mask
        opt_w.step()
        with torch.no_grad():  # one second-moment scalar for the whole feature tensor: commutes with the group
            m1.mul_(beta1).add_(g, alpha=1 - beta1)
            v2 = beta2 * v2 + (1 - beta2) * float((g**2).mean())
            eta = settings.lr_features / ((v2 / (1 - beta2**step)) ** 0.5 + eps)
            x -= eta * m1 / (1 - beta1**step)
            x *= mask
    return TrainResult(features=(x * mask).detach().numpy().copy(), loss_initial=history[0],
                       loss_final=history[-1], steps=len(history), fitted=fitted, history=history,
                       radius=model.radius)
