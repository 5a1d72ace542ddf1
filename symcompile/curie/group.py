"""The symmetry operations of a geometry as explicit Cartesian operations with the atom permutation each induces.

Finite geometries: every orthogonal R (about the centroid) with R(x_i - c) = x_{pi(i)} - c and equal
species, found by mapping a frame of two reference points onto every compatible pair of points.
Linear geometries (C∞v, D∞h) and a single point (Kh) are continuous groups, represented by
generators (a rotation by 1 rad generates a dense subgroup of the rotations about its axis).
Crystals: the space-group operations (R, t) from spglib, in Cartesian form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from symcompile.curie.geometry import Geometry
from symcompile.curie.schoenflies import schoenflies_symbol
from symcompile.errors import InputError

__all__ = ["Operations", "symmetry_operations", "point_group_operations", "space_group_operations", "match_points"]

#: A rotation by this angle (radians) generates a dense subgroup of the rotations about its axis.
DENSE_ANGLE = 1.0


@dataclass
class Operations:
    """A symmetry group as explicit operations x -> R x + t acting on the points of one geometry.

    ``perms[g, i]`` is the point that point ``i`` is sent to by operation ``g``. For point groups the
    operations act about ``centre`` (``translations`` are zero and ``R (x - c) + c``); for space groups
    ``translations`` are Cartesian. ``finite`` is False for continuous groups, whose ``rotations`` are
    generators only (then ``labels`` names each generator).
    """

    rotations: np.ndarray  # [G, 3, 3]
    translations: np.ndarray  # [G, 3] Cartesian
    perms: np.ndarray  # [G, N] int
    finite: bool
    name: str
    kind: str  # "point" | "space"
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    labels: list[str] | None = None
    symmetrized: np.ndarray | None = None  # the geometry's positions made exactly symmetric
    lattice: np.ndarray | None = None
    number: int | None = None  # space-group number
    approximates: int | None = None  # n when this is the finite C_nv / D_nh standing for C∞v / D∞h

    def __len__(self) -> int:
        return len(self.rotations)

    @property
    def order(self) -> int | None:
        return len(self.rotations) if self.finite else None


# --------------------------------------------------------------------------- matching points
def match_points(Y: np.ndarray, X: np.ndarray, labels: np.ndarray, tol: float) -> np.ndarray | None:
    """The permutation pi with Y[i] ~ X[pi[i]] (same label, within ``tol``), or None."""
    n = len(Y)
    if n > 16:  # reject most wrong candidates on a few probe points first
        probe = np.linspace(0, n - 1, 8).astype(int)
        d2p = ((Y[probe, None, :] - X[None, :, :]) ** 2).sum(-1)
        d2p[labels[probe, None] != labels[None, :]] = np.inf
        if not (d2p.min(1) <= tol * tol).all():
            return None
    d2 = (Y * Y).sum(1)[:, None] + (X * X).sum(1)[None, :] - 2.0 * (Y @ X.T)
    d2[labels[:, None] != labels[None, :]] = np.inf
    perm = d2.argmin(1)
    exact = ((Y - X[perm]) ** 2).sum(1)  # recomputed directly (no cancellation)
    if not (exact <= tol * tol).all():
        return None
    if len(np.unique(perm)) != len(perm):
        return None
    return perm


def _frame(a: np.ndarray, b: np.ndarray, s: float = 1.0) -> np.ndarray:
    """Orthonormal frame (columns) built from a and b; the third column is s * e1 x e2."""
    e1 = a / np.linalg.norm(a)
    e2 = b - (b @ e1) * e1
    e2 = e2 / np.linalg.norm(e2)
    return np.stack([e1, e2, s * np.cross(e1, e2)], axis=1)


def _procrustes(X: np.ndarray, Y: np.ndarray, det: int) -> np.ndarray:
    """The orthogonal R of determinant ``det`` minimising sum |R X_i - Y_i|^2."""
    u, _, vt = np.linalg.svd(Y.T @ X)
    d = det * np.sign(np.linalg.det(u) * np.linalg.det(vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def _labels(species: tuple[str, ...]) -> np.ndarray:
    names = sorted(set(species))
    return np.array([names.index(s) for s in species])


# --------------------------------------------------------------------------- finite geometries
def point_group_operations(geometry: Geometry, tol: float) -> Operations:
    """All point operations of a finite geometry about its centroid (``tol`` in Å on positions)."""
    pos = np.asarray(geometry.positions, dtype=np.float64)
    labels = _labels(geometry.species)
    centre = pos.mean(0)
    X = pos - centre
    n = len(X)
    norms = np.linalg.norm(X, axis=1)
    identity = np.arange(n)
    if norms.max() <= tol:
        return _spherical(n, centre, pos)
    axis = np.linalg.svd(X)[2][0]
    if (np.linalg.norm(X - np.outer(X @ axis, axis), axis=1) <= tol).all():
        return _linear(X, labels, axis, centre, tol)

    # reference point a: few look-alikes, far from the centre; b: not collinear with a
    def lookalikes(i: int) -> np.ndarray:
        return np.flatnonzero((labels == labels[i]) & (np.abs(norms - norms[i]) <= 2 * tol))

    far = np.flatnonzero(norms > max(0.25 * norms.max(), 2 * tol))
    a = min(far, key=lambda i: (len(lookalikes(i)), -norms[i]))
    sin_ab = np.linalg.norm(np.cross(X[a], X), axis=1) / (norms[a] * np.maximum(norms, 1e-300))
    spread = far[sin_ab[far] > 0.2] if (sin_ab[far] > 0.2).any() else np.flatnonzero(sin_ab > 1e-3)
    b = min(spread, key=lambda i: (len(lookalikes(i)), -sin_ab[i] * norms[i]))
    Fa = _frame(X[a], X[b])
    d_ab = np.linalg.norm(X[a] - X[b])
    found: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
    for a2 in lookalikes(a):
        for b2 in lookalikes(b):
            if a2 == b2 or abs(np.linalg.norm(X[a2] - X[b2]) - d_ab) > 3 * tol:
                continue
            if np.linalg.norm(np.cross(X[a2], X[b2])) <= 1e-9:
                continue
            for s in (1.0, -1.0):
                R = _frame(X[a2], X[b2], s) @ Fa.T
                perm = match_points(X @ R.T, X, labels, 3 * tol)
                if perm is None:
                    continue
                R = _procrustes(X, X[perm], int(round(np.linalg.det(R))))
                perm = match_points(X @ R.T, X, labels, tol)
                if perm is None:
                    continue
                key = (*perm.tolist(), int(round(np.linalg.det(R))))
                found.setdefault(key, (R, perm))
    keys = _close(list(found))
    if any(k not in found for k in keys):
        raise InputError(f"the symmetry operations found at symprec={tol:g} Å do not form a group; "
                         "try a different --symprec")
    perms = np.array([found[k][1] for k in keys])
    dets = np.array([k[-1] for k in keys])
    # make the geometry exactly symmetric, then the operations exact (to round-off)
    rots = np.array([found[k][0] for k in keys])
    Xs = np.mean([X[p] @ R for R, p in zip(rots, perms)], axis=0)
    rots = np.array([_procrustes(Xs, Xs[p], int(d)) for p, d in zip(perms, dets)])
    rots = _clean(rots)
    order = _identity_first(rots)
    rots, perms = rots[order], perms[order]
    ops = Operations(rots, np.zeros((len(rots), 3)), perms, True, schoenflies_symbol(rots), "point",
                     centre, symmetrized=Xs + centre)
    assert (perms[0] == identity).all()
    return ops


def _close(keys: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Closure of a set of (permutation..., det) labels under composition (labels are faithful)."""
    elems = list(dict.fromkeys(keys))
    seen = set(elems)
    i = 0
    while i < len(elems):
        gi = np.array(elems[i][:-1])
        for j in range(len(elems)):
            gj = np.array(elems[j][:-1])
            prod = (*gi[gj].tolist(), elems[i][-1] * elems[j][-1])  # g_i after g_j: i -> gj[i] -> gi[gj[i]]
            if prod not in seen:
                seen.add(prod)
                elems.append(prod)
                if len(elems) > 240:
                    return elems
        i += 1
    return elems


def _clean(rots: np.ndarray) -> np.ndarray:
    """Snap round-off: entries within 1e-12 of 0 or ±1 become exact."""
    r = rots.copy()
    for v in (0.0, 1.0, -1.0):
        r[np.abs(r - v) < 1e-12] = v
    return r + 0.0


def _identity_first(rots: np.ndarray) -> np.ndarray:
    """An order of the operations: identity first, then by kind (proper, then improper) and angle."""
    def key(i: int) -> tuple[float, ...]:
        R = rots[i]
        det = float(np.sign(np.linalg.det(R)))
        tr = float(np.trace(det * R))
        return (-det, -round(tr, 6), i)

    return np.array(sorted(range(len(rots)), key=key))


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    n = axis / np.linalg.norm(axis)
    K = np.array([[0.0, -n[2], n[1]], [n[2], 0.0, -n[0]], [-n[1], n[0], 0.0]])
    return np.eye(3) + math.sin(angle) * K + (1.0 - math.cos(angle)) * (K @ K)


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    e = np.eye(3)[int(np.argmin(np.abs(axis)))]
    v = np.cross(axis, e)
    return v / np.linalg.norm(v)


def _axis_words(axis: np.ndarray) -> str:
    from symcompile.curie.naming import axis_name

    return axis_name(axis)


def _linear(X: np.ndarray, labels: np.ndarray, axis: np.ndarray, centre: np.ndarray, tol: float) -> Operations:
    """C∞v or D∞h, by generators: a dense rotation about the axis, a mirror containing it, maybe inversion."""
    n = len(X)
    identity = np.arange(n)
    if abs(axis).max() > 0 and axis[np.flatnonzero(np.abs(axis) > 1e-9)[0]] < 0:
        axis = -axis
    Xs = np.outer(X @ axis, axis)  # exactly on the axis
    words = _axis_words(axis)
    normal = _perpendicular(axis)
    rots = [np.eye(3), _rotation(axis, DENSE_ANGLE), np.eye(3) - 2 * np.outer(normal, normal)]
    perms = [identity, identity, identity]
    labels_out = ["identity", f"rotations about {words}", f"mirrors containing {words}"]
    inv = match_points(-Xs, Xs, labels, tol)
    name = "C∞v"
    if inv is not None:
        Xs = 0.5 * (Xs - Xs[inv])
        rots.append(-np.eye(3))
        perms.append(inv)
        labels_out.append("inversion")
        name = "D∞h"
    return Operations(np.array(rots), np.zeros((len(rots), 3)), np.array(perms), False, name, "point", centre,
                      labels_out, symmetrized=Xs + centre)


def _spherical(n: int, centre: np.ndarray, pos: np.ndarray) -> Operations:
    """Kh = O(3): one point (or coincident points), by generators."""
    identity = np.arange(n)
    rots = np.array([np.eye(3), _rotation(np.array([0.0, 0, 1]), DENSE_ANGLE),
                     _rotation(np.array([1.0, 0, 0]), DENSE_ANGLE), -np.eye(3)])
    return Operations(rots, np.zeros((4, 3)), np.array([identity] * 4), False, "Kh", "point", centre,
                      ["identity", "rotations about any axis", "rotations about any axis", "inversion"],
                      symmetrized=np.repeat(centre[None], n, axis=0))


# --------------------------------------------------------------------------- crystals
def space_group_operations(geometry: Geometry, symprec: float, angle_tol: float | None = None) -> Operations:
    """The space-group operations of a crystal (spglib), as Cartesian (R, t) with atom permutations."""
    import spglib

    lat = np.asarray(geometry.lattice, dtype=np.float64)
    frac = np.linalg.solve(lat.T, geometry.positions.T).T
    labels = _labels(geometry.species)
    cell = (lat, frac, labels + 1)
    kwargs = {"symprec": symprec}
    if angle_tol is not None:
        kwargs["angle_tolerance"] = angle_tol
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spglib's notice about its error handling
        try:
            ds = spglib.get_symmetry_dataset(cell, **kwargs)
        except Exception as exc:  # noqa: BLE001 - spglib's own error type varies between versions
            raise InputError(f"spglib could not analyse {geometry.source or 'the crystal'}: {exc}") from exc
    if ds is None:
        raise InputError(f"spglib found no symmetry for {geometry.source or 'the crystal'} (check the cell)")
    W = np.array(ds.rotations, dtype=np.float64)
    tr = np.array(ds.translations, dtype=np.float64)
    perms = []
    for w, t in zip(W, tr):
        img = frac @ w.T + t
        diff = img[:, None, :] - frac[None, :, :]
        diff -= np.round(diff)
        cart = np.linalg.norm(diff @ lat, axis=-1)
        cart[labels[:, None] != labels[None, :]] = np.inf
        p = cart.argmin(1)
        if len(np.unique(p)) != len(p) or cart[np.arange(len(p)), p].max() > 2 * symprec:
            raise InputError("spglib's operations do not map the atoms onto each other; try a different --symprec")
        perms.append(p)
    perms_a = np.array(perms)
    # symmetrise fractional positions: average the images pulled back by every operation
    acc = np.zeros_like(frac)
    for w, t, p in zip(W, tr, perms_a):
        back = (frac[p] - t) @ np.linalg.inv(w).T
        delta = back - frac
        acc += delta - np.round(delta)
    frac_sym = frac + acc / len(W)
    rots = np.einsum("ji,gjk,kl->gil", lat, W, np.linalg.inv(lat).T)  # R = L^T W L^-T (rows of L: cell vectors)
    u, _, vt = np.linalg.svd(rots)
    rots = _clean(u @ vt)
    trans = tr @ lat
    name = f"{ds.international} (No. {int(ds.number)})"
    return Operations(rots, trans, perms_a, True, name, "space", np.zeros(3), symmetrized=frac_sym @ lat,
                      lattice=lat, number=int(ds.number))


def symmetry_operations(geometry: Geometry, symprec: float, angle_tol: float | None = None) -> Operations:
    """Point group (finite geometry, about its centroid) or space group (crystal)."""
    if geometry.periodic:
        return space_group_operations(geometry, symprec, angle_tol)
    return point_group_operations(geometry, symprec)


def linear_approximant(ops: Operations, direction: np.ndarray | None, n: int = 12) -> Operations:
    """A finite subgroup C_nv / D_nh of a linear geometry's C∞v / D∞h, one mirror containing ``direction``.

    For irreps of degree l, every element of the continuous group that fixes an irrep vector is
    matched by one of C_n (n a multiple of 1..l) with the same fixed space, so stabiliser questions
    about irreps up to l and about targets whose transverse parts lie in one plane through the
    axis (the mirror plane chosen here) have the same answers in the subgroup.
    """
    if ops.finite or ops.name not in ("C∞v", "D∞h"):
        raise ValueError("linear_approximant needs the C∞v or D∞h operations of a linear geometry")
    from symcompile.curie.schoenflies import rotation_axis

    axis = rotation_axis(ops.rotations[1])
    if direction is None or np.linalg.norm(direction - (direction @ axis) * axis) < 1e-12:
        u = _perpendicular(axis)
    else:
        u = direction - (direction @ axis) * axis
        u = u / np.linalg.norm(u)
    normal = np.cross(axis, u)  # the mirror containing the axis and u is normal to this
    identity = ops.perms[0]
    rots: list[np.ndarray] = []
    perms: list[np.ndarray] = []
    for k in range(n):
        rots.append(_rotation(axis, 2 * math.pi * k / n))
        perms.append(identity)
    for k in range(n):
        m = _rotation(axis, math.pi * k / n) @ normal
        rots.append(np.eye(3) - 2 * np.outer(m, m))
        perms.append(identity)
    if ops.name == "D∞h":
        inv = next(p for R, p in zip(ops.rotations, ops.perms) if np.allclose(R, -np.eye(3)))
        rots += [-R for R in rots]
        perms += [inv] * len(perms)
    rots_a = _clean(np.array(rots))
    return Operations(rots_a, np.zeros((len(rots_a), 3)), np.array(perms), True,
                      f"{ops.name[0]}{n}{'h' if ops.name == 'D∞h' else 'v'}", "point", ops.centre,
                      symmetrized=ops.symmetrized, approximates=n)
