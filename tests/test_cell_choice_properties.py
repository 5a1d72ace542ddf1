"""A tensor property belongs to the infinite crystal: any cell of it gives the same count.

A supercell can hide operations from spglib (rutile's 4-fold axis does not map a 2a x a x c cell
onto itself, so spglib lists only mmm in that cell). `tensor --structure` and `curie --property`
must still see the crystal's point group, and agree with each other, for the primitive cell, a
conventional cell, supercells whose shape hides symmetry, and a rotated frame. The expected counts
are Nye's (elastic: 6 for 4/mmm, 3 for m-3m; piezoelectric: 3 for 4mm; dielectric: 2 for 4/mmm).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import invoke
from symcompile.structures import read_structure
from symcompile.structures.structure import Structure

ROOT = Path(__file__).resolve().parents[1]
STRUCTURES = ROOT / "examples" / "structures"


def _supercell(structure: Structure, P: list[list[int]]) -> Structure:
    """The same crystal in the cell whose rows are P @ lattice (all atoms written out)."""
    P = np.asarray(P, dtype=int)
    lattice = P @ structure.lattice
    n = int(round(abs(np.linalg.det(P))))
    span = np.arange(-n, n + 1)
    shifts = np.array(np.meshgrid(span, span, span, indexing="ij")).reshape(3, -1).T
    frac, species = [], []
    for f, s in zip(structure.frac_coords, structure.species):
        new = np.linalg.solve(P.T, (f[None, :] + shifts).T).T  # fractional in the new cell
        inside = np.all((new > -1e-9) & (new < 1 - 1e-9), axis=1)
        for x in new[inside]:
            frac.append(x)
            species.append(s)
    assert len(frac) == n * structure.num_atoms
    return Structure(lattice, np.array(frac), tuple(species))


def _rotated(structure: Structure, seed: int) -> Structure:
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q *= np.sign(np.linalg.det(q))
    return Structure(structure.lattice @ q.T, structure.frac_coords, structure.species)


def _write(structure: Structure, path: Path) -> str:
    structure.to_pymatgen().to(filename=str(path))
    return str(path)


CELLS = {
    "given": None,
    "2x1x1": [[2, 0, 0], [0, 1, 0], [0, 0, 1]],
    "sqrt2 x sqrt2 x 1": [[1, 1, 0], [-1, 1, 0], [0, 0, 1]],
    "1x1x2 skewed": [[1, 0, 1], [0, 1, 0], [0, 0, 2]],
}
CASES = [  # (file, property, Nye's count)
    ("TiO2_rutile.cif", "elastic", 6),
    ("TiO2_rutile.cif", "ij=ji", 2),
    ("BaTiO3_tetragonal.cif", "piezoelectric", 3),
    ("SrTiO3_cubic.cif", "elastic", 3),
]


def _count(command: list[str]) -> int:
    code, out, err = invoke([*command, "--json", "--quiet"])
    assert code == 0, err
    return int(json.loads(out.splitlines()[0])["independent_components"])


@pytest.mark.parametrize("name,prop,expected", CASES)
@pytest.mark.parametrize("cell", list(CELLS))
def test_tensor_and_curie_counts_do_not_depend_on_the_cell(tmp_path: Path, name: str, prop: str, expected: int,
                                                            cell: str) -> None:
    structure = read_structure(str(STRUCTURES / name))
    if CELLS[cell] is not None:
        structure = _supercell(structure, CELLS[cell])
    structure = _rotated(structure, seed=len(cell))
    path = _write(structure, tmp_path / "cell.cif")
    assert _count(["tensor", prop, "--structure", path]) == expected
    assert _count(["curie", path, "--property", prop, "--no-train"]) == expected
