"""Which (parent site x O(3) irrep) blocks can carry the child's order parameter, by group theory.

A block is the per-atom features of one O(3) irrep on one parent Wyckoff orbit. The child's
group G fixes a subspace V^G of them; a generic element of V^G, decomposed into the parent's
space-group irreps (:meth:`ModeAnalysis.decompose`, the same call that measures the child's
displacements), says which irreps the block can carry and which group it gives alone. A
block qualifies as a carrier when that group is exactly G and its irreps include every
primary irrep of the child's distortion. None of this depends on training or on a seed.

Ranking (the primary carrier is the first qualifying block that the network fits): fewest
atoms, then highest site symmetry, then lowest L, among the strong blocks first. A block is
weak when its site's coordination shell deforms (off-centring for 1o, rotation for 1e,
volume for 0e, shape for 2e: :mod:`symcompile.order_params.local`) clearly less (by
:data:`CLEARLY_MORE`) in its channel than another site's shell does in the same channel, or
than its own shell does in another channel it could carry (Mn3O4: the Jahn-Teller octahedra,
not the tetrahedra; the rotation of a perovskite's octahedra, not their small shape change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symcompile.distortions.modes import FieldDecomposition, group_type
from symcompile.o3 import Irrep, Irreps
from symcompile.order_params.problem import Problem

#: A shell deformation this many times another block's counts as clearly larger (ranking).
CLEARLY_MORE = 1.25


def feature_irreps(lmax: int) -> Irreps:
    """Every irrep up to ``lmax``, both parities: 0e + 0o + 1o + 1e + 2e + 2o + ...

    >>> str(feature_irreps(1))
    '1x0e+1x0o+1x1o+1x1e'
    """
    parts = []
    for l in range(lmax + 1):
        natural = (-1) ** l
        parts += [f"{l}{'e' if natural == 1 else 'o'}", f"{l}{'o' if natural == 1 else 'e'}"]
    return Irreps("+".join(parts))


@dataclass(eq=False)
class Block:
    """One O(3) irrep on one parent orbit, and what group theory says about it."""

    irrep: Irrep
    site_index: int
    species: str
    wyckoff: str  # conventional multiplicity and letter: "8a"
    site_symmetry: str
    site_symmetry_order: int
    atoms: np.ndarray  # child atoms of the orbit
    multiplicity: int  # atoms per conventional parent cell
    rho: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0, 0)))  # (n_ops, d, d)
    free_parameters: int = 0
    group: dict[str, Any] | None = None  # the space group a generic child-symmetric decoration gives
    exact: bool = False  # that group is exactly the child's
    irreps: tuple[tuple[str, str], ...] = ()  # (label, k label) a generic child-symmetric decoration carries
    contains_primary: bool = False
    local: float | None = None  # deformation of the site's shell in this block's channel
    fits: bool | None = None  # None: not trained
    loss: float | None = None

    @property
    def labels(self) -> list[str]:
        return sorted({label for label, _ in self.irreps})

    @property
    def qualifies(self) -> bool:
        return self.exact and self.contains_primary

    @property
    def name(self) -> str:
        return f"{self.irrep} on {self.species} {self.wyckoff}"

    def to_record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "irrep": str(self.irrep), "species": self.species, "wyckoff": self.wyckoff,
            "site_symmetry": self.site_symmetry, "free_parameters": self.free_parameters,
            "space_group_alone": None if self.group is None else dict(self.group),
            "space_group_irreps": [{"irrep": label, "k_label": k} for label, k in self.irreps],
            "contains_primary": self.contains_primary,
            "local_deformation": None if self.local is None else round(float(self.local), 6),
            "fits": self.fits,
        }
        if self.loss is not None:
            out["loss"] = float(self.loss)
        return out


def blocks_of(problem: Problem, irreps: Irreps) -> list[Block]:
    """Every (parent orbit, irrep) block; orbits by species and Wyckoff letter."""
    sites = problem.site_index
    out = []
    order = sorted(set(sites.tolist()), key=lambda s: (problem.site(s).species, problem.site(s).letter, s))
    cart = problem.group.cart
    for s in order:
        site = problem.site(s)
        for _, ir in irreps:
            out.append(Block(ir, s, site.species, site.wyckoff, site.site_symmetry, problem.site_symmetry_order(s),
                             np.flatnonzero(sites == s), site.multiplicity,
                             rho=np.asarray(ir.D_from_matrix(cart), dtype=float).reshape(len(cart), ir.dim, ir.dim)))
    return out


def invariant_dimension(problem: Problem, block: Block) -> int:
    """dim V^G by characters: the mean over G of (fixed block atoms) x trace D(g)."""
    g = problem.group
    in_block = np.zeros(len(g.positions), dtype=bool)
    in_block[np.isin(problem.analysis.child_atom, block.atoms)] = True
    t_idx, m_idx = np.nonzero(problem.child_mask)
    total = 0.0
    traces = np.trace(block.rho, axis1=1, axis2=2)
    for t, m in zip(t_idx, m_idx):
        image = g.perm_trans[t][g.perm_ops[m]]
        fixed = int(np.sum(in_block & (image == np.arange(len(image)))))
        total += fixed * traces[m]
    return round(total / len(t_idx))


def decompose_field(problem: Problem, values: np.ndarray, rho: np.ndarray) -> FieldDecomposition:
    """Space-group irreps of a per-atom field (N, d) on the child (relative tolerance 1e-7)."""
    scale = float(np.abs(values).max()) if values.size else 0.0
    return problem.analysis.decompose(values, rho, tol=max(1e-7 * scale, 1e-300))


def generic_invariant(problem: Problem, block: Block, rng: np.random.Generator) -> np.ndarray:
    """A random element of V^G: random block values averaged over the child's group."""
    g, an = problem.group, problem.analysis
    values = np.zeros((problem.n_atoms, block.irrep.dim))
    values[block.atoms] = rng.normal(size=(len(block.atoms), block.irrep.dim))
    full = values[an.child_atom]
    mask = problem.child_mask
    return g.project(full, block.rho, mask / mask.sum())[: problem.n_atoms]


def analyse(problem: Problem, block: Block, primary: set[str], rng: np.random.Generator) -> None:
    """Free parameters, the group alone, the irreps carried, and whether it contains the primary ones."""
    block.free_parameters = invariant_dimension(problem, block)
    if block.free_parameters == 0:
        return
    g, an = problem.group, problem.analysis
    values = generic_invariant(problem, block, rng)
    full = values[an.child_atom]
    scale = float(np.abs(full).max())
    mask = g.stabiliser(full, block.rho, 1e-7 * scale)
    block.group = group_type(g, mask)
    block.exact = bool(np.array_equal(mask, problem.child_mask))
    found = an.parts(full, block.rho, 1e-7 * scale)
    block.irreps = tuple(sorted({(irrep.label, irrep.star.label) for irrep, _ in found}))
    block.contains_primary = primary <= {label for label, _ in block.irreps}


def weak(block: Block, others: list[Block]) -> bool:
    """A qualifying block is weak when its site's shell deformation in its channel is unmeasured, or
    clearly smaller than another site's in the same channel or than its own site's in another."""
    if block.local is None:
        return True
    for other in others:
        if other is block or other.local is None:
            continue
        same_channel = other.irrep == block.irrep and other.site_index != block.site_index
        same_site = other.site_index == block.site_index and other.irrep != block.irrep
        if (same_channel or same_site) and other.local > CLEARLY_MORE * block.local:
            return True
    return False


def ranked(blocks: list[Block]) -> list[Block]:
    """The qualifying blocks in the order they are tried: strong before weak; then fewest atoms,
    highest site symmetry, lowest L, largest shell deformation, natural parity, Wyckoff letter."""
    qualifying = [b for b in blocks if b.qualifies]

    def key(b: Block) -> tuple[Any, ...]:
        natural = b.irrep.p == (-1) ** b.irrep.l
        return (weak(b, qualifying), b.multiplicity, -b.site_symmetry_order, b.irrep.l,
                -round(b.local or 0.0, 6), not natural, b.wyckoff, b.species)

    return sorted(qualifying, key=key)


def analyse_blocks(problem: Problem, irreps: Irreps, local: list[dict[str, float]]) -> list[Block]:
    """Every block analysed (seeded: the answer does not depend on any user seed)."""
    primary = set(problem.primary_irreps)
    rng = np.random.default_rng(2021)
    blocks = blocks_of(problem, irreps)
    for block in blocks:
        analyse(problem, block, primary, rng)
        channel = str(block.irrep)
        if channel in local[0]:
            block.local = float(np.sqrt(np.mean([local[i][channel] ** 2 for i in block.atoms])))
    return blocks
