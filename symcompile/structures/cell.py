"""A lean periodic cell (lattice, fractional coordinates, species) and its spglib form.

Symmetry of a crystal depends only on the lattice, the positions and which sites carry the
same species; this module holds exactly that, without pymatgen, so that batch analysis stays
fast. Conversions to and from pymatgen ``Structure`` keep the lattice matrix unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symcompile.errors import InputError

#: Element symbols in order of atomic number (Z = index + 1).
ELEMENTS: tuple[str, ...] = tuple("""
H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr
Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb
Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr
Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og""".split())
ATOMIC_NUMBER: dict[str, int] = {symbol: z for z, symbol in enumerate(ELEMENTS, start=1)}

#: spglib type numbers of species that are not plain elements start here.
_COMPOSITE_TYPE_BASE = 1000


def element_of(species: str) -> str | None:
    """The element of a species key such as ``"Fe"``, ``"Fe2+"``; ``None`` for mixed sites."""
    if species in ATOMIC_NUMBER:
        return species
    head = species[:2] if species[:2] in ATOMIC_NUMBER else species[:1]
    if head in ATOMIC_NUMBER and not any(c in species for c in ":, "):
        return head
    return None


@dataclass(frozen=True, eq=False)
class Cell:
    """A periodic structure: lattice rows a, b, c in Å, fractional coordinates, species keys.

    A species key is the element (``"O"``), a species with oxidation state (``"Fe2+"``) or,
    for a partially occupied site, its composition (``"Fe:0.500, Ni:0.500"``). Sites with
    equal keys are treated as the same kind of atom by the symmetry search.
    """

    lattice: np.ndarray
    frac_coords: np.ndarray
    species: tuple[str, ...]
    ordered: bool = True
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        lattice = np.asarray(self.lattice, dtype=np.float64).reshape(3, 3)
        coords = np.asarray(self.frac_coords, dtype=np.float64).reshape(-1, 3)
        if len(coords) != len(self.species):
            raise InputError("number of species does not match number of positions")
        if len(coords) == 0:
            raise InputError("the structure has no atoms")
        if not (np.all(np.isfinite(lattice)) and np.all(np.isfinite(coords))):
            raise InputError("the structure has non-finite lattice parameters or coordinates")
        volume = abs(float(np.linalg.det(lattice)))
        if not volume > 1e-6 * max(1.0, float(np.abs(lattice).max()) ** 3):
            raise InputError("the lattice is degenerate (zero cell volume)")
        object.__setattr__(self, "lattice", lattice)
        object.__setattr__(self, "frac_coords", coords)
        object.__setattr__(self, "species", tuple(self.species))

    # ------------------------------------------------------------------ views
    @property
    def num_atoms(self) -> int:
        return len(self.species)

    @property
    def cart_coords(self) -> np.ndarray:
        return self.frac_coords @ self.lattice

    @property
    def volume(self) -> float:
        return abs(float(np.linalg.det(self.lattice)))

    def type_numbers(self) -> np.ndarray:
        """spglib's integer types: the atomic number for plain elements, else one number per key.

        The numbering depends only on the set of keys, never on the order of the sites.
        """
        others = sorted({s for s in self.species if s not in ATOMIC_NUMBER})
        composite = {key: _COMPOSITE_TYPE_BASE + i for i, key in enumerate(others)}
        return np.array([ATOMIC_NUMBER.get(s) or composite[s] for s in self.species], dtype=np.intc)

    def spglib_cell(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lattice, positions, numbers)`` as spglib takes it."""
        return self.lattice, self.frac_coords, self.type_numbers()

    def formula(self) -> str:
        """Reduced formula, elements in the order they first appear (mixed sites by key)."""
        counts: dict[str, int] = {}
        for s in self.species:
            counts[s] = counts.get(s, 0) + 1
        divisor = 0
        for n in counts.values():
            divisor = math.gcd(divisor, n)
        parts = []
        for key, n in counts.items():
            n //= divisor or 1
            label = key if element_of(key) or len(counts) == 1 else f"({key})"
            parts.append(label + (str(n) if n != 1 else ""))
        return "".join(parts)

    # ------------------------------------------------------------------ pymatgen
    def to_structure(self) -> Any:
        """The same cell as a pymatgen ``Structure`` (same lattice matrix, same site order)."""
        from pymatgen.core import Lattice, Structure

        species: list[Any] = []
        for key in self.species:
            species.append(_composition_from_key(key) if ":" in key else key)
        return Structure(Lattice(self.lattice), species, self.frac_coords)


def _composition_from_key(key: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in key.split(","):
        name, _, occu = part.strip().partition(":")
        out[name] = float(occu)
    return out


def cell_from_structure(structure: Any) -> Cell:
    """A :class:`Cell` from a pymatgen ``Structure`` (keys: ``site.species_string``)."""
    if len(structure) == 0:
        raise InputError("the structure has no atoms")
    species = tuple(site.species_string for site in structure)
    return Cell(np.array(structure.lattice.matrix), np.array(structure.frac_coords), species,
                ordered=bool(structure.is_ordered))


def as_cell(obj: Any) -> Cell:
    """Accept a :class:`Cell` or a pymatgen ``Structure``."""
    if isinstance(obj, Cell):
        return obj
    if hasattr(obj, "lattice") and hasattr(obj, "frac_coords"):
        return cell_from_structure(obj)
    raise TypeError(f"expected a Cell or a pymatgen Structure, got {type(obj).__name__}")
