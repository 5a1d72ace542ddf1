"""Physically irreducible representations of a space group on a supercell, with Bilbao's labels.

For each star of k-vectors the child can see, spgrep builds the irreps of the little group
of a representative arm (chosen as the tables' k-vector, so that its operations are the
tables' own), each is labelled by comparing its characters with Bilbao's, induced to the
whole finite group G/T', and brought to real form: a real irrep as it is (in a real basis),
a complex or quaternionic one together with its conjugate (``R1R2``-type labels, as ISOTROPY
writes physically irreducible representations). The real basis is made as simple as the irrep
allows (joint eigenvectors of commuting involutions: arms of the star, then x, y, z-like
axes), so that order-parameter directions read as ISOTROPY writes them.

>>> import numpy as np
>>> from symcompile.distortions.group import SupercellGroup
>>> from symcompile.distortions.tables import load_table
>>> corners = np.indices((2, 2, 2)).reshape(3, -1).T
>>> g = SupercellGroup.build(load_table(221), 2 * np.eye(3), 3.9 * np.eye(3), corners)
>>> r = next(s for s in stars(g) if s.letter == "R")
>>> [(irr.label, irr.dim) for irr in physical_irreps(g, r)][:3]
[('R1+', 1), ('R1-', 1), ('R2+', 1)]
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from symcompile.distortions.lattice import fraction_text
from symcompile.distortions.tables import IrrepTable, TableKPoint

if TYPE_CHECKING:
    from symcompile.distortions.group import SupercellGroup

_TOL = 1e-6


# --------------------------------------------------------------------------- stars
@dataclass(eq=False)
class Star:
    """A star of k-vectors: ``arms[0]`` is the representative (the tables' k when listed),
    ``coset[i]`` an operation mapping it to ``arms[i]``; ``letter`` the tables' letter."""

    arms: np.ndarray
    coset: list[int]
    letter: str | None
    point: TableKPoint | None

    @property
    def k(self) -> np.ndarray:
        return self.arms[0]

    @property
    def k_text(self) -> str:
        return "(" + ",".join(fraction_text(x) for x in self.k) + ")"

    @property
    def label(self) -> str:
        """The tables' letter (GM for Γ), or the coordinates when the tables do not list this k."""
        return self.letter if self.letter else self.k_text


def reduce_k(group: SupercellGroup, k: np.ndarray) -> np.ndarray:
    """The shortest representatives of k-vectors (rows) modulo the reciprocal lattice
    (conventional coordinates; ties: larger components first)."""
    k = np.atleast_2d(np.asarray(k, dtype=float))
    inv = np.linalg.inv(group.table.primitive)
    h = np.stack(np.meshgrid(*[np.arange(-2, 3)] * 3, indexing="ij"), axis=-1).reshape(-1, 3) @ inv
    cand = k[:, None, :] + h[None]  # (nk, 125, 3)
    score = np.round((cand ** 2).sum(axis=2), 6) * 1e6 - np.round(cand @ np.array([1e-1, 1e-3, 1e-5]), 6)
    best = cand[np.arange(len(k)), np.argmin(score, axis=1)]
    return np.where(np.abs(best) < 1e-12, 0.0, best)


def _arms(group: SupercellGroup, k: np.ndarray) -> tuple[np.ndarray, list[int]]:
    arms, coset, keys = [], [], set()
    images = np.einsum("mji,j->mi", group.inverse_rotations, np.asarray(k, dtype=float))
    for m, (image, key) in enumerate(zip(images, group.k_key(images))):
        if key not in keys:
            keys.add(key)
            arms.append(image)
            coset.append(m)
    return np.array(arms), coset


def stars(group: SupercellGroup) -> list[Star]:
    """All stars of the k-vectors of G/T', Γ first, then in the tables' order, then the rest
    (each represented by its shortest arm)."""
    table = group.table
    kpoints = group.kpoints()
    remaining = dict(zip(group.k_key(kpoints), kpoints))
    out: list[Star] = []
    for point in sorted(table.points, key=lambda p: (p.letter != "GM", table.points.index(p))):
        arms, coset = _arms(group, point.kvec)
        keys = group.k_key(arms)
        if keys[0] not in remaining:
            continue  # not commensurate with this supercell
        for key in keys:
            remaining.pop(key, None)
        out.append(Star(arms, coset, point.letter, point))
    rest = []
    while remaining:
        key, k = next(iter(remaining.items()))
        arms, _ = _arms(group, k)
        for key in group.k_key(arms):
            remaining.pop(key, None)
        short = reduce_k(group, arms)
        k0 = min(short, key=lambda x: (round(float(x @ x), 6), tuple(np.round(-x, 6))))
        rest.append(k0)
    for k0 in sorted(rest, key=lambda x: (round(float(x @ x), 6), tuple(np.round(-x, 6)))):
        arms, coset = _arms(group, k0)
        out.append(Star(arms, coset, None, None))
    return out


def real_stars(group: SupercellGroup) -> list[Star]:
    """The stars whose physically irreducible representations span everything: of a pair of
    stars {*k, *(-k)} (when -k is not an arm of *k) only the first, whose complex irreps are
    taken together with their conjugates at *(-k)."""
    out: list[Star] = []
    covered: set[tuple[int, ...]] = set()
    for star in stars(group):
        keys = group.k_key(star.arms)
        if keys[0] in covered:
            continue
        covered.update(keys)
        covered.update(group.k_key(-star.arms))
        out.append(star)
    return out


# --------------------------------------------------------------------------- little-group irreps
def little_group_irreps(table: IrrepTable, k: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """spgrep's irreps of the little group of k (complex, unitary; D({E|t}) = e^{-2πi k·t}),
    on the tables' coset representatives: (irreps, each (|little|, d, d); indices of the
    operations of the little co-group)."""
    return _little_group_irreps(table, tuple(float(x) for x in np.round(np.asarray(k, dtype=float), 12)))


@functools.lru_cache(maxsize=256)
def _little_group_irreps(table: IrrepTable, k: tuple[float, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    from spgrep import get_spacegroup_irreps_from_primitive_symmetry

    prim = table.primitive
    inv = np.linalg.inv(prim)
    rotations = np.rint(np.einsum("ij,njk,kl->nil", inv, table.rotations.astype(float), prim)).astype(int)
    translations = table.translations @ inv.T
    kp = prim.T @ np.array(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            irreps, mapping = get_spacegroup_irreps_from_primitive_symmetry(rotations, translations, kp)
        except ValueError:  # spgrep's own Frobenius-Schur check fails at W of I2_12_12_1 and Ibca
            irreps, mapping = _small_representations(rotations, translations, kp)
    return [np.asarray(x) for x in irreps], np.asarray(mapping)


def _small_representations(rotations: np.ndarray, translations: np.ndarray, k: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The same construction as spgrep's (projective irreps of the little co-group with its factor
    system, times e^{-2πi k·t}), without the reality check that spgrep applies afterwards."""
    from spgrep.symmetry.enumerate import enumerate_unitary_irreps
    from spgrep.symmetry.group import (
        get_factor_system_from_little_group,
        get_little_group,
    )

    little_rot, little_trans, mapping = get_little_group(rotations, translations, k)
    factor_system = get_factor_system_from_little_group(little_rot, little_trans, k)
    cogroup_irreps, _ = enumerate_unitary_irreps(little_rot, factor_system)
    phases = np.exp(-2j * np.pi * little_trans @ k)
    return [rep * phases[:, None, None] for rep in cogroup_irreps], np.asarray(mapping)


def _matches(point: TableKPoint, chars: list[np.ndarray], little: np.ndarray, conjugate: bool) -> list[str] | None:
    position = {m: i for i, m in enumerate(little)}
    out = []
    for c in chars:
        ours = np.array([c[position[m]] for m in point.little])
        ours = ours.conj() if conjugate else ours
        hits = [name for name, ref in point.irreps.items() if np.allclose(ours, ref, atol=1e-4)]
        if len(hits) != 1:
            return None
        out.append(hits[0])
    return out if sorted(out) == sorted(point.irreps) else None


#: (space group, k letter) where the tables' characters are the complex conjugates of those of
#: every other k-vector's convention (D({E|t}) = e^{-2πi k·t}); a known inconsistency of the
#: I- and F-centred tables in irreptables 3.1 (github.com/irreducible-representations/irrep,
#: issue 117). Labels there are matched on conjugate characters.
CONJUGATE_TABLES = frozenset({(122, "P"), (141, "P"), (142, "P"), (199, "P"), (206, "P"), (214, "P"),
                              (220, "P"), (227, "W"), (228, "W"), (230, "P")})


def labels_by_characters(table: IrrepTable, point: TableKPoint, chars: list[np.ndarray], little: np.ndarray) -> list[str]:
    """The tables' labels of the little-group irreps with characters ``chars`` (on the
    operations ``little``): one label each, every label of the tables used once, characters
    equal on every operation of the little co-group (RuntimeError otherwise)."""
    conjugate = (table.number, point.letter) in CONJUGATE_TABLES
    labels = _matches(point, chars, little, conjugate)
    if labels is None:
        raise RuntimeError(f"the irreps at {point.letter} of {table.symbol} do not match Bilbao's tables")
    return labels


# --------------------------------------------------------------------------- physically irreducible
@dataclass(eq=False)
class PhysicalIrrep:
    """A physically irreducible (real) representation of G on G/T'.

    ``ops[m]``: real orthogonal matrix of the coset representative g_m; ``trans[t]``: of the
    translation t; D(t∘g_m) = trans[t] @ ops[m] (built on first use, from the complex irrep
    ``complex_ops``/``complex_trans`` it comes from). ``parts``: the labels of the complex
    irreps of the little group it contains (one for a real irrep, two for a complex pair).
    """

    label: str
    star: Star
    reality: str  # "real", "complex" or "quaternionic"
    parts: tuple[str, ...]
    complex_ops: np.ndarray
    complex_trans: np.ndarray
    group: SupercellGroup
    little_dim: int

    @property
    def complex_dim(self) -> int:
        """Dimension of the complex irrep (its star included)."""
        return int(self.complex_ops.shape[1])

    @property
    def dim(self) -> int:
        return self.complex_dim * (1 if self.reality == "real" else 2)

    @property
    def in_tables(self) -> bool:
        return self.star.point is not None

    @property
    def norm(self) -> int:
        """<χ, χ> of the real character: 1 (real), 2 (complex pair), 4 (quaternionic)."""
        return {"real": 1, "complex": 2, "quaternionic": 4}[self.reality]

    def characters(self) -> np.ndarray:
        """(n, m): traces of the real matrices D(t∘g_m), from the complex irrep's."""
        chi = np.einsum("tij,mji->tm", self.complex_trans, self.complex_ops)
        return chi.real if self.reality == "real" else 2 * chi.real

    @functools.cached_property
    def _real(self) -> tuple[np.ndarray, np.ndarray]:
        if self.reality == "real":
            ops, trans = _real_form(self.group, self.star, self.complex_ops, self.complex_trans, self.little_dim)
        else:
            ops, trans = _realify(self.complex_ops, self.complex_trans)
        q = _simple_basis(ops, trans)
        return (np.einsum("ji,njk,kl->nil", q, ops, q), np.einsum("ji,njk,kl->nil", q, trans, q))

    @property
    def ops(self) -> np.ndarray:
        return self._real[0]

    @property
    def trans(self) -> np.ndarray:
        return self._real[1]

    def matrices(self, t_idx: np.ndarray, m_idx: np.ndarray) -> np.ndarray:
        """D(t∘g_m) for pairs of indices."""
        return np.matmul(self.trans[t_idx], self.ops[m_idx])

    def average(self, mask: np.ndarray) -> np.ndarray:
        """The mean of D(t∘g_m) over the elements selected by a (n, m) mask (for a subgroup: the
        projector on its fixed vectors)."""
        summed = np.einsum("tm,tij->mij", mask.astype(float), self.trans)
        return np.einsum("mij,mjk->ik", summed, self.ops) / mask.sum()

    def images(self, basis: np.ndarray) -> np.ndarray:
        """D(g) @ basis for every element of G/T' (n * m, d, r)."""
        inner = np.matmul(self.ops, basis)  # (m, d, r)
        return np.matmul(self.trans[:, None], inner[None]).reshape(-1, *basis.shape)


@dataclass(frozen=True, eq=False)
class _Induction:
    """How G/T' acts on the arms of a star: for each operation m and arm j, the arm i it goes
    to, the little-group operation h = g_i^-1 g_m g_j and the phase e^{-2πi k·t} of its
    lattice translation t; and the phases of the translations on each arm."""

    arm_to: np.ndarray  # (m, s)
    little_op: np.ndarray  # (m, s) index of h among the little group's operations
    phase: np.ndarray  # (m, s)
    trans_phase: np.ndarray  # (n, s)


def _induction(group: SupercellGroup, star: Star, little: np.ndarray) -> _Induction:
    rot, trans = group.table.rotations, group.table.translations
    inv_rot = group.inverse_rotations
    s = len(star.arms)
    position = {int(m): i for i, m in enumerate(little)}
    arm_keys = {key: i for i, key in enumerate(group.k_key(star.arms))}
    images = [group.k_key(np.einsum("mji,j->mi", inv_rot, arm)) for arm in star.arms]
    arm_to = np.empty((group.n_ops, s), dtype=int)
    little_op = np.empty((group.n_ops, s), dtype=int)
    phase = np.empty((group.n_ops, s), dtype=complex)
    for m in range(group.n_ops):
        for j in range(s):
            i = arm_keys[images[j][m]]
            mi, mj = star.coset[i], star.coset[j]
            w = inv_rot[mi] @ rot[m] @ rot[mj]  # h = g_i^-1 g_m g_j
            tau = inv_rot[mi] @ (rot[m] @ trans[mj] + trans[m] - trans[mi])
            h = group.op_index(w)
            arm_to[m, j] = i
            little_op[m, j] = position[h]
            phase[m, j] = np.exp(-2j * np.pi * float(star.k @ (tau - trans[h])))
    trans_phase = np.exp(-2j * np.pi * group.translations @ star.arms.T)
    return _Induction(arm_to, little_op, phase, trans_phase)


def _induce(induction: _Induction, irrep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The irrep of G/T' induced from a little-group irrep (|little|, d, d): complex matrices of
    the coset representatives (m, sd, sd) and of the translations (n, sd, sd)."""
    n_ops, s = induction.arm_to.shape
    d = irrep.shape[1]
    blocks = np.zeros((n_ops, s, d, s, d), dtype=complex)
    m_idx, j_idx = np.meshgrid(np.arange(n_ops), np.arange(s), indexing="ij")
    values = induction.phase[..., None, None] * irrep[induction.little_op]  # (m, s, d, d)
    blocks[m_idx, induction.arm_to, :, j_idx, :] = values
    ops = blocks.reshape(n_ops, s * d, s * d)
    n = len(induction.trans_phase)
    tmat = np.zeros((n, s, d, s, d), dtype=complex)
    arms = np.arange(s)
    tmat[:, arms, :, arms, :] = np.einsum("ts,ab->stab", induction.trans_phase, np.eye(d))
    return ops, tmat.reshape(n, s * d, s * d)


def _realify(ops: np.ndarray, tmat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    def real(x: np.ndarray) -> np.ndarray:
        return np.block([[x.real, -x.imag], [x.imag, x.real]])
    return np.stack([real(x) for x in ops]), np.stack([real(x) for x in tmat])


def _real_form(group: SupercellGroup, star: Star, ops: np.ndarray, tmat: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """A real orthogonal basis of a real-type irrep: the fixed vectors of the antilinear map
    v -> U v*, with U the symmetric invariant form averaged over the group."""
    rng = np.random.default_rng(20240611)
    n = ops.shape[1]
    x = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    x = x + x.T
    s = len(star.arms)
    arm_sum = star.arms[:, None, :] + star.arms[None, :, :]
    zero = np.array([[group.same_k(arm_sum[i, j], np.zeros(3)) for j in range(s)] for i in range(s)])
    mask = np.kron(zero, np.ones((d, d)))
    u = sum(mask * (g @ x @ g.T) for g in ops)
    u = u / np.sqrt(np.abs((u @ u.conj().T)[0, 0]))
    w = rng.normal(size=(n, 2 * n)) + 1j * rng.normal(size=(n, 2 * n))
    v0 = w + u @ w.conj()
    gram = (v0.conj().T @ v0).real
    evals, evecs = np.linalg.eigh(gram)
    top = np.argsort(evals)[::-1][:n]
    v = v0 @ evecs[:, top] / np.sqrt(evals[top])
    real_ops = np.einsum("ij,njk,kl->nil", v.conj().T, ops, v)
    real_t = np.einsum("ij,njk,kl->nil", v.conj().T, tmat, v)
    if max(np.abs(real_ops.imag).max(), np.abs(real_t.imag).max()) > 1e-8:
        raise RuntimeError("no real form for a real-type irrep")  # pragma: no cover
    return real_ops.real, real_t.real


def _simple_basis(ops: np.ndarray, tmat: np.ndarray) -> np.ndarray:
    """An orthogonal change of basis making the matrices as simple as the irrep allows:
    joint eigenvectors of commuting involutions (translations first, then the operations),
    signs chosen so that signed-permutation matrices become permutations where possible."""
    dim = ops.shape[1]
    eye = np.eye(dim)
    candidates = list(tmat) + list(ops)
    blocks = [eye]
    accepted: list[np.ndarray] = []
    squares = np.einsum("nij,njk->nik", np.array(candidates), np.array(candidates))
    involution = np.abs(squares - eye).max(axis=(1, 2)) < _TOL
    trivial = np.abs(np.abs(np.array(candidates)) - eye).max(axis=(1, 2)) < _TOL
    for j, ok in zip(candidates, involution & ~trivial):
        if all(b.shape[1] == 1 for b in blocks):
            break
        if not ok or any(np.abs(j @ a - a @ j).max() > _TOL for a in accepted):
            continue
        accepted.append(j)
        new = []
        for b in blocks:
            if b.shape[1] == 1:
                new.append(b)
                continue
            sub = b.T @ j @ b
            evals, evecs = np.linalg.eigh((sub + sub.T) / 2)
            minus, plus = evecs[:, evals < 0], evecs[:, evals > 0]
            new.extend([b @ x for x in (plus, minus) if x.shape[1]])
        blocks = new
    q = np.hstack(blocks)
    return q * _signs(np.einsum("ji,njk,kl->nil", q, np.array(candidates), q))


def _signs(mats: np.ndarray) -> np.ndarray:
    """Signs s of the basis vectors such that the signed-permutation matrices among ``mats``
    have +1 entries where possible (first basis vector of each connected set kept)."""
    dim = mats.shape[1]
    big = np.abs(mats) > 1 - 1e-6
    monomial = np.all(big.sum(axis=1) == 1, axis=1) & np.all((np.abs(mats) > 1e-6) == big, axis=(1, 2))
    edges: dict[int, list[tuple[int, float]]] = {i: [] for i in range(dim)}
    for mat, b in zip(mats[monomial], big[monomial]):
        for col in range(dim):
            row = int(np.argmax(b[:, col]))
            if row != col:
                edges[col].append((row, float(np.sign(mat[row, col]))))
    sign = np.zeros(dim)
    for start in range(dim):
        if sign[start]:
            continue
        sign[start] = 1.0
        stack = [start]
        while stack:
            col = stack.pop()
            for row, value in edges[col]:
                if not sign[row]:
                    sign[row] = sign[col] * value  # so that the entry becomes +1
                    stack.append(row)
    return sign


def physical_irreps(group: SupercellGroup, star: Star) -> list[PhysicalIrrep]:
    """The physically irreducible representations of G/T' at a star (a complex irrep whose
    conjugate lives at the star of -k is returned here once, with its conjugate inside)."""
    irreps, little = little_group_irreps(group.table, star.k)
    chars_little = [np.trace(x, axis1=1, axis2=2) for x in irreps]
    order = sorted(range(len(irreps)), key=lambda i: (irreps[i].shape[1], tuple(np.round(-chars_little[i].real, 6)),
                                                      tuple(np.round(-chars_little[i].imag, 6))))
    if star.point is None:
        labels = {i: f"{star.k_text}#{rank + 1}" for rank, i in enumerate(order)}
    else:
        labels = dict(enumerate(labels_by_characters(group.table, star.point, chars_little, little)))
    induction = _induction(group, star, little)
    induced = {i: _induce(induction, irreps[i]) for i in range(len(irreps))}
    characters = {i: np.einsum("tij,mji->tm", t, o) for i, (o, t) in induced.items()}
    sq_t, sq_m = group.squares
    done: set[int] = set()
    out: list[PhysicalIrrep] = []
    table_order = list(star.point.irreps) if star.point else [labels[i] for i in order]
    for i in sorted(range(len(irreps)), key=lambda i: table_order.index(labels[i])):
        if i in done:
            continue
        done.add(i)
        chi = characters[i]
        ops, tmat = induced[i]
        if np.abs(chi.imag).max() > 1e-6:
            partner = [j for j in range(len(irreps)) if j not in done and np.allclose(characters[j], chi.conj(), atol=1e-6)]
            parts = (labels[i], labels[partner[0]]) if partner else (labels[i],)
            done.update(partner[:1])
            reality = "complex"
        elif float(np.mean(chi[sq_t, sq_m].real)) > 0.5:
            reality, parts = "real", (labels[i],)
        else:
            reality, parts = "quaternionic", (labels[i], labels[i])
        parts = tuple(sorted(parts, key=table_order.index))
        name = "".join(parts) if star.point else star.k_text + "".join(p[p.index("#"):] for p in parts)
        out.append(PhysicalIrrep(name, star, reality, parts, ops, tmat, group, irreps[i].shape[1]))
    return out
