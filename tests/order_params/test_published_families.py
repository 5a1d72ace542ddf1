"""Published structures of many families (seventeen structures): the carrier fits, the labels are the
literature's, the result is verified by our symmetry check and by spglib's, and none of it depends on
the seed."""

from __future__ import annotations

from fractions import Fraction

import pytest
from op_data import FAMILIES, SEED_SWEEP

from symcompile.order_params import order_parameters

pytestmark = pytest.mark.slow  # trains a network per family (about a minute in all)


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return {name: order_parameters(str(path), seed=0, **options)
            for name, (path, options, *_rest) in FAMILIES.items()}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_literature_order_parameter(results: dict[str, dict], name: str) -> None:
    _, _, parent, child, literature, (irrep, species) = FAMILIES[name]
    r = results[name]
    assert r["parent"]["space_group"]["number"] == parent and r["space_group"]["number"] == child
    assert set(r["primary_irreps"]) == literature  # the child's modes
    assert r["verified"] is True and r["status"] == "ok", r.get("reason")
    carrier = r["primary_carrier"]
    assert (carrier["irrep"], carrier["species"]) in zip(irrep.split("|"), species.split("|"))
    fitted = [c for c in r["carriers"] if c["fits"]]
    assert len(fitted) == 1 and fitted[0]["loss"] < r["network"]["fit_tolerance"]
    learned = {e["label"] for e in r["order_parameter"] if e["primary"]}
    assert learned == literature and r["agrees_with_modes"] is True  # the learned pattern's irreps
    assert r["decorated_space_group"]["number"] == child
    assert all(c["agree"] for c in r["spglib_check"]) and r["spglib_check"][-1]["check"] == "child (spglib)"


def test_jahn_teller_carrier_is_the_octahedral_manganese(results: dict[str, dict]) -> None:
    r = results["Mn3O4 I4_1/amd"]
    sites = {s["wyckoff"]: s["site_symmetry"] for s in r["parent"]["sites"] if s["species"] == "Mn"}
    assert sites == {"8a": "-43m", "16d": ".-3m"}  # conventional multiplicities of Fd-3m
    assert r["primary_carrier"]["wyckoff"] == "16d"
    tetrahedral = next(c for c in r["carriers"] if c["wyckoff"] == "8a" and c["irrep"] == "2e")
    assert "GM3+" in {m["irrep"] for m in tetrahedral["space_group_irreps"]}  # allowed, but a weaker shell
    assert tetrahedral["local_deformation"] < r["carriers"][0]["local_deformation"]


def test_glazer_symbol_from_the_tilt_modes_whatever_the_carrier(results: dict[str, dict]) -> None:
    assert results["BiFeO3 R3c"]["glazer"] == "a-a-a-" and results["BiFeO3 R3c"]["primary_carrier"]["irrep"] == "1o"
    assert results["CaTiO3 Pnma"]["glazer"] == "a+b-b-"  # Howard & Stokes' name of a-a-c+
    assert results["LaAlO3 R-3c"]["glazer"] == "a-a-a-"
    assert results["BaTiO3 P4mm"]["glazer"] is None and results["YMnO3 P6_3cm"]["glazer"] is None
    assert results["NaNbO3 R3c"]["glazer"] == "a-a-a-" and results["VF3 R-3c"]["glazer"] == "a-a-a-"
    assert results["YTiO3 Pnma"]["glazer"] == "a+b-b-" and results["KNbO3 Pm"]["glazer"] is None


def test_each_arm_of_a_star_is_listed(results: dict[str, dict]) -> None:
    """LTT: the X3+ order parameter (a,a) lives on two different arms of X; Bmab would have one."""
    (mode,) = [m for m in results["La2NiO4 LTT"]["modes"] if m["primary"]]
    assert mode["irrep"] == "X3+" and mode["direction"] == "(a,a)" and mode["k_label"] == "X"
    arms = {tuple(a["k"]) for a in mode["arms"]}
    assert len(arms) == 2
    learned = [e for e in results["La2NiO4 LTT"]["order_parameter"] if e["label"] == "X3+"]
    assert len({tuple(a) for a in learned[0]["arms"]}) == 2


def test_lto_tilts_on_one_arm_where_ltt_uses_two(results: dict[str, dict]) -> None:
    """La2CuO4 Bmab (LTO): the same X3+ tilt as LTT, direction (a,0), on a single arm of the star."""
    (mode,) = [m for m in results["La2CuO4 Bmab"]["modes"] if m["primary"]]
    assert mode["irrep"] == "X3+" and mode["direction"] == "(a,0)" and len(mode["arms"]) == 1
    assert results["La2CuO4 Bmab"]["parent"]["cells_in_child"] == 2


def test_zone_boundary_k_of_a_centred_parent(results: dict[str, dict]) -> None:
    r = results["alpha cristobalite"]
    (mode,) = [m for m in r["modes"] if m["primary"]]
    assert mode["k_label"] == "X" and sorted(abs(Fraction(x)) for x in mode["k"]) == [0, 0, 1]  # (0,1,0)
    assert r["parent"]["cells_in_child"] == 2
    assert {s["wyckoff"] for s in r["parent"]["sites"]} == {"8a", "16c"}


@pytest.mark.parametrize("name", SEED_SWEEP)
def test_verdict_carrier_and_labels_do_not_depend_on_the_seed(results: dict[str, dict], name: str) -> None:
    path, options, *_ = FAMILIES[name]
    reference = results[name]

    def answer(r: dict) -> tuple:
        return (r["verified"], r["primary_carrier"], tuple(sorted(e["label"] for e in r["order_parameter"]
                                                                 if e["primary"])), r["glazer"])

    for seed in (1, 2, 3, 4):
        assert answer(order_parameters(str(path), seed=seed, **options)) == answer(reference), seed


def polar_batio3(direction: tuple[int, int, int]) -> object:
    """Cubic BaTiO3 (a = 4 Å) with Ti and O moved oppositely along ``direction`` (a synthetic model: no
    published R3m/Amm2 refinement was found; the issue saw R3m verified for seed 1 only)."""
    import numpy as np

    from symcompile.structures.structure import Structure

    d = np.array(direction, dtype=float) / np.linalg.norm(direction)
    frac = np.array([[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]])
    shifts = np.array([0, 0.012, -0.008, -0.008, -0.008])[:, None] * d
    return Structure(4.0 * np.eye(3), frac + shifts, ("Ba", "Ti", "O", "O", "O"))


@pytest.mark.parametrize(("direction", "number", "opd"), [((1, 1, 1), 160, "(a,a,a)"), ((1, 1, 0), 38, "(a,a,0)")])
def test_polar_rhombohedral_and_orthorhombic_batio3_over_seeds(direction: tuple[int, int, int], number: int,
                                                               opd: str) -> None:
    for seed in range(5) if number == 160 else (0,):
        r = order_parameters(polar_batio3(direction), seed=seed)
        assert r["verified"] is True and r["space_group"]["number"] == number, (seed, r.get("reason"))
        assert r["primary_irreps"] == ["GM4-"] and r["modes"][0]["direction"] == opd
        assert r["primary_carrier"]["irrep"] == "1o" and r["primary_carrier"]["species"] == "Ti"


def test_two_parents_of_one_group_are_told_apart_by_their_sites(results: dict[str, dict]) -> None:
    """LiNbO3: the paraelectric R-3c parent (Nb on the octahedral -3 site 6b, Li on 6a; Boysen &
    Altorfer 1994) and a second R-3c with the cations swapped; only repeated groups carry sites."""
    r = results["LiNbO3 R3c"]
    r3c = [c for c in r["candidates"] if c["space_group"]["number"] == 167]
    assert [(c["sites"], c["chosen"]) for c in r3c] == [(["Li 6a", "Nb 6b", "O 18e"], True),
                                                         (["Nb 6a", "Li 6b", "O 18e"], False)]
    assert r3c[0]["max_displacement"] < r3c[1]["max_displacement"]
    assert all("sites" not in c for c in r["candidates"] if c["space_group"]["number"] != 167)
