"""Glazer's 23 tilt systems (Acta Cryst. B28, 3384, 1972), built from rigid octahedral tilts.

A 2 x 2 x 2 supercell of a cubic perovskite ABO3 (B on the integer points, A at the cube
centres, O midway between B atoms). The octahedron at cell n rotates by omega(n) with
omega_b(n) = theta_b * (-1)^(sum of n over the other two axes) * ((-1)^n_b if the tilt about
b is out of phase '-'), so that neighbours along every other axis rotate oppositely, as
corner sharing demands. Each O between B(n) and B(n + e) moves by omega(n) x (a/2 e) (small
tilts, first order). Letters that repeat get equal angles.
"""

from __future__ import annotations

import itertools

import numpy as np

from symcompile.structures.structure import Structure

#: Glazer's list, in his order (three tilts, two tilts, one tilt, none).
GLAZER_SYSTEMS = (
    "a+b+c+", "a+b+b+", "a+a+a+", "a+b+c-", "a+a+c-", "a+b+b-", "a+a+a-", "a+b-c-", "a+a-c-", "a+b-b-",
    "a+a-a-", "a-b-c-", "a-b-b-", "a-a-a-",
    "a0b+c+", "a0b+b+", "a0b+c-", "a0b+b-", "a0b-c-", "a0b-b-",
    "a0a0c+", "a0a0c-",
    "a0a0a0",
)

#: Tilt angles (degrees) for the letters a, b, c.
ANGLES = {"a": 6.0, "b": 8.0, "c": 10.0}


def parse(symbol: str) -> list[tuple[str, str]]:
    """'a0b+b-' -> [('a', '0'), ('b', '+'), ('b', '-')]."""
    return [(symbol[i], symbol[i + 1]) for i in range(0, 6, 2)]


def build(symbol: str, a: float = 3.9, species: tuple[str, str, str] = ("Sr", "Ti", "O")) -> Structure:
    """The 40-atom tilted perovskite of a Glazer symbol."""
    tilts = parse(symbol)
    A, B, X = species
    frac, names = [], []
    for n in itertools.product(range(2), repeat=3):
        n = np.array(n)
        omega = np.zeros(3)
        for axis, (letter, sign) in enumerate(tilts):
            if sign == "0":
                continue
            others = sum(int(n[o]) for o in range(3) if o != axis)
            phase = (-1) ** others * ((-1) ** int(n[axis]) if sign == "-" else 1)
            omega[axis] = np.radians(ANGLES[letter]) * phase
        frac.append((n + 0.5) / 2)
        names.append(A)
        frac.append(n / 2)
        names.append(B)
        for axis in range(3):
            e = np.eye(3)[axis]
            shift = np.cross(omega, a / 2 * e) / a  # fractional of the cubic cell
            frac.append((n + e / 2 + shift) / 2)
            names.append(X)
    coords = np.array(frac) % 1.0
    return Structure(2 * a * np.eye(3), coords, tuple(names))


def expected_irreps(symbol: str, b_at_origin: bool = True) -> set[str]:
    """The tilt irreps of a system: in-phase at M, out-of-phase at R (B or A at the origin)."""
    signs = {sign for _, sign in parse(symbol)}
    out = set()
    if "+" in signs:
        out.add("M3+" if b_at_origin else "M2+")
    if "-" in signs:
        out.add("R4+" if b_at_origin else "R5-")
    return out
