"""Pseudo-symmetry: the isometries that map a crystal onto itself within a distance (PSEUDO).

If a parent P has an operation g and every atom of the child C is within b of its parent
atom (for the best uniform translation), then g, with the best translation, maps every atom
of C to within 2b of an atom of the same species. So the operations of every parent within b
are among those that pass this test (Capillas et al., J. Appl. Cryst. 44, 1017 (2011)).
Candidates: pure translations (the parent may have a smaller cell), rational with the index
of the child's lattice in the parent's as denominator and tested exactly, kept in groups
whose permutations compose; then the rotations of the lattice they span (within a strain
tolerance), each with the translations that send one atom of the rarest species onto another.

The parent's rotations need not map the child's lattice onto itself (a cubic 3-fold axis
does not map the √2 x √2 x 2 cell of a Pnma perovskite onto itself), so everything is done on
a working cell: the largest sublattice of the child's lattice that every rotation keeps. An
operation is its integer rotation W in that cell with the permutation π of the atoms; its
translation is the least-squares one, w = mean_i (x_π(i) - W x_i), exact for an operation of
a parent with the child's centroid whatever the displacements. Partners are sought within
twice the test's radius (a start aligned on one atom may be that far off) and the test is on
the smallest ball holding the residuals (the best translation). Operations are keyed by
rotation and whole permutation, so every group of the product table is one exact action.

>>> import numpy as np
>>> from symcompile.structures.structure import Structure
>>> tilted = Structure(np.diag([4.0, 4.0, 4.1]), [[0, 0, 0], [.5, .5, .53], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]],
...                    ("Ba", "Ti", "O", "O", "O"))
>>> ops = pseudo_symmetry(tilted, bound=0.2, max_strain=0.05)
>>> len(ops), int(ops.child.sum())   # 48 rotations of the cube; the child's own P4mm has 8
(48, 8)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from symcompile.distortions.assignment import min_cost_assignment
from symcompile.distortions.holohedry import greedy_group, near_isometries
from symcompile.distortions.lattice import closure, integer_basis, invariant_sublattice
from symcompile.distortions.spread import smallest_ball
from symcompile.errors import InputError
from symcompile.structures.neighbours import PointIndex, periodic_index
from symcompile.structures.structure import Structure

#: Most operations (rotations x translations modulo the working cell) kept: the multiplication
#: table is this squared (int32).
MAX_OPERATIONS = 6144


def _wrap(d: np.ndarray) -> np.ndarray:
    return d - np.rint(d)


class Matcher:
    """Which atom of the same species lies within ``radius`` (Å) of each image point of a crystal's atoms.

    Linear in the number of atoms (a hash grid of the atoms and their periodic images).
    """

    def __init__(self, lattice: np.ndarray, frac: np.ndarray, labels: np.ndarray, radius: float) -> None:
        self.lattice = np.asarray(lattice, dtype=np.float64)
        self.inverse = np.linalg.inv(self.lattice)
        self.labels = np.asarray(labels)
        self.radius = float(radius)
        try:
            self.index, self.frac = periodic_index(self.lattice, frac, self.radius, self.labels)
        except ValueError as exc:  # a cell far smaller than the search radius
            raise InputError(f"the displacement bound is too large for this cell ({exc})") from None
        self._wide: Matcher | None = None
        self._by_species: dict[int, PointIndex] = {}

    @property
    def wide(self) -> Matcher:
        """The same atoms searched within twice the radius: an operation aligned on one atom has the
        others up to twice its best residual away (the best translation is not known yet)."""
        if self._wide is None:
            self._wide = Matcher(self.lattice, self.frac, self.labels, 2 * self.radius)
        return self._wide

    def pairs(self, images: np.ndarray, atoms: np.ndarray) -> tuple[np.ndarray, ...]:
        """(query, stored point, vector, squared distance) for every atom of the query's species within
        the radius, sorted by query then distance."""
        cart = self.index.prepare(np.asarray(images) @ self.lattice)  # into the index's own cell
        qi, pi = self.index.candidates(cart)  # cart is prepared: once
        d = self.index.points[pi] - cart[qi]
        d2 = np.einsum("ij,ij->i", d, d)
        ok = (d2 <= self.radius ** 2) & (self.index.labels[pi] == self.labels[atoms][qi])
        qi, pi, d, d2 = qi[ok], pi[ok], d[ok], d2[ok]
        order = np.lexsort((d2, qi))
        return qi[order], pi[order], d[order], d2[order]

    def covered(self, images: np.ndarray, atoms: np.ndarray) -> np.ndarray:
        """Whether each image point (fractional) has an atom of the species of ``atoms`` within the radius
        (searched among the atoms of that species only: a yes/no per point, nothing sorted)."""
        images = np.asarray(images, dtype=np.float64).reshape(-1, 3)
        wanted = self.labels[np.asarray(atoms)]
        out = np.zeros(len(images), dtype=bool)
        for label in np.unique(wanted):
            rows = np.flatnonzero(wanted == label)
            index = self._species_index(int(label))
            cart = index.prepare(images[rows] @ self.lattice)
            qi, pi = index.candidates(cart)
            d = index.points[pi] - cart[qi]
            out[rows[qi[np.einsum("ij,ij->i", d, d) <= self.radius ** 2]]] = True
        return out

    def _species_index(self, label: int) -> PointIndex:
        """A periodic index of the atoms of one species (built when first asked for)."""
        if label not in self._by_species:
            self._by_species[label] = periodic_index(self.lattice, self.frac[self.labels == label], self.radius)[0]
        return self._by_species[label]

    def nearest(self, images: np.ndarray, atoms: np.ndarray | None = None, one_to_one: bool = False
                ) -> tuple[np.ndarray, np.ndarray] | None:
        """For image points (fractional, one per atom in ``atoms``): the matched atom and the vector from
        the image to it (fractional); None if some image has no atom of its species within the radius.

        ``one_to_one``: when the nearest atoms are not all different, the one-to-one assignment of
        least summed squared distance among the pairs within the radius (None if there is none).
        """
        atoms = np.arange(len(images)) if atoms is None else np.asarray(atoms)
        qi, pi, d, d2 = self.pairs(images, atoms)
        first = np.ones(len(qi), dtype=bool)
        first[1:] = qi[1:] != qi[:-1]
        if int(first.sum()) != len(images):
            return None
        owner = self.index.owner[pi]
        if one_to_one and len(np.unique(owner[first])) != len(images):
            return self._assignment(qi, owner, d, d2, len(images))
        return owner[first], d[first] @ self.inverse

    def _assignment(self, qi: np.ndarray, owner: np.ndarray, d: np.ndarray, d2: np.ndarray, n: int
                    ) -> tuple[np.ndarray, np.ndarray] | None:
        """One-to-one matching of least summed squared distance among the pairs within the radius
        (dense below a few hundred atoms, sparse above: linear in the number of pairs)."""
        # one edge per (query, atom): the nearest of its periodic images (pairs are sorted by distance)
        key = qi * (int(owner.max()) + 1) + owner
        _, keep = np.unique(key, return_index=True)
        qi, owner, d, d2 = qi[keep], owner[keep], d[keep], d2[keep]
        targets, column = np.unique(owner, return_inverse=True)
        if len(targets) < n:
            return None
        if n * len(targets) <= 160_000:
            cost = np.full((n, len(targets)), 1e6)
            cost[qi, column] = d2
            rows, cols = min_cost_assignment(cost)
            if np.any(cost[rows, cols] >= 1e6):
                return None
        else:
            from scipy.sparse import coo_matrix
            from scipy.sparse.csgraph import min_weight_full_bipartite_matching

            weights = 1.0 + d2 / self.radius ** 2  # positive: explicit zeros would read as missing edges
            graph = coo_matrix((weights, (qi, column)), shape=(n, len(targets))).tocsr()
            try:
                rows, cols = min_weight_full_bipartite_matching(graph)
            except ValueError:
                return None
        if len(rows) != n:
            return None
        perm = np.empty(n, dtype=np.int64)
        perm[rows] = targets[cols]
        lookup = np.full((n, len(targets)), -1, dtype=np.int64) if n * len(targets) <= 160_000 else None
        if lookup is not None:
            lookup[qi, column] = np.arange(len(qi))
            vec = d[lookup[rows, cols]][np.argsort(rows)]
        else:
            pick = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(qi, owner))}
            vec = d[[pick[(i, int(perm[i]))] for i in range(n)]]
        return perm, vec @ self.inverse

    def _nearest_each(self, queries: np.ndarray, atoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest atom of its species to each query within twice the radius (-1 if none) and the
        vector to it (fractional). Searched within the radius first: the nearest is the same there."""
        owner = np.full(len(queries), -1, dtype=np.int64)
        vec = np.zeros((len(queries), 3))
        todo = np.arange(len(queries))
        for matcher in (self, self.wide):
            qi, pi, d, _ = matcher.pairs(queries[todo], atoms[todo])
            first = np.ones(len(qi), dtype=bool)
            first[1:] = qi[1:] != qi[:-1]
            owner[todo[qi[first]]] = matcher.index.owner[pi[first]]
            vec[todo[qi[first]]] = d[first] @ self.inverse
            todo = np.flatnonzero(owner < 0)
            if not len(todo):
                break
        return owner, vec

    def match(self, rotation: np.ndarray, translations: np.ndarray, anchors: np.ndarray | None = None,
              rounds: int = 4) -> list[tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
        """The operations x -> W x + w, one per starting translation (rows), on every atom: for each,
        (permutation, least-squares w, residuals e (fractional, x_π(i) = W x_i + w + e_i modulo the
        lattice, mean zero)), or None unless some translation brings every atom within the radius of
        its partner (the smallest ball holding the residual vectors has at most that radius).

        Partners are sought within twice the radius (a start aligned on one atom may be that far
        off), first for the ``anchors`` alone (the atoms of one species, far apart), then for every
        atom, refining the translation by least squares; all starts are matched together.
        """
        wide = self.wide
        frac = self.frac
        image0 = frac @ np.asarray(rotation, dtype=np.float64).T
        w = np.array(translations, dtype=np.float64).reshape(-1, 3)
        k = len(w)
        alive = np.ones(k, dtype=bool)
        perms: list[np.ndarray | None] = [None] * k
        for atoms in ([] if anchors is None else [np.asarray(anchors)]) + [np.arange(len(frac))]:
            n = len(atoms)
            perms = [None] * k
            todo = np.flatnonzero(alive)
            for _ in range(rounds):
                if not len(todo):
                    break
                queries = (image0[atoms][None, :, :] + w[todo][:, None, :]).reshape(-1, 3)
                owner, vec = self._nearest_each(queries, np.tile(atoms, len(todo)))
                owner, vec = owner.reshape(len(todo), n), vec.reshape(len(todo), n, 3)
                unsettled = []
                for row, c in enumerate(todo):
                    if np.any(owner[row] < 0):
                        alive[c] = False
                        continue
                    new, e = owner[row], vec[row]
                    if len(np.unique(new)) != n:
                        found = wide.nearest(image0[atoms] + w[c], atoms, one_to_one=True)
                        if found is None:
                            alive[c] = False
                            continue
                        new, e = found
                    w[c] = w[c] + e.mean(axis=0)
                    if perms[c] is None or not np.array_equal(new, perms[c]):
                        unsettled.append(c)
                    perms[c] = new
                todo = np.array(unsettled, dtype=np.int64)
            if n < len(frac):  # the anchors alone must already fit within the radius
                for c in np.flatnonzero(alive):
                    perm = perms[c]
                    if perm is None or not self._fits(frac[perm] - image0[atoms] - w[c]):
                        alive[c] = False
        out: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = []
        for c in range(k):
            perm = perms[c]
            if not alive[c] or perm is None or len(np.unique(perm)) != len(perm):
                out.append(None)
                continue
            e = _wrap(frac[perm] - image0 - w[c])
            e -= e.mean(axis=0)
            out.append((perm, w[c] - np.floor(w[c]), e) if self._fits(e) else None)
        return out

    def _fits(self, residuals: np.ndarray) -> bool:
        """Whether one uniform translation brings every residual (fractional) within the radius."""
        cart = _wrap(residuals) @ self.lattice
        cart = cart - cart.mean(axis=0)
        if np.sqrt(np.einsum("ij,ij->i", cart, cart).max()) <= self.radius:
            return True
        return smallest_ball(cart)[1] <= self.radius


@dataclass(frozen=True, eq=False)
class WorkingCell:
    """The child repeated onto the largest sublattice of its lattice that every candidate rotation keeps.

    ``to_child``: integer M, columns the working cell's vectors in the child's fractional coordinates;
    atom s is child atom ``child_atom[s]`` moved by a child lattice vector (copies of the child's cell
    one after another).
    """

    lattice: np.ndarray  # rows, Å (the child's metric)
    frac: np.ndarray
    species: tuple[str, ...]
    labels: np.ndarray
    to_child: np.ndarray
    child_atom: np.ndarray
    copies: np.ndarray  # the child's lattice vectors modulo the working cell's (working coordinates)

    @property
    def num_atoms(self) -> int:
        return len(self.species)


@dataclass(frozen=True, eq=False)
class PseudoSymmetry:
    """The operations that map the child onto itself within ``radius``, on the working cell.

    Operation a: rotation ``rotations[rotation_of[a]]`` (integer, working-cell basis), translation
    ``translations[a]``, atom permutation ``permutations[a]`` (x_π(i) ≈ W x_i + w) and
    ``shifts[a, i] = W^-1 e_i``: averaging the shifts over a group gives the symmetrised positions
    (x_i + mean_g shifts[g, i]). ``child`` marks the child's own operations; ``table[a, b]`` the index of
    the product a∘b (rotation W_a W_b, permutation π_a[π_b]; -1 when that is not among them).
    ``identity`` is the index of the identity.
    """

    cell: WorkingCell
    rotations: np.ndarray
    rotation_of: np.ndarray
    translations: np.ndarray
    permutations: np.ndarray
    shifts: np.ndarray
    child: np.ndarray
    table: np.ndarray
    identity: int
    radius: float

    def __len__(self) -> int:
        return len(self.rotation_of)


# --------------------------------------------------------------------------- pseudo-translations
def _reference_atoms(species: tuple[str, ...]) -> np.ndarray:
    """The atoms of the rarest species (ties: the species name), in order."""
    arr = np.array(species)
    counts = {s: int(np.sum(arr == s)) for s in set(species)}
    rare = min(counts, key=lambda s: (counts[s], s))
    return np.flatnonzero(arr == rare)


def _divisors(n: int) -> list[int]:
    return [d for d in range(2, n + 1) if n % d == 0]


def _rational_candidates(t: np.ndarray, lattice: np.ndarray, orders: list[int], den: int, radius: float
                         ) -> list[np.ndarray]:
    """Vectors of (1/n) Z^3 (n in ``orders``, all dividing ``den``) within ``radius`` Å of t, as integer
    numerators over ``den`` modulo ``den``: a parent's translations are rational with the index of the
    child's lattice in the parent's as denominator."""
    out: dict[tuple[int, ...], np.ndarray] = {}
    corners = np.array(list(np.ndindex(2, 2, 2)), dtype=np.int64)
    for n in orders:
        grid = np.floor(n * t).astype(np.int64) + corners
        near = np.linalg.norm((grid / n - t) @ lattice, axis=1) <= radius
        for g in grid[near]:
            k = (g * (den // n)) % den
            if np.any(k):
                out.setdefault(tuple(int(x) for x in k), k)
    return list(out.values())


def _integer_closure(generators: list[np.ndarray], den: int, limit: int) -> list[tuple[int, ...]] | None:
    """The group generated by integer vectors under addition modulo ``den`` (zero first); None past ``limit``."""
    zero = (0, 0, 0)
    found = [zero]
    seen = {zero}
    frontier = [np.zeros(3, dtype=np.int64)]
    while frontier:
        new = []
        for a in frontier:
            for g in generators:
                b = (a + g) % den
                key = (int(b[0]), int(b[1]), int(b[2]))
                if key not in seen:
                    seen.add(key)
                    found.append(key)
                    new.append(b)
                    if len(found) > limit:
                        return None
        frontier = new
    return found


def translation_lattices(child: Structure, matcher: Matcher, rotations: np.ndarray, bound: float
                         ) -> list[np.ndarray]:
    """Candidate translation lattices of the parents, largest first, the child's own last: columns in
    the child's fractional coordinates (rational).

    A parent's pure translation is rational in the child's cell, its order dividing the number of
    atoms of every species (g): exact arithmetic on numerators over g. Each candidate near a
    difference of positions of the rarest species is tested exactly (every atom within the radius
    of an atom of its species, one to one). A translation counts if the group it generates with its
    images under the child's rotations passes too and the child averaged over that group moves by
    at most the bound (rms); the lattices are those of these groups and of all of them together
    (when that passes too).
    """
    species = np.array(child.species)
    den = int(np.gcd.reduce([int(np.sum(species == s)) for s in set(child.species)]))
    orders = _divisors(den)
    refs = _reference_atoms(child.species)
    frac = matcher.frac
    passed: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}  # numerators -> (permutation, residuals)
    for j in refs[1:]:
        for k in _rational_candidates(frac[j] - frac[refs[0]], child.lattice, orders, den, matcher.radius):
            key = tuple(int(x) for x in k)
            if key in passed:
                continue
            hit = matcher.nearest(frac + k / den, one_to_one=True)
            if hit is not None:
                passed[key] = hit
    passed[(0, 0, 0)] = (np.arange(len(frac)), np.zeros_like(frac))

    def fits(members: list[tuple[int, ...]]) -> bool:
        if any(m not in passed for m in members[1:]):
            return False
        for a, b in itertools.product(members, repeat=2):  # one action: the permutations compose
            ab = tuple(int(x) for x in (np.array(a) + np.array(b)) % den)
            if not np.array_equal(passed[ab][0], passed[a][0][passed[b][0]]):
                return False
        shift = np.sum([passed[m][1] for m in members[1:]], axis=0) / len(members)
        cart = shift @ child.lattice
        return bool(np.sqrt(np.mean(np.einsum("ij,ij->i", cart, cart))) <= bound)

    rot = np.asarray(rotations, dtype=np.int64)
    groups: dict[frozenset[tuple[int, ...]], list[tuple[int, ...]]] = {}
    for key in passed:
        if not any(key):
            continue
        members = _integer_closure([(w @ np.array(key)) % den for w in rot], den, len(refs))
        if members is not None and fits(members):
            groups.setdefault(frozenset(members), members)
    if len(groups) > 1:
        union = _integer_closure([np.array(m) for g in groups.values() for m in g[1:]], den, len(refs))
        if union is not None and fits(union):
            groups.setdefault(frozenset(union), union)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), sorted(g)))
    out = []
    for members in ordered:
        rows = np.vstack([den * np.eye(3, dtype=np.int64), np.array(members[1:], dtype=np.int64)])
        out.append(integer_basis(rows).T / den)
    return out + [np.eye(3)]


# --------------------------------------------------------------------------- the working cell
def working_cell(child: Structure, to_child: np.ndarray) -> WorkingCell:
    """The child repeated on the cell whose vectors are the columns of integer ``to_child``."""
    m = np.asarray(to_child, dtype=np.int64)
    inv = np.linalg.inv(m.astype(np.float64))

    def reduce(x: np.ndarray) -> np.ndarray:
        return x - np.floor(x + 1e-9)

    copies = closure(inv.T, reduce)  # the child's lattice modulo the working cell's, working coordinates
    base = child.frac_coords @ inv.T
    frac = (copies[:, None, :] + base[None, :, :]).reshape(-1, 3)
    frac -= np.floor(frac)
    n = child.num_atoms
    species = tuple(child.species) * len(copies)
    labels = np.unique(np.array(species), return_inverse=True)[1]
    lattice = m.T.astype(np.float64) @ child.lattice
    return WorkingCell(lattice, frac, species, labels, m, np.tile(np.arange(n), len(copies)), copies)


def _rotation_lookup(rotations: np.ndarray) -> dict[bytes, int]:
    return {np.ascontiguousarray(w, dtype=np.int64).tobytes(): i for i, w in enumerate(rotations)}


def _in_basis(rotations: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Rotations W (child fractional) in the basis whose vectors are the columns of ``basis``: B^-1 W B."""
    inv = np.linalg.inv(basis)
    out = np.einsum("ij,njk,kl->nil", inv, np.asarray(rotations, dtype=np.float64), basis)
    return out


def _integral(m: np.ndarray) -> np.ndarray | None:
    r = np.rint(m)
    return r.astype(np.int64) if np.all(np.abs(m - r) < 1e-6) else None


# --------------------------------------------------------------------------- the search
def rotation_group(child: Structure, matcher: Matcher, lattice: np.ndarray, child_rotations: np.ndarray,
                   max_strain: float) -> np.ndarray:
    """The candidate rotations (child fractional coordinates, rational floats; a group): the
    near-isometries of the translation lattice ``lattice`` (columns, child coordinates) within the
    strain tolerance that map every atom of the child near an atom of its species for some
    translation, as many as form a group with the child's own rotations, most nearly isometric first."""
    big = np.asarray(lattice, dtype=np.float64)
    big_rows = big.T @ child.lattice
    tol_w = 2 * max_strain / (1 - max_strain) + 1e-9
    cand = near_isometries(big_rows, tol_w)  # integer, basis of the lattice
    in_child = _in_basis(cand, np.linalg.inv(big))
    refs = _reference_atoms(child.species)
    frac = matcher.frac
    passing = []
    for w_big, w in zip(cand, in_child):
        # every translation sending the first atom of the rarest species onto one of them; no bijection
        # asked (W need not keep the child's lattice). The rarest species first: the translations that
        # fail there need no test of the other atoms.
        starts = frac[refs] - w @ frac[refs[0]]
        for atoms in (refs, np.arange(len(frac))):
            images = (frac[atoms] @ w.T)[None, :, :] + starts[:, None, :]
            hit = matcher.wide.covered(images.reshape(-1, 3), np.tile(atoms, len(starts)))
            starts = starts[hit.reshape(len(starts), -1).all(axis=1)]
            if not len(starts):
                break
        if len(starts):
            passing.append(w_big)
    required = [x for x in (_integral(w) for w in _in_basis(child_rotations, big)) if x is not None]
    if len(required) != len(child_rotations):  # pragma: no cover - the lattices are built invariant
        raise InputError("the child's rotations do not keep its pseudo-translation lattice")
    group = greedy_group(big_rows.T, passing, required, tol_w)
    return _in_basis(np.array(group), np.linalg.inv(big))


def pseudo_symmetry(child: Structure, bound: float, max_strain: float,
                    child_rotations: np.ndarray | None = None, child_translations: np.ndarray | None = None,
                    symprec: float = 1e-3, rotations: np.ndarray | None = None, lattice: np.ndarray | None = None
                    ) -> PseudoSymmetry:
    """Every operation with one of ``rotations`` (child fractional coordinates, a group) that maps the
    (primitive) child onto itself within twice ``bound`` Å, atom for atom.

    ``child_rotations``/``child_translations``: the child's own space group (spglib's, in the child's
    cell); found with ``symprec`` when not given. ``lattice`` (columns, child fractional coordinates)
    and ``rotations``: by default the largest translation lattice (:func:`translation_lattices`) and
    its rotations (:func:`rotation_group`). Pure translations are the lattice's vectors, exactly.
    """
    if child_rotations is None or child_translations is None:
        from symcompile.structures.spacegroup import dataset

        data = dataset(child, symprec)
        child_rotations, child_translations = data.rotations, data.translations
    h_rot = np.asarray(child_rotations, dtype=np.int64)
    h_trans = np.asarray(child_translations, dtype=np.float64)
    radius = 2 * bound + 2 * symprec
    if rotations is None:
        labels = np.unique(np.array(child.species), return_inverse=True)[1]
        matcher = Matcher(child.lattice, child.frac_coords, labels, radius)
        lattice = translation_lattices(child, matcher, h_rot, bound)[0]
        rotations = rotation_group(child, matcher, lattice, h_rot, max_strain)
    lattice = np.eye(3) if lattice is None else np.asarray(lattice, dtype=np.float64)

    # the working cell: the largest sublattice of the child's lattice that the rotations keep
    to_child = np.rint(invariant_sublattice(np.eye(3), rotations)).astype(np.int64)
    cell = working_cell(child, to_child)
    rotations = np.array([_integral(w) for w in _in_basis(rotations, to_child.astype(np.float64))])
    lookup_rot = _rotation_lookup(rotations)

    # every operation on the working cell
    work = Matcher(cell.lattice, cell.frac, cell.labels, radius)
    frac_s = work.frac
    refs_s = _reference_atoms(cell.species)
    ref = int(refs_s[0])
    rot_of, trans, perms, shifts = [], [], [], []
    seen: set[tuple[int, bytes]] = set()
    anchor_atoms = np.tile(refs_s, len(refs_s))
    pure = closure((np.linalg.inv(to_child.astype(np.float64)) @ lattice).T, lambda x: x - np.floor(x + 1e-9))
    for r, w in enumerate(rotations):
        if np.array_equal(w, np.eye(3, dtype=np.int64)):  # the lattice's translations, exactly
            for t in pure:
                hit = work.nearest(frac_s + t, one_to_one=True)
                if hit is None or np.linalg.norm(hit[1] @ cell.lattice, axis=1).max() > radius:
                    continue
                rot_of.append(r)
                trans.append(t)
                perms.append(hit[0])
                shifts.append(hit[1])
            continue
        image_ref = w @ frac_s[ref]
        inv_w = np.linalg.inv(w.astype(np.float64))
        starts = frac_s[refs_s] - image_ref  # send the reference atom onto each atom of its species
        images = (frac_s[refs_s] @ w.T)[None, :, :] + starts[:, None, :]
        hits = work.wide.covered(images.reshape(-1, 3), anchor_atoms).reshape(len(refs_s), -1).all(axis=1)
        for m in work.match(w, starts[hits], refs_s):
            if m is None:
                continue
            perm, t, e = m
            key = (r, perm.tobytes())
            if key in seen:  # the same operation from another start
                continue
            seen.add(key)
            rot_of.append(r)
            trans.append(t)
            perms.append(perm)
            shifts.append(e @ inv_w.T)
            if len(rot_of) > MAX_OPERATIONS:
                raise InputError(f"more than {MAX_OPERATIONS} pseudo-symmetry operations on a {cell.num_atoms}-atom "
                                 "cell: lower the displacement bound")
    rot_of_a = np.array(rot_of, dtype=np.int64)
    perms_a = np.array(perms, dtype=np.int64)
    trans_a, shifts_a = np.array(trans), np.array(shifts)

    # the child's own operations: exact, their permutations read at a tight tolerance
    to_s = np.linalg.inv(to_child.astype(np.float64))
    h_rot_s = np.rint(_in_basis(h_rot, to_child.astype(np.float64))).astype(np.int64)
    tight = Matcher(cell.lattice, cell.frac, cell.labels, max(4 * symprec, 1e-6))
    own = []
    for w, t in zip(h_rot_s, h_trans @ to_s.T):
        for copy in cell.copies:
            hit = tight.nearest(frac_s @ w.T + t + copy, one_to_one=True)
            if hit is None:  # pragma: no cover - the child's own operations map it onto itself
                raise InputError("a symmetry operation of the child does not map it onto itself")
            own.append((lookup_rot[np.ascontiguousarray(w).tobytes()], hit[0], t + copy, hit[1]))
    return operation_set(cell, rotations, rot_of_a, trans_a, perms_a, shifts_a, own, radius)


def operation_set(cell: WorkingCell, rotations: np.ndarray, rotation_of: np.ndarray, translations: np.ndarray,
                  permutations: np.ndarray, shifts: np.ndarray,
                  own: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]], radius: float) -> PseudoSymmetry:
    """Operations (rotation index into the group ``rotations``, permutation, translation, shifts) with
    their product table: a∘b is the operation with rotation W_a W_b and permutation π_a[π_b], -1 when
    that is not in the set, so that every group in the table is one exact action on the atoms.
    ``own``: the child's operations (rotation index, permutation, translation, residuals), added when
    missing."""
    lookup_rot = _rotation_lookup(rotations)
    products = np.array([[lookup_rot[np.ascontiguousarray(a @ b).tobytes()] for b in rotations] for a in rotations])
    keys = _OperationKeys(len(cell.frac))
    keys.build(rotation_of, permutations)
    missing = [op for op in own if keys.find(np.array([op[0]]), op[1][None])[0] < 0]
    if missing:
        rotation_of = np.concatenate([rotation_of, [op[0] for op in missing]]).astype(np.int64)
        permutations = np.vstack([permutations, [op[1] for op in missing]])
        translations = np.vstack([translations, [op[2] - np.floor(op[2]) for op in missing]])
        shifts = np.concatenate([shifts, [op[3] @ np.linalg.inv(rotations[op[0]].astype(np.float64)).T
                                          for op in missing]])
        keys.build(rotation_of, permutations)
    child_mask = np.zeros(len(rotation_of), dtype=bool)
    child_mask[keys.find(np.array([op[0] for op in own]), np.array([op[1] for op in own]))] = True
    table = np.empty((len(rotation_of), len(rotation_of)), dtype=np.int32)
    for a in range(len(rotation_of)):
        table[a] = keys.find(products[rotation_of[a], rotation_of], permutations[a][permutations])
    identity = int(keys.find(np.array([lookup_rot[np.eye(3, dtype=np.int64).tobytes()]]),
                             np.arange(cell.num_atoms)[None])[0])
    return PseudoSymmetry(cell=cell, rotations=rotations, rotation_of=rotation_of, translations=translations,
                          permutations=permutations, shifts=shifts, child=child_mask, table=table,
                          identity=identity, radius=radius)


class _OperationKeys:
    """Operations (rotation index, atom permutation) as 64-bit keys: two random linear hashes of the
    permutation (collisions have probability ~N^2 / 2^64), so that products are looked up in one
    vectorised search."""

    def __init__(self, n_atoms: int) -> None:
        rng = np.random.default_rng(20250101)
        self.weights = rng.integers(1, 2 ** 62, size=(2, n_atoms), dtype=np.int64).astype(np.uint64)
        self.sorted = np.zeros(0, dtype=np.uint64)
        self.order = np.zeros(0, dtype=np.int64)
        self.check = np.zeros(0, dtype=np.uint64)

    def key(self, rotation: np.ndarray, perms: np.ndarray) -> np.ndarray:
        h = (perms.astype(np.uint64) * self.weights[0]).sum(axis=-1, dtype=np.uint64)
        return h ^ (np.asarray(rotation).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))

    def second(self, perms: np.ndarray) -> np.ndarray:
        return (perms.astype(np.uint64) * self.weights[1]).sum(axis=-1, dtype=np.uint64)

    def build(self, rotation: np.ndarray, perms: np.ndarray) -> None:
        keys = self.key(rotation, perms)
        self.order = np.argsort(keys, kind="stable")
        self.sorted = keys[self.order]
        self.check = self.second(perms)

    def find(self, rotation: np.ndarray, perms: np.ndarray) -> np.ndarray:
        """Index of each operation (rotation index, permutation) in the built set, -1 if absent."""
        if not len(self.sorted):
            return np.full(len(perms), -1, dtype=np.int64)
        keys = self.key(rotation, perms)
        pos = np.clip(np.searchsorted(self.sorted, keys), 0, len(self.sorted) - 1)
        idx = self.order[pos]
        ok = (self.sorted[pos] == keys) & (self.check[idx] == self.second(perms))
        return np.where(ok, idx, -1)


def searches(child: Structure, bound: float, max_strain: float, child_rotations: np.ndarray,
             child_translations: np.ndarray, symprec: float = 1e-3) -> list[PseudoSymmetry]:
    """The pseudo-symmetry of the child for each candidate translation lattice whose rotations are not
    already covered by a larger one (a parent's rotations keep its own lattice, which may be any of
    them: β-quartz keeps the child's hexagonal lattice even where a finer one passes the test)."""
    h_rot = np.asarray(child_rotations, dtype=np.int64)
    radius = 2 * bound + 2 * symprec
    labels = np.unique(np.array(child.species), return_inverse=True)[1]
    matcher = Matcher(child.lattice, child.frac_coords, labels, radius)
    out: list[PseudoSymmetry] = []
    covered: list[set[tuple[int, ...]]] = []
    for lattice in translation_lattices(child, matcher, h_rot, bound):
        rotations = rotation_group(child, matcher, lattice, h_rot, max_strain)
        keys = {tuple(np.rint(w.ravel() * 720720).astype(np.int64)) for w in rotations}
        if any(keys <= done for done in covered):
            continue
        covered.append(keys)
        out.append(pseudo_symmetry(child, bound, max_strain, h_rot, child_translations, symprec, rotations, lattice))
    return out
