"""XYZ files: plain XYZ is a molecule; extended XYZ with ``Lattice="..."`` is a crystal.

Plain XYZ: atom count, a comment line, then ``symbol x y z`` (Å) per atom. Extended XYZ
(ASE / extxyz convention) puts ``key=value`` pairs on the comment line: ``Lattice`` holds
the three cell vectors (Å, row by row), ``Properties`` names the columns
(default ``species:S:1:pos:R:3``), ``pbc`` the periodic directions.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.cell import ATOMIC_NUMBER, ELEMENTS, Cell

_KEY_VALUE = re.compile(r"""(\w+)\s*=\s*("[^"]*"|'[^']*'|\{[^}]*\}|\S+)""")


@dataclass(frozen=True)
class XyzMolecule:
    """Species (element symbols) and Cartesian positions in Å."""

    species: tuple[str, ...]
    positions: np.ndarray
    notes: tuple[str, ...] = ()


def _element(token: str, line_no: int) -> str:
    if token.isdigit():
        z = int(token)
        if 1 <= z <= len(ELEMENTS):
            return ELEMENTS[z - 1]
    else:
        name = re.sub(r"[\d_+\-]+$", "", token)
        name = name[:1].upper() + name[1:].lower()
        if name in ATOMIC_NUMBER:
            return name
    raise InputError(f"line {line_no}: unknown element {token[:20]!r}")


def _float(token: str, line_no: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputError(f"line {line_no}: expected a number, found {token[:20]!r}") from None
    if not math.isfinite(value):
        raise InputError(f"line {line_no}: non-finite coordinate {token[:20]!r}")
    return value


def _columns(properties: str | None) -> tuple[int, int]:
    """Column offsets of species and pos in the Properties= description."""
    if not properties:
        return 0, 1
    fields = properties.split(":")
    if len(fields) % 3:
        raise InputError(f"malformed Properties={properties[:60]}")
    offset = 0
    species_col = pos_col = None
    for k in range(0, len(fields), 3):
        name, kind, count_text = fields[k:k + 3]
        try:
            count = int(count_text)
        except ValueError:
            raise InputError(f"malformed Properties={properties[:60]}") from None
        if name.lower() == "species" and kind.upper() == "S":
            species_col = offset
        elif name.lower() in ("pos", "positions") and kind.upper() == "R" and count == 3:
            pos_col = offset
        offset += count
    if species_col is None or pos_col is None:
        raise InputError("extended XYZ Properties must include species:S:1 and pos:R:3")
    return species_col, pos_col


def _header_pairs(comment: str) -> dict[str, str]:
    pairs = {}
    for key, value in _KEY_VALUE.findall(comment):
        if value[:1] in "\"'{":
            value = value[1:-1]
        pairs[key.lower()] = value
    return pairs


def read_xyz(text: str) -> XyzMolecule | Cell:
    """Parse the first frame of an XYZ / extended XYZ text."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise InputError("empty file")
    try:
        count = int(lines[0].split()[0])
    except (ValueError, IndexError):
        raise InputError("not an XYZ file: the first line must be the number of atoms") from None
    if count <= 0:
        raise InputError("the structure has no atoms")
    if len(lines) < count + 2:
        raise InputError(f"XYZ file declares {count} atoms but has {max(len(lines) - 2, 0)} atom lines")
    pairs = _header_pairs(lines[1])
    species_col, pos_col = _columns(pairs.get("properties"))
    species: list[str] = []
    positions = np.empty((count, 3))
    for i in range(count):
        line_no = i + 3
        tokens = lines[i + 2].split()
        if len(tokens) <= max(species_col, pos_col + 2):
            raise InputError(f"line {line_no}: expected species and three coordinates")
        species.append(_element(tokens[species_col], line_no))
        positions[i] = [_float(tokens[pos_col + k], line_no) for k in range(3)]
    notes: list[str] = []
    rest = [line for line in lines[count + 2:] if line.strip()]
    if rest:
        notes.append("the file holds more than one frame; the first is analysed")
    lattice_text = pairs.get("lattice")
    pbc = pairs.get("pbc")
    periodic = [flag.upper() in ("T", "TRUE", "1") for flag in pbc.split()] if pbc else [True, True, True]
    if lattice_text is None or not any(periodic):
        return XyzMolecule(tuple(species), positions, tuple(notes))
    try:
        values = [float(v) for v in shlex.split(lattice_text.replace(",", " "))]
    except ValueError:
        raise InputError(f"malformed Lattice={lattice_text[:60]}") from None
    if len(values) != 9 or not all(math.isfinite(v) for v in values):
        raise InputError("Lattice= must hold 9 numbers")
    lattice = np.array(values).reshape(3, 3)
    if abs(np.linalg.det(lattice)) < 1e-6:
        raise InputError("the lattice is degenerate (zero cell volume)")
    if not all(periodic):
        notes.append(f"pbc={pbc!r} is partly periodic; analysed as a 3D crystal")
    frac = np.linalg.solve(lattice.T, positions.T).T
    return Cell(lattice, frac, tuple(species), notes=tuple(notes))
