"""Shared data for the distortion tests: bundled and published structures, cell variants.

Variants (other cells, rotations, origin shifts, atom orders) come from the explicit basis
transformations of tests/structures/structure_variants.py, not from the code under test.
"""

from __future__ import annotations

import sys
import warnings
from functools import cache
from pathlib import Path

import numpy as np

from symcompile.structures.cell import Cell, as_cell

ROOT = Path(__file__).resolve().parents[2]
STRUCTURES = ROOT / "examples" / "structures"
PARENTS = ROOT / "examples" / "order_params"
DISTORTIONS = ROOT / "examples" / "distortions"

sys.path.insert(0, str(ROOT / "tests" / "structures"))
from structure_variants import (
    PRIMITIVE,
    random_rotation,
    rotated,
    shifted,
    shuffled,
    supercell,
    transform,
)

__all__ = [
    "FAMILIES",
    "PEROVSKITES",
    "PRIMITIVE",
    "random_rotation",
    "read",
    "rotated",
    "shifted",
    "shuffled",
    "sum_of_squares",
    "supercell",
    "transform",
]

#: name: (child, parent) of the four bundled perovskites (parents with the A site at the origin)
PEROVSKITES = {
    "CaTiO3": (STRUCTURES / "CaTiO3_Pnma.cif", PARENTS / "CaTiO3_cubic.cif"),
    "SrTiO3": (STRUCTURES / "SrTiO3_I4mcm.cif", STRUCTURES / "SrTiO3_cubic.cif"),
    "LaAlO3": (STRUCTURES / "LaAlO3_R-3c.cif", PARENTS / "LaAlO3_cubic.cif"),
    "BaTiO3": (STRUCTURES / "BaTiO3_tetragonal.cif", PARENTS / "BaTiO3_cubic.cif"),
}

#: Published structures of other families (examples/distortions/, sources in each file):
#: child, parent, child's space group, primary {irrep: (k letter, direction, isotropy subgroup
#: number)}, irreps that must be among the secondary modes.
FAMILIES = {
    "La2CuO4 LTO": ("La2CuO4_Bmab.cif", "La2CuO4_I4mmm.cif", 64, {"X3+": ("X", "(a,0)", 64)}, set()),
    "La2CuO4 LTT": ("La2CuO4_LTT.cif", "La2CuO4_LTT_parent.cif", 138, {"X3+": ("X", "(a,a)", 138)}, set()),
    "CaCl2": ("CaCl2_Pnnm.cif", "CaCl2_rutile.cif", 58, {"GM2+": ("GM", "(a)", 58)}, set()),
    "YMnO3": ("YMnO3_P63cm.cif", "YMnO3_P63mmc.cif", 185, {"K3": ("K", "(a,0)", 185)}, {"GM2-", "K1"}),
    "LaMnO3": ("LaMnO3_Pnma.cif", "LaMnO3_cubic.cif", 62,
               {"R4+": ("R", "(a,a,0)", 74), "M3+": ("M", "(a,0,0)", 127)}, {"X5+", "M2+", "R5+"}),
}


@cache
def read(path: Path | str) -> Cell:
    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return as_cell(Structure.from_file(str(path)))


def sum_of_squares(values: list[float]) -> float:
    return float(np.sum(np.square(values)))
