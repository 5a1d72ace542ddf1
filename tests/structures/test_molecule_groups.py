"""Molecular point groups, including the infinite ones (C∞v, D∞h, Kh) and their finite stand-ins."""

from __future__ import annotations

import numpy as np
import pytest
from structure_variants import EXAMPLES, MOLECULES

from symcompile.structures import Structure, analyse_symmetry, molecule_operations, read_structure
from symcompile.structures.molecules import LINEAR_ORDER, icosahedral_group


def _molecule(species: list[str], coords: list[list[float]]) -> Structure:
    return Structure.molecule(species, coords)


def _schoenflies(molecule: Structure) -> str:
    return analyse_symmetry(molecule)["point_group"]["schoenflies"]


def _invariant_count(rotations: np.ndarray, rank: int) -> float:
    """Number of invariant Cartesian tensors of a rank: the mean of the character (tr R)^rank."""
    return float(np.mean(np.trace(rotations, axis1=1, axis2=2) ** rank))


@pytest.mark.parametrize("name", sorted(MOLECULES))
def test_operations_map_the_molecule_onto_itself(name: str) -> None:
    molecule = read_structure(EXAMPLES / name)
    result = molecule_operations(molecule).finite_approximant()
    assert molecule_operations(molecule).name == MOLECULES[name][0]
    positions = np.asarray(molecule.cart_coords)
    species = list(molecule.species)
    for rot in result.rotations:
        assert np.allclose(rot @ rot.T, np.eye(3), atol=1e-9)
        moved = (positions - result.centre) @ rot.T + result.centre
        for point, sp in zip(moved, species):
            dist = np.linalg.norm(positions - point, axis=1)
            assert any(d < 1e-3 and s == sp for d, s in zip(dist, species))
    if MOLECULES[name][1] is not None:
        assert len(result.rotations) == MOLECULES[name][1]


def test_single_atom_is_kh_and_hcn_is_c_infinity_v() -> None:
    atom = analyse_symmetry(_molecule(["Ar"], [[1, 2, 3]]))
    assert atom["point_group"] == {"hm": "∞∞m", "schoenflies": "Kh", "order": None} and atom["num_atoms"] == 1
    hcn = _molecule(["H", "C", "N"], [[0, 0, -1.064], [0, 0, 0], [0, 0, 1.156]])
    assert analyse_symmetry(hcn)["point_group"] == {"hm": "∞m", "schoenflies": "C∞v", "order": None}
    tilted = _molecule(["O", "C", "O"], [[0.6, 0.8, 0], [0, 0, 0], [-0.6, -0.8, 0]])
    assert _schoenflies(tilted) == "D∞h"


def test_long_bent_molecule_is_not_called_linear() -> None:
    """pymatgen's inertia test calls very elongated molecules linear; a 0.3 Å kink is not linear."""
    chain = _molecule(["C"] * 6, [[0, 0, 1.3 * i] for i in range(5)] + [[0.3, 0, 6.5]])
    assert "∞" not in _schoenflies(chain)
    zigzag = _molecule(["C"] * 7, [[0.3 * (i % 2), 0, 1.25 * i] for i in range(7)])
    assert _schoenflies(zigzag) == "C2v"


def test_finite_stand_ins_for_infinite_groups() -> None:
    hcn = _molecule(["H", "C", "N"], [[0, 0, -1.064], [0, 0, 0], [0, 0, 1.156]])
    co2 = _molecule(["O", "C", "O"], [[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]])
    cnv = molecule_operations(hcn).finite_approximant().rotations
    dnh = molecule_operations(co2).finite_approximant().rotations
    assert len(cnv) == 2 * LINEAR_ORDER and len(dnh) == 4 * LINEAR_ORDER
    ih = icosahedral_group()
    assert len(ih) == 120
    # O(3) has 1, 3, 15 invariant tensors of rank 2, 4, 6 (isotropic tensors); I_h reproduces
    # rank 2 and 4 exactly and gains one at rank 6 (its first invariant harmonic is l = 6).
    assert round(_invariant_count(ih, 2)) == 1 and round(_invariant_count(ih, 4)) == 3
    assert round(_invariant_count(ih, 6)) == 16
    # C∞v has (for vectors) one invariant, the axis; D∞h none.
    assert round(_invariant_count(cnv, 1)) == 1 and round(_invariant_count(dnh, 1)) == 0


def test_overlapping_atoms_in_a_molecule_are_an_input_error() -> None:
    from symcompile.errors import InputError

    with pytest.raises(InputError, match="closer than the tolerance"):
        molecule_operations(_molecule(["H", "H", "O"], [[0, 0, 0], [0, 0, 0.0001], [1, 0, 0]]))


def test_nearly_linear_molecule_bent_beyond_the_tolerance() -> None:
    """Found by fuzzing: an atom off the axis by 2 tolerances but close to the centre. Not linear: C2v
    (the bend's 2-fold axis and its two mirrors), and no crash picking reference atoms."""
    bent = _molecule(["C", "C", "O"], [[0, 0, -5], [0, 0, 5], [0.002, 0, 0]])
    assert _schoenflies(bent) == "C2v"
    assert _schoenflies(_molecule(["C", "C", "O"], [[0, 0, -5], [0, 0, 5], [0.0005, 0, 0]])) == "D∞h"
