"""Child and parent that do not correspond give an InputError (exit 2 in the CLI) that says why,
with the numbers."""

from __future__ import annotations

import numpy as np
import pytest
from distortion_data import PEROVSKITES, STRUCTURES, read

from symcompile.distortions import decompose
from symcompile.errors import InputError
from symcompile.structures.cell import Cell


def _cubic(a: float = 3.9, species=("Sr", "Ti", "O", "O", "O")) -> Cell:
    return Cell(np.eye(3) * a, [[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]], species)


def test_parent_must_be_given_once() -> None:
    child = _cubic()
    with pytest.raises(InputError, match="either the parent"):
        decompose(child)
    with pytest.raises(InputError, match="either the parent"):
        decompose(child, _cubic(), ideal_parent=child)


def test_different_compositions() -> None:
    with pytest.raises(InputError, match=r"compositions O3SrTi \(parent\) and BaO3Ti \(child\) differ"):
        decompose(_cubic(species=("Ba", "Ti", "O", "O", "O")), _cubic())


def test_child_cell_smaller_than_the_parents() -> None:
    child, _ = PEROVSKITES["CaTiO3"]
    with pytest.raises(InputError, match="child's 5 atoms are not a multiple of the parent's 20"):
        decompose(_cubic(species=("Ca", "Ti", "O", "O", "O")), read(child))


def test_displacement_beyond_the_bound_says_how_far() -> None:
    child = Cell(np.eye(3) * 3.9, [[0, 0, 0], [.5, .5, .5 + 0.4], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]],
                 ("Sr", "Ti", "O", "O", "O"))
    moved = 0.4 * 3.9 * 4 / 5  # Ti's displacement once the uniform translation is removed
    with pytest.raises(InputError, match=r"within 1 Å; the closest arrangement needs 1\.25 Å"):
        decompose(child, _cubic())
    assert decompose(child, _cubic(), max_displacement=1.3).max_displacement == pytest.approx(moved)


def test_lattice_too_different() -> None:
    with pytest.raises(InputError, match="matches the child's lattice within 15% strain"):
        decompose(_cubic(4.9), _cubic(3.9))


def test_idealised_parent_must_list_the_same_atoms() -> None:
    child = read(STRUCTURES / "BaTiO3_tetragonal.cif")
    with pytest.raises(InputError, match="in the child's order"):
        decompose(child, ideal_parent=_cubic(species=("Ba", "O", "Ti", "O", "O")))


def test_idealised_parent_too_far() -> None:
    child = read(STRUCTURES / "BaTiO3_tetragonal.cif")
    ideal = Cell(child.lattice, [[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]], child.species)
    with pytest.raises(InputError, match=r"an atom moves 0\.\d\d Å \(bound 0\.05 Å\)"):
        decompose(child, ideal_parent=ideal, max_displacement=0.05)
