"""Symmetry operations of molecules and crystals (symcompile.structures, as curie uses them): names checked
against pymatgen's PointGroupAnalyzer (a test oracle only) and the o3 point-group tables."""

from __future__ import annotations

import numpy as np
import pytest
from curie_helpers import MOLECULES, example, moved, non_crystallographic_groups, orbit_geometry

from symcompile.structures import Structure, crystal_operations, molecule_operations, schoenflies_symbol
from symcompile.o3 import rand_matrix
from symcompile.o3.point_groups import crystallographic_point_groups


def _pymatgen_symbol(g: Structure) -> str:
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer

    sym = PointGroupAnalyzer(Molecule(list(g.species), g.cart_coords), tolerance=0.01).sch_symbol
    return {"D*h": "D∞h", "C*v": "C∞v", "S6": "C3i"}.get(sym, sym)


def _check_operations(g: Structure, ops: object) -> None:
    """Each operation maps the (symmetrized) geometry onto itself with its permutation; the set is a group."""
    X = ops.symmetrized - ops.centre
    labels = np.array(g.species)
    keys = set()
    for R, p in zip(ops.rotations, ops.permutations):
        assert np.abs(R.T @ R - np.eye(3)).max() < 1e-12
        assert np.abs(X @ R.T - X[p]).max() < 1e-9
        assert (labels[p] == labels).all()
        keys.add((tuple(p), round(float(np.linalg.det(R)))))
    assert len(keys) == len(ops.rotations)
    for R1 in ops.rotations:
        for R2 in ops.rotations:
            assert min(np.abs(R1 @ R2 - R).max() for R in ops.rotations) < 1e-9


@pytest.mark.parametrize("name", [*MOLECULES, "square", "rectangle", "hydrogen_peroxide"])
def test_example_molecules_match_pymatgen(name: str) -> None:
    g = example(name)
    ops = molecule_operations(g, 1e-3)
    assert ops.name == _pymatgen_symbol(g)
    if ops.finite:
        _check_operations(g, ops)


def test_rectangle_and_square_are_3d_objects() -> None:
    assert molecule_operations(example("rectangle"), 1e-3).name == "D2h"
    assert molecule_operations(example("square"), 1e-3).name == "D4h"
    assert len(molecule_operations(example("square"), 1e-3)) == 16


@pytest.mark.parametrize("group", crystallographic_point_groups(), ids=lambda g: g.name)
def test_all_crystal_classes_from_generic_orbits(group: object) -> None:
    """Geometries built as orbits under each of the 32 classes, in a random frame: same name, same order."""
    g = orbit_geometry(group.matrices, seed=1, orbits=4 if group.name == "1" else 3)
    g, *_ = moved(g, seed=len(group.matrices))
    ops = molecule_operations(g, 1e-4)
    assert ops.name == group.schoenflies
    assert len(ops) == len(group.matrices)
    _check_operations(g, ops)
    if group.name != "1":
        assert ops.name == _pymatgen_symbol(g)


@pytest.mark.parametrize("name", list(non_crystallographic_groups()))
def test_non_crystallographic_groups(name: str) -> None:
    mats = non_crystallographic_groups()[name]
    g, *_ = moved(orbit_geometry(mats, seed=2), seed=3)
    ops = molecule_operations(g, 1e-4)
    assert ops.name == name and len(ops) == len(mats)
    assert schoenflies_symbol(mats) == name


@pytest.mark.parametrize("group", crystallographic_point_groups(), ids=lambda g: g.name)
def test_schoenflies_of_matrices_in_any_frame(group: object) -> None:
    Q = rand_matrix(rng=7)
    assert schoenflies_symbol(Q @ group.matrices @ Q.T) == group.schoenflies


def test_linear_and_single_point_groups() -> None:
    co = Structure.molecule(("C", "O"), np.array([[0.0, 0, 0], [0.3, 0.4, 1.0]]))
    assert molecule_operations(co, 1e-3).name == "C∞v"
    co2 = example("co2")
    ops = molecule_operations(co2, 1e-3)
    assert ops.name == "D∞h" and not ops.finite
    assert "inversion" in ops.names()
    assert molecule_operations(Structure.molecule(("Ar",), np.array([[1.0, 2, 3]])), 1e-3).name == "Kh"


def test_operation_names_of_the_square() -> None:
    names = molecule_operations(example("square"), 1e-3).names()
    for expected in ("identity", "inversion", "4-fold rotation about z (+90°)", "mirror normal to z",
                     "mirror normal to [110]", "2-fold rotation about [1-10]", "-4 rotoinversion about z (+90°)"):
        assert expected in names


def test_noisy_geometry_is_symmetrized_within_tolerance() -> None:
    g = example("methane")
    noise = np.random.default_rng(0).normal(scale=2e-4, size=g.cart_coords.shape)
    noisy = Structure.molecule(g.species, g.cart_coords + noise)
    ops = molecule_operations(noisy, 1e-3)
    assert ops.name == "Td"
    assert np.abs(ops.symmetrized - noisy.cart_coords).max() < 1e-3
    assert molecule_operations(noisy, 1e-5).name == "C1"


def test_space_group_operations_of_cscl() -> None:
    ops = crystal_operations(example("cscl_cubic"), 1e-3)
    assert ops.name.startswith("Pm-3m") and ops.number == 221 and len(ops) == 48
    lat = ops.lattice
    frac = np.linalg.solve(lat.T, ops.symmetrized.T).T
    for R, t, p in zip(ops.rotations, ops.translations, ops.permutations):
        img = np.linalg.solve(lat.T, (ops.symmetrized @ R.T + t).T).T
        diff = img - frac[p]
        assert np.abs(diff - np.round(diff)).max() < 1e-9
