"""Parents of published distorted crystals found by pseudo-symmetry (symcompile.distortions.find_parents).

Every candidate is checked independently of the search: spglib finds the stated space group in
the ideal parent; every symmetry operation spglib finds in the child maps the ideal parent onto
itself (the child's group is a subgroup, in the right setting); the ideal parent is the child
atom for atom, and its displacements, recomputed from the two structures, are those reported,
with the largest no larger than the largest once the mean is removed and no smaller than half
the spread. The expected groups are literature facts about the phase transitions:

* Pnma perovskites (a+b-b- tilts): parent Pm-3m, four cubic cells; among the intermediate tilt
  groups Imma (a0b-b-), P4/mbm (a0a0c+) and Cmcm (a0b+c-) (C. J. Howard and H. T. Stokes,
  Acta Cryst. B54, 782 (1998)).
* R-3c (a-a-a-): Pm-3m with two cells. R3c BiFeO3 (and LiNbO3): R-3c (tilts without the
  polarisation), R3m (polarisation without the tilts), Pm-3m. LiNbO3's paraelectric R-3c
  structure is about 0.37 Å from the ferroelectric one (the issue's measurement).
* alpha -> beta quartz P3_221 -> P6_222 (same cell); alpha cristobalite P4_12_12 -> Fd-3m
  (two primitive cells of the F lattice in the tetragonal cell); hausmannite Mn3O4 I4_1/amd ->
  spinel Fd-3m (cooperative Jahn-Teller strain); La2NiO4 LTT P4_2/ncm -> K2NiF4 I4/mmm;
  CaCl2 Pnnm -> rutile P4_2/mnm; BaTiO3 P4mm -> Pm-3m.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import spglib

from symcompile.distortions import decompose, find_parents, select_parent
from symcompile.distortions.parents import ParentCandidate
from symcompile.errors import InputError
from symcompile.structures import Structure, read_structure

HERE = Path(__file__).resolve().parent
PUBLISHED = HERE / "published"
STRUCTURES = HERE.parents[1] / "examples" / "structures"
sys.path.insert(0, str(HERE.parent / "structures"))
from structure_variants import (
    PRIMITIVE,
    maps_onto_itself,
    random_rotation,
    rotated,
    shifted,
    shuffled,
    transform,
)

#: file: (child's group, (highest parent's group, its primitive cells per child primitive cell),
#: intermediate groups that must be listed)
EXPECTED = {
    "LaMnO3_Pbnm_RodriguezCarvajal1998.cif": (62, (221, 4), {74, 127, 63}),
    "CaTiO3_Pbnm_Yamanaka2002.cif": (62, (221, 4), {74, 127, 63}),
    "LaAlO3_R-3c_Hayward2005.cif": (167, (221, 2), set()),
    "BiFeO3_R3c_Kubel1990.cif": (161, (221, 2), {167, 160}),
    "LiNbO3_R3c_Abrahams1966.cif": (161, (221, 2), {167, 160}),
    "SiO2_P3221_alphaQuartz_Levien1980.cif": (154, (180, 1), set()),
    "SiO2_P41212_alphaCristobalite_Pluth1985.cif": (92, (227, 2), set()),
    "Mn3O4_I41amd_Jarosch1987.cif": (141, (227, 1), set()),
    "La2NiO4_P42ncm_LTT_FullProf.cif": (138, (139, 4), set()),
    "CaCl2_Pnnm_vanBever1935.cif": (58, (136, 1), set()),
    "BaTiO3_P4mm_Buttner1992.cif": (99, (221, 1), set()),
}


@cache
def child(name: str) -> Structure:
    return read_structure(PUBLISHED / name)


@cache
def parents(name: str, bound: float | None = None):  # type: ignore[no-untyped-def]
    return find_parents(child(name)) if bound is None else find_parents(child(name), bound)


def check_candidate(crystal: Structure, cand: ParentCandidate) -> None:
    """The independent checks every candidate must pass."""
    parent = cand.ideal_parent
    assert parent.species == crystal.species and parent.num_atoms == crystal.num_atoms
    data = spglib.get_symmetry_dataset(parent.spglib_cell(), symprec=1e-3)
    assert data.number == cand.number
    # parent primitive cells per child primitive cell, from the atom counts
    n_child = len(set(spglib.get_symmetry_dataset(crystal.spglib_cell(), symprec=1e-3).mapping_to_primitive))
    assert n_child == cand.parent_cells * len(set(data.mapping_to_primitive))
    # the child's group is a subgroup of the parent's, in this setting
    own = spglib.get_symmetry_dataset(crystal.spglib_cell(), symprec=1e-3)
    basis = parent.lattice.T
    for w, t in zip(own.rotations, own.translations):
        assert maps_onto_itself(parent, basis @ w @ np.linalg.inv(basis), basis @ t, tol=1e-4)
    # the displacements, recomputed from the two structures
    d = crystal.frac_coords - parent.frac_coords
    u = (d - np.rint(d)) @ parent.lattice
    assert np.allclose(u, cand.displacements, atol=1e-8) and np.allclose(u.mean(axis=0), 0, atol=1e-8)
    assert np.linalg.norm(u - cand.translation, axis=1).max() == pytest.approx(cand.max_displacement, abs=1e-9)
    # the best uniform translation: no smaller than half the spread, no larger than with the mean removed
    spread = np.linalg.norm(u[:, None, :] - u[None, :, :], axis=2).max() / 2
    assert spread - 1e-9 <= cand.max_displacement <= np.linalg.norm(u, axis=1).max() + 1e-9
    assert cand.max_displacement <= 1.0  # the default bound


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_published_parents(name: str) -> None:
    number, (top, cells), intermediate = EXPECTED[name]
    found = parents(name)
    assert found.child_group["number"] == number
    assert (found[0].number, found[0].parent_cells) == (top, cells)
    assert intermediate <= {c.number for c in found}
    # the highest parent is what decompose takes, within the same bound; its operations are spglib's
    top_parent = found[0]
    decompose(child(name), ideal_parent=top_parent.ideal_parent, max_displacement=top_parent.max_displacement + 1e-9)
    own = spglib.get_symmetry_dataset(top_parent.ideal_parent.spglib_cell(), symprec=1e-3)
    assert len(top_parent.operations) == len(own.rotations)
    orders = [c.order for c in found]
    assert orders == sorted(orders, reverse=True)  # highest symmetry first
    for i, cand in enumerate(found):
        check_candidate(child(name), cand)
        for j in cand.subgroups:  # group j within group i: spglib's operations of ideal parent j keep i's
            assert found[j].order < cand.order and i in found[j].supergroups
            assert set(cand.maximal_subgroups) <= set(cand.subgroups)
            small = spglib.get_symmetry_dataset(found[j].ideal_parent.spglib_cell(), symprec=1e-3)
            basis = cand.ideal_parent.lattice.T
            for w, t in zip(small.rotations, small.translations):
                assert maps_onto_itself(cand.ideal_parent, basis @ w @ np.linalg.inv(basis), basis @ t, tol=1e-3)


def test_undistorted_crystals_have_no_parent() -> None:
    for path in (STRUCTURES / "SrTiO3_cubic.cif", STRUCTURES / "TiO2_rutile.cif",
                 PUBLISHED / "SiO2_P6222_betaQuartz_Kihara1990.cif"):
        found = find_parents(read_structure(path))
        assert list(found) == [] and select_parent(found) is None


def test_linbo3_paraelectric_parent_by_group() -> None:
    found = parents("LiNbO3_R3c_Abrahams1966.cif")
    r3c = select_parent(found, "R-3c")
    assert r3c is select_parent(found, 167) is select_parent(found, "R -3 c")
    assert r3c.max_displacement == pytest.approx(0.37, abs=0.02)  # the published paraelectric structure
    assert select_parent(found).number == 221 and select_parent(found).max_displacement > r3c.max_displacement
    # the paraelectric distortion is the polar GM2- of R-3c (Li and Nb along c)
    modes = decompose(child("LiNbO3_R3c_Abrahams1966.cif"), ideal_parent=r3c.ideal_parent, max_displacement=1.0)
    assert [m.irrep for m in modes.primary] == ["GM2-"]


def test_bound_below_the_cubic_parent() -> None:
    found = parents("LiNbO3_R3c_Abrahams1966.cif", 0.6)
    assert 167 in {c.number for c in found} and 221 not in {c.number for c in found}
    with pytest.raises(InputError, match=r"no parent of space group Pm-3m \(221\) within 0\.6 Å.*R-3c \(167\) 0\.36 Å"):
        select_parent(found, "Pm-3m")
    with pytest.raises(InputError, match="unknown space group"):
        select_parent(found, "Xq7")


def test_beta_quartz_is_the_symmetrised_alpha_quartz() -> None:
    """The ideal P6_222 parent of alpha quartz is Kihara's beta quartz (848 K) up to strain."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    beta = read_structure(PUBLISHED / "SiO2_P6222_betaQuartz_Kihara1990.cif")
    ideal = select_parent(parents("SiO2_P3221_alphaQuartz_Levien1980.cif")).ideal_parent
    matcher = StructureMatcher(ltol=0.05, stol=0.05, angle_tol=1, scale=True, primitive_cell=False)
    assert matcher.fit(ideal.to_pymatgen(), beta.to_pymatgen())
    # O on 6j (x, 2x, 1/2) of P6_222: x = 0.4135 here, 0.4152 at 848 K
    data = spglib.get_symmetry_dataset(ideal.spglib_cell(), symprec=1e-3)
    oxygen = [p for p, w in zip(data.std_positions, data.wyckoffs) if w == "j"]
    assert min(abs(p[0] - 0.4152) for p in oxygen) < 0.005
    # the transition is one one-dimensional Γ mode of P6_222 whose isotropy subgroup is alpha's P3_221,
    # against the ideal parent and against Kihara's (whose O x differs a little: a GM1 remainder)
    alpha = child("SiO2_P3221_alphaQuartz_Levien1980.cif")
    for parent in ({"ideal_parent": ideal}, {"parent": beta}):
        (primary,) = decompose(alpha, **parent).primary  # type: ignore[arg-type]
        assert primary.k_label == "GM" and primary.direction == "(a)" and primary.isotropy_subgroup["number"] == 154


def test_cristobalite_parent_is_the_ideal_beta_structure() -> None:
    from pymatgen.analysis.structure_matcher import StructureMatcher

    beta = read_structure(PUBLISHED / "SiO2_Fd-3m_betaCristobalite_ideal_Peacor1973.cif")
    ideal = select_parent(parents("SiO2_P41212_alphaCristobalite_Pluth1985.cif")).ideal_parent
    assert StructureMatcher(scale=True).fit(ideal.to_pymatgen(), beta.to_pymatgen())


def test_lamno3_ideal_parent_gives_the_amplimodes_decomposition() -> None:
    """AMPLIMODES on the same refinement (shipped with CrysFML08, Mn at the origin): R4+ 1.188,
    M3+ 0.906, X5+ 0.565 (0.544 and 0.143), M2+ 0.354, R5+ 0.088 Å."""
    crystal = child("LaMnO3_Pbnm_RodriguezCarvajal1998.cif")
    ideal = select_parent(parents("LaMnO3_Pbnm_RodriguezCarvajal1998.cif")).ideal_parent
    result = decompose(crystal, ideal_parent=ideal, origin="Mn")
    amplitudes = {m.irrep: m.amplitude for m in result.modes}
    published = {"R4+": 1.188, "M3+": 0.906, "X5+": np.hypot(0.544, 0.143), "M2+": 0.354, "R5+": np.hypot(0.086, 0.018)}
    assert set(amplitudes) == set(published)
    for irrep, value in published.items():
        assert amplitudes[irrep] == pytest.approx(value, abs=0.01)
    assert {m.irrep for m in result.primary} == {"R4+", "M3+"}


def test_molecules_and_bad_bounds_are_input_errors() -> None:
    with pytest.raises(InputError, match="crystal"):
        find_parents(Structure.molecule(("O", "H", "H"), [[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0]]))
    with pytest.raises(InputError, match="positive"):
        find_parents(child("BaTiO3_P4mm_Buttner1992.cif"), -1.0)


def test_records_are_plain_json() -> None:
    import json

    found = parents("BiFeO3_R3c_Kubel1990.cif")
    record = json.loads(json.dumps(found.to_record()))
    assert [c["space_group"]["number"] for c in record["candidates"]] == [c.number for c in found]
    top = record["candidates"][0]
    assert top["maximal_subgroups"] and set(top["maximal_subgroups"]) <= set(top["subgroups"])


def summary(found: list[ParentCandidate]) -> list[tuple[int, int, float]]:
    return sorted((c.number, c.parent_cells, c.max_displacement) for c in found)


@pytest.mark.parametrize("name, centring", [("LaMnO3_Pbnm_RodriguezCarvajal1998.cif", None),
                                            ("LiNbO3_R3c_Abrahams1966.cif", "R"),
                                            ("SiO2_P41212_alphaCristobalite_Pluth1985.cif", None)])
def test_the_same_parents_for_every_cell_frame_origin_and_order(name: str, centring: str | None) -> None:
    rng = np.random.default_rng(7)
    crystal = child(name)
    expected = summary(parents(name))
    variants = [rotated(crystal, random_rotation(rng)), shifted(crystal, np.array([0.31, 0.17, 0.62])),
                shuffled(crystal, rng), transform(crystal, np.array([[1, 1, 0], [0, 1, 0], [0, 0, 2]]))]
    if centring:
        variants.append(transform(crystal, PRIMITIVE[centring]))
    for variant in variants:
        found = summary(find_parents(variant))
        assert [f[:2] for f in found] == [e[:2] for e in expected]
        assert np.allclose([f[2] for f in found], [e[2] for e in expected], atol=1e-6)


def test_translation_is_the_polar_axis_only() -> None:
    """The free uniform translation matters only along a polar child's axis (c of R3c LiNbO3)."""
    for cand in parents("LiNbO3_R3c_Abrahams1966.cif"):
        axis = child("LiNbO3_R3c_Abrahams1966.cif").lattice[2]
        t = cand.translation
        assert np.linalg.norm(np.cross(t, axis)) < 1e-9 * np.linalg.norm(axis)
    assert np.linalg.norm(select_parent(parents("LiNbO3_R3c_Abrahams1966.cif"), 167).translation) > 0.1
    for cand in parents("LaMnO3_Pbnm_RodriguezCarvajal1998.cif"):
        assert np.linalg.norm(cand.translation) < 1e-9


def test_bounded_search_keeps_the_highest_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    import symcompile.distortions.parents as module

    monkeypatch.setattr(module, "MAX_GROUPS", 4)
    found = find_parents(child("LaMnO3_Pbnm_RodriguezCarvajal1998.cif"))
    assert found.truncated and any("cut short" in note for note in found.notes)
    assert found[0].number == 221  # the largest group first
