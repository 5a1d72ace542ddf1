"""Published structures of other families with their published labels: K2NiF4 X-point tilts
(La2CuO4 LTO and LTT), rutile -> CaCl2 at Γ, the hexagonal K-point trimerisation of YMnO3,
a centred Fd-3m parent with a zone-boundary k (cristobalite), and LaMnO3 with its
Jahn-Teller mode, whose amplitudes are checked against an independent symmetry-mode
refinement (FullProf) of the same data."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from distortion_data import (
    DISTORTIONS,
    FAMILIES,
    random_rotation,
    read,
    rotated,
    shuffled,
    sum_of_squares,
)

from symcompile.distortions import decompose


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_published_labels(name: str) -> None:
    child, parent, number, primary, secondary = FAMILIES[name]
    result = decompose(read(DISTORTIONS / child), read(DISTORTIONS / parent))
    assert result.child_group["number"] == number
    found = {m.irrep: m for m in result.modes}
    assert {m.irrep for m in result.primary} == set(primary)
    for label, (letter, direction, subgroup) in primary.items():
        mode = found[label]
        assert (mode.k_label, mode.direction, mode.isotropy_subgroup["number"]) == (letter, direction, subgroup)
    assert secondary <= {m.irrep for m in result.secondary}
    assert abs(sum_of_squares([m.amplitude for m in result.modes]) - result.total_displacement ** 2) < 1e-8


def test_ltt_lists_both_arms_of_x_as_different_k() -> None:
    result = decompose(read(DISTORTIONS / "La2CuO4_LTT.cif"), read(DISTORTIONS / "La2CuO4_LTT_parent.cif"))
    (mode,) = result.modes
    arms = {tuple(a.k_text) for a in mode.arms}
    assert len(arms) == 2 and all(abs(Fraction(x)) == Fraction(1, 2) for k in arms for x in k[:2])
    assert mode.arms[0].amplitude == pytest.approx(mode.arms[1].amplitude)
    lto = decompose(read(DISTORTIONS / "La2CuO4_Bmab.cif"), read(DISTORTIONS / "La2CuO4_I4mmm.cif"))
    assert len(lto.modes[0].arms) == 1
    assert {s.irrep for s in lto.strain if s.amplitude > 1e-3} == {"GM4+"}  # the orthorhombic shear


def test_cristobalite_zone_boundary_mode_of_a_centred_parent() -> None:
    result = decompose(read(DISTORTIONS / "SiO2_alpha_cristobalite.cif"),
                       read(DISTORTIONS / "SiO2_beta_cristobalite.cif"))
    (primary,) = result.primary
    assert primary.k_label == "X" and primary.k == (0.0, 1.0, 0.0)  # conventional reciprocal basis
    assert primary.isotropy_subgroup["number"] in (92, 96)  # P4_12_12 or its enantiomorph
    assert [a.k_text for a in primary.arms] in (
        [["1", "0", "0"]], [["0", "1", "0"]], [["0", "0", "1"]], [["-1", "0", "0"]], [["0", "-1", "0"]],
        [["0", "0", "-1"]])
    assert {(s.species, s.wyckoff) for s in primary.sites} == {("Si", "8a"), ("O", "16c")}
    assert result.correspondence.cells == 2


def test_lamno3_amplitudes_match_a_fullprof_mode_refinement() -> None:
    """FullProf symmetry-mode amplitudes of the same room-temperature data (CrysFML08 test files,
    see LaMnO3_Pnma.cif): agreement at the 0.5 % level of two refinement stages."""
    result = decompose(read(DISTORTIONS / "LaMnO3_Pnma.cif"), read(DISTORTIONS / "LaMnO3_cubic.cif"))
    fullprof = {"R4+": 1.18838, "M3+": 0.90560, "X5+": np.hypot(0.54412, 0.14343), "M2+": 0.35429,
                "R5+": np.hypot(0.08612, 0.01843)}
    found = {m.irrep: m.amplitude for m in result.modes}
    assert set(found) == set(fullprof)
    for label, value in fullprof.items():
        assert found[label] == pytest.approx(value, rel=0.01), label
    x5 = {s.species: s.amplitude for s in next(m for m in result.modes if m.irrep == "X5+").sites}
    assert x5["La"] == pytest.approx(0.54412, rel=0.01) and x5["O"] == pytest.approx(0.14343, rel=0.03)


def test_ymno3_is_invariant_and_has_the_polar_mode() -> None:
    child, parent = read(DISTORTIONS / "YMnO3_P63cm.cif"), read(DISTORTIONS / "YMnO3_P63mmc.cif")
    rng = np.random.default_rng(2)
    reference = {(m.irrep, m.direction, round(m.amplitude, 6)) for m in decompose(child, parent).modes}
    for variant in (rotated(child, random_rotation(rng)), shuffled(child, rng)):
        assert {(m.irrep, m.direction, round(m.amplitude, 6)) for m in decompose(variant, parent).modes} == reference
    gm2 = next(m for m in decompose(child, parent).modes if m.irrep == "GM2-")
    assert gm2.isotropy_subgroup["symbol"] == "P6_3mc" and not gm2.primary
