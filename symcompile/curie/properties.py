"""Can a geometry carry a property? Neumann's principle on the explicit operations of the geometry.

A property is a vector of O(3) irreps (a Cartesian tensor with index symmetries, decomposed);
the geometry can carry it iff the subspace invariant under its group is non-zero. The number
of independent components is that dimension, counted exactly by characters:
n(l, p) = (1/|G|) sum_g chi_l(theta_g) p^[det g = -1]. A time-odd property (``magnetization``,
``anomalous_hall``, irreps ``1e'``) also changes sign under every operation of a magnetic group
that is followed by time reversal: n = (1/|G|) sum_g chi_l(theta_g) p^[det g = -1] tau_g.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from symcompile.structures.operations import Operations
from symcompile.errors import InputError
from symcompile.o3 import Irrep, Irreps
from symcompile.o3.irreps import check_irreps_size, parse_irreps_spec

__all__ = ["PropertySpec", "resolve_property", "invariant_count", "invariant_counts", "invariant_projector",
           "irrep_character", "EXTRA_PROPERTIES"]

#: Properties that are parts of a Cartesian tensor: (formula, irreps kept, description).
EXTRA_PROPERTIES: dict[str, tuple[str, str, str]] = {
    "polarizability_anisotropy": ("ij=ji", "2e", "anisotropic (traceless) part of the polarizability alpha_ij"),
    "anisotropy": ("ij=ji", "2e", "anisotropic (traceless) part of a symmetric rank-2 tensor"),
    "quadrupole_moment": ("ij=ji", "2e", "traceless quadrupole moment Q_ij"),
    "traceless_quadrupole": ("ij=ji", "2e", "traceless quadrupole moment Q_ij"),
    "chirality": ("", "0o", "pseudoscalar: handedness (e.g. optical rotation of the isotropic liquid)"),
}

_IRREPS = re.compile(r"^\s*(\d+\s*x\s*)?\d+\s*[eoy]['\u2032]?\s*(\+\s*(\d+\s*x\s*)?\d+\s*[eoy]['\u2032]?\s*)*$")


@dataclass(frozen=True)
class PropertySpec:
    """A property as the network outputs it: irreps (and the Cartesian formula it came from).

    Time-odd properties carry time-odd irreps (``1e'``); ``time_even_irreps`` drops the time parity
    (what a group without time reversal sees)."""

    name: str
    irreps: Irreps
    formula: str | None
    description: str

    @property
    def time_odd(self) -> bool:
        return any(ir.t == -1 for _, ir in self.irreps)

    @property
    def time_even_irreps(self) -> Irreps:
        return Irreps([(mul, Irrep(ir.l, ir.p)) for mul, ir in self.irreps])


def resolve_property(text: str) -> PropertySpec:
    """``dipole``, ``piezoelectric``, ``ijk=ikj``, ``polarizability_anisotropy`` or irreps like ``2e``."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("empty --property (expected a name like 'dipole', a formula like 'ijk=ikj' "
                         "or irreps like '2e')")
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key in EXTRA_PROPERTIES:
        formula, irreps, description = EXTRA_PROPERTIES[key]
        return PropertySpec(key, Irreps(irreps), formula or None, description)
    if _IRREPS.match(text):
        irreps = parse_irreps_spec(text)
        return PropertySpec(str(irreps), irreps, None, f"irreps {irreps}")
    from symcompile.tensors.characters import tensor_irreps
    from symcompile.tensors.formula import parse_formula

    f = parse_formula(text)
    irreps = check_irreps_size(tensor_irreps(f), f"--property {text.strip()!r}")
    if irreps.dim == 0:
        raise InputError(f"the formula {text!r} allows no tensor at all (its index symmetries force it to vanish)")
    if f.time_odd:
        irreps = Irreps([(mul, Irrep(ir.l, ir.p, -1)) for mul, ir in irreps])
    name = f.name or f.text
    return PropertySpec(name, irreps, str(f), f.description or f"Cartesian tensor {f}")


def irrep_character(l: int, p: int, M: np.ndarray) -> float:  # noqa: E741 - l is the degree
    """Character of the O(3) irrep (l, p) at the orthogonal matrix M: chi_l(theta) times p if improper."""
    det = 1 if np.linalg.det(M) > 0 else -1
    c = float(np.clip((np.trace(det * M) - 1.0) / 2.0, -1.0, 1.0))
    theta = math.acos(c)
    if theta < 1e-9:
        chi = 2 * l + 1.0
    else:
        chi = math.sin((2 * l + 1) * theta / 2.0) / math.sin(theta / 2.0)
    return chi * (p if det < 0 else 1)


def _fixed_dimension(mats: list[np.ndarray]) -> int:
    if not mats:
        return 0
    A = np.concatenate([M - np.eye(len(M)) for M in mats], axis=0)
    s = np.linalg.svd(A, compute_uv=False)
    return int(len(mats[0]) - np.sum(s > 1e-9))


def _time_signs(ops: Operations, ir: Irrep) -> np.ndarray:
    """The sign each operation puts on a time-odd irrep (its time reversal), +1 otherwise."""
    if ir.t == 1 or ops.time_reversal is None:
        return np.ones(len(ops))
    return np.asarray(ops.time_reversal, dtype=np.float64)


def invariant_count(ops: Operations, ir: Irrep) -> int:
    """Multiplicity of the trivial representation in the irrep restricted to the geometry's group."""
    ir = Irrep(ir)
    if not ops.finite:
        return _fixed_dimension([ir.D_from_matrix(R) for R in ops.rotations])
    signs = _time_signs(ops, ir)
    total = sum(s * irrep_character(ir.l, ir.p, R) for R, s in zip(ops.rotations, signs)) / len(ops)
    n = round(total)
    if abs(total - n) > 1e-6:
        raise ArithmeticError(f"non-integral invariant count {total} for {ir}")
    return int(n)


def invariant_counts(ops: Operations, irreps: Irreps) -> dict[str, int]:
    """{irrep: number of invariant components} summed over multiplicities, for each irrep type present."""
    out: dict[str, int] = {}
    for mul, ir in irreps:
        out[str(ir)] = out.get(str(ir), 0) + mul * invariant_count(ops, ir)
    return out


def invariant_projector(ops: Operations, irreps: Irreps) -> np.ndarray:
    """Orthogonal projector onto the invariant vectors of ``irreps`` (the group average, as a matrix)."""
    tau = ops.time_reversal
    mats = [irreps.D_from_matrix(R, None if tau is None else tau[g]) for g, R in enumerate(ops.rotations)]
    if ops.finite:
        return np.mean(mats, axis=0)
    A = np.concatenate([M - np.eye(len(M)) for M in mats], axis=0)
    _, s, vt = np.linalg.svd(A)
    null = vt[np.sum(s > 1e-9):]
    return null.T @ null
