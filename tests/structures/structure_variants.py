"""Test helpers: the bundled examples, their published groups, and hand-built cell variants.

The variants (primitive cell, supercell, rotated frame, shifted origin, shuffled atoms)
are built here by explicit basis transformations, not by spglib or pymatgen, so that the
invariance tests do not use the code under test to prepare their inputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symcompile.structures import Structure as Cell

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "structures"

#: Published space groups (number, standard short symbol) and Wyckoff sites (species, letter,
#: multiplicity) of the bundled crystals, as given in the cited papers / ITA.
CRYSTALS = {
    "SrTiO3_cubic.cif": (221, "Pm-3m", {("Sr", "a", 1), ("Ti", "b", 1), ("O", "c", 3)}),
    "BaTiO3_tetragonal.cif": (99, "P4mm", {("Ba", "a", 1), ("Ti", "b", 1), ("O", "b", 1), ("O", "c", 2)}),
    "TiO2_rutile.cif": (136, "P4_2/mnm", {("Ti", "a", 2), ("O", "f", 4)}),
    "CaTiO3_Pnma.cif": (62, "Pnma", {("Ca", "c", 4), ("Ti", "b", 4), ("O", "c", 4), ("O", "d", 8)}),
    "SrTiO3_I4mcm.cif": (140, "I4/mcm", {("Sr", "b", 4), ("Ti", "c", 4), ("O", "a", 4), ("O", "h", 8)}),
    "LaAlO3_R-3c.cif": (167, "R-3c", {("La", "a", 6), ("Al", "b", 6), ("O", "e", 18)}),
    "SiO2_alpha_quartz.cif": (154, "P3_221", {("Si", "a", 3), ("O", "c", 6)}),
}

#: Schoenflies point groups and their orders (None: infinite).
MOLECULES = {
    "water.xyz": ("C2v", 4),
    "ammonia.xyz": ("C3v", 6),
    "methane.xyz": ("Td", 24),
    "benzene.xyz": ("D6h", 24),
    "CO2.xyz": ("D∞h", None),
}

#: Rows: primitive vectors in terms of the conventional ones, per lattice centring.
PRIMITIVE = {
    "P": np.eye(3),
    "I": 0.5 * np.array([[-1, 1, 1], [1, -1, 1], [1, 1, -1]]),
    "R": np.array([[2, 1, 1], [-1, 1, 1], [-1, -2, 1]]) / 3,  # obverse hexagonal -> rhombohedral
}


def transform(cell: Cell, rows: np.ndarray) -> Cell:
    """The same crystal in the cell whose vectors are ``rows @ lattice`` (atoms deduplicated)."""
    lattice = rows @ cell.lattice
    det = abs(np.linalg.det(rows))
    # enough translations of the old cell to fill the new one
    span = int(np.ceil(np.abs(rows).sum(axis=0).max())) + 1
    shifts = np.array([(i, j, k) for i in range(-span, span + 1) for j in range(-span, span + 1)
                       for k in range(-span, span + 1)], dtype=float)
    inverse = np.linalg.inv(rows)
    coords, species, seen = [], [], set()
    for frac, sp in zip(cell.frac_coords, cell.species):
        new = (frac + shifts) @ inverse
        keys = np.round(new * 1e6).astype(np.int64) % 1_000_000
        for point, key in zip(new, map(tuple, keys)):
            if (sp, key) not in seen:
                seen.add((sp, key))
                coords.append(point - np.floor(point + 1e-9))
                species.append(sp)
    expected = round(cell.num_atoms * det)
    assert len(coords) == expected, (len(coords), expected)
    return Cell(lattice, np.array(coords), tuple(species))


def supercell(cell: Cell, n: int = 2) -> Cell:
    return transform(cell, n * np.eye(3))


def rotated(cell: Cell, rotation: np.ndarray) -> Cell:
    """The crystal turned by ``rotation`` in Cartesian space (fractional coordinates unchanged)."""
    return Cell(cell.lattice @ rotation.T, cell.frac_coords, cell.species)


def shifted(cell: Cell, shift: np.ndarray) -> Cell:
    coords = cell.frac_coords + shift
    return Cell(cell.lattice, coords - np.floor(coords), cell.species)


def shuffled(cell: Cell, rng: np.random.Generator) -> Cell:
    order = rng.permutation(cell.num_atoms)
    return Cell(cell.lattice, cell.frac_coords[order], tuple(cell.species[i] for i in order))


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


def maps_onto_itself(cell: Cell, rotation_cart: np.ndarray, translation_cart: np.ndarray, tol: float = 1e-3) -> bool:
    """Does r -> R r + t send every atom onto an atom of the same species (periodically)?"""
    cart = cell.cart_coords @ rotation_cart.T + translation_cart
    frac = np.linalg.solve(cell.lattice.T, cart.T).T
    for point, sp in zip(frac, cell.species):
        diff = cell.frac_coords - point
        diff -= np.round(diff)
        dist = np.linalg.norm(diff @ cell.lattice, axis=1)
        if not any(d < tol and s == sp for d, s in zip(dist, cell.species)):
            return False
    return True
