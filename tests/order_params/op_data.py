"""Shared data for the order-parameter tests: the four perovskite examples and cell variants."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
STRUCTURES = ROOT / "examples" / "structures"
PARENTS = ROOT / "examples" / "order_params"

#: child file, its parent file, child space group number, physical primary carrier (irrep, species)
EXAMPLES = {
    "CaTiO3": (STRUCTURES / "CaTiO3_Pnma.cif", PARENTS / "CaTiO3_cubic.cif", 62, ("1e", "Ti")),
    "SrTiO3": (STRUCTURES / "SrTiO3_I4mcm.cif", STRUCTURES / "SrTiO3_cubic.cif", 140, ("1e", "Ti")),
    "LaAlO3": (STRUCTURES / "LaAlO3_R-3c.cif", PARENTS / "LaAlO3_cubic.cif", 167, ("1e", "Al")),
    "BaTiO3": (STRUCTURES / "BaTiO3_tetragonal.cif", PARENTS / "BaTiO3_cubic.cif", 99, ("1o", "Ti")),
}


def read(path: Path):
    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Structure.from_file(str(path))


def variant(structure, kind: str, seed: int = 0):
    """The same crystal written differently: another cell, rotated, shifted, atoms permuted."""
    from pymatgen.core import Lattice, Structure
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer
    from scipy.spatial.transform import Rotation

    s = structure.copy()
    if kind == "supercell":
        s.make_supercell([[1, 1, 0], [-1, 1, 0], [0, 0, 1]])
    elif kind == "primitive":
        s = SpacegroupAnalyzer(s, symprec=1e-3).get_primitive_standard_structure()
    rng = np.random.default_rng(seed)
    rotation = Rotation.random(random_state=seed).as_matrix()
    perm = rng.permutation(len(s))
    frac = s.frac_coords[perm] + rng.uniform(0, 1, 3)
    return Structure(Lattice(s.lattice.matrix @ rotation.T), [s.species[i] for i in perm], frac)


