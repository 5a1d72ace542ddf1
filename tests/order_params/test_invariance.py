"""The answer does not depend on how the child is written: its cell (primitive, supercell), its
orientation, its origin or the order of its atoms (variants built by explicit transformations)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from op_data import FAMILIES

from symcompile.order_params import order_parameters
from symcompile.structures import read_structure

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "structures"))
from structure_variants import random_rotation, rotated, shifted, shuffled, transform

CASES = ("CaTiO3 Pnma", "alpha quartz", "La2NiO4 LTT", "Mn3O4 I4_1/amd")


def answer(r: dict) -> tuple:
    """Everything that must not change: groups, setting, modes, strain, carriers, Glazer."""
    modes = tuple((m["irrep"], m["k_label"], m["direction"], round(m["amplitude"], 5), m["primary"],
                   m["isotropy_subgroup"]["number"]) for m in r["modes"])
    strain = tuple((s["irrep"], round(s["amplitude"], 6)) for s in r["strain"])
    carriers = tuple((c["irrep"], c["species"], c["wyckoff"], c["free_parameters"]) for c in r["carriers"])
    return (r["parent"]["space_group"]["number"], r["space_group"]["number"], r["parent"]["origin"],
            tuple(r["primary_irreps"]), modes, strain, carriers, r["primary_carrier"], r["glazer"],
            round(r["total_displacement"], 5))


def variants(name: str) -> dict[str, object]:
    path, *_ = FAMILIES[name]
    child = read_structure(path)
    rng = np.random.default_rng(7)
    out = {
        "rotated": rotated(child, random_rotation(rng)),
        "shifted": shifted(child, rng.uniform(0, 1, 3)),
        "shuffled": shuffled(child, rng),
        "supercell": transform(child, np.array([[1, 1, 0], [-1, 1, 0], [0, 0, 1]])),
    }
    out["all at once"] = shuffled(shifted(rotated(out["supercell"], random_rotation(rng)), rng.uniform(0, 1, 3)), rng)
    return out


@pytest.mark.parametrize("name", CASES)
def test_group_theory_is_invariant(name: str) -> None:
    path, options, *_ = FAMILIES[name]
    reference = answer(order_parameters(str(path), train=False, **options))
    for kind, child in variants(name).items():
        assert answer(order_parameters(child, train=False, **options)) == reference, kind


@pytest.mark.slow
def test_trained_answer_is_invariant() -> None:
    path, options, *_ = FAMILIES["CaTiO3 Pnma"]
    reference = order_parameters(str(path), seed=0, **options)
    changed = order_parameters(variants("CaTiO3 Pnma")["all at once"], seed=0, **options)
    assert changed["verified"] is reference["verified"] is True
    assert answer(changed) == answer(reference)
    labels = {(e["label"], e["primary"]) for e in changed["order_parameter"]}
    assert labels == {(e["label"], e["primary"]) for e in reference["order_parameter"]}
