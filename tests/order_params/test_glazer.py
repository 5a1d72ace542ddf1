"""Every Glazer tilt system: the primary carrier is the B-site pseudovector, the labels are R4+/M3+
with B at the parent's origin and R5-/M2+ with A there, and the Glazer symbol comes back."""

from __future__ import annotations

import pytest
from glazer_systems import GLAZER_SYSTEMS, build, expected_irreps

from symcompile.order_params import order_parameters
from symcompile.order_params.glazer import glazer_symbol_of

TILTED = [s for s in GLAZER_SYSTEMS if s != "a0a0a0"]


@pytest.mark.slow
@pytest.mark.parametrize("symbol", TILTED)
def test_tilt_system(symbol: str) -> None:
    r = order_parameters(build(symbol), seed=0)
    assert r["verified"] is True, r.get("reason")
    assert r["parent"]["space_group"]["number"] == 221 and r["parent"]["origin"] == "Ti"
    assert r["primary_carrier"]["irrep"] == "1e" and r["primary_carrier"]["species"] == "Ti"
    assert set(r["primary_irreps"]) == expected_irreps(symbol)
    assert {e["label"] for e in r["order_parameter"] if e["primary"]} == expected_irreps(symbol)
    assert r["glazer"] == symbol


@pytest.mark.parametrize("symbol", TILTED)
def test_tilt_system_labels_with_the_a_site_at_the_origin(symbol: str) -> None:
    r = order_parameters(build(symbol), origin="Sr", train=False)
    assert r["parent"]["origin"] == "Sr"
    assert set(r["primary_irreps"]) == expected_irreps(symbol, b_at_origin=False)
    assert r["primary_carrier"] == {"irrep": "1e", "species": "Ti", "wyckoff": "1b", "site_symmetry": "m-3m"}
    assert r["glazer"] == symbol


def test_untilted_perovskite_has_no_symmetry_breaking() -> None:
    r = order_parameters(build("a0a0a0"), train=False)
    assert r["symmetry_breaking"] is False and r["status"] == "ok" and r["order_parameter"] == []


def test_symbol_does_not_depend_on_the_axes() -> None:
    """The same tilts about permuted axes give the same symbol (written as Howard & Stokes list them)."""
    tilts = [(0.0, 0.10), (0.0, 0.10), (0.14, 0.0)]
    assert {glazer_symbol_of([tilts[i] for i in p]) for p in ((0, 1, 2), (2, 0, 1), (1, 2, 0))} == {"a+b-b-"}


def test_a_monoclinic_parent_asked_for() -> None:
    """a-b-c- (P-1) against its C2/c parent (spglib swaps two equivalent cells of it: exit 3 before)."""
    r = order_parameters(build("a-b-c-"), train=False, parent_group="C2/c")
    assert r["status"] == "ok" and r["parent"]["space_group"]["number"] == 15
    assert r["space_group"]["number"] == 2 and r["primary_irreps"] and r["primary_carrier"] is not None
    c2c = [c for c in r["candidates"] if c["space_group"]["number"] == 15]
    assert len(c2c) >= 2 and all(c["sites"][0] in ("Ti 4c", "Ti 4d") for c in c2c)
