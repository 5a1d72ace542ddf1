"""XYZ files: plain XYZ is a molecule; extended XYZ with a periodic ``Lattice="..."`` is a crystal.

Plain XYZ: atom count, a comment line, then ``symbol x y z`` (Å) per atom. Extended XYZ
(ASE / extxyz convention) puts ``key=value`` pairs on the comment line: ``Lattice`` holds the
three cell vectors (Å, row by row), ``Properties`` names the columns (default
``species:S:1:pos:R:3``; ``magmoms`` or ``initial_magmoms`` columns are read as moments),
``pbc`` the periodic directions: ``pbc="F F F"`` is a molecule even with a ``Lattice``.
Lines starting with ``#`` outside the comment line are skipped, as are ``#`` tails of atom lines.

>>> s = read_xyz('2\\nLattice="3 0 0 0 3 0 0 0 3" pbc="F F F"\\nH 0 0 0\\nH 0 0 0.74\\n')
>>> s.kind, s.formula()
('molecule', 'H2')
"""

from __future__ import annotations

import math
import re
import shlex

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.structure import ATOMIC_NUMBER, ELEMENTS, Structure

_KEY_VALUE = re.compile(r"""(\w+)\s*=\s*("[^"]*"|'[^']*'|\{[^}]*\}|\S+)""")
_TRUE = ("T", "TRUE", "1")
_MAGMOM_COLUMNS = ("magmoms", "initial_magmoms", "magmom", "magnetic_moments")


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
        raise InputError(f"line {line_no}: non-finite value {token[:20]!r}")
    return value


def _columns(properties: str | None) -> tuple[int, int, tuple[int, int] | None, str | None]:
    """Column offsets of species, pos and (offset, width) of the magnetic moments in Properties=, and the
    name of a moments column that cannot be read (not real, or neither 1 nor 3 wide)."""
    if not properties:
        return 0, 1, None, None
    fields = properties.split(":")
    if len(fields) % 3:
        raise InputError(f"malformed Properties={properties[:60]}")
    offset = 0
    species_col = pos_col = None
    magmom = None
    unread = None
    for k in range(0, len(fields), 3):
        name, kind, count_text = fields[k:k + 3]
        try:
            count = int(count_text)
        except ValueError:
            raise InputError(f"malformed Properties={properties[:60]}") from None
        if count < 1:
            raise InputError(f"malformed Properties={properties[:60]}")
        low = name.lower()
        if low == "species" and kind.upper() == "S":
            species_col = offset
        elif low in ("pos", "positions") and kind.upper() == "R" and count == 3:
            pos_col = offset
        elif low in _MAGMOM_COLUMNS and kind.upper() == "R" and count in (1, 3) and magmom is None:
            magmom = (offset, count)
        elif low in _MAGMOM_COLUMNS:
            unread = f"{name}:{kind}:{count}"
        offset += count
    if species_col is None or pos_col is None:
        raise InputError("extended XYZ Properties must include species:S:1 and pos:R:3")
    return species_col, pos_col, magmom, (unread if magmom is None else None)


def _header_pairs(comment: str) -> dict[str, str]:
    pairs = {}
    for key, value in _KEY_VALUE.findall(comment):
        if value[:1] in "\"'{":
            value = value[1:-1]
        pairs[key.lower()] = value
    return pairs


def _content_lines(text: str) -> list[str]:
    """Lines of the first frame's header and atoms: ``#`` lines skipped except the comment line."""
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if len(out) == 1:  # the comment line is kept whatever it holds
            out.append(line)
        elif stripped and not stripped.startswith("#"):
            out.append(line.split("#", 1)[0] if len(out) >= 2 else line)
    return out


def _lattice(text: str) -> np.ndarray:
    try:
        values = [float(v) for v in shlex.split(text.replace(",", " "))]
    except ValueError:
        raise InputError(f"malformed Lattice={text[:60]}") from None
    if len(values) != 9:
        raise InputError(f"Lattice= must hold 9 numbers (the three cell vectors), found {len(values)}")
    bad = next((v for v in values if not math.isfinite(v)), None)
    if bad is not None:
        raise InputError(f"Lattice= holds {bad!r}, not a finite number")
    return np.array(values).reshape(3, 3)


def read_xyz(text: str, source: str = "") -> Structure:
    """The first frame of an XYZ / extended XYZ text as a :class:`Structure`."""
    lines = _content_lines(text)
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
    species_col, pos_col, magmom_cols, unread = _columns(pairs.get("properties"))
    widest = max(species_col, pos_col + 2, (magmom_cols[0] + magmom_cols[1] - 1) if magmom_cols else 0)
    species: list[str] = []
    positions = np.empty((count, 3))
    moments = np.empty((count, magmom_cols[1])) if magmom_cols else None
    for i in range(count):
        line_no = i + 3
        tokens = lines[i + 2].split()
        if len(tokens) <= widest:
            raise InputError(f"line {line_no}: expected species and three coordinates")
        species.append(_element(tokens[species_col], line_no))
        positions[i] = [_float(tokens[pos_col + k], line_no) for k in range(3)]
        if moments is not None and magmom_cols is not None:
            moments[i] = [_float(tokens[magmom_cols[0] + k], line_no) for k in range(magmom_cols[1])]
    magmoms = None if moments is None else (moments[:, 0] if moments.shape[1] == 1 else moments)
    notes: list[str] = []
    if unread:
        notes.append(f"the moments column {unread} is not read (moments must be real, 1 or 3 per atom): the "
                     "magnetic symmetry is not analysed")
    if any(line.strip() for line in lines[count + 2:]):
        notes.append("the file holds more than one frame; the first is analysed")
    lattice_text = pairs.get("lattice")
    pbc = pairs.get("pbc")
    periodic = [flag.upper() in _TRUE for flag in pbc.replace(",", " ").split()] if pbc else [True] * 3
    meta = {"notes": tuple(notes), "source": source, "magmoms": magmoms}
    if lattice_text is None or not any(periodic):
        return Structure.molecule(tuple(species), positions, **meta)
    lattice = _lattice(lattice_text)
    if not all(periodic):
        notes.append(f"pbc={pbc!r} is partly periodic; analysed as a 3D crystal")
        meta["notes"] = tuple(notes)
    return Structure.from_cartesian(lattice, positions, tuple(species), **meta)
