"""Space groups of crystals by spglib: symbols, Wyckoff positions and symmetry operations.

The space group of a crystal is the set of isometries {W|w} (rotation W, translation w)
mapping the infinite crystal onto itself; its point group is the set of rotations W.
spglib finds them within a distance tolerance ``symprec`` (Å) and an angle tolerance.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import spglib

from symcompile.errors import InputError
from symcompile.structures.cell import as_cell

# spglib >= 2.7: raise SpglibError instead of returning None (the default flips in 3.0).
try:
    spglib.error.OLD_ERROR_HANDLING = False
except AttributeError:  # pragma: no cover - very old or very new spglib
    pass

#: Order of each crystallographic point group (Hermann-Mauguin symbol as spglib writes it).
POINT_GROUP_ORDER: dict[str, int] = {
    "1": 1, "-1": 2, "2": 2, "m": 2, "2/m": 4, "222": 4, "mm2": 4, "mmm": 8,
    "4": 4, "-4": 4, "4/m": 8, "422": 8, "4mm": 8, "-42m": 8, "4/mmm": 16,
    "3": 3, "-3": 6, "32": 6, "3m": 6, "-3m": 12,
    "6": 6, "-6": 6, "6/m": 12, "622": 12, "6mm": 12, "-6m2": 12, "6/mmm": 24,
    "23": 12, "m-3": 24, "432": 24, "-43m": 24, "m-3m": 48,
}


def crystal_system(number: int) -> str:
    """Crystal system of a space group number (1-230)."""
    for upper, name in ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"), (142, "tetragonal"),
                        (167, "trigonal"), (194, "hexagonal"), (230, "cubic")):
        if number <= upper:
            return name
    raise ValueError(f"no space group number {number}")


def _angle(angle_tol: float | None) -> float:
    return -1.0 if angle_tol is None else float(angle_tol)


def _check_overlaps(cell: Any, symprec: float, chunk: int = 256) -> None:
    """Two atoms closer than the tolerance (any species) make the symmetry question meaningless."""
    frac = cell.frac_coords
    for start in range(0, len(frac), chunk):
        diff = frac[start:start + chunk, None, :] - frac[None, :, :]
        diff -= np.round(diff)
        dist = np.linalg.norm(diff @ cell.lattice, axis=2)
        rows = np.arange(start, min(start + chunk, len(frac)))
        dist[rows - start, rows] = np.inf
        if np.any(dist < symprec):
            i, j = np.argwhere(dist < symprec)[0]
            raise InputError(f"atoms {start + i + 1} and {j + 1} are closer than the tolerance "
                             f"(symprec={symprec:g} Å): overlapping atoms or --symprec too large")


def dataset(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> Any:
    """spglib's symmetry dataset; spglib failures become :class:`InputError`."""
    cell = as_cell(structure)
    _check_overlaps(cell, symprec)
    try:
        data = spglib.get_symmetry_dataset(cell.spglib_cell(), symprec=symprec, angle_tolerance=_angle(angle_tol))
    except spglib.SpglibError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "symmetry search failed"
        if "too close" in message:
            raise InputError(f"atoms closer than the tolerance (symprec={symprec:g} Å): overlapping atoms "
                             "or --symprec too large") from None
        raise InputError(f"spglib could not determine the space group ({message}) at symprec={symprec:g} Å") from None
    if data is None:  # old error handling still active somewhere
        raise InputError(f"spglib could not determine the space group at symprec={symprec:g} Å")
    return data


# --------------------------------------------------------------------------- report
def space_group_info(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                     data: Any = None) -> dict[str, Any]:
    """Space group, Hall symbol, point group, crystal system and Wyckoff sites of a crystal.

    ``sites`` lists each symmetry-distinct site (crystallographic orbit) once, sorted by
    Wyckoff letter then species: ``multiplicity`` is the ITA Wyckoff multiplicity (atoms
    per conventional cell), ``count`` the atoms of that orbit in the given cell. ``data`` is
    an already computed spglib dataset of the same cell and tolerances, if any.
    """
    cell = as_cell(structure)
    if data is None:
        data = dataset(cell, symprec, angle_tol)
    number = int(data.number)
    prim_volume = abs(float(np.linalg.det(data.primitive_lattice)))
    cells_per_input = max(1, round(cell.volume / prim_volume))
    centring = max(1, round(abs(float(np.linalg.det(data.std_lattice))) / prim_volume))
    orbits: dict[int, list[int]] = {}
    for index, orbit in enumerate(np.asarray(data.crystallographic_orbits)):
        orbits.setdefault(int(orbit), []).append(index)
    sites = []
    for representative, members in orbits.items():
        sites.append({
            "species": cell.species[representative],
            "wyckoff": str(data.wyckoffs[representative]),
            "site_symmetry": str(data.site_symmetry_symbols[representative]),
            "multiplicity": len(members) * centring // cells_per_input,
            "count": len(members),
        })
    sites.sort(key=lambda s: (s["wyckoff"], s["species"], s["multiplicity"]))
    return {
        "space_group": {"number": number, "symbol": str(data.international)},
        "space_group_label": f"{data.international} ({number})",
        "hall_symbol": str(data.hall),
        "hall_number": int(data.hall_number),
        "point_group": str(data.pointgroup),
        "point_group_order": POINT_GROUP_ORDER.get(str(data.pointgroup)),
        "crystal_system": crystal_system(number),
        "num_atoms": cell.num_atoms,
        "sites": sites,
    }


# --------------------------------------------------------------------------- operations
@dataclass(frozen=True, eq=False)
class SymmetryOperations:
    """The space group operations of a crystal in its own cell and Cartesian frame.

    Fractional: ``x' = rotations[i] @ x + translations[i]`` (column vectors, the cell's
    basis). Cartesian: ``r' = cartesian_rotations[i] @ r + cartesian_translations[i]``
    (Å), with ``r = lattice.T @ x``. Cartesian rotations are exactly orthogonal: they are
    built on the lattice metric averaged over the group, which differs from the input
    lattice only within the tolerance.
    """

    lattice: np.ndarray
    rotations: np.ndarray
    translations: np.ndarray
    cartesian_rotations: np.ndarray
    cartesian_translations: np.ndarray
    number: int
    symbol: str

    def __len__(self) -> int:
        return len(self.rotations)

    def point_group(self) -> np.ndarray:
        """The distinct Cartesian rotations (the crystal's point group), shape (n, 3, 3)."""
        return unique_rotations(self.cartesian_rotations)


def unique_rotations(rotations: np.ndarray, atol: float = 1e-6) -> np.ndarray:
    """Distinct matrices of a stack, in order of first appearance."""
    out: list[np.ndarray] = []
    for rot in np.asarray(rotations, dtype=np.float64):
        if not any(np.allclose(rot, other, atol=atol) for other in out):
            out.append(rot)
    return np.array(out).reshape(-1, 3, 3)


def symmetrized_basis(lattice: np.ndarray, rotations: np.ndarray) -> np.ndarray:
    """Columns a, b, c with the metric averaged over the point group, oriented like ``lattice``.

    ``A_s = U G_s^{1/2}`` with ``G_s = mean(W^T G W)`` and U the orthogonal polar factor of
    ``A G_s^{-1/2}``; then ``A_s W A_s^{-1}`` is orthogonal for every W of the group.
    """
    basis = np.asarray(lattice, dtype=np.float64).T
    metric = basis.T @ basis
    distinct = np.unique(np.asarray(rotations, dtype=np.int64).reshape(-1, 9), axis=0).reshape(-1, 3, 3)
    sym_metric = np.mean([w.T @ metric @ w for w in distinct], axis=0)
    evals, evecs = np.linalg.eigh(sym_metric)
    root = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    inv_root = evecs @ np.diag(1 / np.sqrt(evals)) @ evecs.T
    u, _, vt = np.linalg.svd(basis @ inv_root)
    return (u @ vt) @ root


def cartesian_rotations(lattice: np.ndarray, rotations: np.ndarray) -> np.ndarray:
    """Fractional integer rotations -> orthogonal Cartesian rotations (frame of ``lattice``)."""
    basis = symmetrized_basis(lattice, rotations)
    inverse = np.linalg.inv(basis)
    return np.einsum("ij,njk,kl->nil", basis, np.asarray(rotations, dtype=np.float64), inverse)


def symmetry_operations(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> SymmetryOperations:
    """All space group operations of a crystal (within its cell), fractional and Cartesian."""
    cell = as_cell(structure)
    data = dataset(cell, symprec, angle_tol)
    rotations = np.asarray(data.rotations, dtype=np.int64)
    translations = np.asarray(data.translations, dtype=np.float64)
    translations = translations - np.floor(translations + 1e-9)
    cart_rot = cartesian_rotations(cell.lattice, rotations)
    cart_trans = translations @ cell.lattice
    return SymmetryOperations(cell.lattice.copy(), rotations, translations, cart_rot, cart_trans,
                              int(data.number), str(data.international))


def point_group_rotations(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> np.ndarray:
    """The point group of a crystal as orthogonal Cartesian matrices in the structure's frame."""
    return symmetry_operations(structure, symprec, angle_tol).point_group()


# --------------------------------------------------------------------------- symbols
def _normalise_symbol(symbol: str) -> str:
    text = symbol.strip().strip("'\"").strip()
    text = re.sub(r"\s*:\s*\w+$", "", text)  # origin / axes choice suffix, e.g. ':2', ':H'
    text = re.sub(r"\s+[HRS]$", "", text)  # 'R -3 c H'
    text = re.sub(r"[\s_]", "", text)
    return text[:1].upper() + text[1:]


@functools.lru_cache(maxsize=1)
def _symbol_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for hall_number in range(1, 531):
        sg = spglib.get_spacegroup_type(hall_number)
        if sg is None:
            continue
        names = [sg.international_short, sg.international_full, *sg.international.split("=")]
        for name in names:
            table.setdefault(_normalise_symbol(name), int(sg.number))
    return table


@functools.lru_cache(maxsize=1)
def _hall_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for hall_number in range(1, 531):
        sg = spglib.get_spacegroup_type(hall_number)
        if sg is not None:
            table.setdefault(" ".join(sg.hall_symbol.lower().split()), int(sg.number))
    return table


def number_from_symbol(symbol: str) -> int | None:
    """Space group number of a Hermann-Mauguin symbol in any ITA setting ('P b n m' -> 62)."""
    return _symbol_table().get(_normalise_symbol(symbol))


def number_from_hall(hall: str) -> int | None:
    """Space group number of a Hall symbol ('-P 2ac 2n' -> 62)."""
    return _hall_table().get(" ".join(hall.strip().strip("'\"").lower().split()))


def standard_symbol(number: int) -> str:
    """The short Hermann-Mauguin symbol of a space group number in its standard setting."""
    hall = hall_number_of(number)
    return str(spglib.get_spacegroup_type(hall).international_short)


@functools.cache
def hall_number_of(number: int) -> int:
    """The first (standard) Hall setting of a space group number."""
    for hall_number in range(1, 531):
        if spglib.get_spacegroup_type(hall_number).number == number:
            return hall_number
    raise ValueError(f"no space group number {number}")


def point_group_of_number(number: int) -> str:
    """Hermann-Mauguin point group symbol of a space group number."""
    return str(spglib.get_spacegroup_type(hall_number_of(number)).pointgroup_international)


def spglib_version() -> str:
    return str(spglib.__version__)
