"""Carriers by symmetry: which (parent site, irrep) blocks give exactly the child's group alone,
the primary one (the physical tilt / polar carrier), k-points, invariance to how the child is
written. Checked against spglib's magnetic-symmetry search and against e3nn's Wigner matrices."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
import spglib
from op_data import EXAMPLES, read, variant

from symcompile.order_params.carriers import Block, analyse_blocks, primary_carrier
from symcompile.order_params.parent import standard_primitive
from symcompile.order_params.decorate import (
    decorated_group,
    feature_irreps,
    invariant_mask,
    irrep_columns,
    representation,
)
from symcompile.order_params.kpoints import Translations
from symcompile.order_params.parent import ParentMatch, find_parent
from symcompile.order_params.result import load_crystal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
IRREPS = feature_irreps(2)


def analyse(child: Any) -> tuple[ParentMatch, list[Block], Block | None, np.ndarray, Translations]:
    match = find_parent(standard_primitive(load_crystal(child, "child"), 1e-3), 1e-3)
    D = representation(IRREPS, match.ops)
    translations = Translations(match)
    blocks = analyse_blocks(match, IRREPS, D, translations, 1e-3)
    return match, blocks, primary_carrier(blocks, match, D), D, translations


@cache
def example(name: str) -> tuple[ParentMatch, list[Block], Block | None, np.ndarray, Translations]:
    return analyse(str(EXAMPLES[name][0]))


def signature(blocks: list[Block], primary: Block | None) -> tuple:
    return (None if primary is None else (primary.site, str(primary.irrep)),
            sorted((b.site, str(b.irrep), b.free_parameters, tuple((k["label"], k["free_parameters"])
                                                                    for k in b.k_points))
                   for b in blocks if b.carrier))


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_primary_carrier_is_the_physical_one(name: str) -> None:
    irrep, species = EXAMPLES[name][3]
    _, _, primary, _, _ = example(name)
    assert primary is not None and (str(primary.irrep), primary.species) == (irrep, species)
    assert primary.multiplicity == 1 and primary.site_symmetry == "m-3m"  # the B site of the cubic perovskite


def _random_invariant(block: Block, n: int, seed: int = 0) -> np.ndarray:
    coefficients = np.random.default_rng(seed).normal(size=block.free_parameters)
    return block.pattern(coefficients, n, IRREPS.dim)


def _spglib_group_of_moments(match: ParentMatch, moments: np.ndarray, axial: bool) -> int:
    lattice, frac, numbers = match.parent.spglib_cell()
    sym = spglib.get_magnetic_symmetry((lattice, frac, numbers, moments), symprec=1e-3, mag_symprec=1e-6,
                                       is_axial=axial)
    keep = ~np.asarray(sym["time_reversals"], dtype=bool)
    sgt = spglib.get_spacegroup_type_from_symmetry(sym["rotations"][keep], sym["translations"][keep], lattice,
                                                   symprec=1e-3)
    return int(sgt.number)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_carriers_give_exactly_the_child_group_by_spglib(name: str) -> None:
    match, blocks, _, D, _ = example(name)
    number = EXAMPLES[name][2]
    carriers = [b for b in blocks if b.carrier]
    assert carriers
    for block in blocks:
        if block.free_parameters == 0:
            continue
        pattern = _random_invariant(block, match.child.num_atoms)
        group = decorated_group(match, pattern, IRREPS, 1e-3, D)
        assert (group["number"] == number) == block.carrier, (block.site, block.irrep)
        if block.irrep.l == 1:  # independent: spglib's own search, moments axial (1e) or polar (1o)
            moments = pattern[:, irrep_columns(IRREPS, block.irrep)]
            assert (_spglib_group_of_moments(match, moments, block.irrep.p == 1) == number) == block.carrier
        if not block.carrier:  # the group a block gives alone is a proper supergroup of the child's
            assert group["operations"] > int(match.child_mask.sum())


def test_invariance_check_agrees_with_e3nn_wigner_matrices() -> None:
    e3nn_o3 = pytest.importorskip("e3nn.o3")
    import torch

    match, blocks, _, D, _ = example("CaTiO3")
    theirs = e3nn_o3.Irreps(str(IRREPS)).D_from_matrix(torch.tensor(match.ops.rotations)).numpy()
    # e3nn goes through Euler angles: at beta = pi (2-fold axes in the xy plane) it is exact to ~1e-7 only
    assert np.allclose(theirs, D, atol=1e-6)
    for block in blocks:
        if block.free_parameters:
            pattern = _random_invariant(block, match.child.num_atoms, seed=3)
            assert np.array_equal(invariant_mask(pattern, theirs, match.ops), invariant_mask(pattern, D, match.ops))


def test_known_carriers_of_the_tilt_systems() -> None:
    # a0a0c- (I4/mcm) and a-a-a- (R-3c): one free tilt parameter on the B site, at R only
    for name, species in (("SrTiO3", "Ti"), ("LaAlO3", "Al")):
        _, blocks, primary, _, _ = example(name)
        assert primary is not None and primary.free_parameters == 1
        assert [k["label"] for k in primary.k_points] == ["R"]
    # a-b+a- (Pnma): B-site pseudovectors at R, M (and X, allowed by the group)
    _, blocks, primary, _, _ = example("CaTiO3")
    assert primary is not None and {k["label"] for k in primary.k_points} >= {"R", "M"}
    # the polar P4mm: a zone-centre vector on any site; scalar features never carry it
    _, blocks, primary, _, _ = example("BaTiO3")
    carriers = {(b.species, str(b.irrep)) for b in blocks if b.carrier}
    assert {("Ba", "1o"), ("Ti", "1o"), ("O", "1o")} <= carriers
    assert not any(b.irrep.l == 0 for b in blocks if b.carrier)
    assert primary is not None and [k["label"] for k in primary.k_points] == ["Γ"]


@pytest.mark.parametrize("name", ["SrTiO3", "LaAlO3"])
def test_r_point_tilts_alternate_along_every_cubic_axis(name: str) -> None:
    """Independent of our k-point code: the out-of-phase (R) tilt flips sign from one B atom to the next
    along each cubic axis."""
    match, _, primary, _, _ = example(name)
    assert primary is not None
    pattern = primary.pattern(np.ones(1), match.child.num_atoms, IRREPS.dim)[:, irrep_columns(IRREPS, primary.irrep)]
    atoms = primary.atoms
    for axis in match.conventional:
        step = np.linalg.solve(match.parent.lattice.T, axis)  # a cubic edge in the cell's fractional coordinates
        for i in atoms:
            target = match.parent.frac_coords[i] + step
            d = match.parent.frac_coords[atoms] - target
            d -= np.round(d)
            j = atoms[int(np.argmin(np.linalg.norm(d @ match.parent.lattice, axis=1)))]
            assert np.allclose(pattern[j], -pattern[i], atol=1e-9)


@pytest.mark.parametrize("name,kind", [("CaTiO3", "supercell"), ("SrTiO3", "primitive"), ("LaAlO3", "primitive"),
                                       ("BaTiO3", "supercell")])
def test_carriers_do_not_depend_on_how_the_child_is_written(name: str, kind: str) -> None:
    _, blocks, primary, _, _ = example(name)
    match2, blocks2, primary2, _, _ = analyse(variant(read(EXAMPLES[name][0]), kind, seed=5))
    assert match2.parent_group["number"] == 221 and match2.child_group["number"] == EXAMPLES[name][2]
    assert signature(blocks2, primary2) == signature(blocks, primary)


def test_k_points_of_the_child_cells() -> None:
    expected = {"CaTiO3": ["Γ", "X", "M", "R"], "SrTiO3": ["Γ", "R"], "LaAlO3": ["Γ", "R"], "BaTiO3": ["Γ"]}
    for name, labels in expected.items():
        match, _, _, _, translations = example(name)
        assert [kp.label for kp in translations.kpoints] == labels
        # the characters are exp(2 pi i k.t) with k in the parent's conventional reciprocal basis
        t_conv = translations.t @ match.parent.lattice @ np.linalg.inv(match.conventional)
        for kp, chars in zip(translations.kpoints, translations.characters):
            assert np.allclose(np.exp(2j * np.pi * (t_conv @ np.array(kp.k))), chars, atol=1e-9)


def test_importing_the_package_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, symcompile.order_params, symcompile.order_params.result\nassert 'torch' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
