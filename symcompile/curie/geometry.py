"""Geometries as the curie command sees them: species and Cartesian positions, with a lattice for crystals.

A map IN -> OUT acts in one Cartesian frame with a per-point correspondence by index, so
nothing here re-orients, re-orders or wraps anything. Plain and extended XYZ files are read
here directly (fast: no pymatgen import); every other format goes through the structures
reader (pymatgen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from symcompile.errors import InputError

__all__ = ["Geometry", "read_geometry", "geometry_from_pymatgen"]


@dataclass(frozen=True)
class Geometry:
    """Points with labels: ``species[i]`` at ``positions[i]`` (Å); ``lattice`` rows are cell vectors (crystals)."""

    species: tuple[str, ...]
    positions: np.ndarray  # [N, 3] Cartesian, Å
    lattice: np.ndarray | None = None  # [3, 3] rows a, b, c (Å); None for finite geometries
    source: str = ""

    @property
    def periodic(self) -> bool:
        return self.lattice is not None

    def __len__(self) -> int:
        return len(self.species)

    def transformed(self, R: np.ndarray, t: np.ndarray | None = None) -> "Geometry":
        """The same geometry moved by x -> R x + t (the lattice is rotated, not translated)."""
        t = np.zeros(3) if t is None else np.asarray(t, dtype=np.float64)
        lat = None if self.lattice is None else self.lattice @ R.T
        return Geometry(self.species, self.positions @ R.T + t, lat, self.source)

    def permuted(self, order: np.ndarray) -> "Geometry":
        """Points re-listed in the order ``order`` (new point k is old point order[k])."""
        order = np.asarray(order)
        return Geometry(tuple(self.species[i] for i in order), self.positions[order], self.lattice, self.source)


_LATTICE = re.compile(r'Lattice\s*=\s*"([^"]*)"', re.I)


def _read_xyz(path: Path) -> Geometry:
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}") from exc
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InputError(f"{path}: empty file")
    try:
        n = int(lines[0].split()[0])
    except (ValueError, IndexError):
        raise InputError(f"{path}: the first line of an XYZ file must be the number of atoms") from None
    if n < 1 or len(lines) < n + 2:
        raise InputError(f"{path}: XYZ file announces {n} atoms but has {max(len(lines) - 2, 0)} atom lines")
    comment = lines[1]
    species: list[str] = []
    coords: list[list[float]] = []
    for k, line in enumerate(lines[2 : n + 2], start=3):
        parts = line.split()
        try:
            species.append(parts[0])
            coords.append([float(x) for x in parts[1:4]])
            if len(coords[-1]) != 3:
                raise ValueError
        except (ValueError, IndexError):
            raise InputError(f"{path}: line {k} is not 'symbol x y z'") from None
    lattice = None
    match = _LATTICE.search(comment)
    if match:
        try:
            lattice = np.array([float(x) for x in match.group(1).split()], dtype=np.float64).reshape(3, 3)
        except ValueError:
            raise InputError(f"{path}: malformed Lattice=\"...\" in the extended XYZ comment line") from None
        if abs(np.linalg.det(lattice)) < 1e-6:
            raise InputError(f"{path}: the lattice has zero volume")
    pos = np.array(coords, dtype=np.float64)
    if not np.isfinite(pos).all():
        raise InputError(f"{path}: non-finite coordinates")
    return Geometry(tuple(species), pos, lattice, str(path))


def geometry_from_pymatgen(obj: object, source: str = "") -> Geometry:
    """A pymatgen Structure (periodic) or Molecule as a Geometry, order kept."""
    species = tuple(str(site.specie) if hasattr(site, "specie") else str(site.species) for site in obj)  # type: ignore[attr-defined]
    pos = np.array(obj.cart_coords, dtype=np.float64)  # type: ignore[attr-defined]
    lattice = getattr(obj, "lattice", None)
    lat = None if lattice is None else np.array(lattice.matrix, dtype=np.float64)
    return Geometry(species, pos, lat, source)


def read_geometry(path: str) -> Geometry:
    """Read a geometry: XYZ/extended XYZ directly, anything else (CIF, POSCAR, ...) via pymatgen."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"no such file: {path}")
    if p.is_dir():
        raise InputError(f"{path} is a directory, not a geometry file")
    if p.suffix.lower() in (".xyz", ".extxyz"):
        return _read_xyz(p)
    try:
        from symcompile.structures import read_structure  # type: ignore[attr-defined]
    except ImportError:  # the structures package without its reader: read with pymatgen directly
        read_structure = _read_with_pymatgen
    return geometry_from_pymatgen(read_structure(path), str(path))


def _read_with_pymatgen(path: str) -> object:
    try:
        from pymatgen.core import Molecule, Structure

        try:
            return Structure.from_file(path)
        except Exception:  # noqa: BLE001 - not a crystal format: try molecule formats
            return Molecule.from_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
        raise InputError(f"cannot read {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
