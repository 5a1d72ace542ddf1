"""The 1,651 magnetic space-group types: BNS and OG numbers and symbols, type I-IV, magnetic point group.

A magnetic space group pairs every operation {R|t} of a crystal with a time-reversal sign.
spglib identifies the type of a structure's group (its UNI number, with the BNS and OG numbers
and the type); the symbols come from the ISO-MAG table of Stokes and Campbell (data of Litvin's
*Magnetic Group Tables*, IUCr 2013) that pymatgen ships, joined on the BNS number: the two
tables agree on every OG number and type (a test checks all 1,651). The magnetic point group
is read off the BNS symbol: drop the lattice letter and screw subscripts, glides become mirrors
(primes kept), and types II and IV (whose point part contains 1') are grey.

Types (Bradley & Cracknell): I no time reversal at all; II grey, every operation also with time
reversal (a paramagnet, or moments that vanish); III half of the operations with time reversal,
no anti-translation; IV an anti-translation (a lattice translation followed by time reversal).

>>> t = magnetic_space_group_type(1159)
>>> t.bns_number, t.bns_symbol, t.og_number, t.type_roman, t.point_group_symbol
('136.499', "P4_2'/mnm'", '136.5.1156', 'III', "4'/mmm'")
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import spglib

from symcompile.structures.spacegroup import quiet_spglib

__all__ = ["MagneticSpaceGroupType", "magnetic_space_group_type", "bns_point_group_symbol", "TYPE_WORDS",
           "NUMBER_OF_TYPES"]

NUMBER_OF_TYPES = 1651

#: What each type means, in words.
TYPE_WORDS = {
    1: "no operation with time reversal",
    2: "grey: every operation also with time reversal (no net moments)",
    3: "black-white: half of the operations with time reversal, no anti-translation",
    4: "black-white lattice: an anti-translation (a lattice translation followed by time reversal)",
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class MagneticSpaceGroupType:
    """One of the 1,651 types: BNS and OG (Opechowski-Guccione) numbers and symbols, type 1-4.

    ``uni_number`` is spglib's serial number (BNS order); ``family_number`` the space group of the
    operations without their time-reversal signs (for type IV: of the BNS lattice's group).
    """

    uni_number: int
    bns_number: str
    bns_symbol: str
    og_number: str
    og_symbol: str
    type: int
    family_number: int

    @property
    def type_roman(self) -> str:
        return _ROMAN[self.type]

    @property
    def point_group_symbol(self) -> str:
        """The magnetic point group as the BNS symbol shows it (orientation of the BNS setting)."""
        return bns_point_group_symbol(self.bns_symbol, self.type)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bns": {"number": self.bns_number, "symbol": self.bns_symbol},
            "og": {"number": self.og_number, "symbol": self.og_symbol},
            "uni_number": self.uni_number,
            "type": self.type,
            "type_roman": self.type_roman,
            "type_words": TYPE_WORDS[self.type],
        }


@functools.lru_cache(maxsize=1)
def _iso_mag_symbols() -> dict[str, tuple[int, str, str, str]]:
    """BNS number -> (type, BNS symbol, OG number, OG symbol), from the table pymatgen ships."""
    from pymatgen.symmetry.maggroups import MAGSYMM_DATA

    with sqlite3.connect(f"file:{MAGSYMM_DATA}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT magtype, BNS1, BNS2, BNS_label, OG1, OG2, OG3, OG_label FROM space_groups").fetchall()
    return {f"{b1}.{b2}": (int(kind), str(bns), f"{o1}.{o2}.{o3}", str(og))
            for kind, b1, b2, bns, o1, o2, o3, og in rows}


@functools.lru_cache(maxsize=None)
def magnetic_space_group_type(uni_number: int) -> MagneticSpaceGroupType:
    """The type with spglib's UNI number (1-1651): numbers from spglib, symbols from ISO-MAG."""
    if not 1 <= int(uni_number) <= NUMBER_OF_TYPES:
        raise ValueError(f"UNI number must be 1-{NUMBER_OF_TYPES}, got {uni_number}")
    with quiet_spglib():
        found = spglib.get_magnetic_spacegroup_type(int(uni_number))
    kind, bns_symbol, og_number, og_symbol = _iso_mag_symbols()[str(found.bns_number)]
    return MagneticSpaceGroupType(int(found.uni_number), str(found.bns_number), bns_symbol, str(found.og_number),
                                  og_symbol, int(found.type), int(found.number))


_LATTICE = re.compile(r"([PABCFIR])(_[A-Za-z])?(.+)?")


def bns_point_group_symbol(symbol: str, kind: int) -> str:
    """The magnetic point group a BNS symbol shows: ``P4_2'/mnm'`` -> ``4'/mmm'``, ``C_c2/c`` -> ``2/m1'``.

    ``kind`` is the type (1-4): the point groups of types II and IV are grey (they contain 1').

    >>> bns_point_group_symbol("P6_3/m'm'c'", 3), bns_point_group_symbol("P_C4/mbm", 4), bns_point_group_symbol("P2_11'", 2)
    ("6/m'm'm'", "4/mmm1'", "21'")
    """
    m = _LATTICE.fullmatch(symbol.replace(" ", ""))
    if m is None or not m.group(3):
        raise ValueError(f"not a BNS symbol: {symbol!r}")
    rest = m.group(3)
    if kind == 2:
        if not rest.endswith("1'"):
            raise ValueError(f"a grey (type II) symbol ends in 1': {symbol!r}")
        rest = rest[:-2] or "1"
    rest = re.sub(r"_\d", "", rest)  # screw axes 2_1, 4_2, 6_3 -> rotations
    rest = re.sub(r"[abcnde]", "m", rest)  # glide planes -> mirrors
    return rest + ("1'" if kind in (2, 4) else "")
