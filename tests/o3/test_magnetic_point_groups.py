"""The 122 magnetic point groups against independent sources.

- spglib's database of the 1,651 magnetic space groups (Stokes & Campbell / Litvin): the point
  parts (rotation, time reversal) of all of them give exactly our 122 types, no more, no fewer;
- Litvin's numbering as the Bilbao server's MPOINT shows it (``-3m`` is 20.1.71, ``6`` is
  21.1.76, ``6'/m'mm'`` is 27.5.104);
- the published list of the 31 groups that admit a spontaneous magnetisation;
- group axioms, orders, and pairwise non-equivalence by a conjugation invariant computed here.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest
import spglib

from symcompile.errors import InputError
from symcompile.o3 import Irrep
from symcompile.o3.magnetic_point_groups import (
    LITVIN_BLACK_WHITE,
    MagneticPointGroup,
    any_point_group,
    is_magnetic_name,
    magnetic_point_group,
    magnetic_point_groups,
)
from symcompile.o3.point_groups import PointGroup, crystallographic_point_groups, rotation_matrix

GROUPS = magnetic_point_groups()


def _mkey(M: np.ndarray) -> tuple[int, ...]:
    return tuple(int(x) for x in np.rint(np.asarray(M) * 1e6).ravel())


def _invariant(mats: np.ndarray, signs: np.ndarray) -> tuple:
    """Counts of (det, trace, time sign): unchanged by any change of basis (for crystallographic
    elements det and trace fix the kind of operation: 1, 2, 3, 4, 6, -1, m, -3, -4, -6)."""
    mats = np.asarray(mats, dtype=float)
    dets = np.rint(np.linalg.det(mats)).astype(int)
    traces = np.rint(np.einsum("nii->n", mats)).astype(int)
    return tuple(sorted(Counter(zip(dets.tolist(), traces.tolist(), np.asarray(signs, dtype=int).tolist())).items()))


def test_122_groups_32_ordinary_32_grey_58_black_white() -> None:
    assert len(GROUPS) == 122
    assert Counter(g.kind for g in GROUPS) == {"ordinary": 32, "grey": 32, "black-white": 58}
    assert [g.number.split(".")[2] for g in GROUPS] == [str(k) for k in range(1, 123)]
    assert sum(len(v) for v in LITVIN_BLACK_WHITE.values()) == 58


@pytest.mark.parametrize("g", GROUPS, ids=lambda g: g.name)
def test_group_axioms_order_and_unitary_subgroup(g: MagneticPointGroup) -> None:
    G = g.family
    factor = 2 if g.kind == "grey" else 1
    assert g.order == factor * G.order
    pairs = {(_mkey(M), int(t)) for M, t in zip(g.matrices, g.time_reversal)}
    assert len(pairs) == g.order
    for A, a in zip(g.matrices, g.time_reversal):  # closed under (A, a)(B, b) = (AB, ab)
        for B, b in zip(g.matrices, g.time_reversal):
            assert (_mkey(A @ B), int(a * b)) in pairs
    spatial = {_mkey(M) for M in g.matrices}
    assert spatial == {_mkey(M) for M in G.matrices}
    unprimed = {_mkey(M) for M, t in zip(g.matrices, g.time_reversal) if t == 1}
    if g.kind == "black-white":
        assert len(unprimed) * 2 == G.order and unprimed == {_mkey(M) for M in g.unitary.matrices}
    else:
        assert unprimed == spatial


def test_black_white_groups_are_pairwise_inequivalent() -> None:
    invariants = [_invariant(g.matrices, g.time_reversal) for g in GROUPS]
    assert len(set(invariants)) == 122


def test_the_122_types_are_exactly_the_point_parts_of_the_1651_magnetic_space_groups() -> None:
    """spglib's magnetic space groups (rotations in their own lattice bases) reduced to point groups."""
    ours = {_invariant(g.matrices, g.time_reversal): g.kind for g in GROUPS}
    theirs: dict[tuple, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for uni in range(1, 1652):
            sym = spglib.get_magnetic_symmetry_from_database(uni)
            pairs = {(tuple(np.asarray(W).ravel().tolist()), int(t)) for W, t in zip(sym["rotations"],
                                                                                       sym["time_reversals"])}
            mats = np.array([np.reshape(W, (3, 3)) for W, _ in pairs], dtype=float)
            signs = np.array([-1 if t else 1 for _, t in pairs])
            grey = ((1, 0, 0, 0, 1, 0, 0, 0, 1), 1) in pairs
            kind = "grey" if grey else "ordinary" if not any(t for _, t in pairs) else "black-white"
            theirs[_invariant(mats, signs)] = kind
    assert theirs == ours


def test_litvin_numbers_as_on_the_bilbao_server() -> None:
    assert magnetic_point_group("20.1.71").name == "-3m"
    assert magnetic_point_group("21.1.76").name == "6"
    assert magnetic_point_group("27.5.104").name == "6'/m'mm'"
    assert magnetic_point_group("-3m").number == "20.1.71"


# The 31 magnetic point groups that admit a spontaneous magnetisation (ferromagnetic groups), as
# listed by Borovik-Romanov & Grimmer, International Tables Vol. D, ch. 1.5 (2013), and on the
# Bilbao server's MPOINT pages ("compatible with ferromagnetism").
FERROMAGNETIC = {
    "1", "-1", "2", "2'", "m", "m'", "2/m", "2'/m'", "2'2'2", "m'm2'", "m'm'2", "m'm'm",
    "4", "-4", "4/m", "42'2'", "4m'm'", "-42'm'", "4/mm'm'", "3", "-3", "32'", "3m'", "-3m'",
    "6", "-6", "6/m", "62'2'", "6m'm'", "-6m'2'", "6/mm'm'",
}


def test_ferromagnetic_groups() -> None:
    assert {g.name for g in GROUPS if g.allows_ferromagnetism} == FERROMAGNETIC


@pytest.mark.parametrize("g", GROUPS, ids=lambda g: g.name)
def test_invariant_counts_with_time_parity_equal_the_group_average(g: MagneticPointGroup) -> None:
    """Characters against the trace of the averaged representation (Wigner D with the time sign)."""
    for l in range(5):
        for p in (1, -1):
            D = Irrep(l, p).D_from_matrix(g.matrices)
            for time in (1, -1):
                signs = g.time_reversal if time == -1 else np.ones(g.order)
                avg = np.einsum("n,nij->ij", signs.astype(float), D) / g.order
                assert g.invariants_of_irrep(l, p, time) == int(round(np.trace(avg))), (l, p, time)


# --------------------------------------------------------------------------- names and look-up
def test_every_standard_name_round_trips() -> None:
    for g in GROUPS:
        assert magnetic_point_group(g.name) is g
        assert magnetic_point_group(g.schoenflies) is g
        assert magnetic_point_group(g.number) is g
        assert g.is_standard


def test_every_name_read_as_a_symbol_gives_back_its_group() -> None:
    """The symbol reader (primes on the elements each position shows) agrees with the generated table."""
    from symcompile.o3.magnetic_point_groups import _from_symbol

    for g in GROUPS:
        assert _from_symbol(g.name.lower()) is g
    assert _from_symbol("4'/m'2/m'2'/m") is magnetic_point_group("4'/m'm'm")  # full symbol


@pytest.mark.parametrize("text,name", [
    ("4′/m′m′m", "4'/m'm'm"), ("4'/M'M'M", "4'/m'm'm"), (" m'm'm ", "m'm'm"), ("D4h(D2d)", "4'/m'm'm"),
    ("d3d(d3)", "-3'm'"), ("D4h1'", "4/mmm1'"), ("11'", "11'"), ("1'", "11'"), ("C11'", "11'"), ("-11'", "-11'"),
    ("321'", "321'"), ("3m1'", "3m1'"), ("6/mmm1'", "6/mmm1'"), ("\\bar{3}'m'", "-3'm'"), ("m-3m", "m-3m"),
])
def test_names_in_many_spellings(text: str, name: str) -> None:
    assert magnetic_point_group(text).name == name


def test_other_orientations_of_a_type() -> None:
    a, b = magnetic_point_group("4'/mmm'"), magnetic_point_group("4'/mm'm")
    assert a.standard_name == b.name == "4'/mm'm" and a.number == b.number and not a.is_standard
    R = rotation_matrix((0, 0, 1), np.pi / 4)  # the two differ by 45 degrees about z
    turned = {(_mkey(R @ M @ R.T), int(t)) for M, t in zip(b.matrices, b.time_reversal)}
    assert turned == {(_mkey(M), int(t)) for M, t in zip(a.matrices, a.time_reversal)}
    c = magnetic_point_group("-4'm2'")  # a black-white group of the -4m2 setting
    assert c.standard_name == "-4'2'm" and c.family.name == "-4m2"
    assert magnetic_point_group("2mm1'").standard_name == "mm21'"


@pytest.mark.parametrize("bad,needle", [
    ("mm2'", "inconsistent"), ("4'/m'm'm'", "inconsistent"), ("3'", "inconsistent"), ("4'1'", "grey"),
    ("D4h(C2v)", "no black-white group"), ("5'/m", "not a point group"), ("xyz'", "cannot read"), ("", "empty"),
    ("inf'", "cannot read"),
])
def test_bad_names_are_one_line_input_errors(bad: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as info:
        magnetic_point_group(bad)
    assert "\n" not in str(info.value)


def test_magnetic_names_and_ordinary_fallback() -> None:
    assert is_magnetic_name("m'm'm") and is_magnetic_name("D4h(D2d)") and is_magnetic_name("11'")
    assert not is_magnetic_name("4/mmm") and not is_magnetic_name("D4h")
    assert isinstance(any_point_group("4/mmm"), PointGroup)
    assert isinstance(any_point_group("4/mmm1'"), MagneticPointGroup)
    ordinary = magnetic_point_group("4/mmm")
    assert ordinary.kind == "ordinary" and ordinary.family is crystallographic_point_groups()[14]
    assert all(t == 1 for t in ordinary.time_reversal)


def test_operations_in_words() -> None:
    ops = magnetic_point_group("-1'").operations()
    assert ops == ["identity", "inversion followed by time reversal"]
    assert len(magnetic_point_group("11'").operations()) == 2
