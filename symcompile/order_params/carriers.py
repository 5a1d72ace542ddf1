"""Which (parent site, irrep) blocks can carry the order parameter on their own, by symmetry.

A block b is the features of one irrep on one orbit of parent-equivalent atoms. The child's
group G fixes a subspace V_b^G of the block's features (the average of its representation
over G projects onto it). A generic element of V_b^G is fixed exactly by the parent operations
that fix all of V_b^G; the block can carry the order parameter alone iff that group is G.
This is decided by linear algebra, independent of any training or seed. Among all carriers
the primary one sits on the fewest atoms, then on the site of highest site symmetry, then
has the lowest L; remaining ties go to the site whose atoms the distortion moves most (centre
of mass fixed), then to the lower site letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symcompile.o3 import Irrep, Irreps
from symcompile.order_params.decorate import group_of_mask, invariant_mask
from symcompile.order_params.kpoints import Translations
from symcompile.order_params.parent import ParentMatch


@dataclass(eq=False)
class Block:
    """One irrep on one parent orbit."""

    irrep: Irrep
    atoms: np.ndarray  # atom indices of the orbit (child cell)
    columns: slice  # feature columns of the irrep
    species: str
    wyckoff: str
    site_symmetry: str
    multiplicity: int  # atoms per parent primitive cell
    site_symmetry_order: int
    basis: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # V_b^G, orthonormal columns
    fixator: np.ndarray | None = None  # mask of parent operations fixing all of V_b^G
    group: dict[str, Any] | None = None  # the space group a generic element of V_b^G gives
    carrier: bool = False
    k_points: list[dict[str, Any]] = field(default_factory=list)
    coverage: float | None = None  # computed only to break ties

    @property
    def free_parameters(self) -> int:
        return int(self.basis.shape[1])

    @property
    def site(self) -> str:
        return f"{self.species} {self.multiplicity}{self.wyckoff}"

    def pattern(self, coefficients: np.ndarray, n_atoms: int, dim: int) -> np.ndarray:
        """The full (N, dim) feature array of basis coefficients on this block."""
        out = np.zeros((n_atoms, dim))
        d = self.irrep.dim
        out[self.atoms, self.columns] = (self.basis @ coefficients).reshape(len(self.atoms), d)
        return out


def blocks_of(match: ParentMatch, irreps: Irreps) -> list[Block]:
    """Every (parent orbit, irrep) block, orbits ordered by species then Wyckoff letter."""
    out = []
    orbits = sorted(set(match.orbit.tolist()), key=lambda o: (match.child.species[o], match.wyckoffs[o], o))
    for o in orbits:
        atoms = np.flatnonzero(match.orbit == o)
        for (_, ir), sl in zip(irreps, irreps.slices()):
            out.append(Block(ir, atoms, sl, match.child.species[o], match.wyckoffs[o], match.site_symmetry[o],
                             match.multiplicity(o), match.site_symmetry_order(o)))
    return out


def block_representation(block: Block, match: ParentMatch, D: np.ndarray,
                         which: np.ndarray | None = None) -> np.ndarray:
    """(n_ops, m d, m d): the action of the parent operations (all, or those in ``which``) on the block."""
    ops = np.arange(len(match.ops)) if which is None else np.flatnonzero(which)
    m, d = len(block.atoms), block.irrep.dim
    local = np.full(match.child.num_atoms, -1)
    local[block.atoms] = np.arange(m)
    targets = local[match.ops.permutations[ops][:, block.atoms]]  # (n_ops, m): where each block atom goes
    rho = np.zeros((len(ops), m, d, m, d))
    k_idx, j_idx = np.meshgrid(np.arange(len(ops)), np.arange(m), indexing="ij")
    rho[k_idx, targets, :, j_idx, :] = D[ops][:, None, block.columns, block.columns]
    return rho.reshape(len(ops), m * d, m * d)


def analyse_blocks(match: ParentMatch, irreps: Irreps, D: np.ndarray, translations: Translations,
                   symprec: float) -> list[Block]:
    """Invariant subspaces, the group each block gives alone, and which blocks are carriers.

    The operations fixing all of V_b^G are those fixing two random elements of it (exact with
    probability one: any other operation fixes only a proper subspace).
    """
    blocks = blocks_of(match, irreps)
    n_child = int(match.child_mask.sum())
    rng = np.random.default_rng(2021)
    for block in blocks:
        proj = block_representation(block, match, D, match.child_mask).mean(axis=0)
        w, v = np.linalg.eigh((proj + proj.T) / 2)
        block.basis = v[:, w > 0.5]
        if block.free_parameters == 0:
            continue
        fixed = np.ones(len(match.ops), dtype=bool)
        for _ in range(2):
            generic = block.pattern(rng.normal(size=block.free_parameters), match.child.num_atoms, irreps.dim)
            fixed &= invariant_mask(generic, D, match.ops, tol=1e-9)
        block.fixator = fixed
        block.group = {k: v for k, v in group_of_mask(match, block.fixator, symprec).items() if k != "mask"}
        block.carrier = int(block.fixator.sum()) == n_child
        block.k_points = k_point_parameters(block, translations, match.child.num_atoms, irreps.dim)
    return blocks


def k_point_parameters(block: Block, translations: Translations, n_atoms: int, dim: int) -> list[dict[str, Any]]:
    """Free parameters of V_b^G at each labelled k-point (the label's projector commutes with G)."""
    per_label: dict[str, list[np.ndarray]] = {}
    for j in range(block.free_parameters):
        coefficients = np.zeros(block.free_parameters)
        coefficients[j] = 1.0
        for label, part in translations.by_label(block.pattern(coefficients, n_atoms, dim)).items():
            per_label.setdefault(label, []).append(part.reshape(-1))
    out = []
    for kp in translations.kpoints:
        if kp.label not in per_label or any(o["label"] == kp.label for o in out):
            continue
        stack = np.array(per_label[kp.label])
        gram = np.linalg.eigvalsh(stack @ stack.T)  # rank of the projected basis
        rank = int(np.sum(gram > 1e-14))
        if rank:
            out.append({"label": kp.label, "k": kp.as_dict()["k"], "free_parameters": rank})
    return out


def site_displacement(match: ParentMatch, atoms: np.ndarray) -> float:
    """RMS displacement (Å) of the given atoms (displacements are measured with zero mean)."""
    d = match.displacements[atoms]
    return float(np.sqrt((d**2).sum(axis=1).mean()))


def displacement_representation(match: ParentMatch) -> np.ndarray:
    """(n_ops, 3N, 3N): parent operations acting on per-atom displacement vectors (1o)."""
    n, n_ops = match.child.num_atoms, len(match.ops)
    rho = np.zeros((n_ops, n, 3, n, 3))
    k_idx, i_idx = np.meshgrid(np.arange(n_ops), np.arange(n), indexing="ij")
    rho[k_idx, match.ops.permutations, :, i_idx, :] = match.ops.rotations[:, None]
    return rho.reshape(n_ops, 3 * n, 3 * n)


def coverage(block: Block, match: ParentMatch, D: np.ndarray, rho_d: np.ndarray | None = None) -> float:
    """Fraction of the child's |displacement|^2 that parent-equivariant linear maps of this block reach.

    The images of all equivariant linear maps V_b -> displacements span the isotypic components
    the two representations share; the child's displacement is projected onto that span.
    """
    rho_b = block_representation(block, match, D)
    rho_d = displacement_representation(match) if rho_d is None else rho_d
    n3, md = rho_d.shape[1], rho_b.shape[1]
    rng = np.random.default_rng(12345)
    draws = max(2, -(-n3 // md) + 1)
    images = []
    for _ in range(draws):
        A = rng.standard_normal((n3, md))
        images.append(np.matmul(np.matmul(rho_d, A), np.transpose(rho_b, (0, 2, 1))).sum(axis=0) / len(rho_d))
    span = np.hstack(images)
    w, v = np.linalg.eigh(span @ span.T)
    q = v[:, w > 1e-12 * max(float(w.max()), 1e-300)]
    d = match.displacements.reshape(-1)
    total = float(d @ d)
    return float(np.sum((q.T @ d) ** 2) / total) if total > 0 else 0.0


def primary_carrier(blocks: list[Block], match: ParentMatch, D: np.ndarray) -> Block | None:
    """The rule: fewest atoms, highest site symmetry, lowest L; ties: largest linear coverage of the
    child's displacement, then the most-moved site, then site letter and parity."""
    carriers = [b for b in blocks if b.carrier]
    if not carriers:
        return None

    def rule(b: Block) -> tuple[int, int, int]:
        return (b.multiplicity, -b.site_symmetry_order, b.irrep.l)

    best = min(rule(b) for b in carriers)
    tied = [b for b in carriers if rule(b) == best]
    if len(tied) == 1:
        return tied[0]
    rho_d = displacement_representation(match)
    for b in tied:
        b.coverage = coverage(b, match, D, rho_d)
    return min(tied, key=lambda b: (-round(b.coverage, 6), -round(site_displacement(match, b.atoms), 6),
                                    b.wyckoff, b.species, b.irrep.p != (-1) ** b.irrep.l))
