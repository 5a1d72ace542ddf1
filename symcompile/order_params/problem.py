"""The child against its parent, set up once for carriers, training and verification.

child -> its primitive cell -> the parent (given as its own crystal and used as given, or the
chosen candidate of the parent search) -> the correspondence atom for atom, the mode
decomposition (labels, amplitudes in Å, strain) and the parent's group acting on the child's
cell -> the geometry the network trains on: the parent in the child's primitive cell (the
parent's own metric) and the child's displacements, made exactly symmetric under the child's
group. Sizes are checked before anything grows with them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.distortions.correspondence import Correspondence
from symcompile.distortions.decomposition import Decomposition, decompose
from symcompile.distortions.group import SupercellGroup
from symcompile.distortions.modes import ModeAnalysis
from symcompile.distortions.parents import ParentCandidate, find_parents, select_parent
from symcompile.distortions.setting import ParentSetting, ParentSite
from symcompile.distortions.strain import strain_tensor
from symcompile.errors import InputError
from symcompile.structures.spacegroup import dataset as spglib_dataset
from symcompile.structures.spacegroup import standardize
from symcompile.structures.structure import Structure
from symcompile.structures.validation import validate

#: Largest child (atoms in its primitive cell) that order-params analyses.
MAX_ATOMS = 2000
#: Largest group problem: atoms x parent translations of the analysis supercell. Time and memory
#: of the mode analysis grow with this product (a 640-atom child of 32 cells, 20,480: 7 s).
MAX_GROUP_SIZE = 300_000


def load_crystal(obj: Any, what: str) -> Structure:
    """An ordered crystal (species = elements) from a path (any format symcompile reads) or a structure."""
    from symcompile.structures.reading import as_structure_or_file, require_ordered

    try:
        structure = as_structure_or_file(obj)
    except TypeError:
        raise InputError(f"cannot use {type(obj).__name__} as a crystal") from None
    if not isinstance(obj, (str, os.PathLike)):
        validate(structure)  # files are validated when read; overlapping atoms are refused either way
    if structure.lattice is None:
        raise InputError(f"the {what} is a molecule: order-params needs a periodic crystal")
    require_ordered(structure, what, "order-params")
    return structure.replace(species=structure.elements)


def _sort_atoms(crystal: Structure, decimals: int = 6) -> Structure:
    """Atoms ordered by species, then by rounded fractional position (a canonical order), wrapped."""
    frac = crystal.frac_coords - np.floor(crystal.frac_coords + 10.0 ** (-decimals))
    key = np.round(frac, decimals) % 1.0
    order = sorted(range(crystal.num_atoms), key=lambda i: (crystal.species[i], *key[i]))
    return crystal.replace(frac_coords=frac).permuted(order)


def standard_primitive(crystal: Structure, symprec: float, angle_tol: float | None = None) -> Structure:
    """spglib's ideal standard primitive cell (standard axes), atoms in a canonical order."""
    return _sort_atoms(standardize(crystal, symprec, angle_tol, primitive=True))


@dataclass(eq=False)
class Problem:
    """Child and parent atom for atom on the child's primitive cell (the group's Cartesian frame).

    ``parent``: the parent in that cell, exactly symmetric; ``displacements`` (N, 3) Å: child
    minus parent, zero mean, exactly of the child's symmetry; ``child_mask``: the elements of
    the group (translations x coset representatives) that are the child's.
    """

    given: Structure
    decomposition: Decomposition
    options: tuple[ParentCandidate, ...]
    chosen: ParentCandidate | None
    parent: Structure
    child_frac: np.ndarray
    child_lattice: np.ndarray
    displacements: np.ndarray
    child_mask: np.ndarray
    primary_modes: tuple[str, ...] = ()  # irreps of the primary displacement modes
    primary_strain: tuple[str, ...] = ()  # irreps of strain that are primary (the strain breaks more)

    @property
    def primary_irreps(self) -> list[str]:
        """The child's primary irreps: a smallest set of modes (and strain parts, when the strain lowers
        the symmetry beyond the displacements) whose isotropy subgroups intersect to the child's group."""
        return list(dict.fromkeys([*self.primary_modes, *self.primary_strain]))

    @property
    def pure_strain(self) -> bool:
        """No displacement breaks the symmetry: the lattice strain alone does."""
        return not self.primary_modes

    @property
    def match(self) -> Correspondence:
        return self.decomposition.correspondence

    @property
    def analysis(self) -> ModeAnalysis:
        return self.decomposition.analysis

    @property
    def group(self) -> SupercellGroup:
        return self.decomposition.analysis.group

    @property
    def setting(self) -> ParentSetting:
        return self.decomposition.parent

    @property
    def n_atoms(self) -> int:
        return self.parent.num_atoms

    @property
    def species(self) -> tuple[str, ...]:
        return self.parent.species

    @property
    def site_index(self) -> np.ndarray:
        """(N,) index into ``setting.sites`` of each child atom's parent orbit."""
        return np.asarray(self.setting.orbit)[self.match.site_of]

    def site(self, index: int) -> ParentSite:
        return self.setting.sites[index]

    @property
    def point_group_order(self) -> int:
        return len(self.setting.table.rotations)

    def site_symmetry_order(self, index: int) -> int:
        """Order of the site-symmetry group of a parent orbit (|point group| / atoms per primitive cell)."""
        per_primitive = self.site(index).multiplicity // len(self.setting.table.centring)
        return self.point_group_order // max(per_primitive, 1)

    def child_operations(self, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Elements of the group (default: the child's) as (W, w) in the child's primitive cell,
        one per child-cell coset (fractional; the parent's origin of this cell)."""
        mask = self.child_mask if mask is None else mask
        A, a = self.match.to_conv, self.match.shift
        A_inv = np.linalg.inv(A)
        g = self.group
        t_idx, m_idx = np.nonzero(mask)
        rot = np.rint(np.einsum("ij,njk,kl->nil", A_inv, g.table.rotations[m_idx].astype(float), A)).astype(int)
        shift = g.table.translations[m_idx] + g.translations[t_idx] + a @ g.table.rotations[m_idx].transpose(0, 2, 1) - a
        trans = np.mod(np.round(shift @ A_inv.T, 9), 1.0)
        keys: dict[tuple[int, ...], int] = {}
        for i, (w, t) in enumerate(zip(rot, trans)):
            key = (*w.ravel().tolist(), *np.round(t * 1e6).astype(np.int64) % 1_000_000)
            keys.setdefault(key, i)
        picked = sorted(keys.values())
        return rot[picked], trans[picked]


def _check_size(child: Structure) -> None:
    if child.num_atoms > MAX_ATOMS:
        raise InputError(f"the child's primitive cell has {child.num_atoms} atoms; order-params analyses children "
                         f"of up to {MAX_ATOMS} atoms per primitive cell")


def _check_group_size(n_atoms: int, parent_cells: int) -> None:
    size = n_atoms * parent_cells
    if size > MAX_GROUP_SIZE:
        raise InputError(f"the child holds {parent_cells} parent cells of {n_atoms // max(parent_cells, 1)} atoms: "
                         f"too large for the mode analysis (atoms x parent cells = {size:,}, limit "
                         f"{MAX_GROUP_SIZE:,})")


@dataclass(frozen=True)
class NoParent:
    """No higher-symmetry structure within the bound: the child is undistorted at this scale."""

    given: Structure
    primitive: Structure
    nearest_beyond: float | None


def set_up(child: Any, parent: Any = None, parent_group: str | int | None = None, origin: str | None = None,
           max_displacement: float = 1.0, symprec: float = 1e-3,
           angle_tol: float | None = None) -> Problem | NoParent:
    """The analysis of ``child`` against ``parent`` (a crystal, used as given) or against the parent
    found within ``max_displacement`` Å (``parent_group``: which of the candidates)."""
    given = load_crystal(child, "child")
    primitive = standard_primitive(given, symprec, angle_tol)
    _check_size(primitive)
    options: tuple[ParentCandidate, ...] = ()
    chosen: ParentCandidate | None = None
    if parent is not None:
        parent_crystal = load_crystal(parent, "parent")
        _check_size(parent_crystal)
        decomposition = decompose(primitive, parent=parent_crystal, origin=origin, symprec=symprec,
                                  angle_tol=angle_tol, max_displacement=max_displacement)
    else:
        found = find_parents(primitive, max_displacement, symprec, angle_tol)
        if not found:
            if parent_group is not None:
                raise InputError(f"--parent-group {parent_group}: no higher-symmetry parent within "
                                 f"{max_displacement:g} Å of the child")
            beyond = found.nearest_beyond
            return NoParent(given, primitive, None if not beyond else float(beyond["max_displacement"]))
        options = tuple(found)
        chosen = select_parent(found, parent_group)
        assert chosen is not None
        _check_group_size(primitive.num_atoms, chosen.parent_cells or 1)
        decomposition = decompose(primitive, ideal_parent=chosen.ideal_parent, origin=origin, symprec=symprec,
                                  angle_tol=angle_tol, max_displacement=max(max_displacement,
                                                                            1.5 * chosen.max_displacement))
    return _problem(given, decomposition, options, chosen, symprec, angle_tol)


def _problem(given: Structure, decomposition: Decomposition, options: tuple[ParentCandidate, ...],
             chosen: ParentCandidate | None, symprec: float, angle_tol: float | None = None) -> Problem:
    match, analysis = decomposition.correspondence, decomposition.analysis
    g = analysis.group
    _check_group_size(len(g.positions), g.n_trans)
    A, a = match.to_conv, match.shift
    lattice = A.T @ g.basis.T  # the child's primitive cell with the parent's metric (rows)
    # the parent exactly where the tables put it: x_conv = A y + a
    x_conv = match.ideal @ A.T + a
    x_conv += _nearest_copy(match.setting.positions[match.site_of] - x_conv, match.setting.table.centring)
    exact = (x_conv - a) @ np.linalg.inv(A).T
    species = tuple(match.child.species)
    parent = Structure(lattice, exact, species)
    frac_disp = match.child.frac_coords - exact
    frac_disp -= np.rint(frac_disp)
    raw = (frac_disp - frac_disp.mean(axis=0)) @ lattice
    rho = g.cart
    full = raw[analysis.child_atom]
    moved = g.stabiliser(full, rho, symprec)
    child_lattice = np.asarray(match.child.lattice, dtype=float)
    strain = strain_tensor(child_lattice, lattice)  # the group's frame
    tol = max(1e-5, symprec / float(np.linalg.norm(lattice, axis=1).max()))
    child_mask = moved & _keeps(g.cart, strain, tol)[None, :]
    tol = _strain_tolerance_of_the_child(match, g.cart, moved, strain, tol, symprec, angle_tol)
    child_mask = moved & _keeps(g.cart, strain, tol)[None, :]
    symmetric = g.project(full, rho, child_mask / child_mask.sum())[: len(species)]
    modes = tuple(m.irrep for m in decomposition.primary)
    strained: tuple[str, ...] = ()
    if not np.array_equal(child_mask, moved):  # the strain lowers the symmetry further: it is primary too
        modes, strained = _primaries(decomposition, g.cart, child_mask, tol)
    return Problem(given=given, decomposition=decomposition, options=options, chosen=chosen, parent=parent,
                   child_frac=exact + frac_disp, child_lattice=child_lattice, displacements=symmetric,
                   child_mask=child_mask, primary_modes=modes, primary_strain=strained)


def _nearest_copy(delta: np.ndarray, centring: np.ndarray) -> np.ndarray:
    """The shortest of delta + lattice vectors (conventional coordinates, centring vectors included)."""
    best = delta - np.rint(delta)
    for c in centring[1:]:
        other = delta - c - np.rint(delta - c)
        shorter = np.abs(other).sum(axis=1) < np.abs(best).sum(axis=1)
        best[shorter] = other[shorter]
    return best


def _strain_tolerance_of_the_child(match: Correspondence, rotations: np.ndarray, moved: np.ndarray,
                                   strain: np.ndarray, tol: float, symprec: float, angle_tol: float | None) -> float:
    """The strain tolerance at which the child keeps no more rotations than spglib finds in it.

    spglib judges the lattice by lengths at ``symprec``; a strain at that edge (PbO below its
    ferroelastic transition: a - b = 0.001 Å, atoms exactly tetragonal) can read as no strain here
    and as Cmme there. Then the strain, the only thing that breaks the symmetry, is taken at the
    tolerance where it does (at most 1e-10), so that the child's group is the one every command reports.
    """
    found = len(spglib_dataset(match.child, symprec, angle_tol).rotations)  # primitive cell: the point group

    def rotations_kept(t: float) -> int:
        return int(np.any(moved & _keeps(rotations, strain, t)[None, :], axis=0).sum())

    t = tol
    while rotations_kept(t) > found and t > 1e-10:
        t /= 2
    return t if rotations_kept(t) == found else tol  # otherwise the strain is not what differs: as it was


def _keeps(rotations: np.ndarray, tensor: np.ndarray, tol: float) -> np.ndarray:
    """Which Cartesian rotations leave a symmetric tensor unchanged."""
    images = np.einsum("mij,jk,mlk->mil", rotations, tensor, rotations)
    return np.abs(images - tensor[None]).max(axis=(1, 2)) <= tol


def _primaries(decomposition: Decomposition, rotations: np.ndarray, child_mask: np.ndarray,
               tol: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The smallest set of displacement modes and strain parts whose isotropy subgroups intersect to the
    child's group (ties: displacement modes first, then the larger amplitudes)."""
    from symcompile.distortions.modes import primary_set

    modes = list(decomposition.modes)
    strains = [s for s in decomposition.strain if s.amplitude > tol]
    masks = [m.stabiliser for m in modes]
    masks += [np.broadcast_to(_keeps(rotations, s.tensor, tol)[None, :], child_mask.shape) for s in strains]
    weights = [m.amplitude for m in modes] + [1e-3 * s.amplitude for s in strains]
    chosen = primary_set(masks, weights, child_mask)
    return (tuple(modes[i].irrep for i in sorted(chosen) if i < len(modes)),
            tuple(strains[i - len(modes)].irrep for i in sorted(chosen) if i >= len(modes)))
