"""Training: an equivariant network maps the parent plus learnable per-atom features to the
displacements of the child; the features it needs are the order parameter.

Features start at zero (the output is then exactly zero for any weights) and are trained
together with the weights from the first step. The feature optimiser must commute with the
group: plain SGD does, and so does Adam with a single second-moment scalar for the whole
feature tensor (per-component Adam does not: its first steps are ~sign(gradient)). Sparsity
comes from group soft-thresholding (one group per atom and irrep, weight (1+L)^2) applied as a
proximal step, with lambda set relative to the largest block gradient at zero. Training stops
once the fit is good and the features have exactly the child's symmetry.

The network sees the species (one-hot, as node attributes and fixed 0e inputs), the features,
and their per-atom products x (x) x: without the products a gated network of pseudovector
features is odd in them and cannot make the even-order (e.g. trilinear tilt-tilt-A-site)
couplings of real distortions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from symcompile.nn import FullyConnectedTensorProduct, Network, periodic_radius_graph
from symcompile.o3 import Irreps
from symcompile.order_params.decorate import invariant_mask
from symcompile.structures.neighbours import nearest_neighbour_distances
from symcompile.order_params.parent import ParentMatch


@dataclass
class TrainSettings:
    steps: int = 200  # at most, per run
    seed: int = 0
    lr_features: float = 0.05
    lr_weights: float = 0.05
    sparsity: float = 0.1  # lambda as a fraction of the largest weighted block gradient at zero
    fit_tolerance: float = 1e-2  # relative loss |out - d|^2 / |d|^2 that counts as a good fit
    hidden: str = "8x0e+8x0o+4x1o+4x1e+2x2e+2x2o"
    layers: int = 1
    radius: float | None = None  # Å; default: 1.2 x the largest nearest-neighbour distance
    quadratic: str | None = "2x0e+2x1e+2x2e"  # per-atom x (x) x products fed in as well


@dataclass
class TrainResult:
    features: np.ndarray  # (N, dim), exact zeros where the proximal step removed them
    loss_initial: float
    loss_final: float
    steps: int
    converged: bool  # good fit with exactly the child's group
    history: list[float] = field(default_factory=list)
    gradient_at_zero: np.ndarray | None = None  # (N, dim) d loss / d features at features = 0
    radius: float = 0.0


def default_radius(match: ParentMatch) -> float:
    """1.2 x the largest nearest-neighbour distance of the parent: every atom sees its first shell."""
    return float(1.2 * nearest_neighbour_distances(match.parent).max())


def group_weights(irreps: Irreps) -> np.ndarray:
    """(1 + L)^2 per irrep block."""
    return np.array([(1 + ir.l) ** 2 for mul, ir in irreps for _ in range(mul)], dtype=np.float64)


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
    """The network on one parent geometry: species, features and their squares in, displacements out."""

    def __init__(self, match: ParentMatch, irreps: Irreps, settings: TrainSettings) -> None:
        super().__init__()
        dtype = torch.float64
        torch.manual_seed(settings.seed)
        kinds = sorted(set(match.child.species))
        n = match.child.num_atoms
        z = torch.zeros(n, len(kinds), dtype=dtype)
        z[torch.arange(n), torch.tensor([kinds.index(s) for s in match.child.species])] = 1.0
        self.register_buffer("z", z)
        self.register_buffer("target", torch.tensor(match.displacements, dtype=dtype))
        self.norm = float((self.target**2).sum())
        self.radius = settings.radius or default_radius(match)
        irreps_in = Irreps(f"{len(kinds)}x0e") + irreps
        self.square = None
        if settings.quadratic:
            self.square = FullyConnectedTensorProduct(irreps, irreps, settings.quadratic).to(dtype)
            irreps_in = irreps_in + Irreps(settings.quadratic)
        pos = torch.tensor(match.parent.cart_coords, dtype=dtype)
        lattice = torch.tensor(match.parent.lattice, dtype=dtype)
        edges = periodic_radius_graph(pos, lattice, self.radius).edge_src.numel()
        self.net = Network(irreps_in, settings.hidden, "1o", irreps_node_attr=f"{len(kinds)}x0e", lmax=2,
                           layers=settings.layers, max_radius=self.radius, number_of_basis=8, radial_neurons=16,
                           num_neighbors=max(1.0, edges / n)).to(dtype)
        self.cache = self.net.precompute({"pos": pos, "lattice": lattice})  # fixed geometry: graph once
        self.cache["pos"] = pos
        self.initial = {k: v.clone() for k, v in self.state_dict().items()}

    def reset(self) -> None:
        """Back to the seeded initial weights (one network serves several runs)."""
        self.load_state_dict(self.initial)

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


def _block_norms(x: torch.Tensor, slices: list[slice]) -> torch.Tensor:
    """(N, n_blocks) norms of every (atom, irrep) group."""
    return torch.stack([x[:, sl].norm(dim=1) for sl in slices], dim=1)


def build_model(match: ParentMatch, irreps: Irreps, settings: TrainSettings) -> Model:
    with one_thread():
        return Model(match, irreps, settings)


def train(model: Model, match: ParentMatch, irreps: Irreps, D: np.ndarray, settings: TrainSettings,
          free: np.ndarray | None = None, progress: Callable[[int, int], None] | None = None) -> TrainResult:
    """Fit features (only where ``free`` (N, dim) is True) and weights from the seeded start."""
    with one_thread():
        return _train(model, match, irreps, D, settings, free, progress)


def _train(model: Model, match: ParentMatch, irreps: Irreps, D: np.ndarray, settings: TrainSettings,
           free: np.ndarray | None, progress: Callable[[int, int], None] | None) -> TrainResult:
    dtype = torch.float64
    model.reset()
    n = match.child.num_atoms
    slices = irreps.slices()
    block_weight = torch.tensor(group_weights(irreps), dtype=dtype)
    mask = torch.ones(n, irreps.dim, dtype=dtype) if free is None else torch.tensor(free, dtype=dtype)
    x = torch.zeros(n, irreps.dim, dtype=dtype, requires_grad=True)
    opt_w = Adam(list(model.parameters()), lr=settings.lr_weights)
    m1 = torch.zeros_like(x)
    v2 = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-12
    lam = 0.0
    history: list[float] = []
    grad0: np.ndarray | None = None
    converged = False
    for step in range(1, settings.steps + 1):
        loss = model.loss(x * mask)
        history.append(float(loss.detach()))
        if progress is not None:
            progress(step, settings.steps)
        if history[-1] < settings.fit_tolerance:
            feats = (x * mask).detach().numpy()
            if np.any(feats) and np.array_equal(invariant_mask(feats, D, match.ops), match.child_mask):
                converged = True
                break
        if step == settings.steps:
            break
        opt_w.zero_grad()
        x.grad = None
        loss.backward()
        g = x.grad.detach() * mask
        if grad0 is None:
            grad0 = g.numpy().copy()
            lam = settings.sparsity * float((_block_norms(g, slices) / block_weight).max())
        opt_w.step()
        with torch.no_grad():
            # Adam with one second-moment scalar for the whole feature tensor: commutes with the group
            m1.mul_(beta1).add_(g, alpha=1 - beta1)
            v2 = beta2 * v2 + (1 - beta2) * float((g**2).mean())
            eta = settings.lr_features / ((v2 / (1 - beta2**step)) ** 0.5 + eps)
            x -= eta * m1 / (1 - beta1**step)
            if lam > 0:  # proximal step of the group penalty lam * sum (1+L)^2 |x_atom,irrep|
                shrink = torch.clamp(1 - eta * lam * block_weight / _block_norms(x, slices).clamp_min(1e-300),
                                     min=0.0)
                for b, sl in enumerate(slices):
                    x[:, sl] *= shrink[:, b:b + 1]
            x *= mask
    return TrainResult(features=(x * mask).detach().numpy().copy(), loss_initial=history[0],
                       loss_final=history[-1], steps=len(history), converged=converged, history=history,
                       gradient_at_zero=grad0, radius=model.radius)
