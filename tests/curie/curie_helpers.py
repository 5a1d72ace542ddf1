"""Shared geometry builders for the curie tests (no torch)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from symcompile.structures import Structure, read_structure
from symcompile.o3 import rand_matrix
from symcompile.o3.point_groups import _closure, mirror_matrix, rotation_matrix

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "curie"
MOLECULES = ("water", "ammonia", "methane", "benzene", "co2")

PHI = (1 + math.sqrt(5)) / 2


def example(name: str) -> Structure:
    return read_structure(EXAMPLES / f"{name}.xyz")


def orbit_geometry(matrices: np.ndarray, seed: int = 0, orbits: int = 3) -> Structure:
    """Orbits of a few generic points (one species per orbit): a geometry whose group is exactly ``matrices``."""
    rng = np.random.default_rng(seed)
    species: list[str] = []
    points: list[np.ndarray] = []
    for k, name in enumerate(["C", "N", "O", "F", "S"][:orbits]):
        x = rng.normal(size=3) * (1.0 + 0.3 * k)
        orbit: list[np.ndarray] = []
        for M in matrices:
            y = M @ x
            if not any(np.linalg.norm(y - z) < 1e-6 for z in orbit):
                orbit.append(y)
        points += orbit
        species += [name] * len(orbit)
    return Structure.molecule(tuple(species), np.array(points))


def non_crystallographic_groups() -> dict[str, np.ndarray]:
    """A few groups outside the 32 crystal classes, by generators."""
    z, x = (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)
    c5 = rotation_matrix(z, 2 * math.pi / 5)
    inv = -np.eye(3)
    s8 = mirror_matrix(z) @ rotation_matrix(z, 2 * math.pi / 8)  # rotoreflection S8
    ico_c5 = rotation_matrix((0.0, 1.0, PHI), 2 * math.pi / 5)
    ico_c3 = rotation_matrix((1.0, 1.0, 1.0), 2 * math.pi / 3)
    return {
        "C5": _closure([c5]),
        "C5v": _closure([c5, mirror_matrix(x)]),
        "D5h": _closure([c5, rotation_matrix(x, math.pi), mirror_matrix(z)]),
        "D5d": _closure([c5, rotation_matrix(x, math.pi), inv]),
        "S8": _closure([s8]),
        "D4d": _closure([s8, rotation_matrix(x, math.pi)]),
        "I": _closure([ico_c5, ico_c3], max_order=120),
        "Ih": _closure([ico_c5, ico_c3, inv], max_order=120),
    }


def moved(g: Structure, seed: int, improper: bool = False, permute: bool = True) -> tuple[Structure, np.ndarray,
                                                                                         np.ndarray, np.ndarray]:
    """g rotated (optionally with inversion), translated and re-ordered; returns (geometry, R, t, order)."""
    rng = np.random.default_rng(seed)
    R = rand_matrix(rng=rng) * (-1.0 if improper else 1.0)
    t = rng.normal(size=3) * 3
    order = rng.permutation(len(g)) if permute else np.arange(len(g))
    return g.transformed(R, t).permuted(order), R, t, order
