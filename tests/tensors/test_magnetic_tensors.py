"""Time-odd tensors under the 122 magnetic point groups (Neumann's principle with time reversal).

Checked against: the classic counts (31 groups admit a magnetisation, 58 the linear
magnetoelectric effect, 66 piezomagnetism: Birss, Symmetry and Magnetism, 1964; Borovik-Romanov &
Grimmer, International Tables Vol. D, ch. 1.5); published forms (Cr2O3, MnF2/CoF2); and, for every
group, a brute-force count: the null space of (tau D(g) - 1) stacked over all operations in the
full 3^n Cartesian space, with the index symmetries as one more block.
"""

from __future__ import annotations

import numpy as np
import pytest
from tensor_helpers import index_projector, tensor_rep, voigt_to_tensor

from symcompile.o3.magnetic_point_groups import magnetic_point_group, magnetic_point_groups
from symcompile.o3.point_groups import crystallographic_point_groups
from symcompile.tensors import SHORTCUTS, allowed_form, count_invariants, parse_formula, tensor_report

GROUPS = magnetic_point_groups()
MAGNETIC = ["magnetization", "magnetoelectric", "anomalous_hall", "piezomagnetic", "magnetooptic"]


def brute_force_count(formula: str, group, **kw: object) -> int:  # type: ignore[no-untyped-def]
    """dim of {T : P T = T and tau^odd D(g) T = T for every operation}, by one SVD."""
    f = parse_formula(formula, **kw)  # type: ignore[arg-type]
    n = 3**f.rank
    blocks = [index_projector(f) - np.eye(n)]
    for M, tau in zip(group.matrices, group.time_reversal):
        sign = float(tau) if f.time_odd else 1.0
        blocks.append(sign * tensor_rep(f, M) - np.eye(n))
    s = np.linalg.svd(np.concatenate(blocks), compute_uv=False)
    return int(n - np.sum(s > 1e-8))


# --------------------------------------------------------------------------- the classic counts
def _allowing(name: str) -> int:
    return sum(count_invariants(name, g) > 0 for g in GROUPS)


def test_31_groups_admit_a_magnetisation() -> None:
    assert _allowing("magnetization") == 31


def test_58_groups_admit_the_linear_magnetoelectric_effect() -> None:
    assert _allowing("magnetoelectric") == 58


def test_66_groups_admit_piezomagnetism() -> None:
    assert _allowing("piezomagnetic") == 66


def test_anomalous_hall_and_magneto_optics_follow_the_magnetisation() -> None:
    """sigma_ij = -sigma_ji is a time-odd axial vector, like M: the same 31 groups."""
    for g in GROUPS:
        m = count_invariants("magnetization", g)
        assert count_invariants("anomalous_hall", g) == count_invariants("magnetooptic", g) == m


def test_grey_groups_forbid_every_time_odd_tensor() -> None:
    for g in magnetic_point_groups("grey"):
        for name in MAGNETIC:
            assert count_invariants(name, g) == 0


# --------------------------------------------------------------------------- brute force
@pytest.mark.parametrize("g", GROUPS, ids=lambda g: g.name)
def test_counts_equal_the_null_space_of_the_stacked_operations(g) -> None:  # type: ignore[no-untyped-def]
    for name in MAGNETIC:
        assert count_invariants(name, g) == brute_force_count(name, g), name
    for formula, kw in [("ijk=jik", {"time_odd": True}), ("ij=ji", {"time_odd": True}),
                        ("ij=ji", {}), ("ijk=ikj", {"axial": True})]:
        assert count_invariants(parse_formula(formula, **kw), g) == brute_force_count(formula, g, **kw)


@pytest.mark.parametrize("g", [g for g in GROUPS if g.kind == "black-white" or g.order >= 24],
                         ids=lambda g: g.name)
def test_time_odd_elastic_like_rank4(g) -> None:  # type: ignore[no-untyped-def]
    assert count_invariants(parse_formula("elastic", time_odd=True), g) == brute_force_count("elastic", g,
                                                                                            time_odd=True)


@pytest.mark.parametrize("name", MAGNETIC)
@pytest.mark.parametrize("g", GROUPS, ids=lambda g: g.name)
def test_printed_forms_are_invariant_with_time_reversal(name: str, g) -> None:  # type: ignore[no-untyped-def]
    form = allowed_form(name, g)
    f = parse_formula(name)
    assert form.independent_components == count_invariants(name, g) == len(form.free)
    values = {s: float(v) for s, v in zip(form.free, np.random.default_rng(3).normal(size=len(form.free)))}
    T = voigt_to_tensor(name, form.voigt["rows"], values).reshape(-1)
    np.testing.assert_allclose(index_projector(f) @ T, T, atol=1e-12)
    for M, tau in zip(g.matrices, g.time_reversal):
        np.testing.assert_allclose(float(tau) * (tensor_rep(f, M) @ T), T, atol=1e-12)


# --------------------------------------------------------------------------- published forms
def test_cr2o3_magnetoelectric_tensor() -> None:
    """Cr2O3, -3'm': alpha diagonal with alpha11 = alpha22 (perpendicular) and alpha33 (parallel).

    Dzyaloshinskii, Sov. Phys. JETP 10, 628 (1960); Folen, Rado & Stalder, PRL 6, 607 (1961).
    """
    form = allowed_form("magnetoelectric", "-3'm'")
    assert form.voigt["rows"] == [["alpha11", "0", "0"], ["0", "alpha11", "0"], ["0", "0", "alpha33"]]
    assert form.free == ["alpha11", "alpha33"]


def test_magnetoelectric_4prime_over_mprime_mprime_m() -> None:
    """4'/m'm'm: only the x^2 - y^2 quadrupole part of alpha, alpha11 = -alpha22, alpha33 = 0."""
    form = allowed_form("magnetoelectric", "4'/m'm'm")
    assert form.voigt["rows"] == [["alpha11", "0", "0"], ["0", "-alpha11", "0"], ["0", "0", "0"]]
    assert tensor_report("magnetoelectric", point_group="4'/m'm'm")["invariants_by_irrep"] == {"2o": 1}


def test_magnetoelectric_needs_both_inversion_and_time_reversal_broken() -> None:
    assert count_invariants("magnetoelectric", "m'm'm") == 0  # -1 without time reversal
    assert count_invariants("magnetoelectric", "-1'") == 9  # only the product of the two
    assert count_invariants("magnetoelectric", "mmm1'") == 0


def test_piezomagnetism_of_mnf2_and_cof2() -> None:
    """Rutile antiferromagnets MnF2, CoF2 (P4_2'/mnm', point group 4'/mmm' in the crystal axes):
    two constants, M_x = q14 2sigma_yz, M_y = q14 2sigma_xz, M_z = q36 2sigma_xy (Dzyaloshinskii,
    JETP 6, 621 (1958); Borovik-Romanov, JETP 11, 786 (1960))."""
    form = allowed_form("piezomagnetic", "4'/mmm'")
    assert form.voigt["rows"] == [["0", "0", "0", "q14", "0", "0"], ["0", "0", "0", "0", "q14", "0"],
                                  ["0", "0", "0", "0", "0", "q36"]]
    assert count_invariants("magnetization", "4'/mmm'") == 0  # a compensated antiferromagnet


def test_anomalous_hall_in_altermagnets_and_ferromagnets() -> None:
    """RuO2 with the Neel vector along [001] (P4_2'/mnm', 4'/mmm'): no anomalous Hall effect;
    m'm'm (e.g. Mn3Sn, Nakatsuji et al., Nature 527, 212 (2015)): sigma_xy allowed."""
    assert allowed_form("anomalous_hall", "4'/mmm'").independent_components == 0
    form = allowed_form("anomalous_hall", "m'm'm")
    assert form.voigt["rows"] == [["0", "sigma12", "0"], ["-sigma12", "0", "0"], ["0", "0", "0"]]
    assert allowed_form("magnetization", "4/mm'm'").voigt["rows"] == [["0", "0", "M3"]]  # bcc Fe, M || z


# --------------------------------------------------------------------------- nothing changes without time reversal
@pytest.mark.parametrize("name", sorted(SHORTCUTS))
def test_ordinary_groups_ignore_time_parity(name: str) -> None:
    for G in crystallographic_point_groups():
        even = count_invariants(parse_formula(name, time_odd=False), G)
        assert count_invariants(parse_formula(name, time_odd=True), G) == even
        assert count_invariants(name, magnetic_point_group(G.name)) == even


def test_time_even_tensors_see_only_the_family() -> None:
    for g in GROUPS:
        for name in ("elastic", "piezoelectric", "dielectric"):
            assert count_invariants(name, g) == count_invariants(name, g.family)


def test_report_records_time_parity_and_the_magnetic_group() -> None:
    r = tensor_report("magnetoelectric", point_group="-3'm'")
    assert r["time_parity"] == "odd" and r["independent_components"] == 2
    assert r["magnetic_point_group"]["number"] == "20.4.74" and r["point_group_schoenflies"] == "D3d(D3)"
    assert tensor_report("elastic")["time_parity"] == "even"
    assert tensor_report("ij", time_odd=True, point_group="11'")["independent_components"] == 0
