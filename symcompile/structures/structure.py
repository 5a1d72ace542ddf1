"""The one structure model: a crystal (lattice + fractional coordinates) or a molecule (Cartesian).

Symmetry depends only on where the atoms are and which atoms are alike, so a structure is
spglib's ``(lattice, positions, numbers)`` plus species names and what the file said about
itself (source, notes, ordered or not, the symmetry a CIF declares, magnetic moments). A
molecule has no lattice. Every structure is checked when it is made: at least one atom,
finite and bounded numbers, a cell of non-zero volume; anything else is an :class:`InputError`.
Readers also run :func:`~symcompile.structures.validation.validate` (distances, volume per
atom, species), which costs a neighbour search.

>>> import numpy as np
>>> s = Structure(3.9 * np.eye(3), [[0, 0, 0], [0.5, 0.5, 0.5]], ("Cs", "Cl"))
>>> s.kind, s.num_atoms, s.formula()
('crystal', 2, 'CsCl')
>>> Structure.molecule(("O", "H", "H"), [[0, 0, 0.12], [0.76, 0, -0.47], [-0.76, 0, -0.47]]).kind
'molecule'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.validation import check_lattice, check_numbers

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
    """The element of a species key such as ``"Fe"``, ``"Fe2+"``; ``None`` for mixed sites.

    >>> element_of("Fe2+"), element_of("Fe:0.500, Ni:0.500")
    ('Fe', None)
    """
    if species in ATOMIC_NUMBER:
        return species
    head = species[:2] if species[:2] in ATOMIC_NUMBER else species[:1]
    if head in ATOMIC_NUMBER and not any(c in species for c in ":, "):
        return head
    return None


@dataclass(frozen=True)
class Declared:
    """What a file says about its own space group (any field may be missing); a magnetic CIF's BNS number."""

    number: int | None = None
    symbol: str | None = None
    hall: str | None = None
    source: str | None = None
    bns_number: str | None = None

    @property
    def empty(self) -> bool:
        return self.number is None and not self.symbol and not self.hall


def _frozen(array: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    try:
        out = np.array(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"the {what} are not numbers") from None
    try:
        out = out.reshape(shape)
    except ValueError:
        raise InputError(f"the {what} have the wrong shape {np.shape(array)}") from None
    out.setflags(write=False)
    return out


class Structure:
    """A crystal or a molecule: species, positions, and the file's own statements about it.

    Crystals: ``Structure(lattice, frac_coords, species)``; lattice rows are a, b, c in Å.
    Molecules: ``Structure.molecule(species, cart_coords)``; ``lattice`` is None.

    A species key is the element (``"O"``), a species with oxidation state (``"Fe2+"``) or,
    for a partially occupied site, its composition (``"Fe:0.500, Ni:0.500"``); sites with
    equal keys are the same kind of atom for the symmetry search. ``magmoms`` is None or the
    per-site magnetic moments in Bohr magnetons: shape (N,) when collinear, (N, 3) Cartesian.
    ``declared``/``declared_operations`` are the space group and the operations a CIF lists.
    Instances are immutable (arrays are read-only); use :meth:`replace` for a changed copy.
    """

    __slots__ = ("lattice", "species", "_coords", "ordered", "notes", "source", "declared", "declared_operations",
                 "magmoms", "_cart")

    lattice: np.ndarray | None
    species: tuple[str, ...]
    ordered: bool
    notes: tuple[str, ...]
    source: str
    declared: Declared
    declared_operations: tuple[np.ndarray, np.ndarray] | None
    magmoms: np.ndarray | None

    def __init__(self, lattice: Any, frac_coords: Any, species: Sequence[str], *, ordered: bool = True,
                 notes: Sequence[str] = (), source: str = "", declared: Declared | None = None,
                 declared_operations: tuple[np.ndarray, np.ndarray] | None = None, magmoms: Any = None) -> None:
        species = tuple(str(s) for s in species)
        n = len(species)
        if n == 0:
            raise InputError("the structure has no atoms")
        coords = _frozen(frac_coords, (-1, 3), "coordinates")
        if len(coords) != n:
            raise InputError(f"{n} species but {len(coords)} positions")
        if lattice is not None:
            lattice = _frozen(lattice, (3, 3), "lattice vectors")
        check_numbers(lattice, coords, species)
        if magmoms is not None:
            magmoms = np.array(magmoms, dtype=np.float64)
            if magmoms.shape not in ((n,), (n, 3)) or not np.all(np.isfinite(magmoms)):
                raise InputError(f"magnetic moments must be {n} finite numbers or {n} vectors")
            magmoms.setflags(write=False)
        set_ = object.__setattr__
        set_(self, "lattice", lattice)
        set_(self, "species", species)
        set_(self, "_coords", coords)
        set_(self, "ordered", bool(ordered))
        set_(self, "notes", tuple(notes))
        set_(self, "source", str(source))
        set_(self, "declared", declared or Declared())
        set_(self, "declared_operations", declared_operations)
        set_(self, "magmoms", magmoms)
        set_(self, "_cart", None)

    # ------------------------------------------------------------------ construction
    @classmethod
    def molecule(cls, species: Sequence[str], cart_coords: Any, **metadata: Any) -> Structure:
        """A molecule (no lattice) from species and Cartesian positions in Å."""
        return cls(None, cart_coords, species, **metadata)

    @classmethod
    def from_cartesian(cls, lattice: Any, cart_coords: Any, species: Sequence[str], **metadata: Any) -> Structure:
        """A crystal from Cartesian positions (Å) in the cell ``lattice`` (rows a, b, c)."""
        lat = _frozen(lattice, (3, 3), "lattice vectors")
        cart = _frozen(cart_coords, (-1, 3), "coordinates")
        check_lattice(lat)
        check_numbers(None, cart, species)
        return cls(lat, np.linalg.solve(lat.T, cart.T).T, species, **metadata)

    def replace(self, **changes: Any) -> Structure:
        """A copy with some attributes changed: ``lattice``, ``frac_coords``/``cart_coords``, ``species``,
        ``ordered``, ``notes``, ``source``, ``declared``, ``declared_operations``, ``magmoms``."""
        fields = {name: getattr(self, name) for name in ("ordered", "notes", "source", "declared",
                                                         "declared_operations", "magmoms")}
        lattice = changes.pop("lattice", self.lattice)
        species = changes.pop("species", self.species)
        if "frac_coords" in changes and "cart_coords" in changes:
            raise ValueError("give frac_coords or cart_coords, not both")
        if self.lattice is None or lattice is None:
            if "frac_coords" in changes:
                raise ValueError("a molecule has no fractional coordinates")
            coords = changes.pop("cart_coords", self._coords)
        elif "cart_coords" in changes:
            coords = np.linalg.solve(np.asarray(lattice).T, np.asarray(changes.pop("cart_coords"), float).T).T
        else:
            coords = changes.pop("frac_coords", self._coords)
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"unknown structure attribute(s): {', '.join(sorted(unknown))}")
        fields.update(changes)
        if fields["magmoms"] is not None and len(fields["magmoms"]) != len(species):
            fields["magmoms"] = None
        return Structure(lattice, coords, species, **fields)

    def with_notes(self, *notes: str) -> Structure:
        """The same structure with more notes (duplicates dropped)."""
        return self.replace(notes=tuple(dict.fromkeys((*self.notes, *notes))))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Structure is immutable; use .replace(...)")

    def __reduce__(self) -> Any:  # picklable for worker processes
        return (_rebuild, (self.lattice, self._coords, self.species, self.ordered, self.notes, self.source,
                           self.declared, self.declared_operations, self.magmoms))

    def __repr__(self) -> str:
        return f"<{self.kind} {self.formula()}, {self.num_atoms} atoms{f' from {self.source}' if self.source else ''}>"

    # ------------------------------------------------------------------ views
    @property
    def kind(self) -> str:
        """``"crystal"`` or ``"molecule"``."""
        return "molecule" if self.lattice is None else "crystal"

    @property
    def periodic(self) -> bool:
        return self.lattice is not None

    @property
    def num_atoms(self) -> int:
        return len(self.species)

    def __len__(self) -> int:
        return len(self.species)

    @property
    def frac_coords(self) -> np.ndarray:
        """Fractional coordinates (crystals only), shape (N, 3)."""
        if self.lattice is None:
            raise ValueError("a molecule has no fractional coordinates")
        return self._coords

    @property
    def cart_coords(self) -> np.ndarray:
        """Cartesian positions in Å, shape (N, 3)."""
        if self.lattice is None:
            return self._coords
        if self._cart is None:
            cart = self._coords @ self.lattice
            cart.setflags(write=False)
            object.__setattr__(self, "_cart", cart)
        return self._cart  # type: ignore[return-value]

    @property
    def volume(self) -> float:
        if self.lattice is None:
            raise ValueError("a molecule has no cell volume")
        return abs(float(np.linalg.det(self.lattice)))

    @property
    def elements(self) -> tuple[str, ...]:
        """The element of each site (``"Fe2+"`` -> ``"Fe"``); mixed sites keep their key."""
        return tuple(element_of(s) or s for s in self.species)

    def type_numbers(self) -> np.ndarray:
        """spglib's integer types: the atomic number for plain elements, else one number per key.

        The numbering depends only on the set of keys, never on the order of the sites.
        """
        others = sorted({s for s in self.species if s not in ATOMIC_NUMBER})
        composite = {key: _COMPOSITE_TYPE_BASE + i for i, key in enumerate(others)}
        return np.array([ATOMIC_NUMBER.get(s) or composite[s] for s in self.species], dtype=np.intc)

    def spglib_cell(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lattice, positions, numbers)`` as spglib takes it (crystals only)."""
        return self.lattice, self.frac_coords, self.type_numbers()  # type: ignore[return-value]

    def formula(self) -> str:
        """Crystals: reduced formula, species in order of appearance. Molecules: Hill formula (C, H, rest)."""
        counts: dict[str, int] = {}
        for s in self.species:
            counts[s] = counts.get(s, 0) + 1
        if self.lattice is None:
            order = sorted(counts)
            if "C" in counts:
                order = ["C"] + (["H"] if "H" in counts else []) + [k for k in order if k not in ("C", "H")]
            return "".join(k + (str(counts[k]) if counts[k] != 1 else "") for k in order)
        divisor = 0
        for n in counts.values():
            divisor = math.gcd(divisor, n)
        parts = []
        for key, n in counts.items():
            n //= divisor or 1
            label = key if element_of(key) or len(counts) == 1 else f"({key})"
            parts.append(label + (str(n) if n != 1 else ""))
        return "".join(parts)

    # ------------------------------------------------------------------ moves
    def transformed(self, rotation: Any, translation: Any = None) -> Structure:
        """The structure moved by r -> R r + t (a crystal's lattice is rotated, not translated)."""
        R = np.asarray(rotation, dtype=np.float64)
        t = np.zeros(3) if translation is None else np.asarray(translation, dtype=np.float64)
        moved = self.cart_coords @ R.T + t
        mag = self.magmoms
        if mag is not None and mag.ndim == 2:
            mag = mag @ (np.linalg.det(R) * R).T  # moments are axial vectors
        if self.lattice is None:
            return self.replace(cart_coords=moved, magmoms=mag)
        return self.replace(lattice=self.lattice @ R.T, cart_coords=moved, magmoms=mag)

    def permuted(self, order: Any) -> Structure:
        """Sites re-listed: new site k is old site ``order[k]``."""
        order = np.asarray(order, dtype=int)
        mag = None if self.magmoms is None else self.magmoms[order]
        species = tuple(self.species[i] for i in order)
        if self.lattice is None:
            return self.replace(cart_coords=self._coords[order], species=species, magmoms=mag)
        return self.replace(frac_coords=self._coords[order], species=species, magmoms=mag)

    def wrapped(self) -> Structure:
        """A crystal with every fractional coordinate in [0, 1) (molecules are returned as they are)."""
        if self.lattice is None:
            return self
        frac = self._coords - np.floor(self._coords)
        frac[frac >= 1.0] = 0.0
        return self.replace(frac_coords=frac)

    def closest_pair(self) -> tuple[int, int, float] | None:
        """The two nearest atoms (periodic images included) and their distance in Å; None for one atom."""
        from symcompile.structures.neighbours import closest_pair

        return closest_pair(self)

    # ------------------------------------------------------------------ pymatgen
    def to_pymatgen(self) -> Any:
        """A pymatgen ``Structure`` (same lattice matrix and site order) or ``Molecule``."""
        species: list[Any] = [_composition_from_key(key) if ":" in key else key for key in self.species]
        props = {} if self.magmoms is None else {"magmom": self.magmoms.tolist()}
        if self.lattice is None:
            from pymatgen.core import Molecule

            return Molecule(species, self.cart_coords, site_properties=props or None)
        from pymatgen.core import Lattice
        from pymatgen.core import Structure as PymatgenStructure

        return PymatgenStructure(Lattice(self.lattice), species, self.frac_coords, site_properties=props or None)

    #: The name of :meth:`to_pymatgen` in the first version of this model.
    to_structure = to_pymatgen


def _rebuild(lattice: Any, coords: Any, species: Any, ordered: bool, notes: Any, source: str, declared: Declared,
             declared_operations: Any, magmoms: Any) -> Structure:
    return Structure(lattice, coords, species, ordered=ordered, notes=notes, source=source, declared=declared,
                     declared_operations=declared_operations, magmoms=magmoms)


def _composition_from_key(key: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in key.split(","):
        name, _, occu = part.strip().partition(":")
        out[name] = float(occu)
    return out


def _magmoms_of(sites: Any) -> np.ndarray | None:
    """Per-site moments from pymatgen's ``magmom`` site property (scalars or Magmom vectors)."""
    props = getattr(sites, "site_properties", {}) or {}
    values = props.get("magmom")
    if values is None or any(v is None for v in values):
        return None
    try:
        arrays = [np.asarray(getattr(v, "global_moment", v), dtype=np.float64) for v in values]
    except (TypeError, ValueError):
        return None
    if all(a.shape == () for a in arrays):
        return np.array([float(a) for a in arrays])
    if all(a.shape == (3,) for a in arrays):
        return np.array(arrays)
    return None


def from_pymatgen(obj: Any, source: str = "", notes: Sequence[str] = ()) -> Structure:
    """A :class:`Structure` from a pymatgen ``Structure`` or ``Molecule`` (keys: ``site.species_string``)."""
    if len(obj) == 0:
        raise InputError("the structure has no atoms")
    species = tuple(site.species_string for site in obj)
    magmoms = _magmoms_of(obj)
    if magmoms is None and (getattr(obj, "site_properties", {}) or {}).get("magmom") is not None:
        notes = (*notes, "the magnetic moments (site property magmom) could not be read (missing on some sites, "
                         "or neither one number nor one vector per site): the magnetic symmetry is not analysed")
    meta = {"ordered": bool(getattr(obj, "is_ordered", True)), "source": source, "notes": tuple(notes),
            "magmoms": magmoms}
    if hasattr(obj, "lattice"):
        return Structure(np.array(obj.lattice.matrix), np.array(obj.frac_coords), species, **meta)
    return Structure.molecule(species, np.array(obj.cart_coords), **meta)


def as_structure(obj: Any) -> Structure:
    """Accept a :class:`Structure` or a pymatgen ``Structure``/``Molecule``."""
    if isinstance(obj, Structure):
        return obj
    if hasattr(obj, "cart_coords") and hasattr(obj, "species"):
        return from_pymatgen(obj)
    raise TypeError(f"expected a Structure or a pymatgen Structure/Molecule, got {type(obj).__name__}")


#: The names the first version of this model had (kept: other packages use them).
Cell = Structure
as_cell = as_structure
cell_from_structure = from_pymatgen
