"""Tetris: the classic demonstration that an E(3)-equivariant network generalises to unseen orientations.

Eight shapes of four points (two of them mirror images of each other) are learned in one orientation only;
the trained network is then asked to classify every shape under many random rotations and translations.
An equivariant network with invariant (scalar) outputs must get them all right; the two chiral shapes are
told apart by a pseudoscalar output (``0o``), which changes sign under reflection but not under rotation.

Run ``python examples/tetris.py`` (prints the accuracy), or import ``train_and_evaluate``.
"""

from __future__ import annotations

import sys
from typing import Tuple

import torch

from symcompile.nn import Network, torch_threads
from symcompile.o3 import rand_matrix

SHAPES = [
    [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 1, 0)],  # chiral shape 1
    [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, -1, 0)],  # chiral shape 2 (mirror image of 1)
    [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)],  # square
    [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 0, 3)],  # line
    [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)],  # corner
    [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0)],  # L
    [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 1)],  # T
    [(0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 1, 0)],  # zigzag
]

# outputs "0o + 6x0e": the pseudoscalar separates the two chiral shapes, the scalars one-hot the rest
LABELS = [
    [+1, 1, 0, 0, 0, 0, 0],
    [-1, 1, 0, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0, 0],
    [0, 0, 0, 1, 0, 0, 0],
    [0, 0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
]


def tetris(dtype: torch.dtype = torch.float64) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Positions [32, 3], batch [32] (shape index of each point) and labels [8, 7]."""
    pos = torch.tensor(SHAPES, dtype=dtype).reshape(-1, 3)
    batch = torch.arange(len(SHAPES)).repeat_interleave(4)
    return pos, batch, torch.tensor(LABELS, dtype=dtype)


def make_network() -> Network:
    return Network(
        irreps_in=None,
        irreps_hidden="16x0e+16x0o+8x1o+8x1e+4x2e+4x2o",
        irreps_out="0o+6x0e",
        lmax=3,
        layers=2,
        max_radius=1.1,
        number_of_basis=10,
        radial_neurons=32,
        num_neighbors=2.0,
        pool_nodes=True,
        num_nodes=4.0,
    )


def correct(out: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """A shape is classified correctly when every rounded output equals its label."""
    return (out.round() == labels).all(dim=1)


def train_and_evaluate(seed: int = 0, n_rotations: int = 100, max_steps: int = 400, threads: int = 1) -> float:
    """Train on the unrotated shapes, return the accuracy over ``n_rotations`` random rigid motions of all 8.

    Runs in float64 on ``threads`` torch threads (one is fastest for this tiny network, see
    ``symcompile.nn.torch_threads``); global torch settings are restored afterwards.
    """
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        with torch_threads(threads):
            return _train_and_evaluate(seed, n_rotations, max_steps)
    finally:
        torch.set_default_dtype(old)


def _train_and_evaluate(seed: int, n_rotations: int, max_steps: int) -> float:
    torch.manual_seed(seed)
    pos, batch, labels = tetris()
    net = make_network()
    data = {"pos": pos, "batch": batch}
    data.update(net.precompute(data))  # fixed geometry: graph and edge features once
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(max_steps):
        out = net(data)
        loss = (out - labels).pow(2).sum(1).mean()
        if correct(out, labels).all() and loss.item() < 0.01:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()

    # evaluation: all shapes under random rotations and translations, in one batch
    R = torch.as_tensor(rand_matrix(n_rotations, rng=seed + 1))
    t = torch.randn(n_rotations, 1, 3) * 10.0
    moved = torch.einsum("rij,nj->rni", R, pos) + t  # [rotations, 32, 3]
    big_batch = (batch[None, :] + len(SHAPES) * torch.arange(n_rotations)[:, None]).reshape(-1)
    with torch.no_grad():
        out = net({"pos": moved.reshape(-1, 3), "batch": big_batch})
    ok = correct(out, labels.repeat(n_rotations, 1))
    return float(ok.double().mean())


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    acc = train_and_evaluate(n_rotations=n)
    print(f"accuracy on {n} random rotations + translations of the 8 shapes: {100 * acc:.1f}%")
