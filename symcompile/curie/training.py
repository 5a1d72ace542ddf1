"""Training an equivariant network of our engine on one input -> output pair (the Curie experiment).

The network sees IN's points (one-hot species as 0e attributes, a constant 0e input, optionally
per-point input features such as magnetic moments (``1e'``, odd under time reversal), and
optionally a learnable global input of chosen irreps copied to every point) and outputs per-point
displacements (1o) or a pooled property (its irreps). Time parity is kept like parity: a
time-odd output needs a time-odd input (moments), else no path reaches it and it is exactly zero. Whatever it learns is IN-symmetric, so on an
infeasible map the loss cannot go below the symmetry floor and the prediction is the group average.

Optimiser: L-BFGS with a strong-Wolfe line search, float64, written so that its update commutes
with the group acting on a learnable equivariant input (see :mod:`symcompile.curie.optim`); a
learnable input that starts symmetric keeps every symmetry the target keeps. (Per-component Adam
does not commute: its elementwise 1/sqrt(v) rescaling breaks the symmetry by itself.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from symcompile.curie.optim import InvariantLBFGS
from symcompile.errors import InputError
from symcompile.nn import Network
from symcompile.o3 import Irreps

__all__ = ["TrainConfig", "train_pair", "hidden_irreps", "check_training_memory", "TrainingTooLargeError"]

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class TrainConfig:
    """Network size and optimisation budget (defaults: fast on 2 cores, enough for small geometries)."""

    seed: int = 0
    steps: int = 200  # L-BFGS iterations at most
    lmax: int = 2
    layers: int | None = None  # gated convolutions before the output one (None: 1, or 2 for pseudo-irreps)
    multiplicity: int = 8  # channels of each scalar irrep; half of that for l >= 1
    loss_goal: float = 1e-20  # stop early below this loss
    chunk: int = 5  # L-BFGS iterations between progress updates / convergence checks


def hidden_irreps(lmax: int, mul: int, time_odd: bool = False) -> Irreps:
    """``8x0e+8x0o+4x1o+4x1e+4x2e+4x2o`` style: every irrep up to lmax, both parities (and, with
    ``time_odd``, their time-odd twins ``0e'``, ``1e'``... with as many channels)."""
    parts = [(mul, "0e"), (mul, "0o")]
    for deg in range(1, lmax + 1):
        m = max(1, mul // 2)
        parts += [(m, f"{deg}{'o' if deg % 2 else 'e'}"), (m, f"{deg}{'e' if deg % 2 else 'o'}")]
    if time_odd:
        parts = [x for mul_ir in parts for x in (mul_ir, (mul_ir[0], mul_ir[1] + "'"))]
    return Irreps(parts)


def _layers_needed(irreps_out: Irreps, irreps_in: Irreps) -> int:
    """One gated layer reaches every irrep of natural parity (0e, 1o, 2e...) from scalar inputs; the
    others (0o, 1e, 2o..., e.g. a pseudoscalar, and time-odd ones) need products of two: one more layer."""
    def natural(irreps: Irreps) -> bool:
        return all(ir.p == (-1) ** ir.l and ir.t == 1 for _, ir in irreps)

    return 1 if natural(irreps_out) and natural(irreps_in) else 2


#: Finite geometries up to this many points use the complete graph.
_COMPLETE_GRAPH_MAX = 64

#: Memory that training may take (bytes), and what it takes per edge of the graph: 4.4-5.0 KB measured
#: for a fit, 7.4 KB with the retraining that looks for unblocking inputs (perovskite supercells of
#: 5-320 atoms, float64, lmax 2), on top of ~350 MB for Python and torch.
MAX_TRAINING_BYTES = 8 * 2**30
TRAINING_BYTES_PER_EDGE = 8 * 1024


class TrainingTooLargeError(InputError):
    """Training on this graph would take more than :data:`MAX_TRAINING_BYTES` (checked before it starts)."""


def check_training_memory(points: int, edges: int, radius: float) -> None:
    """Refuse, before training, a graph whose training would exceed :data:`MAX_TRAINING_BYTES`.

    >>> check_training_memory(320, 98_816, 9.75)  # a 4 x 4 x 4 perovskite supercell: ~0.8 GB
    >>> check_training_memory(20_000, 6_000_000, 9.75)
    Traceback (most recent call last):
    ...
    symcompile.curie.training.TrainingTooLargeError: training ... would take about 46 GiB, beyond the 8 GiB budget: ...
    """
    need = edges * TRAINING_BYTES_PER_EDGE
    if need > MAX_TRAINING_BYTES:
        raise TrainingTooLargeError(
            f"training the network on {points} points with {edges} edges (radius {radius:.3g} Å) would take about "
            f"{need / 2**30:.0f} GiB, beyond the {MAX_TRAINING_BYTES / 2**30:.0f} GiB budget: use --no-train "
            "(group theory alone) or a smaller cell")


def _max_radius(pos: np.ndarray, lattice: np.ndarray | None) -> float:
    """Small finite geometries: every pair inside the flat part of the cutoff (complete graph).
    Crystals and large geometries: 2.5 times the shortest distance (periodic images included), inside the
    flat part. Linear in the number of points (a neighbour search, never an N x N array)."""
    from symcompile.structures.neighbours import closest_pair
    from symcompile.structures.structure import Structure

    if lattice is None:
        if len(pos) < 2:
            return 1.0
        if len(pos) <= _COMPLETE_GRAPH_MAX:
            return 2.0 * float(np.linalg.norm(pos[:, None] - pos[None], axis=-1).max()) + 1e-3
        points = Structure.molecule(("X",) * len(pos), pos)
    else:
        points = Structure.from_cartesian(lattice, pos, ("X",) * len(pos))
    found = closest_pair(points)  # for a crystal this includes an atom and its own periodic image
    assert found is not None
    return 2.0 * 2.5 * found[2]


def train_pair(
    positions: np.ndarray,
    species: tuple[str, ...],
    target: np.ndarray,
    irreps_out: Irreps,
    *,
    lattice: np.ndarray | None = None,
    pooled: bool = False,
    learnable_input: Irreps | None = None,
    config: TrainConfig = TrainConfig(),
    progress: ProgressCallback | None = None,
    node_features: tuple[np.ndarray, Irreps] | None = None,
) -> dict[str, Any]:
    """Fit the network to ``target`` ([N, dim] per point, or [dim] pooled) and report how it went.

    ``node_features``: fixed per-point inputs and their irreps, e.g. magnetic moments ``(m, "1x1e'")``.
    """
    threads = torch.get_num_threads()
    if len(species) <= 64:  # small graphs: thread synchronisation costs more than it saves
        torch.set_num_threads(1)
    try:
        return _train_pair(positions, species, target, irreps_out, lattice, pooled, learnable_input, config, progress,
                           node_features)
    finally:
        torch.set_num_threads(threads)


def _train_pair(positions: np.ndarray, species: tuple[str, ...], target: np.ndarray, irreps_out: Irreps,
                lattice: np.ndarray | None, pooled: bool, learnable_input: Irreps | None, config: TrainConfig,
                progress: ProgressCallback | None, node_features: tuple[np.ndarray, Irreps] | None = None
                ) -> dict[str, Any]:
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    dtype = torch.float64
    n = len(species)
    names = sorted(set(species))
    z = torch.zeros(n, len(names), dtype=dtype)
    z[torch.arange(n), torch.tensor([names.index(s) for s in species])] = 1.0
    pos = torch.tensor(np.asarray(positions), dtype=dtype)
    lat = None if lattice is None else torch.tensor(np.asarray(lattice), dtype=dtype)
    fixed = Irreps("0e") if node_features is None else Irreps("0e") + Irreps(node_features[1])
    irreps_in = fixed if learnable_input is None else fixed + Irreps(learnable_input)
    layers = config.layers if config.layers is not None else _layers_needed(Irreps(irreps_out), irreps_in)
    time_odd = any(ir.t == -1 for _, ir in irreps_in + Irreps(irreps_out))
    hidden = hidden_irreps(config.lmax, config.multiplicity, time_odd)
    r_max = _max_radius(np.asarray(positions), None if lattice is None else np.asarray(lattice))
    geometry = {"pos": pos} if lat is None else {"pos": pos, "lattice": lat}
    net = Network(irreps_in, hidden, irreps_out,
                  irreps_node_attr=f"{len(names)}x0e", lmax=config.lmax, layers=layers,
                  max_radius=r_max, num_neighbors=1.0, pool_nodes=pooled, num_nodes=float(n)).to(dtype)
    cache = net.precompute(geometry)
    check_training_memory(n, len(cache["edge_src"]), r_max)
    degree = max(1.0, len(cache["edge_src"]) / max(n, 1))
    for module in net.modules():  # normalise messages by the actual mean degree of this graph
        if hasattr(module, "num_neighbors"):
            module.num_neighbors = degree
    y = torch.tensor(np.asarray(target), dtype=dtype)
    if pooled:
        y = y.reshape(1, -1)
    fixed_x = torch.ones(n, 1, dtype=dtype)  # the constant 0e input, then the per-point features
    if node_features is not None:
        fixed_x = torch.cat([fixed_x, torch.tensor(np.asarray(node_features[0]).reshape(n, -1), dtype=dtype)], dim=1)
    v = None
    if learnable_input is not None:
        v = torch.zeros(Irreps(learnable_input).dim, dtype=dtype, requires_grad=True)

    def predict() -> torch.Tensor:
        x = fixed_x if v is None else torch.cat([fixed_x, v.expand(n, -1)], dim=1)
        return net({**geometry, "x": x, "z": z, **cache})

    with torch.no_grad():
        initial = float((predict() - y).pow(2).mean())
    params = list(net.parameters()) + ([v] if v is not None else [])
    opt = InvariantLBFGS(params, history_size=50)

    def closure() -> torch.Tensor:
        return (predict() - y).pow(2).mean()

    history: list[float] = [initial]
    stalled = 0
    with torch.enable_grad():
        opt.converged = not predict().requires_grad  # no path reaches the output (e.g. time-odd from time-even)
    while opt.iterations < config.steps and not opt.converged:
        loss = opt.run(closure, min(config.chunk, config.steps - opt.iterations))
        history.append(loss)
        if progress is not None:
            progress(opt.iterations, config.steps)
        if not math.isfinite(loss) or loss <= config.loss_goal:
            break
        # converged onto a floor: (almost) no relative progress over the last chunk, twice
        stalled = stalled + 1 if history[-2] - loss <= 1e-9 * loss else 0
        if stalled >= 2:
            break
    iterations, evaluations = opt.iterations, opt.evaluations
    if progress is not None:
        progress(config.steps, config.steps)
    with torch.no_grad():
        pred = predict()
        final = float((pred - y).pow(2).mean())
    out: dict[str, Any] = {
        "final_loss": final,
        "initial_loss": initial,
        "steps": iterations,
        "evaluations": evaluations,
        "optimizer": "L-BFGS (strong Wolfe, orthogonally invariant), float64",
        "seed": config.seed,
        "lmax": config.lmax,
        "layers": layers,
        "irreps_in": str(irreps_in),
        "irreps_hidden": str(hidden),
        "irreps_out": str(Irreps(irreps_out)),
        "parameters": int(sum(p.numel() for p in net.parameters())),
        "max_radius": r_max,
        "edges": int(len(cache["edge_src"])),
        "seconds": time.perf_counter() - start,
        "prediction": pred.detach().numpy().reshape(np.asarray(target).shape),
    }
    if v is not None:
        out["learned_input"] = v.detach().numpy().copy()
    return out
