"""The parent in the tables' setting: which species sits at the origin (as given, as asked,
or by the rule), Wyckoff letters with the International Tables' multiplicities of the
conventional cell, and clear errors for an impossible origin."""

from __future__ import annotations

import numpy as np
import pytest
from distortion_data import (
    DISTORTIONS,
    PARENTS,
    STRUCTURES,
    read,
    rotated,
    shifted,
    shuffled,
    supercell,
)

from symcompile.distortions.setting import origin_candidates, parent_setting
from symcompile.distortions.tables import load_table
from symcompile.errors import InputError


def sites(setting) -> set[tuple[str, str]]:
    return {(s.species, s.wyckoff) for s in setting.sites}


def test_perovskite_origin_as_given_as_asked_and_by_rule() -> None:
    cubic = read(STRUCTURES / "SrTiO3_cubic.cif")  # Sr at 1a as written
    given = parent_setting(cubic)
    assert (given.origin, given.origin_rule) == ("Sr", "as given")
    assert sites(given) == {("Sr", "1a"), ("Ti", "1b"), ("O", "3c")}
    asked = parent_setting(cubic, origin="Ti")
    assert (asked.origin, asked.origin_rule) == ("Ti", "asked")
    assert sites(asked) == {("Ti", "1a"), ("Sr", "1b"), ("O", "3d")}
    rule = parent_setting(cubic, keep_own_origin=False)
    assert rule.origin == "Ti"  # B site (shortest bonds) at 1a
    moved = parent_setting(shifted(cubic, np.array([0.5, 0.5, 0.5])))
    assert (moved.origin, moved.origin_rule) == ("Ti", "as given")
    assert set(given.origin_choices) == {"Sr", "Ti"}


def test_origin_choice_does_not_depend_on_cell_orientation_or_order() -> None:
    cubic = read(STRUCTURES / "SrTiO3_cubic.cif")
    rng = np.random.default_rng(3)
    for variant in (supercell(cubic), rotated(cubic, np.linalg.qr(rng.normal(size=(3, 3)))[0]),
                    shuffled(cubic, rng)):
        assert sites(parent_setting(variant, origin="Ti")) == {("Ti", "1a"), ("Sr", "1b"), ("O", "3d")}


@pytest.mark.parametrize("path, expected", [
    (PARENTS / "LaAlO3_cubic.cif", {("La", "1a"), ("Al", "1b"), ("O", "3c")}),
    (STRUCTURES / "LaAlO3_R-3c.cif", {("La", "6a"), ("Al", "6b"), ("O", "18e")}),
    (STRUCTURES / "TiO2_rutile.cif", {("Ti", "2a"), ("O", "4f")}),
    (DISTORTIONS / "La2CuO4_I4mmm.cif", {("Cu", "2a"), ("La", "4e"), ("O", "4c"), ("O", "4e")}),
    (DISTORTIONS / "SiO2_beta_cristobalite.cif", {("Si", "8a"), ("O", "16c")}),
    (DISTORTIONS / "YMnO3_P63mmc.cif", {("Y", "2a"), ("Mn", "2c"), ("O", "4f"), ("O", "2b")}),
    (STRUCTURES / "CaTiO3_Pnma.cif", {("Ca", "4c"), ("Ti", "4b"), ("O", "4c"), ("O", "8d")}),
])
def test_conventional_multiplicities_of_the_international_tables(path, expected) -> None:
    """Multiplicities per conventional cell (F: 4 lattice points, R hexagonal axes: 3)."""
    assert sites(parent_setting(read(path))) == expected


def test_centred_origin_candidates_and_spinel_like_rule() -> None:
    """Fd-3m (origin choice 2) allows 16c or 16d at the origin: cristobalite keeps O on 16c and
    Si on 8a (the lowest letter) as in the International Tables."""
    assert len(origin_candidates(load_table(227))) == 2
    beta = read(DISTORTIONS / "SiO2_beta_cristobalite.cif")
    moved = shifted(beta, np.array([0.5, 0.5, 0.5]))  # O now on 16d: not kept, both are allowed
    assert sites(parent_setting(moved)) in ({("Si", "8a"), ("O", "16c")}, {("Si", "8b"), ("O", "16d")})
    assert sites(parent_setting(moved, keep_own_origin=False)) == {("Si", "8a"), ("O", "16c")}


def test_an_origin_species_that_cannot_sit_at_an_origin_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no O atom sits on a possible origin.*Sr, Ti"):
        parent_setting(read(STRUCTURES / "SrTiO3_cubic.cif"), origin="O")


#: International Tables, C2/c (15), unique axis b, cell choice 1: the inversion centres
_C2C_CENTRES = {"4a": [(0, 0, 0), (0, 0, .5)], "4b": [(0, .5, 0), (0, .5, .5)],
                "4c": [(.25, .25, 0), (.75, .25, .5)], "4d": [(.25, .25, .5), (.75, .25, 0)]}


def test_wyckoff_letters_where_spglib_swaps_two_equivalent_cells() -> None:
    """The C2/c parents of an a-b-c- perovskite (a monoclinic cell with b = c): spglib's standardisation
    swaps two equivalent cells whose letters differ (4c <-> 4d); each site's letter is the one the
    International Tables give to its coordinates in the cell reported (this raised before)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "order_params"))
    from glazer_systems import build

    from symcompile.distortions import find_parents
    from symcompile.order_params.problem import standard_primitive

    parents = [p for p in find_parents(standard_primitive(build("a-b-c-"), 1e-3)) if p.number == 15]
    assert len(parents) >= 2
    for parent in parents:
        setting = parent_setting(parent.ideal_parent)
        (ti,) = [s for s in setting.sites if s.species == "Ti"]
        assert ti.wyckoff in _C2C_CENTRES and ti.site_symmetry == "-1"
        here = [np.add(r, t) for r in _C2C_CENTRES[ti.wyckoff] for t in ((0, 0, 0), (.5, .5, 0))]
        assert any(np.allclose((np.subtract(ti.position, c) + .5) % 1 - .5, 0, atol=1e-6) for c in here)
