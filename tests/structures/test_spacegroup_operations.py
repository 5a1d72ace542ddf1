"""Symmetry operations: they really map the crystal onto itself, form a group, and follow the frame."""

from __future__ import annotations

import numpy as np
import pytest
from structure_variants import CRYSTALS, EXAMPLES, maps_onto_itself, random_rotation, rotated

from symcompile.errors import InputError
from symcompile.structures import Structure, analyse_symmetry, read_structure, symmetry_operations
from symcompile.structures.spacegroup import crystal_system, number_from_hall, number_from_symbol


def point_group_rotations(structure: Structure, symprec: float = 1e-3) -> np.ndarray:
    return symmetry_operations(structure, symprec).point_group_rotations()

#: Order of the point group of each example, from the crystal class (ITA).
POINT_GROUP_ORDER = {"SrTiO3_cubic.cif": 48, "BaTiO3_tetragonal.cif": 8, "TiO2_rutile.cif": 16,
                     "CaTiO3_Pnma.cif": 8, "SrTiO3_I4mcm.cif": 16, "LaAlO3_R-3c.cif": 12,
                     "SiO2_alpha_quartz.cif": 6}


def _closed(rotations: np.ndarray) -> bool:
    for a in rotations:
        for b in rotations:
            if not np.any(np.all(np.abs(rotations - a @ b) < 1e-9, axis=(1, 2))):
                return False
    return True


@pytest.mark.parametrize("name", sorted(CRYSTALS))
def test_operations_map_the_crystal_onto_itself(name: str) -> None:
    cell = read_structure(EXAMPLES / name)
    ops = symmetry_operations(cell, symprec=1e-3)
    assert ops.number == CRYSTALS[name][0]
    for rot, trans in zip(ops.rotations, ops.translations):
        assert np.allclose(rot @ rot.T, np.eye(3), atol=1e-12)
        assert maps_onto_itself(cell, rot, trans, tol=2e-3)
    for rot, trans, perm in zip(ops.frac_rotations, ops.frac_translations, ops.permutations):
        frac = cell.frac_coords @ rot.T + trans
        assert maps_onto_itself(cell, *_as_cartesian(cell, rot, trans), tol=2e-3)
        diff = frac - cell.frac_coords[perm]
        assert np.abs(diff - np.round(diff)).max() < 1e-3  # atom i goes onto atom perm[i]
    group = ops.point_group_rotations()
    assert len(group) == POINT_GROUP_ORDER[name]
    assert _closed(group)


def _as_cartesian(cell: Structure, rot: np.ndarray, trans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    basis = cell.lattice.T
    return basis @ rot @ np.linalg.inv(basis), basis @ trans


def test_an_operation_that_is_not_a_symmetry_is_rejected_by_the_checker() -> None:
    cell = read_structure(EXAMPLES / "BaTiO3_tetragonal.cif")
    mirror_z = np.diag([1.0, 1.0, -1.0])  # the polar axis forbids it
    assert not maps_onto_itself(cell, mirror_z, np.zeros(3))
    assert maps_onto_itself(cell, np.diag([-1.0, 1.0, 1.0]), np.zeros(3))


def test_rotating_the_crystal_conjugates_its_point_group() -> None:
    cell = read_structure(EXAMPLES / "SrTiO3_I4mcm.cif")
    q = random_rotation(np.random.default_rng(3))
    before = point_group_rotations(cell)
    after = point_group_rotations(rotated(cell, q))
    conjugated = np.einsum("ij,njk,lk->nil", q, before, q)
    for rot in conjugated:
        assert np.any(np.all(np.abs(after - rot) < 1e-6, axis=(1, 2)))
    assert len(after) == len(before) == 16


def test_point_group_of_a_slightly_strained_cubic_cell_is_exactly_orthogonal() -> None:
    cell = Structure(np.diag([3.905, 3.9051, 3.9049]), [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5],
                                                   [0, 0.5, 0.5]], ("Sr", "Ti", "O", "O", "O"))
    group = point_group_rotations(cell, symprec=1e-3)
    assert len(group) == 48
    assert np.allclose(np.einsum("nij,nkj->nik", group, group), np.eye(3), atol=1e-13)
    assert _closed(group)


def test_operations_accept_structures_pymatgen_objects_and_molecules() -> None:
    rutile = read_structure(EXAMPLES / "TiO2_rutile.cif")
    assert len(point_group_rotations(rutile)) == 16
    assert len(symmetry_operations(rutile.to_pymatgen(), 1e-3).point_group_rotations()) == 16
    assert len(point_group_rotations(read_structure(EXAMPLES / "methane.xyz"))) == 24


def test_space_group_info_matches_pymatgen_spacegroup_analyzer() -> None:
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    for name in CRYSTALS:
        structure = read_structure(EXAMPLES / name)
        info = analyse_symmetry(structure, symprec=1e-3)
        sga = SpacegroupAnalyzer(structure.to_pymatgen(), symprec=1e-3)
        assert info["space_group"]["number"] == sga.get_space_group_number()
        assert info["setting"]["hall_symbol"] == sga.get_hall()
        assert info["point_group"]["hm"] == sga.get_point_group_symbol()
        assert info["crystal_system"] == sga.get_crystal_system()


def test_symbols_in_any_setting_map_to_numbers() -> None:
    assert number_from_symbol("P b n m") == 62
    assert number_from_symbol("Pnma") == 62
    assert number_from_symbol("P 1 21/c 1") == 14
    assert number_from_symbol("P21/c") == 14
    assert number_from_symbol("P 42/m n m") == 136
    assert number_from_symbol("P 32 2 1") == 154
    assert number_from_symbol("R -3 c :H") == 167
    assert number_from_symbol("R -3 c H") == 167
    assert number_from_symbol("'F m -3 m'") == 225
    assert number_from_symbol("P n -3 n :2") == 222
    assert number_from_symbol("Q 9") is None
    assert number_from_hall("-P 2ac 2n") == 62
    assert [crystal_system(n) for n in (1, 3, 16, 75, 143, 168, 195)] == [
        "triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"]


def test_overlapping_atoms_are_an_input_error() -> None:
    cell = Structure(np.eye(3) * 4, [[0, 0, 0], [0, 0, 0.0001]], ("Na", "Cl"))
    with pytest.raises(InputError, match="closer than the tolerance"):
        analyse_symmetry(cell, symprec=1e-3)
