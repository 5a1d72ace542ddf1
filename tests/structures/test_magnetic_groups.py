"""The 1,651 magnetic space-group types: two tables joined, and every point group named two ways.

Independent routes: spglib's database (UNI numbers, BNS/OG numbers, the operations of each type)
and the ISO-MAG table of Stokes & Campbell shipped by pymatgen (symbols); the magnetic point group
from the BNS symbol (read by our parser of Hermann-Mauguin symbols with primes) against the point
parts of spglib's operations (named by counting element kinds).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import spglib

from symcompile.o3.magnetic_point_groups import _keys, magnetic_point_group, magnetic_point_group_from_operations
from symcompile.structures.magnetic_groups import (
    NUMBER_OF_TYPES,
    bns_point_group_symbol,
    magnetic_space_group_type,
)
from symcompile.structures.operations import cartesian_rotations

#: Types whose operations in spglib's database are another orientation of the BNS symbol's point group
#: (the unprimed axis of P2'2'2 and of the m'm2' groups is another one there); the type is the same.
SPGLIB_OTHER_ORIENTATION = {101, 178, 235, 256, 265, 280, 319, 324, 329}


def _lattice(number: int) -> np.ndarray:
    """A conventional cell of the family's system, a along x (hexagonal axes for trigonal groups)."""
    if 143 <= number <= 194:
        return np.array([[1.0, 0.0, 0.0], [-0.5, np.sqrt(3) / 2, 0.0], [0.0, 0.0, 1.6]])
    if number >= 195:
        return np.eye(3)
    if number >= 75:
        return np.diag([1.0, 1.0, 1.45])
    return np.diag([1.0, 1.2, 1.45])


def test_type_counts_and_the_two_tables_agree() -> None:
    kinds = Counter()
    for uni in range(1, NUMBER_OF_TYPES + 1):
        ours = magnetic_space_group_type(uni)
        theirs = spglib.get_magnetic_spacegroup_type(uni)
        assert ours.og_number == theirs.og_number and ours.type == theirs.type
        assert ours.bns_number.split(".")[0] == str(theirs.number) or ours.type == 4
        kinds[ours.type] += 1
    assert kinds == {1: 230, 2: 230, 3: 674, 4: 517}


def test_every_point_group_from_the_symbol_equals_the_one_from_the_operations() -> None:
    other = set()
    kinds = {1: "ordinary", 2: "grey", 3: "black-white", 4: "grey"}
    for uni in range(1, NUMBER_OF_TYPES + 1):
        t = magnetic_space_group_type(uni)
        from_symbol = magnetic_point_group(t.point_group_symbol)
        ops = spglib.get_magnetic_symmetry_from_database(uni)
        R = cartesian_rotations(_lattice(t.family_number), ops["rotations"])
        tau = np.where(ops["time_reversals"], -1, 1)
        from_ops = magnetic_point_group_from_operations(R, tau)
        assert from_ops.number == from_symbol.number, (uni, t.bns_symbol)
        assert from_symbol.kind == kinds[t.type], (uni, t.bns_symbol)
        pairs = set(zip(_keys(from_ops.matrices), from_ops.time_reversal.tolist()))
        if pairs != set(zip(_keys(from_symbol.matrices), from_symbol.time_reversal.tolist())):
            other.add(uni)
    assert other == SPGLIB_OTHER_ORIENTATION


@pytest.mark.parametrize("symbol, kind, point", [
    ("P4_2'/mnm'", 3, "4'/mmm'"), ("C_c2/c", 4, "2/m1'"), ("P_a2_1/c", 4, "2/m1'"), ("R-3'c'", 3, "-3'm'"),
    ("Pn'ma'", 3, "m'mm'"), ("P6_3'c'm", 3, "6'm'm"), ("Fd-3m1'", 2, "m-3m1'"), ("P4/m'b'm'", 3, "4/m'm'm'"),
])
def test_point_part_of_published_symbols(symbol: str, kind: int, point: str) -> None:
    assert bns_point_group_symbol(symbol, kind) == point
    magnetic_point_group(point)  # a name our parser accepts


def test_bad_symbols() -> None:
    with pytest.raises(ValueError):
        bns_point_group_symbol("X", 1)
    with pytest.raises(ValueError):
        bns_point_group_symbol("P2", 2)  # a grey symbol ends in 1'
    with pytest.raises(ValueError):
        magnetic_space_group_type(1652)
