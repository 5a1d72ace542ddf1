"""Carriers by group theory, checked by other routes: the dimension of the child-symmetric subspace
by brute-force linear algebra, the group a generic decoration gives by spglib's own search, the
blocks the issue found wrong (0e on the A site of a0b+b+ and a+b+c+), and the shell deformations."""

from __future__ import annotations

import numpy as np
import pytest
import spglib
from glazer_systems import build
from op_data import FAMILIES

from symcompile.order_params.carriers import (
    analyse_blocks,
    feature_irreps,
    generic_invariant,
    invariant_dimension,
    ranked,
)
from symcompile.order_params.local import channels, shell_deformations
from symcompile.order_params.problem import set_up


def analysed(child: object, **options: object) -> tuple:
    problem = set_up(child, **options)
    local = shell_deformations(problem.parent, problem.child_frac, problem.child_lattice)
    return problem, analyse_blocks(problem, feature_irreps(2), local)


def dense_rank(problem: object, block: object) -> int:
    """dim V^G as the rank of the average of the explicit block matrices over the child's group."""
    g, an = problem.group, problem.analysis
    in_block = np.flatnonzero(np.isin(an.child_atom, block.atoms))
    index = {int(a): i for i, a in enumerate(in_block)}
    d = block.irrep.dim
    total = np.zeros((len(in_block) * d, len(in_block) * d))
    elements = np.argwhere(problem.child_mask)
    for t, m in elements:
        image = g.perm_trans[t][g.perm_ops[m]]
        mat = np.zeros_like(total)
        for a in in_block:
            j, i = index[int(image[a])], index[int(a)]
            mat[j * d:(j + 1) * d, i * d:(i + 1) * d] = block.rho[m]
        total += mat
    return int(np.linalg.matrix_rank(total / len(elements), tol=1e-8))


@pytest.mark.parametrize("name", ["CaTiO3 Pnma", "alpha quartz", "La2NiO4 LTT"])
def test_free_parameters_by_characters_equal_the_rank_of_the_projector(name: str) -> None:
    path, options, *_ = FAMILIES[name]
    problem, blocks = analysed(str(path), **options)
    for block in blocks:
        assert invariant_dimension(problem, block) == dense_rank(problem, block), block.name


@pytest.mark.parametrize("name", ["CaTiO3 Pnma", "BiFeO3 R3c", "alpha cristobalite", "YMnO3 P6_3cm"])
def test_exact_blocks_agree_with_spglib(name: str) -> None:
    """A generic child-symmetric decoration of a block: scalars as atom types, vectors as moments."""
    path, options, _, child_number, *_ = FAMILIES[name]
    problem, blocks = analysed(str(path), **options)
    lattice, frac, numbers = problem.parent.spglib_cell()
    rng = np.random.default_rng(5)
    for block in blocks:
        if not block.free_parameters or str(block.irrep) not in ("0e", "1o", "1e"):
            continue
        values = generic_invariant(problem, block, rng)
        values = values / np.abs(values).max()
        if str(block.irrep) == "0e":
            types = np.unique(np.stack([numbers, np.round(values[:, 0], 6)], axis=1), axis=0, return_inverse=True)[1]
            number = spglib.get_symmetry_dataset((lattice, frac, types.ravel()), symprec=1e-4).number
        else:
            sym = spglib.get_magnetic_symmetry((lattice, frac, numbers, values), symprec=1e-4, mag_symprec=1e-6,
                                               is_axial=str(block.irrep) == "1e")
            keep = ~sym["time_reversals"].astype(bool)
            number = spglib.get_spacegroup_type_from_symmetry(sym["rotations"][keep], sym["translations"][keep],
                                                              lattice).number
        assert (number == child_number) == block.exact, block.name


@pytest.mark.parametrize("symbol", ["a0b+b+", "a+b+c+"])
def test_a_site_scalar_gives_the_group_but_not_the_tilts(symbol: str) -> None:
    """Issue 12: 0e on the A site gives I4/mmm (Immm) by symmetry, as an A-site ordering at M (M4+ with
    B at the origin), not as the M3+ tilts."""
    _, blocks = analysed(build(symbol))
    a_scalar = next(b for b in blocks if b.species == "Sr" and str(b.irrep) == "0e")
    assert a_scalar.exact and "M4+" in a_scalar.labels and "M3+" not in a_scalar.labels
    assert not a_scalar.qualifies
    assert (str(ranked(blocks)[0].irrep), ranked(blocks)[0].species) == ("1e", "Ti")


def test_pseudoscalars_that_carry_the_irrep_are_not_preferred() -> None:
    """YMnO3: 0o on the planar O gives K3 with P6_3cm, but its shell measures no pseudoscalar; LiNbO3: 0o on Li."""
    for name in ("YMnO3 P6_3cm", "LiNbO3 R3c"):
        path, options, *_ = FAMILIES[name]
        _, blocks = analysed(str(path), **options)
        order = ranked(blocks)
        assert str(order[0].irrep) != "0o"
        assert any(str(b.irrep) == "0o" for b in order)  # still listed among the equivalent carriers


def test_shell_channels_of_simple_deformations() -> None:
    rng = np.random.default_rng(0)
    bonds = np.array([[2.0, 0, 0], [-2, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 2], [0, 0, -2]])
    angle = 0.1
    rotation = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    c = channels(bonds, bonds @ rotation.T - bonds)
    assert c["1e"] == pytest.approx(np.sqrt(2) * np.sin(angle), rel=1e-9) and c["2e"] < 0.01  # a tilt
    shift = rng.normal(size=3) * 0.1
    c = channels(bonds, np.tile(-shift, (6, 1)))  # the central atom off-centre by shift
    assert c["1o"] == pytest.approx(np.linalg.norm(shift) / 2.0) and max(c["1e"], c["2e"]) < 1e-12
    c = channels(bonds, bonds * 0.03)
    assert c["0e"] == pytest.approx(0.03 * np.sqrt(3)) and c["2e"] == pytest.approx(0.0, abs=1e-12)
