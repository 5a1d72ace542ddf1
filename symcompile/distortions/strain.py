"""Lattice strain of the child against its parent, split into the parent's Γ irreps.

The child's cell is F times the parent's (F the deformation gradient, parent Cartesian frame
to the child's); the strain is the symmetric stretch U - 1 of F = Q U (rotation Q removed),
in the parent's frame. Symmetric tensors carry the Γ irreps of the parent's point group
(Pm-3m: GM1+ volume, GM3+ tetragonal/orthorhombic, GM5+ shear); each part's amplitude is
the Frobenius norm of its projection, so the squares add up to |U - 1|².

>>> import numpy as np
>>> from symcompile.distortions.tables import load_table
>>> eps = strain_tensor(np.diag([4.0, 4.0, 4.04]), 4.0 * np.eye(3))
>>> [(m.irrep, round(m.amplitude, 5)) for m in strain_modes(eps, load_table(221), 4.0 * np.eye(3))]
[('GM1+', 0.00577), ('GM3+', 0.00816), ('GM5+', 0.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.distortions.tables import IrrepTable
from symcompile.structures.spacegroup import symmetrized_basis


@dataclass(frozen=True, eq=False)
class StrainMode:
    """The part of the strain that transforms as one Γ irrep of the parent."""

    irrep: str
    amplitude: float  # Frobenius norm (dimensionless)
    tensor: np.ndarray  # the projected symmetric tensor, parent's Cartesian frame

    def to_record(self) -> dict[str, Any]:
        return {"irrep": self.irrep, "amplitude": float(self.amplitude)}


def strain_tensor(child_lattice: np.ndarray, reference_lattice: np.ndarray) -> np.ndarray:
    """U - 1 for child rows = reference rows deformed (any rotation between them removed)."""
    f = np.asarray(child_lattice, dtype=float).T @ np.linalg.inv(np.asarray(reference_lattice, dtype=float).T)
    evals, evecs = np.linalg.eigh(f.T @ f)
    stretch = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    return stretch - np.eye(3)


def _gamma_irreps(table: IrrepTable) -> list[tuple[str, np.ndarray]]:
    """Real characters of the physically irreducible Γ irreps on the table's operations."""
    point = table.point("GM")
    irreps = list(point.irreps.items())
    out, used = [], set()
    for name, chars in irreps:
        if name in used:
            continue
        used.add(name)
        if np.abs(chars.imag).max() > 1e-6:
            partner = next(n for n, c in irreps if n not in used and np.allclose(c, chars.conj(), atol=1e-6))
            used.add(partner)
            out.append((name + partner, 2 * chars.real))
        else:
            out.append((name, chars.real))
    return out


def strain_modes(strain: np.ndarray, table: IrrepTable, conventional: np.ndarray) -> list[StrainMode]:
    """The strain's parts in every Γ irrep that symmetric tensors carry (zeros included).

    ``conventional``: the parent's conventional lattice rows (Å) in the frame of ``strain``.
    """
    basis = symmetrized_basis(np.asarray(conventional, dtype=float), table.rotations)
    rot = np.einsum("ij,njk,kl->nil", basis, table.rotations.astype(float), np.linalg.inv(basis))
    sym2 = (np.einsum("nii->n", rot) ** 2 + np.einsum("nij,nji->n", rot, rot)) / 2
    images = np.einsum("nij,jk,nlk->nil", rot, strain, rot)
    out = []
    order = len(rot)
    for name, chars in _gamma_irreps(table):
        norm = float(chars @ chars) / order
        multiplicity = float(chars @ sym2) / order / norm
        if multiplicity < 0.5:
            continue
        dim = chars[0]
        part = dim / (order * norm) * np.einsum("n,nij->ij", chars, images)
        out.append(StrainMode(name, float(np.linalg.norm(part)), part))
    return out
