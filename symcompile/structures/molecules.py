"""Point groups of molecules (Schoenflies notation) and their Cartesian operations.

A molecule's point group is the set of orthogonal maps about its centre of mass that send
every atom onto an atom of the same element. Finite groups come from pymatgen's
PointGroupAnalyzer; linear molecules (C∞v, D∞h) and single atoms (Kh = O(3)) are
recognised here and, where operations are asked for, represented by a finite subgroup
that is exact for every irrep of O(3) below a stated degree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.errors import InputError

#: Linear molecules: C∞v / D∞h are represented by C_nv / D_nh with this n (exact for l < n).
LINEAR_ORDER = 12
#: Single atoms: O(3) is represented by I_h (order 120), which has no invariants for 0 < l < 6.
SPHERE_EXACT_BELOW = 6


@dataclass(frozen=True, eq=False)
class MoleculeSymmetry:
    """A molecule's point group and its operations ``r' = R (r - centre) + centre``.

    ``order`` is None for the infinite groups; then ``rotations`` is a finite subgroup that
    reproduces the group's invariants for irreps of degree l < ``exact_below``.
    """

    point_group: str
    order: int | None
    rotations: np.ndarray
    centre: np.ndarray
    exact_below: int | None = None

    @property
    def finite(self) -> bool:
        return self.order is not None


def _species_and_positions(molecule: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Element keys, positions (Å), and atomic masses of an XyzMolecule or pymatgen Molecule."""
    from pymatgen.core import Element

    if hasattr(molecule, "cart_coords"):
        species = [site.species_string for site in molecule]
        positions = np.array(molecule.cart_coords, dtype=np.float64)
        masses = np.array([float(site.species.weight) for site in molecule])
    else:
        species = list(molecule.species)
        positions = np.asarray(molecule.positions, dtype=np.float64)
        masses = np.array([float(Element(s).atomic_mass) for s in species])
    return species, positions, masses


def _maps_onto_itself(rot: np.ndarray, species: list[str], centred: np.ndarray, tol: float) -> bool:
    moved = centred @ rot.T
    for i, target in enumerate(moved):
        dist = np.linalg.norm(centred - target, axis=1)
        if not any(dist[j] < tol and species[j] == species[i] for j in range(len(species))):
            return False
    return True


def _closure(generators: list[np.ndarray], limit: int = 500) -> np.ndarray:
    group = [np.eye(3)]
    frontier = [np.eye(3)]
    while frontier:
        a = frontier.pop()
        for g in generators:
            c = g @ a
            if not any(np.allclose(c, h, atol=1e-8) for h in group):
                group.append(c)
                frontier.append(c)
                if len(group) > limit:
                    raise RuntimeError("group closure did not terminate")
    return np.array(group)


def _axis_rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    trial = np.eye(3)[int(np.argmin(np.abs(axis)))]
    perp = np.cross(axis, trial)
    return perp / np.linalg.norm(perp)


def linear_group(axis: np.ndarray, centrosymmetric: bool, n: int = LINEAR_ORDER) -> np.ndarray:
    """C_nv (or D_nh with inversion) about ``axis``: the finite stand-in for C∞v / D∞h."""
    axis = axis / np.linalg.norm(axis)
    normal = _perpendicular(axis)
    mirror = np.eye(3) - 2 * np.outer(normal, normal)
    generators = [_axis_rotation(axis, 2 * np.pi / n), mirror]
    if centrosymmetric:
        generators.append(-np.eye(3))
    return _closure(generators)


def icosahedral_group() -> np.ndarray:
    """I_h (order 120): the finite stand-in for O(3)."""
    golden = (1 + 5 ** 0.5) / 2
    five = _axis_rotation(np.array([0.0, 1.0, golden]), 2 * np.pi / 5)
    three = _axis_rotation(np.array([1.0, 1.0, 1.0]), 2 * np.pi / 3)
    return _closure([five, three, -np.eye(3)])


def _polar(rot: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(rot)
    return u @ vt


def _linear_axis(centred: np.ndarray, tol: float) -> np.ndarray | None:
    """The molecular axis if every atom lies within ``tol`` of one line through the centre."""
    if len(centred) < 2:
        return None
    _, _, vt = np.linalg.svd(centred)
    axis = vt[0]
    off_axis = centred - np.outer(centred @ axis, axis)
    return axis if float(np.max(np.linalg.norm(off_axis, axis=1))) < tol else None


def molecule_symmetry(molecule: Any, symprec: float = 1e-3) -> MoleculeSymmetry:
    """Point group (Schoenflies) of a molecule at distance tolerance ``symprec`` (Å)."""
    species, positions, masses = _species_and_positions(molecule)
    if len(species) == 0:
        raise InputError("the molecule has no atoms")
    centre = masses @ positions / masses.sum()
    centred = positions - centre
    if len(species) == 1:
        return MoleculeSymmetry("Kh", None, icosahedral_group(), centre, SPHERE_EXACT_BELOW)
    for i in range(len(species)):
        dist = np.linalg.norm(centred[i + 1:] - centred[i], axis=1)
        if np.any(dist < symprec):
            raise InputError(f"atoms closer than the tolerance (symprec={symprec:g} Å): overlapping atoms "
                             "or --symprec too large")
    axis = _linear_axis(centred, symprec)
    if axis is not None:
        centrosymmetric = _maps_onto_itself(-np.eye(3), species, centred, symprec)
        symbol = "D∞h" if centrosymmetric else "C∞v"
        return MoleculeSymmetry(symbol, None, linear_group(axis, centrosymmetric), centre, LINEAR_ORDER)
    return _finite_group(molecule, species, positions, centre, symprec)


def _finite_group(molecule: Any, species: list[str], positions: np.ndarray, centre: np.ndarray,
                  symprec: float) -> MoleculeSymmetry:
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer

    mol = molecule if hasattr(molecule, "cart_coords") else Molecule(species, positions)
    symbol = ""
    ops: list[Any] = []
    # pymatgen calls a molecule linear when the product of its normalised inertia moments is
    # below eigen_tolerance; a bent molecule is not linear, so retry with a tighter value.
    for eigen_tolerance in (0.01, 1e-4):
        pga = PointGroupAnalyzer(mol, tolerance=symprec, eigen_tolerance=eigen_tolerance)
        symbol = str(pga.sch_symbol)
        if "*" not in symbol:
            ops = list(pga.get_symmetry_operations())
            break
    if "*" in symbol:
        symbol, ops = "C1", []
    rotations = np.array([_polar(np.asarray(op.rotation_matrix, dtype=np.float64)) for op in ops]).reshape(-1, 3, 3)
    if not len(rotations):
        rotations = np.eye(3)[None]
    return MoleculeSymmetry(symbol, len(rotations), rotations, centre)


def point_group_of_molecule(molecule: Any, symprec: float = 1e-3) -> dict[str, Any]:
    """``{"point_group", "order", "num_atoms"}`` of a molecule (order None for C∞v, D∞h, Kh)."""
    result = molecule_symmetry(molecule, symprec)
    species, _, _ = _species_and_positions(molecule)
    return {"point_group": result.point_group, "order": result.order, "num_atoms": len(species)}
