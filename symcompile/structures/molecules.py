"""Point groups of molecules: every orthogonal map about the centroid that permutes like atoms.

An operation R must send each atom i to an atom pi(i) of the same species: R (x_i - c) =
x_pi(i) - c, with c the centroid (a fixed point of every symmetry). Atoms are sorted into
classes by species and distance from c (R preserves both). R is fixed by where it sends two
reference atoms a, b that are not collinear with c, and a can only go to its own class, b to
its own class at the same distance from the image of a. So the candidates are at most
|class(a)| x (atoms of class(b) at that distance) x 2 (both handednesses), with a and b
chosen from the smallest classes; each candidate is rejected on a few probe atoms before a
full check, and the full check is linear in N (:mod:`symcompile.structures.neighbours`).
Linear molecules (C∞v, D∞h) and single atoms (Kh) are continuous groups, given by
generators, and by a finite stand-in where a finite group is needed.

>>> from symcompile.structures.structure import Structure
>>> water = Structure.molecule(("O", "H", "H"), [[0, 0, 0.1173], [0, 0.7572, -0.4692], [0, -0.7572, -0.4692]])
>>> ops = molecule_operations(water)
>>> ops.name, len(ops), ops.point_group["hm"]
('C2v', 4, 'mm2')
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.o3.point_groups import _closure
from symcompile.o3.rotations import axis_angle_to_matrix
from symcompile.structures.naming import axis_name, rotation_axis, schoenflies_symbol
from symcompile.structures.neighbours import PointIndex, nearest_neighbour_distances, overlapping_pair
from symcompile.structures.operations import Operations, snap

#: A rotation by this angle (radians) generates a dense subgroup of the rotations about its axis.
DENSE_ANGLE = 1.0
#: Finite stand-ins: C∞v / D∞h by C_nv / D_nh with this n (exact for l < n); Kh by Ih (exact for l < 6).
LINEAR_ORDER = 12
SPHERE_EXACT_BELOW = 6
#: Probe atoms checked for every candidate before the full check.
_PROBES = 12
#: Candidate pairs evaluated at once (memory bound).
_CHUNK = 4096
#: Classes larger than this are split further by nearest-neighbour distance.
_SMALL_CLASS = 240


def _labels(species: tuple[str, ...]) -> np.ndarray:
    return np.unique(np.asarray(species), return_inverse=True)[1]


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise cross products (np.cross costs more than the arithmetic for small arrays)."""
    u, v = np.broadcast_arrays(u, v)
    return np.stack([u[..., 1] * v[..., 2] - u[..., 2] * v[..., 1], u[..., 2] * v[..., 0] - u[..., 0] * v[..., 2],
                     u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]], axis=-1)


def _frames(a: np.ndarray, b: np.ndarray, s: float = 1.0) -> np.ndarray:
    """Orthonormal frames (columns) built from rows of a and b; third column s * e1 x e2. Shape (K, 3, 3)."""
    e1 = a / np.linalg.norm(a, axis=-1, keepdims=True)
    e2 = b - np.sum(b * e1, axis=-1, keepdims=True) * e1
    e2 = e2 / np.linalg.norm(e2, axis=-1, keepdims=True)
    return np.stack([e1, e2, s * _cross(e1, e2)], axis=-1)


def _procrustes(X: np.ndarray, Y: np.ndarray, det: int) -> np.ndarray:
    """The orthogonal R of determinant ``det`` minimising sum |R X_i - Y_i|^2."""
    return _procrustes_all(X, Y[None], np.array([det]))[0]


def _procrustes_all(X: np.ndarray, Ys: np.ndarray, dets: np.ndarray) -> np.ndarray:
    """:func:`_procrustes` for a stack of targets Ys (G, N, 3) at once (one batched SVD)."""
    u, _, vt = np.linalg.svd(np.einsum("gni,nj->gij", Ys, X))
    d = np.asarray(dets) * np.sign(np.linalg.det(u) * np.linalg.det(vt))
    u[:, :, 2] *= d[:, None]
    return u @ vt


def _classes(labels: np.ndarray, norms: np.ndarray, tol: float) -> np.ndarray:
    """Class id per atom: same species and distance from the centre within 2 tol (chained)."""
    order = np.lexsort((norms, labels))
    new = np.ones(len(order), dtype=bool)
    new[1:] = (labels[order][1:] != labels[order][:-1]) | (np.diff(norms[order]) > 2 * tol)
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


def _pick_references(X: np.ndarray, norms: np.ndarray, classes: np.ndarray, tol: float) -> tuple[int, int]:
    """Two atoms from small classes, far from the centre and far from collinear with it."""
    sizes = np.bincount(classes)
    off_centre = norms > max(2 * tol, 1e-3 * norms.max())
    if not off_centre.any():  # a molecule hardly larger than the tolerance
        off_centre = norms > 0
    a = int(min(np.flatnonzero(off_centre), key=lambda i: (sizes[classes[i]], -norms[i])))
    sin_ab = np.linalg.norm(_cross(X[a], X), axis=1) / (norms[a] * np.maximum(norms, 1e-300))
    for threshold in (0.2, 1e-3):
        pool = np.flatnonzero(off_centre & (sin_ab > threshold))
        if len(pool):
            return a, int(min(pool, key=lambda i: (sizes[classes[i]], -sin_ab[i] * norms[i])))
    # nearly linear, yet some atom is off the axis by more than the tolerance: the farthest off the line
    b = int(np.argmax(sin_ab * norms))
    if sin_ab[b] * norms[b] <= 1e-12:
        raise InputError(f"the molecule is linear to round-off but not within symprec={tol:g} Å of one axis")
    return a, b


def _candidate_pairs(X: np.ndarray, A: np.ndarray, B: np.ndarray, distance: float, tol: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a2 in A, b2 in B) at the reference distance (within 3 tol), not collinear with the centre."""
    rows = max(1, 2_000_000 // max(len(B), 1))
    pa, pb = [], []
    for start in range(0, len(A), rows):
        block = A[start:start + rows]
        d = np.linalg.norm(X[block][:, None, :] - X[B][None, :, :], axis=-1)
        i, j = np.nonzero(np.abs(d - distance) <= 3 * tol)
        pa.append(block[i])
        pb.append(B[j])
    a2, b2 = np.concatenate(pa), np.concatenate(pb)
    ok = (a2 != b2) & (np.linalg.norm(_cross(X[a2], X[b2]), axis=1) > 1e-9)
    return a2[ok], b2[ok]


def _probe_atoms(norms: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A few atoms to reject wrong candidates early: one per class (small classes, far atoms first)."""
    order = np.lexsort((-norms, np.bincount(classes)[classes]))
    _, first = np.unique(classes[order], return_index=True)
    spread = order[np.sort(first)][:_PROBES]
    rest = np.setdiff1d(order, spread, assume_unique=True)[: _PROBES - len(spread)]
    return np.concatenate([spread, rest]).astype(np.int64)


def _refined_classes(X: np.ndarray, labels: np.ndarray, norms: np.ndarray, tol: float) -> np.ndarray:
    """Classes by species and distance from the centre; split further by nearest-neighbour distance
    when even the smallest class is large (a shell of many like atoms)."""
    classes = _classes(labels, norms, tol)
    if np.bincount(classes).min() <= _SMALL_CLASS:
        return classes
    from symcompile.structures.structure import Structure

    nearest = nearest_neighbour_distances(Structure.molecule(("X",) * len(X), X))
    return _classes(classes, nearest, tol)


def _finite_operations(X: np.ndarray, labels: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """All (R, permutation) pairs of a non-linear molecule centred at the origin.

    Each symmetry sends (a, b) to a distinct candidate pair (a2, b2) with a handedness, so the
    candidates that pass the probe atoms are checked in full only when the elements already
    found do not generate them: a handful of full checks, whatever the order of the group.
    """
    norms = np.linalg.norm(X, axis=1)
    classes = _refined_classes(X, labels, norms, tol)
    a, b = _pick_references(X, norms, classes, tol)
    A, B = np.flatnonzero(classes == classes[a]), np.flatnonzero(classes == classes[b])
    a2, b2 = _candidate_pairs(X, A, B, float(np.linalg.norm(X[a] - X[b])), tol)
    reference = _frames(X[a][None], X[b][None])[0]
    loose = PointIndex(X, 3 * tol, labels)
    tight = PointIndex(X, tol, labels)
    probes = _probe_atoms(norms, classes)
    n = len(X)
    group = _Closure(n, a, b, limit=2 * len(a2) + 1)
    for start in range(0, len(a2), _CHUNK):
        sa, sb = a2[start:start + _CHUNK], b2[start:start + _CHUNK]
        R = np.concatenate([_frames(X[sa], X[sb], s) @ reference.T for s in (1.0, -1.0)])
        pair_a, pair_b = np.tile(sa, 2), np.tile(sb, 2)
        moved = np.einsum("kij,pj->kpi", R, X[probes])
        hits = loose.nearest(moved.reshape(-1, 3), np.tile(labels[probes], len(R))).reshape(len(R), -1)
        for k in np.flatnonzero(np.all(hits >= 0, axis=1)):
            det = int(round(np.linalg.det(R[k])))
            if group.has(int(pair_a[k]), int(pair_b[k]), det):
                continue
            perm = loose.nearest(X @ R[k].T, labels)
            if np.any(perm < 0) or len(np.unique(perm)) != n:
                continue
            refined = _procrustes(X, X[perm], det)
            perm = tight.nearest(X @ refined.T, labels)
            if np.any(perm < 0) or len(np.unique(perm)) != n:
                continue
            if not group.add_generator(refined, perm, det):
                raise InputError(f"the symmetry operations found at symprec={tol:g} Å do not form a group; "
                                 "try a different --symprec")
    rots, perms = group.elements()
    # products of generators: re-fitted, and each checked on every atom
    rots = _procrustes_all(X, X[perms], np.sign(np.linalg.det(rots)))
    if np.linalg.norm(np.einsum("gij,nj->gni", rots, X) - X[perms], axis=2).max() > tol:
        raise InputError(f"the symmetry operations found at symprec={tol:g} Å do not form a group; "
                         "try a different --symprec")
    return rots, perms


class _Closure:
    """The group generated by the operations found so far, as (rotation, permutation, det) by key."""

    def __init__(self, n: int, a: int, b: int, limit: int) -> None:
        identity = np.arange(n)
        self._elements: dict[bytes, tuple[np.ndarray, np.ndarray, int]] = {
            self._key(identity, 1): (np.eye(3), identity, 1)}
        self._generators: list[tuple[np.ndarray, np.ndarray, int]] = []
        self._images = {(a, b, 1)}  # where each element sends the reference atoms a, b
        self._a, self._b, self._limit = a, b, limit

    @staticmethod
    def _key(perm: np.ndarray, det: int) -> bytes:
        return perm.astype(np.int64).tobytes() + (b"+" if det > 0 else b"-")

    def has(self, a2: int, b2: int, det: int) -> bool:
        """Is the element sending (a, b) to (a2, b2) with this handedness already generated?"""
        return (a2, b2, det) in self._images

    def add_generator(self, rotation: np.ndarray, perm: np.ndarray, det: int) -> bool:
        """Add a verified operation and close; False if the closure outgrows every candidate.

        Composition g after h: atom i -> h[i] -> g[h[i]], rotation R_g R_h."""
        self._generators.append((rotation, perm, det))
        known = dict(self._elements)
        frontier = list(known.values())
        while frontier:
            R, p, d = frontier.pop()
            for G, q, e in self._generators:
                new = (G @ R, q[p], d * e)
                key = self._key(new[1], new[2])
                if key not in known:
                    known[key] = new
                    frontier.append(new)
                    if len(known) > self._limit:
                        return False
        self._elements = known
        self._images = {(int(p[self._a]), int(p[self._b]), d) for _, p, d in known.values()}
        return True

    def elements(self) -> tuple[np.ndarray, np.ndarray]:
        values = list(self._elements.values())
        return np.array([v[0] for v in values]), np.array([v[1] for v in values], dtype=np.int64)


def _identity_first(rotations: np.ndarray) -> np.ndarray:
    """An order of the operations: identity first, then proper before improper, by angle."""
    def key(i: int) -> tuple[float, ...]:
        R = rotations[i]
        det = float(np.sign(np.linalg.det(R)))
        return (-det, -round(float(np.trace(det * R)), 6), i)

    return np.array(sorted(range(len(rotations)), key=key))


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    e = np.eye(3)[int(np.argmin(np.abs(axis)))]
    v = np.cross(axis, e)
    return v / np.linalg.norm(v)


def _linear(X: np.ndarray, labels: np.ndarray, axis: np.ndarray, centre: np.ndarray, tol: float) -> Operations:
    """C∞v or D∞h, by generators: a dense rotation about the axis, a mirror containing it, maybe inversion."""
    n = len(X)
    identity = np.arange(n)
    if axis[np.flatnonzero(np.abs(axis) > 1e-9)[0]] < 0:
        axis = -axis
    Xs = np.outer(X @ axis, axis)  # exactly on the axis
    words = axis_name(axis)
    normal = _perpendicular(axis)
    rots = [np.eye(3), axis_angle_to_matrix(axis, DENSE_ANGLE), np.eye(3) - 2 * np.outer(normal, normal)]
    perms = [identity, identity, identity]
    labels_out = ["identity", f"rotations about {words}", f"mirrors containing {words}"]
    inv = PointIndex(Xs, tol, labels).nearest(-Xs, labels)
    name = "C∞v"
    if np.all(inv >= 0) and len(np.unique(inv)) == n:
        Xs = 0.5 * (Xs - Xs[inv])
        rots.append(-np.eye(3))
        perms.append(inv)
        labels_out.append("inversion")
        name = "D∞h"
    return Operations(np.array(rots), np.zeros((len(rots), 3)), np.array(perms), "point", name, False,
                      centre=centre, labels=tuple(labels_out), symmetrized=Xs + centre, exact_below=None)


def _spherical(centre: np.ndarray) -> Operations:
    """Kh = O(3) of a single atom, by generators."""
    rots = np.array([np.eye(3), axis_angle_to_matrix(np.array([0.0, 0, 1]), DENSE_ANGLE),
                     axis_angle_to_matrix(np.array([1.0, 0, 0]), DENSE_ANGLE), -np.eye(3)])
    return Operations(rots, np.zeros((4, 3)), np.zeros((4, 1), dtype=np.int64), "point", "Kh", False,
                      centre=centre, labels=("identity", "rotations about any axis", "rotations about any axis",
                                             "inversion"), symmetrized=centre[None].copy())


def molecule_operations(structure: Any, symprec: float = 1e-3) -> Operations:
    """The point group of a molecule about its centroid, with atom permutations (``symprec`` in Å)."""
    if structure.lattice is not None:
        raise ValueError("molecule_operations needs a molecule; use crystal_operations for crystals")
    pos = np.asarray(structure.cart_coords, dtype=np.float64)
    centre = pos.mean(axis=0)
    if len(pos) == 1:
        return _spherical(centre)
    pair = overlapping_pair(structure, symprec)
    if pair is not None:
        raise InputError(f"atoms {pair[0] + 1} and {pair[1] + 1} are closer than the tolerance "
                         f"(symprec={symprec:g} Å): overlapping atoms or --symprec too large")
    X = pos - centre
    labels = _labels(structure.species)
    axis = np.linalg.svd(X, full_matrices=False)[2][0]
    if np.all(np.linalg.norm(X - np.outer(X @ axis, axis), axis=1) <= symprec):
        return _linear(X, labels, axis, centre, symprec)
    rots, perms = _finite_operations(X, labels, symprec)
    dets = np.sign(np.linalg.det(rots)).astype(int)
    # the molecule made exactly symmetric, then the operations exact (to round-off)
    Xs = np.einsum("gnj,gji->ni", X[perms], rots) / len(rots)  # mean over g of R_g^-1 x_pi(i)
    rots = snap(_procrustes_all(Xs, Xs[perms], dets))
    order = _identity_first(rots)
    rots, perms = rots[order], perms[order]
    return Operations(rots, np.zeros((len(rots), 3)), perms, "point", schoenflies_symbol(rots), True,
                      centre=centre, symmetrized=Xs + centre)


# --------------------------------------------------------------------------- finite stand-ins
def icosahedral_group() -> np.ndarray:
    """I_h (order 120): the finite stand-in for O(3) (no invariants of irreps 0 < l < 6 beyond O(3)'s)."""
    golden = (1 + 5 ** 0.5) / 2
    five = axis_angle_to_matrix(np.array([0.0, 1.0, golden]), 2 * np.pi / 5)
    three = axis_angle_to_matrix(np.array([1.0, 1.0, 1.0]), 2 * np.pi / 3)
    return _closure([five, three, -np.eye(3)], max_order=120)


def finite_approximant(ops: Operations, n: int = LINEAR_ORDER, direction: np.ndarray | None = None) -> Operations:
    """A finite subgroup of C∞v / D∞h (C_nv / D_nh, one mirror containing ``direction``) or of Kh (Ih).

    For irreps of degree l < n, every element of the continuous group that fixes an irrep
    vector is matched by one of C_n with the same fixed space, so stabiliser questions about
    irreps up to l (and about targets whose transverse parts lie in the chosen mirror plane)
    have the same answers in the subgroup.
    """
    if ops.finite:
        return ops
    if ops.name == "Kh":
        rots = icosahedral_group()
        return Operations(rots, np.zeros((len(rots), 3)), np.repeat(ops.permutations[:1], len(rots), axis=0),
                          "point", "Ih", True, centre=ops.centre, symmetrized=ops.symmetrized,
                          exact_below=SPHERE_EXACT_BELOW)
    axis = rotation_axis(ops.rotations[1])
    if direction is None or np.linalg.norm(direction - (direction @ axis) * axis) < 1e-12:
        u = _perpendicular(axis)
    else:
        u = direction - (direction @ axis) * axis
        u = u / np.linalg.norm(u)
    normal = np.cross(axis, u)  # the mirror containing the axis and u is normal to this
    identity = ops.permutations[0]
    rots = [axis_angle_to_matrix(axis, 2 * math.pi * k / n) for k in range(n)]
    for k in range(n):
        m = axis_angle_to_matrix(axis, math.pi * k / n) @ normal
        rots.append(np.eye(3) - 2 * np.outer(m, m))
    perms = [identity] * len(rots)
    if ops.name == "D∞h":
        inv = next(p for R, p in zip(ops.rotations, ops.permutations) if np.allclose(R, -np.eye(3)))
        rots += [-R for R in rots]
        perms += [inv] * len(perms)
    rots_a = snap(np.array(rots))
    return Operations(rots_a, np.zeros((len(rots_a), 3)), np.array(perms), "point",
                      f"{ops.name[0]}{n}{'h' if ops.name == 'D∞h' else 'v'}", True, centre=ops.centre,
                      symmetrized=ops.symmetrized, approximates=n, exact_below=n)
