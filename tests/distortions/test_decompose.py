"""Mode decomposition of the bundled perovskites: the literature's labels, directions and
isotropy subgroups with either site at the origin, primary vs secondary, strain, amplitudes
that add up (Σ amplitude² = total²), and the same answer however the child is written."""

from __future__ import annotations

import numpy as np
import pytest
from distortion_data import (
    PEROVSKITES,
    PRIMITIVE,
    random_rotation,
    read,
    rotated,
    shifted,
    shuffled,
    sum_of_squares,
    supercell,
    transform,
)

from symcompile.distortions import decompose
from symcompile.distortions.modes import group_type
from symcompile.structures.cell import Cell


def summary(result) -> dict[str, tuple]:
    return {m.irrep: (m.k_label, m.direction, m.isotropy_subgroup["number"], m.primary) for m in result.modes}


def check_sums(result) -> None:
    assert abs(sum_of_squares([m.amplitude for m in result.modes]) - result.total_displacement ** 2) < 1e-8
    for m in result.modes:
        assert abs(sum_of_squares([s.amplitude for s in m.sites]) - m.amplitude ** 2) < 1e-8
        assert abs(sum_of_squares([a.amplitude for a in m.arms]) - m.amplitude ** 2) < 1e-8


@pytest.fixture(scope="module")
def catio3() -> tuple[Cell, Cell]:
    child, parent = PEROVSKITES["CaTiO3"]
    return read(child), read(parent)


def test_catio3_pnma_b_origin(catio3) -> None:
    result = decompose(*catio3, origin="Ti")
    found = summary(result)
    assert {k for k, v in found.items() if v[3]} == {"M3+", "R4+"}
    assert found["R4+"] == ("R", "(a,a,0)", 74, True)
    assert found["M3+"] == ("M", "(a,0,0)", 127, True)
    assert {"X5+", "R5+"} <= {k for k, v in found.items() if not v[3]}
    assert result.child_group == {"number": 62, "symbol": "Pnma"}
    assert result.parent.origin == "Ti"
    check_sums(result)
    # the two primary isotropy subgroups intersect to exactly the child's group
    r4, m3 = (next(m for m in result.modes if m.irrep == name) for name in ("R4+", "M3+"))
    both = r4.stabiliser & m3.stabiliser
    assert group_type(result.analysis.group, both)["number"] == 62
    assert both.sum() == 8 * both[:, 0].sum()  # |mmm| operations per child lattice translation
    assert group_type(result.analysis.group, r4.stabiliser)["symbol"] == "Imma"


def test_catio3_pnma_a_origin_gives_the_a_origin_labels(catio3) -> None:
    b = decompose(*catio3, origin="Ti")
    a = decompose(*catio3)  # the parent file has Ca at the origin
    assert a.parent.origin == "Ca"
    rename = {"R4+": "R5-", "M3+": "M2+", "X5+": "X5-", "R5+": "R4-", "M2+": "M3+"}
    assert {rename[m.irrep]: round(m.amplitude, 10) for m in b.modes} == {m.irrep: round(m.amplitude, 10)
                                                                         for m in a.modes}
    assert {m.irrep for m in a.modes if m.primary} == {"R5-", "M2+"}


@pytest.mark.parametrize("origin, label", [("Ti", "R4+"), ("Sr", "R5-")])
def test_srtio3_i4mcm_single_r_mode(origin: str, label: str) -> None:
    child, parent = PEROVSKITES["SrTiO3"]
    result = decompose(read(child), read(parent), origin=origin)
    assert summary(result) == {label: ("R", "(a,0,0)", 140, True)}
    assert [float(x) for x in result.modes[0].k] == [0.5, 0.5, 0.5]
    check_sums(result)


def test_laalo3_r3c_is_r4_plus_along_111() -> None:
    child, parent = PEROVSKITES["LaAlO3"]
    result = decompose(read(child), read(parent), origin="Al")
    assert summary(result) == {"R4+": ("R", "(a,a,a)", 167, True)}
    assert result.modes[0].sites[0].species == "O"
    check_sums(result)


def test_batio3_p4mm_polar_mode_and_strain() -> None:
    child, parent = PEROVSKITES["BaTiO3"]
    result = decompose(read(child), read(parent), origin="Ti")
    assert summary(result) == {"GM4-": ("GM", "(a,0,0)", 99, True)}
    strain = {s.irrep: s.amplitude for s in result.strain}
    assert set(strain) == {"GM1+", "GM3+", "GM5+"}
    assert strain["GM1+"] > 1e-4 and strain["GM3+"] > 1e-4 and strain["GM5+"] < 1e-9
    # tetragonal strain: c/a - 1 = 0.45 %; GM3+ is its traceless part, |e| = sqrt(2/3) |c/a - 1| to first order
    assert strain["GM3+"] == pytest.approx(np.sqrt(2 / 3) * (4.018 / 3.9998 - 1), rel=0.02)
    # the same labels with A at the origin: Γ labels do not depend on the origin
    assert summary(decompose(read(child), read(parent))) == summary(result)
    check_sums(result)


def test_record_has_the_agreed_keys(catio3) -> None:
    record = decompose(*catio3, origin="Ti").to_record()
    assert {"modes", "strain", "total_displacement", "parent"} <= set(record)
    assert set(record["modes"][0]) == {"irrep", "k", "k_label", "direction", "amplitude", "primary",
                                       "isotropy_subgroup", "sites"}
    assert set(record["modes"][0]["isotropy_subgroup"]) == {"number", "symbol"}
    assert set(record["modes"][0]["sites"][0]) == {"species", "wyckoff", "amplitude"}
    assert set(record["strain"][0]) == {"irrep", "amplitude"}
    assert record["parent"]["origin"] == "Ti"
    assert {(s["species"], s["wyckoff"], s["multiplicity"]) for s in record["parent"]["sites"]} == {
        ("Ti", "1a", 1), ("Ca", "1b", 1), ("O", "3d", 3)}
    assert record["modes"][0]["k"] == ["1/2", "1/2", "1/2"]
    import json
    json.dumps(record)


def _variants(cell: Cell, lattice: str) -> dict[str, Cell]:
    rng = np.random.default_rng(11)
    out = {"as given": cell, "supercell": supercell(cell, 2), "rotated": rotated(cell, random_rotation(rng)),
           "shifted": shifted(cell, np.array([0.137, 0.291, 0.513])), "shuffled": shuffled(cell, rng),
           "other cell": transform(cell, np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]]))}
    if lattice != "P":
        out["primitive"] = transform(cell, PRIMITIVE[lattice])
    return out


@pytest.mark.parametrize("name, lattice, origin", [("CaTiO3", "P", "Ti"), ("SrTiO3", "I", "Ti"),
                                                   ("LaAlO3", "R", None), ("BaTiO3", "P", "Ti")])
def test_the_answer_does_not_depend_on_how_the_child_is_written(name: str, lattice: str, origin: str | None) -> None:
    child_path, parent_path = PEROVSKITES[name]
    parent = read(parent_path)
    reference = decompose(read(child_path), parent, origin=origin)
    expected = {m.irrep: (m.direction, m.isotropy_subgroup["number"], m.primary, round(m.amplitude, 6),
                          tuple((s.species, s.wyckoff, round(s.amplitude, 6)) for s in m.sites))
                for m in reference.modes}
    strain = [(s.irrep, round(s.amplitude, 8)) for s in reference.strain]
    for kind, cell in _variants(read(child_path), lattice).items():
        result = decompose(cell, parent, origin=origin)
        found = {m.irrep: (m.direction, m.isotropy_subgroup["number"], m.primary, round(m.amplitude, 6),
                           tuple((s.species, s.wyckoff, round(s.amplitude, 6)) for s in m.sites))
                 for m in result.modes}
        assert found == expected, kind
        assert [(s.irrep, round(s.amplitude, 8)) for s in result.strain] == strain, kind
        assert result.child_group == reference.child_group
        check_sums(result)


def test_the_parent_may_be_rotated_or_written_in_a_supercell(catio3) -> None:
    child, parent = catio3
    reference = summary(decompose(child, parent, origin="Ti"))
    rng = np.random.default_rng(5)
    for variant in (supercell(parent, 2), rotated(parent, random_rotation(rng)), shuffled(parent, rng)):
        assert summary(decompose(child, variant, origin="Ti")) == reference


def test_idealised_parent_in_the_childs_cell_gives_the_same_modes(catio3) -> None:
    """The parent written atom for atom in the child's Pbnm cell (coordinates snapped to the
    ideal perovskite values 0, 1/4, 1/2, 3/4 by hand, pseudocubic lattice)."""
    child, parent = catio3
    ideal_frac = np.round(child.frac_coords * 4) / 4
    a_p = (abs(np.linalg.det(child.lattice)) / 4) ** (1 / 3)
    ideal = Cell(np.diag([np.sqrt(2) * a_p, np.sqrt(2) * a_p, 2 * a_p]), ideal_frac, child.species)
    given = decompose(child, parent, origin="Ti")
    idealised = decompose(child, ideal_parent=ideal, origin="Ti")
    assert summary(idealised) == summary(given)
    for a, b in zip(given.modes, idealised.modes):
        assert a.amplitude == pytest.approx(b.amplitude, abs=1e-9)
    assert idealised.parent.origin_rule == "asked"
    default = decompose(child, ideal_parent=ideal)  # no own origin: the rule puts Ti (B) at 1a
    assert default.parent.origin == "Ti"
