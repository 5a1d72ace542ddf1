"""The parent: found (or given) Pm-3m for the four perovskites, idealised in the child's cell,
atom for atom; clear errors when there is no parent or the parent does not correspond.
Checked against spglib run directly on the files and on the idealised parent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spglib
from op_data import EXAMPLES, STRUCTURES, read

from symcompile.errors import InputError
from symcompile.order_params.parent import standard_primitive
from symcompile.structures import Structure as Crystal
from symcompile.order_params.parent import find_parent, match_parent
from symcompile.order_params.result import load_crystal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _child(name: str) -> Crystal:
    return standard_primitive(load_crystal(EXAMPLES[name][0], "child"), 1e-3)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_found_parent_is_cubic_perovskite_atom_for_atom(name: str) -> None:
    path, _, number, _ = EXAMPLES[name]
    raw = read(path)
    assert spglib.get_symmetry_dataset((raw.lattice.matrix, raw.frac_coords, [s.Z for s in raw.species]),
                                       symprec=1e-3).number == number
    match = find_parent(_child(name), 1e-3)
    assert match.parent_group == {"number": 221, "symbol": "Pm-3m"}
    assert match.child_group["number"] == number
    # independent: the idealised parent is exactly cubic by spglib at a tight tolerance
    assert spglib.get_symmetry_dataset(match.parent.spglib_cell(), symprec=1e-6).number == 221
    # one to one: atom i of the parent is atom i of the child, displaced by less than the bound
    assert match.parent.species == match.child.species
    delta = match.child.frac_coords - match.parent.frac_coords
    delta -= np.round(delta)
    cart = delta @ match.parent.lattice
    assert np.allclose(cart, match.displacements, atol=1e-9)
    assert 0.01 < match.max_displacement <= 0.8
    assert np.allclose(match.displacements.mean(axis=0), 0, atol=1e-9)
    # every operation spglib finds for the child is one of the parent's (a subgroup)
    child_ops = spglib.get_symmetry(match.child.spglib_cell(), symprec=1e-3)
    parent_ops = {(W.tobytes(), tuple(np.round(t % 1, 4) % 1)) for W, t in
                  zip(match.ops.frac_rotations, match.ops.frac_translations)}
    for W, t in zip(child_ops["rotations"], child_ops["translations"]):
        assert (W.astype(int).tobytes(), tuple(np.round(t % 1, 4) % 1)) in parent_ops
    assert int(match.child_mask.sum()) == len(child_ops["rotations"])


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_given_parent_is_matched(name: str) -> None:
    _, parent_path, number, _ = EXAMPLES[name]
    match = match_parent(_child(name), load_crystal(parent_path, "parent"), 1e-3)
    assert match.given and match.parent_group["number"] == 221 and match.child_group["number"] == number


def _write_cif(path: Path, lattice: float, sites: list[tuple[str, tuple[float, float, float], str]]) -> Path:
    rows = "\n".join(f"  {s}{i} {s} {x} {y} {z} {occ}" for i, (s, (x, y, z), occ) in enumerate(sites))
    path.write_text(f"data_x\n_cell_length_a {lattice}\n_cell_length_b {lattice}\n_cell_length_c {lattice}\n"
                    "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
                    "_symmetry_space_group_name_H-M 'P 1'\nloop_\n_symmetry_equiv_pos_as_xyz\n  'x,y,z'\n"
                    "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
                    f"_atom_site_fract_z\n_atom_site_occupancy\n{rows}\n")
    return path


def test_parent_of_another_arrangement_does_not_correspond(tmp_path: Path) -> None:
    # same composition and group, but Ti twelve-fold and Sr six-fold coordinated (O on the cube edges)
    wrong = _write_cif(tmp_path / "anti.cif", 3.9, [("Sr", (0, 0, 0), "1"), ("Ti", (0.5, 0.5, 0.5), "1"),
                                                    ("O", (0.5, 0, 0), "1"), ("O", (0, 0.5, 0), "1"),
                                                    ("O", (0, 0, 0.5), "1")])
    assert spglib.get_symmetry_dataset(load_crystal(wrong, "parent").spglib_cell(), symprec=1e-3).number == 221
    with pytest.raises(InputError, match="do not correspond"):
        match_parent(_child("SrTiO3"), load_crystal(wrong, "parent"), 1e-3)


def test_parent_of_another_composition_does_not_correspond() -> None:
    with pytest.raises(InputError, match="do not correspond"):
        match_parent(_child("BaTiO3"), load_crystal(STRUCTURES / "SrTiO3_cubic.cif", "parent"), 1e-3)


def test_no_parent_within_the_bound() -> None:
    # CaTiO3's oxygens move by 0.40 Å from the cubic positions
    with pytest.raises(InputError, match="no higher-symmetry parent within 0.2 Å.*needs 0.40 Å"):
        find_parent(_child("CaTiO3"), 1e-3, max_displacement=0.2)
    assert find_parent(_child("CaTiO3"), 1e-3, max_displacement=0.45).parent_group["number"] == 221


def test_no_parent_for_a_triclinic_random_crystal() -> None:
    rng = np.random.default_rng(7)
    lattice = np.array([[5.1, 0.3, 0.2], [0.4, 6.3, 0.1], [0.7, 0.2, 7.4]])
    frac = np.array([[0, 0, 0], [0.31, 0.17, 0.42], [0.61, 0.52, 0.13], [0.22, 0.74, 0.71], [0.83, 0.39, 0.88]])
    crystal = Crystal(lattice, frac + rng.uniform(-0.02, 0.02, frac.shape), ("Na", "Cl", "K", "Br", "O"))
    assert spglib.get_symmetry_dataset(crystal.spglib_cell(), symprec=1e-3).number == 1
    with pytest.raises(InputError, match="no higher-symmetry parent"):
        find_parent(standard_primitive(crystal, 1e-3), 1e-3)


def test_disordered_and_molecular_inputs_are_refused(tmp_path: Path) -> None:
    mixed = _write_cif(tmp_path / "mixed.cif", 3.95, [("Sr", (0, 0, 0), "0.5"), ("Ba", (0, 0, 0), "0.5"),
                                                      ("Ti", (0.5, 0.5, 0.5), "1"), ("O", (0.5, 0.5, 0), "1"),
                                                      ("O", (0.5, 0, 0.5), "1"), ("O", (0, 0.5, 0.5), "1")])
    with pytest.raises(InputError, match="disordered"):
        load_crystal(mixed, "child")
    with pytest.raises(InputError, match="molecule"):
        load_crystal(STRUCTURES / "water.xyz", "child")
