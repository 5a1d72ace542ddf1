"""examples/tetris.py: trained on one orientation, the network classifies 100 random rigid motions perfectly."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tetris.py"


def _load():
    spec = importlib.util.spec_from_file_location("tetris_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_tetris_generalises_to_random_rotations_and_translations() -> None:
    tetris = _load()
    assert tetris.train_and_evaluate(seed=0, n_rotations=100) == 1.0


def test_tetris_untrained_network_is_not_already_right() -> None:
    tetris = _load()
    torch.manual_seed(0)
    pos, batch, labels = tetris.tetris()
    net = tetris.make_network()
    with torch.no_grad():
        out = net({"pos": pos, "batch": batch})
    assert out.shape == labels.shape
    assert not bool(tetris.correct(out, labels).all())
