"""Crystals as plain arrays, and the one cell every order-parameter analysis works in.

The answer must not depend on how the child was written down (cell choice, orientation,
origin, atom order), so the child is first brought to spglib's ideal standard *primitive*
cell, with atoms sorted: its lattice is the child's own translation lattice, which every
operation of the child maps onto itself (spglib only finds operations that do).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.errors import InputError


@contextlib.contextmanager
def quiet_spglib() -> Iterator[None]:
    """spglib prints C-level warnings at large tolerances and deprecation warnings: silence both."""
    old = os.environ.get("SPGLIB_WARNING")
    os.environ["SPGLIB_WARNING"] = "OFF"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        if old is None:
            os.environ.pop("SPGLIB_WARNING", None)
        else:
            os.environ["SPGLIB_WARNING"] = old


@dataclass(frozen=True, eq=False)
class Crystal:
    """Lattice rows a, b, c in Å, fractional positions in [0, 1), species symbols."""

    lattice: np.ndarray
    frac: np.ndarray
    symbols: tuple[str, ...]
    formula_order: tuple[str, ...] = ()  # species order for formula() (as first written); default: as they come

    def __post_init__(self) -> None:
        object.__setattr__(self, "lattice", np.asarray(self.lattice, dtype=np.float64).reshape(3, 3))
        frac = np.asarray(self.frac, dtype=np.float64).reshape(-1, 3)
        object.__setattr__(self, "frac", frac - np.floor(frac + 1e-9))
        object.__setattr__(self, "symbols", tuple(self.symbols))

    @property
    def n(self) -> int:
        return len(self.symbols)

    @property
    def cart(self) -> np.ndarray:
        return self.frac @ self.lattice

    @property
    def numbers(self) -> np.ndarray:
        """spglib type numbers: one per distinct symbol, in sorted symbol order (order-independent)."""
        kinds = sorted(set(self.symbols))
        return np.array([kinds.index(s) + 1 for s in self.symbols], dtype=np.intc)

    @property
    def species(self) -> list[str]:
        """Distinct species, sorted."""
        return sorted(set(self.symbols))

    @property
    def cell(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.lattice, self.frac, self.numbers

    @property
    def volume(self) -> float:
        return abs(float(np.linalg.det(self.lattice)))

    def with_frac(self, frac: np.ndarray) -> Crystal:
        return Crystal(self.lattice, frac, self.symbols, self.formula_order)

    def formula(self) -> str:
        """Reduced formula, species in the order they were first written (CaTiO3)."""
        from math import gcd

        order = [s for s in self.formula_order if s in self.symbols] + list(dict.fromkeys(self.symbols))
        counts = {s: self.symbols.count(s) for s in dict.fromkeys(order)}
        div = 0
        for c in counts.values():
            div = gcd(div, c)
        return "".join(f"{s}{c // div if c // div > 1 else ''}" for s, c in counts.items())


def crystal_from(obj: Any, what: str = "structure") -> Crystal:
    """A :class:`Crystal` from a pymatgen ``Structure``, a structures ``Cell`` or a Crystal.

    Disordered (partially occupied) sites and molecules are bad input: an order parameter
    lives on the atoms of an ordered periodic crystal.
    """
    if isinstance(obj, Crystal):
        return obj
    if hasattr(obj, "is_ordered") and hasattr(obj, "lattice") and hasattr(obj, "frac_coords"):  # pymatgen
        if not obj.is_ordered:
            raise InputError(f"the {what} is disordered (partial occupancies): order-params needs an ordered crystal")
        symbols = tuple(site.specie.symbol if hasattr(site.specie, "symbol") else str(site.specie) for site in obj)
        return Crystal(np.array(obj.lattice.matrix), np.array(obj.frac_coords), symbols)
    if hasattr(obj, "frac_coords") and hasattr(obj, "species") and hasattr(obj, "lattice"):  # structures.Cell
        if not getattr(obj, "ordered", True) or any(":" in s or "," in s for s in obj.species):
            raise InputError(f"the {what} is disordered (partial occupancies): order-params needs an ordered crystal")
        return Crystal(np.array(obj.lattice), np.array(obj.frac_coords), tuple(_element(s) for s in obj.species))
    if hasattr(obj, "cart_coords") or hasattr(obj, "positions"):
        raise InputError(f"the {what} is a molecule: order-params needs a periodic crystal")
    raise InputError(f"cannot use {type(obj).__name__} as a crystal")


def _element(species: str) -> str:
    """'Fe2+' -> 'Fe' (oxidation states do not change the structure)."""
    head = species.rstrip("0123456789+-.")
    return head or species


def sort_atoms(crystal: Crystal, decimals: int = 6) -> Crystal:
    """Atoms ordered by species, then by rounded fractional position (a canonical order)."""
    frac = crystal.frac - np.floor(crystal.frac + 10.0 ** (-decimals))
    key = np.round(frac, decimals) % 1.0
    order = sorted(range(crystal.n), key=lambda i: (crystal.symbols[i], *key[i]))
    return Crystal(crystal.lattice, frac[order], tuple(crystal.symbols[i] for i in order),
                   crystal.formula_order or tuple(dict.fromkeys(crystal.symbols)))


def standard_primitive(crystal: Crystal, symprec: float, angle_tol: float | None = None) -> Crystal:
    """spglib's ideal standard primitive cell of ``crystal`` (rotated to standard axes), sorted atoms."""
    import spglib

    with quiet_spglib():
        out = spglib.standardize_cell(crystal.cell, to_primitive=True, no_idealize=False, symprec=symprec,
                                      angle_tolerance=-1.0 if angle_tol is None else angle_tol)
    if out is None:
        raise InputError("spglib could not find the symmetry of the structure (atoms too close?)")
    lattice, frac, numbers = out
    kinds = crystal.species
    return sort_atoms(Crystal(lattice, frac, tuple(kinds[int(z) - 1] for z in numbers),
                              crystal.formula_order or tuple(dict.fromkeys(crystal.symbols))))


def check_sane(crystal: Crystal, what: str = "structure", min_distance: float = 0.5) -> None:
    """Atoms closer than ``min_distance`` Å (overlapping sites) make no sense here."""
    if crystal.n > 1:
        d = min_image_distances(crystal)
        np.fill_diagonal(d, np.inf)
        if float(d.min()) < min_distance:
            raise InputError(f"the {what} has atoms closer than {min_distance} Å (overlapping sites?)")


def min_image_distances(crystal: Crystal) -> np.ndarray:
    """All pairwise minimum-image distances (Å), (N, N)."""
    diff = crystal.frac[:, None, :] - crystal.frac[None, :, :]
    diff -= np.round(diff)
    shifts = np.array([[i, j, k] for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)], dtype=float)
    cart = (diff[:, :, None, :] + shifts[None, None]) @ crystal.lattice
    return np.sqrt((cart**2).sum(-1)).min(-1)


def wrap_delta(delta: np.ndarray) -> np.ndarray:
    """Fractional differences wrapped into [-0.5, 0.5)."""
    return delta - np.floor(delta + 0.5)
