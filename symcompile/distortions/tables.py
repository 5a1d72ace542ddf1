"""Bilbao's labelled character tables of the 230 space groups (the data files of ``irreptables``).

For each space group the tables list its operations {W|w} (coset representatives of the
translations, in the ITA standard setting Bilbao uses: origin choice 2, hexagonal axes for R)
and, for each maximal k-vector (Γ, X, M, R, ...: points, not lines), the characters of the
irreps of the little group under the CDML labels that ISOTROPY and Bilbao use (``GM4-``,
``R4+``, ``X3+``, ``K3``). A character of {E|t}{W|w} is e^{-2πi k·t} times the tabulated one.

>>> table = load_table(221)
>>> table.symbol, table.point("R").k, sorted(table.point("R").irreps)[:2]
('Pm-3m', (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)), ['R1+', 'R1-'])
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import spglib

import symcompile.structures.spacegroup  # noqa: F401  (spglib raises errors instead of returning None)

#: Centring translations of the conventional cell, by the first letter of the symbol.
CENTRING: dict[str, tuple[tuple[Fraction, ...], ...]] = {
    "P": ((Fraction(0), Fraction(0), Fraction(0)),),
    "I": ((Fraction(0),) * 3, (Fraction(1, 2),) * 3),
    "F": ((Fraction(0),) * 3, (Fraction(0), Fraction(1, 2), Fraction(1, 2)),
          (Fraction(1, 2), Fraction(0), Fraction(1, 2)), (Fraction(1, 2), Fraction(1, 2), Fraction(0))),
    "C": ((Fraction(0),) * 3, (Fraction(1, 2), Fraction(1, 2), Fraction(0))),
    "A": ((Fraction(0),) * 3, (Fraction(0), Fraction(1, 2), Fraction(1, 2))),
    "B": ((Fraction(0),) * 3, (Fraction(1, 2), Fraction(0), Fraction(1, 2))),
    "R": ((Fraction(0),) * 3, (Fraction(2, 3), Fraction(1, 3), Fraction(1, 3)),
          (Fraction(1, 3), Fraction(2, 3), Fraction(2, 3))),
}

#: A primitive basis (columns, conventional coordinates) of each centred lattice.
PRIMITIVE: dict[str, np.ndarray] = {
    "P": np.eye(3),
    "I": np.array([[-1, 1, 1], [1, -1, 1], [1, 1, -1]]).T / 2,
    "F": np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]]).T / 2,
    "C": np.array([[1, -1, 0], [1, 1, 0], [0, 0, 2]]).T / 2,
    "A": np.array([[2, 0, 0], [0, 1, -1], [0, 1, 1]]).T / 2,
    "B": np.array([[1, 0, -1], [0, 2, 0], [1, 0, 1]]).T / 2,
    "R": np.array([[2, 1, 1], [-1, 1, 1], [-1, -2, 1]]).T / 3,
}


@dataclass(frozen=True, eq=False)
class TableKPoint:
    """One k-vector of the tables: its letter, coordinates (conventional reciprocal basis),
    the indices (0-based, into the table's operations) of its little co-group, and the
    characters of each little-group irrep on those operations."""

    letter: str
    k: tuple[Fraction, Fraction, Fraction]
    little: tuple[int, ...]
    irreps: dict[str, np.ndarray]  # label -> complex characters on ``little``
    dims: dict[str, int]

    @property
    def kvec(self) -> np.ndarray:
        return np.array([float(x) for x in self.k])


@dataclass(frozen=True, eq=False)
class IrrepTable:
    """A space group as Bilbao's tables write it: operations, centring, k-points."""

    number: int
    symbol: str
    rotations: np.ndarray  # (n, 3, 3) int, conventional basis
    translations: np.ndarray  # (n, 3) float, conventional basis
    points: tuple[TableKPoint, ...]
    hall_number: int  # spglib's Hall setting that is exactly this setting (origin included)

    @property
    def centring(self) -> np.ndarray:
        """Centring translations of the conventional cell (rows; the zero vector first)."""
        return np.array([[float(x) for x in c] for c in CENTRING[self.symbol[0]]])

    @property
    def primitive(self) -> np.ndarray:
        """A primitive basis of the lattice (columns, conventional coordinates)."""
        return PRIMITIVE[self.symbol[0]]

    def point(self, letter: str) -> TableKPoint:
        for p in self.points:
            if p.letter == letter:
                return p
        raise KeyError(f"no k-point {letter!r} in the table of {self.symbol}")


def _tables_dir() -> Path:
    spec = importlib.util.find_spec("irreptables")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - dependency missing
        raise ImportError("the 'irreptables' package (Bilbao's character tables) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "tables"


def _fraction(text: str) -> Fraction:
    return Fraction(float(text)).limit_denominator(24)


def _parse(text: str, number: int) -> tuple[str, np.ndarray, np.ndarray, list[TableKPoint]]:
    lines = text.splitlines()
    header = {}
    i = 0
    while not lines[i].strip().startswith("symmetries"):
        key, _, value = lines[i].partition("=")
        header[key.strip()] = value.strip()
        i += 1
    nsym = int(header["nsym"])
    rotations, translations = [], []
    for line in lines[i + 1:i + 1 + nsym]:
        values = [float(x) for x in line.split()]
        rotations.append(np.rint(values[:9]).astype(int).reshape(3, 3))
        translations.append([float(_fraction(str(x))) for x in values[9:12]])  # the files print 0.33333
    points = []
    i += 1 + nsym
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("kpoint"):
            head, coords, ops = line.split(":")
            letter = head.split()[1]
            little = tuple(int(x) - 1 for x in ops.split())
            irreps, dims = {}, {}
            i += 1
            while i < len(lines) and lines[i].strip():
                parts = lines[i].split()
                label, dim = parts[0], int(parts[1])
                values = np.array([float(x) for x in parts[2:]])
                m = len(little)
                if len(values) == m:
                    chars = values.astype(complex)
                elif len(values) == 2 * m:  # modulus, then phase in units of pi
                    chars = values[:m] * np.exp(1j * np.pi * values[m:])
                else:  # pragma: no cover - malformed file
                    raise ValueError(f"SG {number}, {label}: {len(values)} values for {m} operations")
                irreps[label] = chars
                dims[label] = dim
                i += 1
            k = tuple(_fraction(x) for x in coords.split())
            points.append(TableKPoint(letter, k, little, irreps, dims))  # type: ignore[arg-type]
        i += 1
    return header["name"], np.array(rotations), np.array(translations).reshape(-1, 3), points


def _op_keys(rotations: np.ndarray, translations: np.ndarray) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    t = np.rint((np.asarray(translations) % 1.0) * 48).astype(int) % 48
    return {(tuple(r.ravel()), tuple(x)) for r, x in zip(np.asarray(rotations, dtype=int), t)}


def _hall_number(number: int, symbol: str, rotations: np.ndarray, translations: np.ndarray) -> int:
    """spglib's Hall setting whose operations are exactly the table's (with centring)."""
    centring = np.array([[float(x) for x in c] for c in CENTRING[symbol[0]]])
    rots = np.repeat(rotations, len(centring), axis=0)
    trans = (translations[:, None, :] + centring[None]).reshape(-1, 3)
    wanted = _op_keys(rots, trans)
    for hall in range(1, 531):
        if spglib.get_spacegroup_type(hall).number != number:
            continue
        db = spglib.get_symmetry_from_database(hall)
        if _op_keys(db["rotations"], db["translations"]) == wanted:
            return hall
    raise ValueError(f"no spglib Hall setting matches Bilbao's table of space group {number}")  # pragma: no cover


@functools.cache
def load_table(number: int) -> IrrepTable:
    """Bilbao's table of space group ``number`` (1-230), with spglib's Hall number of its setting."""
    if not 1 <= int(number) <= 230:
        raise ValueError(f"no space group number {number}")
    text = (_tables_dir() / f"irreps-SG={int(number)}-scal.dat").read_text()
    symbol, rotations, translations, points = _parse(text, int(number))
    hall = _hall_number(int(number), symbol, rotations, translations)
    return IrrepTable(int(number), symbol, rotations, translations, tuple(points), hall)
