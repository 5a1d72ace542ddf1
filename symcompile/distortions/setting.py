"""The parent in the setting of Bilbao's tables: conventional cell, origin, Wyckoff positions.

Irrep labels at k != 0 depend on where the origin sits: every translation c that the parent's
group allows as an origin shift ((W - 1)c a lattice vector for every rotation W; for Pm-3m
c = (1/2,1/2,1/2) swaps the A and B sites of a perovskite) conjugates the group onto itself but
relabels the irreps. So the setting is part of the answer. The origin is, in order: the
species asked for (``origin="Ti"``); else the parent's own origin when it is one of the
allowed ones (the parent "as given"); else the choice that occupies the lowest Wyckoff
letter with the atom of shortest bonds (B site of a perovskite at 1a, spinel and cristobalite
as in the International Tables), ties by the letters of all sites, then by species.

>>> from symcompile.structures.cell import Cell
>>> import numpy as np
>>> cubic = Cell(np.eye(3) * 3.9, [[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]],
...              ("Sr", "Ti", "O", "O", "O"))
>>> parent_setting(cubic).origin, parent_setting(cubic, origin="Ti").origin
('Sr', 'Ti')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import spglib

from symcompile.distortions.tables import IrrepTable, load_table
from symcompile.errors import InputError
from symcompile.structures.cell import as_cell
from symcompile.structures.spacegroup import dataset as spglib_dataset

_GRID = 24  # origin candidates on a 1/24 grid: every normaliser translation of the 230 groups lies on it


@dataclass(frozen=True)
class ParentSite:
    """One Wyckoff orbit of the parent (conventional cell of the tables' setting)."""

    species: str
    letter: str
    multiplicity: int  # atoms per conventional cell (International Tables)
    site_symmetry: str
    position: tuple[float, float, float]  # a representative, conventional fractional coordinates

    @property
    def wyckoff(self) -> str:
        return f"{self.multiplicity}{self.letter}"

    def to_record(self) -> dict[str, Any]:
        return {"species": self.species, "wyckoff": self.wyckoff, "letter": self.letter,
                "multiplicity": self.multiplicity, "site_symmetry": self.site_symmetry,
                "position": [round(x, 6) for x in self.position]}


@dataclass(frozen=True, eq=False)
class ParentSetting:
    """The parent as Bilbao's tables write it, and how to get there from its own cell.

    ``positions`` are all atoms of the conventional cell (centring copies included) in the
    tables' conventional coordinates with the chosen origin; ``lattice`` the idealised
    conventional lattice rows (Å) in the input's Cartesian frame. Fractional coordinates x of
    the input cell map to x_conv = ``to_conv`` @ x + ``shift``.
    """

    table: IrrepTable
    lattice: np.ndarray
    positions: np.ndarray
    species: tuple[str, ...]
    orbit: np.ndarray  # (M,) index into ``sites`` of each conventional-cell atom
    sites: tuple[ParentSite, ...]
    origin: str | None  # species at the origin (None: no atom there)
    origin_rule: str  # why this origin: "asked", "as given", "rule"
    origin_choices: tuple[str | None, ...]  # species at each allowed origin (None: empty)
    to_conv: np.ndarray
    shift: np.ndarray

    @property
    def number(self) -> int:
        return self.table.number

    @property
    def symbol(self) -> str:
        return self.table.symbol

    def to_record(self) -> dict[str, Any]:
        return {"space_group": {"number": self.number, "symbol": self.symbol},
                "setting": "ITA standard as in Bilbao's tables (origin choice 2, hexagonal axes)",
                "origin": self.origin, "origin_rule": self.origin_rule,
                "sites": [s.to_record() for s in self.sites]}


# --------------------------------------------------------------------------- origin candidates
def _lattice_member(d: np.ndarray, centring: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Which rows of ``d`` (conventional coordinates) are lattice vectors (centring included)."""
    ok = np.zeros(len(d), dtype=bool)
    for c in centring:
        x = d - c
        ok |= np.all(np.abs(x - np.rint(x)) < tol, axis=1)
    return ok


def free_axes(table: IrrepTable) -> np.ndarray:
    """Axes along which the origin may slide (polar groups): fixed by every rotation."""
    free = np.ones(3, dtype=bool)
    for w in table.rotations:
        free &= np.all(w == np.eye(3, dtype=int), axis=0)
    return free


@functools.cache
def origin_candidates(table: IrrepTable) -> np.ndarray:
    """Translations c (conventional coordinates, one per class modulo the lattice and the free
    axes) such that shifting the origin to c maps the group's operations onto themselves."""
    g = np.arange(_GRID) / _GRID
    grid = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1).reshape(-1, 3)
    free = free_axes(table)
    grid = grid[np.all(grid[:, free] == 0, axis=1)]
    ok = np.ones(len(grid), dtype=bool)
    for w in table.rotations:
        ok &= _lattice_member(grid @ (w - np.eye(3)).T, table.centring)
    out: list[np.ndarray] = []
    for c in grid[ok]:
        if not any(_lattice_member((c - o)[None], table.centring)[0] for o in out):
            out.append(c)
    return np.array(out)


# --------------------------------------------------------------------------- Wyckoff sites
def _nearest_distance(lattice: np.ndarray, positions: np.ndarray) -> np.ndarray:
    images = np.stack(np.meshgrid(*[np.arange(-1, 2)] * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    diff = positions[None, :, None, :] - positions[:, None, None, :] + images[None, None]
    dist = np.linalg.norm(diff @ lattice, axis=-1)
    dist[dist < 1e-8] = np.inf
    return dist.min(axis=(1, 2))


def _dataset_of_this_cell(table: IrrepTable, lattice: np.ndarray, positions: np.ndarray, numbers: np.ndarray,
                          symprec: float) -> Any:
    """spglib's dataset of a cell already in the tables' setting, with Wyckoff letters and site symmetries
    for this very cell. spglib's standardisation is not always idempotent: for some metrics (the C2/c
    parent of a pseudo-cubic a-b-c- perovskite, b = c) it swaps two equivalent cells, x -> Px + p and
    back, whose letters differ (4c <-> 4d); it is then asked about the other cell, whose standard form is
    this one."""
    def ask(lat: np.ndarray, pos: np.ndarray) -> Any:
        try:
            return spglib.get_symmetry_dataset((lat, pos, numbers), symprec=symprec, hall_number=table.hall_number)
        except spglib.SpglibError as exc:  # pragma: no cover - the cell was symmetrised by spglib itself
            raise InputError(f"spglib failed on the parent in its standard setting ({exc})") from None

    def kept(P: np.ndarray, p: np.ndarray) -> bool:
        return bool(np.allclose(P, np.eye(3), atol=1e-6) and _lattice_member(p[None], table.centring, 1e-5)[0])

    ds = ask(lattice, positions)
    P, p = np.asarray(ds.transformation_matrix, dtype=float), np.asarray(ds.origin_shift, dtype=float)
    if kept(P, p):
        return ds
    other = ask(np.linalg.inv(P).T @ lattice, positions @ P.T + p)  # spglib's choice: x -> Px + p
    P2, p2 = np.asarray(other.transformation_matrix, dtype=float), np.asarray(other.origin_shift, dtype=float)
    if kept(P2 @ P, P2 @ p + p2):  # and back: its standard form is this cell
        return other
    raise RuntimeError("spglib moved the parent's origin while labelling Wyckoff positions")  # pragma: no cover


def _sites(table: IrrepTable, lattice: np.ndarray, positions: np.ndarray, species: tuple[str, ...],
           numbers: np.ndarray, symprec: float) -> tuple[np.ndarray, tuple[ParentSite, ...]]:
    """Wyckoff orbits of the conventional cell with its origin as given (spglib keeps a valid origin)."""
    ds = _dataset_of_this_cell(table, lattice, positions, numbers, symprec)
    orbits = np.asarray(ds.crystallographic_orbits)
    first = sorted(set(orbits.tolist()), key=lambda o: (str(ds.wyckoffs[o]), species[o], o))
    index = {o: i for i, o in enumerate(first)}
    sites = tuple(ParentSite(species[o], str(ds.wyckoffs[o]), int(np.sum(orbits == o)),
                             str(ds.site_symmetry_symbols[o]),
                             tuple(float(x) for x in positions[o] - np.floor(positions[o] + 1e-9)))
                  for o in first)
    return np.array([index[o] for o in orbits]), sites


# --------------------------------------------------------------------------- the setting
def _at(positions: np.ndarray, c: np.ndarray, table: IrrepTable, tol: float = 1e-5) -> np.ndarray:
    free = free_axes(table)
    d = positions - c
    d[:, free] = 0.0
    return _lattice_member(d, table.centring, tol)


def parent_setting(parent: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                   origin: str | None = None, keep_own_origin: bool = True) -> ParentSetting:
    """The parent (a Cell or pymatgen Structure) in the tables' setting with a chosen origin.

    ``origin``: the species to put at the origin (InputError if it sits on none of the
    allowed origins). ``keep_own_origin``: keep the parent's own origin when allowed.
    """
    cell = as_cell(parent)
    number = int(spglib_dataset(cell, symprec, angle_tol).number)
    table = load_table(number)
    angle = -1.0 if angle_tol is None else float(angle_tol)
    ds = spglib.get_symmetry_dataset(cell.spglib_cell(), symprec=symprec, angle_tolerance=angle,
                                     hall_number=table.hall_number)
    numbers = cell.type_numbers()
    name = {int(n): s for n, s in zip(numbers, cell.species)}
    P = np.asarray(ds.transformation_matrix, dtype=float)
    p = np.asarray(ds.origin_shift, dtype=float)
    lattice = np.asarray(ds.std_lattice, dtype=float) @ np.asarray(ds.std_rotation_matrix, dtype=float)
    std_pos = np.asarray(ds.std_positions, dtype=float)
    std_types = np.asarray(ds.std_types)
    species = tuple(name[int(t)] for t in std_types)

    candidates = origin_candidates(table)
    free = free_axes(table)
    options = []
    for c in candidates:
        here = _at(std_pos, c, table)
        occupants = sorted({species[i] for i in np.flatnonzero(here)})
        shift = c.copy()
        if free.any() and here.any():  # slide along the polar axis onto the atom
            shift[free] = std_pos[np.flatnonzero(here)[0]][free]
        pos = std_pos - shift
        pos -= np.floor(pos + 1e-9)
        orbit, sites = _sites(table, lattice, pos, species, std_types, min(symprec, 1e-4))
        options.append((c, shift, occupants, pos, orbit, sites))
    choices = tuple(o[2][0] if o[2] else None for o in options)

    if origin is not None:
        picked = [o for o in options if origin in o[2]]
        if not picked:
            where = ", ".join(c or "empty" for c in choices)
            raise InputError(f"no {origin} atom sits on a possible origin of the parent ({table.symbol}); "
                             f"the possible origins hold: {where}")
        rule = "asked"
    else:
        own = [o for o in options if keep_own_origin and _at(p[None], o[1], table, 1e-4)[0]]
        picked, rule = (own, "as given") if own else (options, "rule")
    nn = _nearest_distance(lattice, std_pos)

    def key(option: tuple) -> tuple:
        _, shift, _, pos, orbit, sites = option
        letters = sorted(s.letter for s in sites)
        lowest = letters[0]
        bonds = min(float(nn[i]) for i in range(len(pos)) if sites[orbit[i]].letter == lowest)
        return (lowest, round(bonds, 3), letters, [s.species for s in sites], tuple(np.round(shift, 6)))

    c, shift, occupants, pos, orbit, sites = min(picked, key=key)
    return ParentSetting(
        table=table, lattice=lattice, positions=pos, species=species, orbit=orbit, sites=sites,
        origin=occupants[0] if occupants else None, origin_rule=rule, origin_choices=choices,
        to_conv=P, shift=p - shift,
    )
