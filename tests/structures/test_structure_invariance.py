"""The space group does not depend on how a crystal is written down.

Primitive cell, conventional cell, 2x2x2 supercell, rotated Cartesian frame, shifted
origin and shuffled atom order describe the same crystal, so they must give the same
space group and the same Wyckoff multiplicities (per conventional cell).
"""

from __future__ import annotations

import numpy as np
import pytest
from structure_variants import (
    CRYSTALS, EXAMPLES, MOLECULES, PRIMITIVE, random_rotation, rotated, shifted, shuffled, supercell, transform,
)

from symcompile.structures import analyse_symmetry, read_structure, symmetry_operations
from symcompile.tensors import tensor_report

CENTRING = {name: CRYSTALS[name][1][0] if CRYSTALS[name][1][0] in "IR" else "P" for name in CRYSTALS}


def _signature(record: dict) -> tuple:
    sites = sorted((s["species"], s["multiplicity"], s["site_symmetry"]) for s in record["sites"])
    return record["space_group"]["number"], record["point_group"], tuple(sites)


@pytest.mark.parametrize("name", sorted(CRYSTALS))
def test_same_group_for_every_description_of_the_crystal(name: str) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    conventional = read_structure(EXAMPLES / name)
    expected = _signature(analyse_symmetry(conventional))
    assert expected[0] == CRYSTALS[name][0]
    primitive = transform(conventional, PRIMITIVE[CENTRING[name]])
    variants = {
        "primitive": primitive,
        "supercell 2x2x2": supercell(conventional),
        "rotated frame": rotated(conventional, random_rotation(rng)),
        "shifted origin": shifted(conventional, rng.random(3)),
        "shuffled atoms": shuffled(conventional, rng),
        "primitive, rotated, shifted, shuffled": shuffled(
            shifted(rotated(primitive, random_rotation(rng)), rng.random(3)), rng),
    }
    for label, cell in variants.items():
        record = analyse_symmetry(cell)
        assert _signature(record) == expected, label
        assert record["num_atoms"] == cell.num_atoms


def test_primitive_cells_really_are_smaller() -> None:
    for name in ("SrTiO3_I4mcm.cif", "LaAlO3_R-3c.cif"):
        conventional = read_structure(EXAMPLES / name)
        primitive = transform(conventional, PRIMITIVE[CENTRING[name]])
        ratio = conventional.num_atoms / primitive.num_atoms
        assert ratio == {"I": 2, "R": 3}[CENTRING[name]]


@pytest.mark.parametrize("name", sorted(MOLECULES))
def test_molecule_group_is_invariant_under_rigid_motion_and_relabelling(name: str) -> None:
    from pymatgen.core import Molecule

    rng = np.random.default_rng(7)
    molecule = read_structure(EXAMPLES / name).to_pymatgen()
    rotation = random_rotation(rng)
    order = rng.permutation(len(molecule))
    moved = Molecule([molecule[i].species_string for i in order],
                     molecule.cart_coords[order] @ rotation.T + rng.normal(size=3) * 5)
    assert analyse_symmetry(moved)["point_group"]["schoenflies"] == MOLECULES[name][0]


@pytest.mark.parametrize("name", ["TiO2_rutile.cif", "LaAlO3_R-3c.cif", "SiO2_alpha_quartz.cif"])
def test_operations_and_tensor_counts_do_not_depend_on_the_description(name: str) -> None:
    """The Operations every command uses: same point group, same number of operations per primitive cell,
    exactly orthogonal rotations forming a group, and the same tensor counts, for every description."""
    rng = np.random.default_rng(5)
    conventional = read_structure(EXAMPLES / name)
    primitive = transform(conventional, PRIMITIVE[CENTRING[name]])
    variants = [conventional, primitive, supercell(conventional), rotated(conventional, random_rotation(rng)),
                shifted(conventional, rng.random(3)), shuffled(conventional, rng)]
    reference = symmetry_operations(conventional)
    per_primitive_cell = len(symmetry_operations(primitive))
    assert per_primitive_cell == reference.point_group["order"]
    expected_counts = [tensor_report(f, structure=conventional)["independent_components"]
                       for f in ("ijk=ikj", "ijkl=jikl=klij")]
    for cell in variants:
        ops = symmetry_operations(cell)
        assert ops.point_group == reference.point_group and ops.space_group == reference.space_group
        assert len(ops) * primitive.num_atoms == per_primitive_cell * cell.num_atoms  # x lattice points in the cell
        rotations = ops.point_group_rotations()
        assert np.abs(np.einsum("nji,njk->nik", rotations, rotations) - np.eye(3)).max() < 1e-12
        for a in rotations:
            for b in rotations:
                assert np.abs(rotations - a @ b).max(axis=(1, 2)).min() < 1e-12
        assert [tensor_report(f, structure=cell)["independent_components"]
                for f in ("ijk=ikj", "ijkl=jikl=klij")] == expected_counts
