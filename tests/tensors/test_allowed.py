"""Allowed forms (Neumann's principle): Nye's published tables, invariance of the printed Voigt
matrices under every group element, other frames, continuous groups, and the report."""

from __future__ import annotations

import numpy as np
import pytest
from tensor_helpers import index_projector, tensor_rep, voigt_to_tensor

from symcompile.errors import InputError
from symcompile.o3 import rand_matrix
from symcompile.o3.point_groups import crystallographic_point_groups, point_group
from symcompile.tensors import allowed_form, count_invariants, parse_formula, tensor_report


def _rows(name: str, group: str) -> list[list[str]]:
    return allowed_form(name, group).voigt["rows"]


# --------------------------------------------------------------------------- Nye's tables
def test_hexagonal_elastic_constants() -> None:
    form = allowed_form("elastic", "6/mmm")
    assert form.independent_components == 5
    assert form.free == ["C11", "C12", "C13", "C33", "C44"]
    assert "C66 = (C11 - C12)/2" in form.relations
    assert form.voigt["rows"] == [
        ["C11", "C12", "C13", "0", "0", "0"],
        ["C12", "C11", "C13", "0", "0", "0"],
        ["C13", "C13", "C33", "0", "0", "0"],
        ["0", "0", "0", "C44", "0", "0"],
        ["0", "0", "0", "0", "C44", "0"],
        ["0", "0", "0", "0", "0", "(C11 - C12)/2"],
    ]
    assert form.exact


def test_hexagonal_compliance_has_factor_two() -> None:
    assert _rows("compliance", "6/mmm")[5][5] == "2*(s11 - s12)"


def test_cubic_elastic() -> None:
    assert _rows("elastic", "m-3m") == [
        ["C11", "C12", "C12", "0", "0", "0"], ["C12", "C11", "C12", "0", "0", "0"],
        ["C12", "C12", "C11", "0", "0", "0"], ["0", "0", "0", "C44", "0", "0"],
        ["0", "0", "0", "0", "C44", "0"], ["0", "0", "0", "0", "0", "C44"],
    ]


def test_trigonal_elastic_classes_3_and_32() -> None:
    form = allowed_form("elastic", "-3")
    assert form.independent_components == 7 and form.free == ["C11", "C12", "C13", "C14", "C15", "C33", "C44"]
    assert {"C24 = -C14", "C25 = -C15", "C46 = -C15", "C56 = C14", "C66 = (C11 - C12)/2"} <= set(form.relations)
    form = allowed_form("elastic", "32")
    assert form.free == ["C11", "C12", "C13", "C14", "C33", "C44"]
    assert {"C24 = -C14", "C56 = C14"} <= set(form.relations)


def test_tetragonal_4_over_m_elastic() -> None:
    form = allowed_form("elastic", "4/m")
    assert form.free == ["C11", "C12", "C13", "C16", "C33", "C44", "C66"]
    assert "C26 = -C16" in form.relations


def test_quartz_piezoelectric_class_32() -> None:
    assert _rows("piezoelectric", "32") == [
        ["d11", "-d11", "0", "d14", "0", "0"],
        ["0", "0", "0", "0", "-d14", "-2*d11"],
        ["0", "0", "0", "0", "0", "0"],
    ]
    assert _rows("piezoelectric_e", "32")[1][5] == "-e11"  # no factor 2 for the e coefficients


def test_piezoelectric_3m_6mm_and_cubic() -> None:
    assert _rows("piezoelectric", "3m") == [
        ["0", "0", "0", "0", "d15", "-2*d22"],
        ["-d22", "d22", "0", "d15", "0", "0"],
        ["d31", "d31", "d33", "0", "0", "0"],
    ]
    assert _rows("piezoelectric", "6mm") == [
        ["0", "0", "0", "0", "d15", "0"], ["0", "0", "0", "d15", "0", "0"], ["d31", "d31", "d33", "0", "0", "0"],
    ]
    assert _rows("piezoelectric", "-43m") == [
        ["0", "0", "0", "d14", "0", "0"], ["0", "0", "0", "0", "d14", "0"], ["0", "0", "0", "0", "0", "d14"],
    ]
    assert allowed_form("piezoelectric", "432").independent_components == 0


def test_settings_matter_minus42m_vs_minus4m2() -> None:
    assert allowed_form("piezoelectric", "-42m").free == ["d14", "d36"]
    assert allowed_form("piezoelectric", "-4m2").free == ["d15", "d31"]


def test_monoclinic_b_unique_dielectric() -> None:
    assert _rows("dielectric", "2") == [["eps11", "0", "eps13"], ["0", "eps22", "0"], ["eps13", "0", "eps33"]]


def test_electrooptic_4mm() -> None:
    assert _rows("electrooptic", "4mm") == [
        ["0", "0", "r13"], ["0", "0", "r13"], ["0", "0", "r33"], ["0", "r42", "0"], ["r42", "0", "0"], ["0", "0", "0"],
    ]


# --------------------------------------------------------------------------- the printed matrices are right
@pytest.mark.parametrize("name", ["elastic", "compliance", "piezoelectric", "piezoelectric_e", "electrooptic",
                                  "dielectric", "gyration"])
@pytest.mark.parametrize("group", crystallographic_point_groups(), ids=lambda g: g.name)
def test_printed_voigt_matrix_is_invariant_and_has_the_exact_count(name: str, group) -> None:  # type: ignore[no-untyped-def]
    form = allowed_form(name, group)
    f = parse_formula(name)
    assert form.independent_components == count_invariants(f, group) == len(form.free)
    rng = np.random.default_rng(7)
    values = {s: float(rng.normal()) for s in form.free}
    T = voigt_to_tensor(name, form.voigt["rows"], values).reshape(-1)
    np.testing.assert_allclose(index_projector(f) @ T, T, atol=1e-12)
    for g in group.matrices:
        np.testing.assert_allclose(tensor_rep(f, g) @ T, T, atol=1e-12)
    if form.free:  # the free symbols are really free: the map values -> tensor has full rank
        J = np.array([voigt_to_tensor(name, form.voigt["rows"], {s: float(s == t) for s in form.free}).reshape(-1)
                      for t in form.free])
        assert np.linalg.matrix_rank(J) == len(form.free)


@pytest.mark.parametrize("group", ["3m", "6", "m", "-43m", "-3m"])
def test_general_rank5_component_list(group: str) -> None:
    formula = "ijklm=jiklm=ijlkm"
    form = allowed_form(formula, group)
    f = parse_formula(formula)
    assert form.voigt is None
    assert form.independent_components == count_invariants(formula, group)
    for g in point_group(group).matrices:
        N = form.basis.reshape(len(form.basis), 3**5)
        np.testing.assert_allclose(N @ tensor_rep(f, g).T, N, atol=1e-11)
    assert len(form.free) == form.independent_components
    assert all(name.startswith("T") and len(name) == 6 for name in form.components)


# --------------------------------------------------------------------------- frames and continuous groups
def test_structure_frame_form_is_the_rotated_standard_form() -> None:
    U = rand_matrix(rng=11)
    G = point_group("6mm")
    rotated = U @ G.matrices @ U.T
    std = allowed_form("piezoelectric", G)
    other = allowed_form("piezoelectric", rotated, frame="structure")
    assert other.independent_components == std.independent_components == 3
    assert other.frame == "structure" and not other.exact  # an arbitrary frame has no nice numbers
    f = parse_formula("piezoelectric")
    A = std.basis.reshape(3, -1) @ tensor_rep(f, U).T  # standard invariants carried into the new frame
    B = other.basis.reshape(3, -1)
    np.testing.assert_allclose(A.T @ np.linalg.pinv(A.T) @ B.T, B.T, atol=1e-10)


def test_frame_rotated_by_90_degrees_about_z_stays_exact() -> None:
    U = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    rotated = U @ point_group("-42m").matrices @ U.T
    form = allowed_form("piezoelectric", rotated)
    assert form.exact and form.free == ["d14", "d36"]


def test_continuous_groups() -> None:
    assert allowed_form("elastic", "Cinfv").voigt["rows"] == allowed_form("elastic", "6/mmm").voigt["rows"]
    iso = allowed_form("elastic", "SO3")
    assert iso.free == ["C11", "C12"] and "C44 = (C11 - C12)/2" in iso.relations
    assert allowed_form("gyration", "SO3").free == ["g11"]
    assert allowed_form("gyration", "O3").independent_components == 0


# --------------------------------------------------------------------------- the report
def test_report_keys() -> None:
    r = tensor_report("ijkl=jikl=klji", point_group="D6h")
    assert r["formula"] == "ijkl=jikl=klji" and r["irreps"] == "2x0e+2x2e+1x4e" and r["dim"] == 21
    assert r["point_group"] == "6/mmm" and r["independent_components"] == 5
    assert r["allowed_form"]["voigt"]["rows"][5][5] == "(T11 - T12)/2"  # a bare formula uses the symbol T
    assert r["invariants_by_irrep"] == {"0e": 2, "2e": 2, "4e": 1}
    r = tensor_report("ijkl=jikl=klji", point_group="D6h", symbol="C")
    assert r["allowed_form"]["voigt"]["rows"][5][5] == "(C11 - C12)/2"


def test_report_from_space_group_and_structure_frame() -> None:
    r = tensor_report("piezoelectric", space_group=186)
    assert r["point_group"] == "6mm" and r["independent_components"] == 3
    r = tensor_report("piezoelectric", space_group=115)
    assert r["point_group"] == "-4m2"
    U = rand_matrix(rng=4)
    r = tensor_report("elastic", point_group="mm2", group_matrices=U @ point_group("mm2").matrices @ U.T)
    assert r["allowed_form_structure_frame"]["independent_components"] == 9
    with pytest.raises(InputError):
        tensor_report("elastic", point_group="4mm", group_matrices=point_group("mm2").matrices)


def test_report_rank8_counts_without_form() -> None:
    r = tensor_report("ijklmnop=jiklmnop", point_group="m-3m")
    assert r["dim"] == 4374 and r["independent_components"] == 183
    assert "allowed_form" not in r and "allowed_form_note" in r


def test_report_index_types_and_symbolic() -> None:
    r = tensor_report("ijk=ikj", index_types={"i": "1e"}, point_group="4/mmm", symbolic=True)
    assert r["index_types"] == {"i": "1e"} and r["parity"] == "e"
    assert set(r["symbolic_basis"]) == {"1e", "2e", "3e"}
    assert r["independent_components"] == count_invariants(parse_formula("ijk=ikj", i="1e"), "4/mmm")
