"""The 122 magnetic (Shubnikov) point groups: rotations paired with time reversal.

An operation is (R, tau): a 3x3 orthogonal matrix and a time-reversal sign (tau = -1: followed
by time reversal, written with a prime). From each of the 32 crystal classes G come

- the ordinary group G (every tau = +1), 32 groups;
- the grey group G1' (every R with both signs; it contains pure time reversal 1'), 32 groups;
- a black-white group G(H) for each subgroup H of index 2 (tau = -1 exactly on G minus H),
  counted once per class of such subgroups conjugate under the normaliser of G in O(3):
  58 groups.

The groups are generated here from the point groups of :mod:`symcompile.o3.point_groups`, in
their orientation (z unique, monoclinic b-unique, 2-fold or mirror normal along x in trigonal
and hexagonal classes): the index-2 subgroups are the kernels of the sign assignments on the
generators that close consistently. Names are Hermann–Mauguin symbols with primes, read off
the group: each position of the symbol shows elements along one direction (``4/m``: the
4-fold rotation about z and the mirror normal to z) and carries a prime when that element is
combined with time reversal. Of the orientations a class of black-white groups takes in a
fixed frame (``4'/mm'm`` and ``4'/mmm'`` differ by 45 degrees about z), the one named in
Litvin's table of magnetic point groups (International Tables convention, used by the Bilbao
server) is the standard one; the others are available by name as other orientations.
Schoenflies-based names: ``D4h`` (ordinary), ``D4h1'`` (grey), ``D4h(D2d)`` (black-white, G(H)).

>>> g = magnetic_point_group("4'/m'm'm")
>>> g.order, g.kind, g.schoenflies, g.number
(16, 'black-white', 'D4h(D2d)', '15.5.57')
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from symcompile.errors import InputError
from symcompile.o3.point_groups import (
    STANDARD_NAMES,
    PointGroup,
    _key,
    _snap,
    count_invariant_vectors,
    crystallographic_point_groups,
    describe_operation,
    mirror_matrix,
    point_group,
    point_group_names,
    rotation_matrix,
)
from symcompile.o3.point_groups import _normalise as _normalise_symbol
from symcompile.o3.point_groups import _signature as _class_signature
from symcompile.o3.point_groups import _signatures as _class_signatures

__all__ = [
    "MagneticPointGroup",
    "magnetic_point_group",
    "magnetic_point_groups",
    "magnetic_point_group_names",
    "is_magnetic_name",
    "any_point_group",
    "magnetic_point_group_from_operations",
    "with_time_reversal",
    "LITVIN_BLACK_WHITE",
]

#: The black-white groups of each crystal class as named in Litvin's table of the 122 magnetic
#: point groups (D. B. Litvin, Magnetic Group Tables, IUCr 2013; the Bilbao server's MPOINT),
#: in his numbering order. This is a naming convention only: the groups are generated, and each
#: name must name exactly one of the generated classes (checked when the table is built).
LITVIN_BLACK_WHITE: dict[str, tuple[str, ...]] = {
    "1": (), "-1": ("-1'",), "2": ("2'",), "m": ("m'",), "2/m": ("2'/m", "2/m'", "2'/m'"),
    "222": ("2'2'2",), "mm2": ("m'm2'", "m'm'2"), "mmm": ("m'mm", "m'm'm", "m'm'm'"),
    "4": ("4'",), "-4": ("-4'",), "4/m": ("4'/m", "4/m'", "4'/m'"), "422": ("4'22'", "42'2'"),
    "4mm": ("4'm'm", "4m'm'"), "-42m": ("-4'2'm", "-4'2m'", "-42'm'"),
    "4/mmm": ("4/m'mm", "4'/mm'm", "4'/m'm'm", "4/mm'm'", "4/m'm'm'"),
    "3": (), "-3": ("-3'",), "32": ("32'",), "3m": ("3m'",), "-3m": ("-3'm", "-3'm'", "-3m'"),
    "6": ("6'",), "-6": ("-6'",), "6/m": ("6'/m", "6/m'", "6'/m'"), "622": ("6'22'", "62'2'"),
    "6mm": ("6'mm'", "6m'm'"), "-6m2": ("-6'm'2", "-6'm2'", "-6m'2'"),
    "6/mmm": ("6/m'mm", "6'/mmm'", "6'/m'mm'", "6/mm'm'", "6/m'm'm'"),
    "23": (), "m-3": ("m'-3'",), "432": ("4'32'",), "-43m": ("-4'3m'",),
    "m-3m": ("m'-3'm", "m-3m'", "m'-3'm'"),
}

KINDS = ("ordinary", "grey", "black-white")

_X, _Y, _Z = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
_D110, _D111 = (1.0, 1.0, 0.0), (1.0, 1.0, 1.0)
_TOKEN = re.compile(r"(-?)([1-6])('?)(?:/m('?))?|m('?)")

Signed = list[tuple[np.ndarray, int]]


# --------------------------------------------------------------------------- the group
@dataclass(eq=False)
class MagneticPointGroup:
    """A magnetic point group: each operation a 3x3 matrix with a time-reversal sign.

    ``name``: Hermann–Mauguin symbol with primes in this library's orientation (``"4'/m'm'm"``);
    ``standard_name``: the name of its type among the 122 (differs from ``name`` only for another
    orientation of a black-white class, e.g. ``4'/mmm'`` is ``4'/mm'm`` turned by 45 degrees);
    ``kind``: ordinary, grey or black-white; ``family``: the point group G without time reversal;
    ``unitary``: the subgroup H of operations without time reversal (G itself unless
    black-white; for grey groups the operations are G twice); ``number``: Litvin's number
    ``family.local.global`` (e.g. ``15.5.91``) of its type.
    """

    name: str
    kind: str
    family: PointGroup
    matrices: np.ndarray  # [n, 3, 3]
    time_reversal: np.ndarray  # [n] of +1 / -1
    generators: tuple[tuple[np.ndarray, int], ...]
    unitary: PointGroup
    number: str
    standard_name: str
    setting: str = ""
    _signature: tuple = field(default=(), repr=False)

    #: Magnetic point groups are finite (the attribute continuous point groups share).
    is_continuous = False

    @property
    def order(self) -> int:
        return int(len(self.matrices))

    @property
    def is_standard(self) -> bool:
        """True for the 122 groups of the table (not another orientation of one of them)."""
        return self.name == self.standard_name

    @property
    def schoenflies(self) -> str:
        """``D4h``, ``D4h1'`` (grey) or ``D4h(D2d)`` (black-white: G(H))."""
        if self.kind == "grey":
            return f"{self.family.schoenflies}1'"
        if self.kind == "black-white":
            return f"{self.family.schoenflies}({self.unitary.schoenflies})"
        return self.family.schoenflies

    @property
    def crystal_system(self) -> str:
        return self.family.crystal_system

    @property
    def label(self) -> str:
        """``"4'/m'm'm (D4h(D2d))"``."""
        return f"{self.name} ({self.schoenflies})"

    @property
    def allows_ferromagnetism(self) -> bool:
        """True if a net magnetisation (a time-odd pseudovector) is invariant: the 31 of the 122."""
        return self.invariants_of_irrep(1, 1, -1) > 0

    def __str__(self) -> str:
        return self.name

    def invariants_of_irrep(self, l: int, p: int, time_parity: int = 1) -> int:
        """Invariant vectors of the O(3) irrep (l, p) with time parity +1 (even) or -1 (odd).

        (1/|G|) sum over (R, tau) of chi_(l,p)(R) tau^[time odd]: exact integers.
        """
        if time_parity not in (1, -1):
            raise ValueError(f"time parity must be +1 or -1, got {time_parity!r}")
        signs = self.time_reversal if time_parity == -1 else None
        return count_invariant_vectors(self.matrices, l, p, signs=signs, name=self.name)

    def operations(self) -> list[str]:
        """Each operation in words; primed ones end in ``followed by time reversal``."""
        return [with_time_reversal(describe_operation(M), t) for M, t in zip(self.matrices, self.time_reversal)]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "standard_name": self.standard_name,
            "schoenflies": self.schoenflies,
            "number": self.number,
            "kind": self.kind,
            "family": self.family.name,
            "unitary_subgroup": self.unitary.name,
            "order": self.order,
            "crystal_system": self.crystal_system,
            "setting": self.setting,
        }


def with_time_reversal(words: str, sign: int) -> str:
    """An operation in words with its time reversal: ``"2-fold rotation about z followed by time reversal"``.

    >>> with_time_reversal("identity", -1), with_time_reversal("inversion", 1)
    ('time reversal', 'inversion')
    """
    if sign > 0:
        return words
    return "time reversal" if words == "identity" else f"{words} followed by time reversal"


# --------------------------------------------------------------------------- group building
def _signed_closure(pairs: Signed, limit: int = 96) -> Signed | None:
    """All products of the signed generators; None if some matrix comes with both signs."""
    elements: Signed = [(np.eye(3), 1)]
    sign_of = {_key(np.eye(3)): 1}
    frontier = list(elements)
    while frontier:
        new: Signed = []
        for A, a in frontier:
            for G, g in pairs:
                B, b = _snap(G @ A), a * g
                k = _key(B)
                if k in sign_of:
                    if sign_of[k] != b:
                        return None
                    continue
                sign_of[k] = b
                elements.append((B, b))
                new.append((B, b))
                if len(elements) > limit:
                    raise ValueError("generators do not close into a finite point group")
        frontier = new
    return elements


def _signature(matrices: np.ndarray, signs: np.ndarray) -> tuple:
    """Counts of (det, trace, time sign): a conjugation invariant of a magnetic group."""
    kinds: Counter = Counter()
    for M, t in zip(matrices, signs):
        kinds[(int(round(np.linalg.det(M))), int(round(float(np.trace(M)))), int(t))] += 1
    return tuple(sorted(kinds.items()))


def _tokens(symbol: str) -> list[tuple[str, int, int]]:
    """``"4'/m'm'm"`` -> [("4/m", -1, -1), ("m", -1, 1), ("m", 1, 1)]: (element, sign, mirror sign)."""
    out = []
    pos = 0
    while pos < len(symbol):
        m = _TOKEN.match(symbol, pos)
        if m is None or m.end() == pos:
            raise InputError(f"cannot read {symbol!r} as a Hermann–Mauguin symbol (at {symbol[pos:]!r})")
        if m.group(5) is not None:
            out.append(("m", -1 if m.group(5) else 1, 1))
        else:
            base = m.group(1) + m.group(2)
            if m.group(4) is not None:
                out.append((base + "/m", -1 if m.group(3) else 1, -1 if m.group(4) else 1))
            else:
                out.append((base, -1 if m.group(3) else 1, 1))
        pos = m.end()
    return out


def _axes(group: PointGroup, count: int) -> list[tuple[float, float, float]]:
    """The direction of each position of a Hermann–Mauguin symbol with ``count`` positions."""
    system = group.crystal_system
    if count == 1:
        return [_Y] if system == "monoclinic" else [_Z]
    if system in ("monoclinic", "orthorhombic") and count == 3:
        return [_X, _Y, _Z]
    if system == "tetragonal" and count == 3:
        return [_Z, _X, _D110]
    if system in ("trigonal", "hexagonal") and count in (2, 3):
        return [_Z, _X, _Y][:count]
    if system == "cubic" and count in (2, 3):
        return [_Z, _D111, _D110][:count]
    raise InputError(f"a {system} point group symbol has no {count} positions")


def _elements(element: str, axis: tuple[float, float, float]) -> list[np.ndarray]:
    """The matrices a symbol position shows: ``4/m`` -> [4-fold rotation, mirror normal to the axis]."""
    rot = element.split("/")[0]
    out = []
    if rot == "m":
        out.append(mirror_matrix(axis))
    else:
        n = int(rot.lstrip("-"))
        R = rotation_matrix(axis, 2.0 * math.pi / n)
        out.append(-R if rot.startswith("-") else R)
    if element.endswith("/m"):
        out.append(mirror_matrix(axis))
    return out


def _position_elements(group: PointGroup, tokens: list[tuple[str, int, int]]) -> list[Signed]:
    """Per position of a tokenised symbol: its matrices with the signs the primes give."""
    positions = []
    for (element, sign, mirror_sign), axis in zip(tokens, _axes(group, len(tokens))):
        mats = _elements(element, axis)
        positions.append(list(zip(mats, [sign, mirror_sign][: len(mats)])))
    return positions


def _primed_name(group: PointGroup, sign_of: dict[tuple[int, ...], int]) -> str:
    """The Hermann–Mauguin symbol of ``group`` with a prime on each time-reversed element shown."""
    parts = []
    tokens = _tokens(group.name)
    for (element, _, _), shown in zip(tokens, _position_elements(group, tokens)):
        primes = ["'" if sign_of[_key(M)] < 0 else "" for M, _ in shown]
        rot = element.split("/")[0]
        parts.append(rot + primes[0] + (f"/m{primes[1]}" if element.endswith("/m") else ""))
    return "".join(parts)


def _index_two_sign_maps(G: PointGroup) -> list[dict[tuple[int, ...], int]]:
    """Every homomorphism G -> {+1, -1} other than the trivial one, as {matrix key: sign}."""
    out: list[dict[tuple[int, ...], int]] = []
    seen = set()
    gens = list(G.generators)
    for signs in itertools.product((1, -1), repeat=len(gens)):
        if all(s == 1 for s in signs):
            continue
        closed = _signed_closure(list(zip(gens, signs)))
        if closed is None or len(closed) != G.order:
            continue
        sign_of = {_key(M): s for M, s in closed}
        kernel = frozenset(k for k, s in sign_of.items() if s == 1)
        if kernel not in seen:
            seen.add(kernel)
            out.append(sign_of)
    return out


@functools.lru_cache(maxsize=None)
def _conjugators() -> tuple[np.ndarray, ...]:
    """Candidate elements of the normalisers: Oh, D8h and D12h in the standard orientation.

    The normaliser in O(3) of a crystal class with two or more conjugate index-2 subgroups is
    finite and lies in Oh (cubic, orthorhombic), D8h (tetragonal) or D12h (trigonal, hexagonal);
    the classes with a continuous normaliser have index-2 subgroups of distinct kinds.
    """
    oh = point_group("m-3m").matrices
    d4h = point_group("4/mmm").matrices
    d6h = point_group("6/mmm").matrices
    r45 = rotation_matrix(_Z, math.pi / 4)
    r30 = rotation_matrix(_Z, math.pi / 6)
    mats = [*oh, *d6h, *(r45 @ M for M in d4h), *(r30 @ M for M in d6h)]
    unique: dict[tuple[int, ...], np.ndarray] = {}
    for M in mats:
        unique.setdefault(_key(M), M)
    return tuple(unique.values())


def _keys(mats: np.ndarray) -> list[tuple[int, ...]]:
    """Matrix keys (as :func:`symcompile.o3.point_groups._key`) of a stack [..., 3, 3], flattened."""
    flat = np.rint(np.asarray(mats).reshape(-1, 9) * 1e6).astype(np.int64) + 0
    return [tuple(row) for row in flat.tolist()]


def _conjugates(n: np.ndarray, mats: np.ndarray) -> set[tuple[int, ...]]:
    """Keys of n M n^T for every M."""
    return set(_keys(np.einsum("ij,njk,lk->nil", n, mats, n)))


def _normaliser(G: PointGroup) -> list[np.ndarray]:
    own = set(_keys(G.matrices))  # type: ignore[arg-type]
    return [n for n in _conjugators() if _conjugates(n, G.matrices) == own]  # type: ignore[arg-type]


def _build(family: PointGroup, pairs: Signed, grey: bool, name: str, number: str, standard_name: str,
           setting: str, generators: Signed) -> MagneticPointGroup:
    mats = np.stack([M for M, _ in pairs])
    signs = np.array([s for _, s in pairs], dtype=np.int64)
    kept = np.stack([M for M, s in pairs if s == 1])
    if grey:
        mats = np.concatenate([mats, mats])
        signs = np.concatenate([signs, -signs])
        kind, unitary = "grey", family
    elif np.all(signs == 1):
        kind, unitary = "ordinary", family
    else:
        kind = "black-white"
        ref = point_group(_class_signatures()[_class_signature(kept)])
        unitary = PointGroup(ref.name, ref.schoenflies, ref.full_symbol, ref.crystal_system,
                             "the operations without time reversal, in the group's frame", tuple(kept), kept, ())
    return MagneticPointGroup(name, kind, family, mats, signs, tuple(generators), unitary, number,
                              standard_name, setting, _signature(mats, signs))


def _conjugacy_classes(G: PointGroup, maps: list[dict[tuple[int, ...], int]]) -> list[list[dict[tuple[int, ...], int]]]:
    """Group the sign maps whose kernels (the subgroups H) are conjugate under the normaliser of G."""
    if len(maps) < 2:
        return [[m] for m in maps]
    matrix_of = {_key(M): M for M in G.matrices}  # type: ignore[union-attr]
    normaliser = _normaliser(G)
    classes: list[list[dict[tuple[int, ...], int]]] = []
    for sign_of in maps:
        kernel = np.stack([matrix_of[k] for k, s in sign_of.items() if s == 1])
        images = [_conjugates(n, kernel) for n in normaliser]
        for cls in classes:
            other = {k for k, s in cls[0].items() if s == 1}
            if any(image == other for image in images):
                cls.append(sign_of)
                break
        else:
            classes.append([sign_of])
    return classes


@dataclass(frozen=True)
class _Table:
    groups: tuple[MagneticPointGroup, ...]
    by_signature: dict[tuple, MagneticPointGroup]
    index: dict[str, MagneticPointGroup]


@functools.lru_cache(maxsize=None)
def _table() -> _Table:
    """The 122 groups, generated and named, in Litvin's order; with a name index."""
    groups: list[MagneticPointGroup] = []
    for f_index, G in enumerate(crystallographic_point_groups(), start=1):
        base: Signed = [(M, 1) for M in G.matrices]  # type: ignore[union-attr]
        gens: Signed = [(M, 1) for M in G.generators]
        local = [
            _build(G, base, False, G.name, "", G.name, G.setting, gens),
            _build(G, base, True, f"{G.name}1'", "", f"{G.name}1'", G.setting + "; with pure time reversal 1'",
                   gens + [(np.eye(3), -1)]),
        ]
        # black-white: one per class of index-2 subgroups under the normaliser, named as Litvin does
        classes = _conjugacy_classes(G, _index_two_sign_maps(G))
        wanted = LITVIN_BLACK_WHITE[G.name]
        if len(classes) != len(wanted):
            raise ArithmeticError(f"{G.name}: {len(classes)} classes of black-white groups, the table names "
                                  f"{len(wanted)}")
        chosen: dict[str, dict[tuple[int, ...], int]] = {}
        for cls in classes:
            names = {_primed_name(G, sign_of): sign_of for sign_of in cls}
            hits = [n for n in names if n in wanted]
            if len(hits) != 1:
                raise ArithmeticError(f"{G.name}: the orientations {sorted(names)} match {hits} in Litvin's table")
            chosen[hits[0]] = names[hits[0]]
        for name in wanted:
            sign_of = chosen[name]
            pairs = [(M, sign_of[_key(M)]) for M in G.matrices]  # type: ignore[union-attr]
            signed_gens = [(M, sign_of[_key(M)]) for M in G.generators]
            local.append(_build(G, pairs, False, name, "", name, G.setting, signed_gens))
        for k, g in enumerate(local, start=1):
            g.number = f"{f_index}.{k}.{len(groups) + k}"
            if g.kind == "black-white":
                g.setting = f"{G.setting}; without time reversal: {_describe_subgroup(g)}"
        groups.extend(local)
    by_signature: dict[tuple, MagneticPointGroup] = {}
    for g in groups:
        if g._signature in by_signature:
            raise ArithmeticError(f"{g.name} and {by_signature[g._signature].name} have the same element counts")
        by_signature[g._signature] = g
    index: dict[str, MagneticPointGroup] = {}
    for g in groups:
        for key in (g.name, g.schoenflies, g.number, g.number.rsplit(".", 1)[0]):
            index.setdefault(_normalise(key), g)
        if g.kind == "grey":
            for alias in (g.family.full_symbol, *g.family.aliases):
                index.setdefault(_normalise(alias + "1'"), g)
    return _Table(tuple(groups), by_signature, index)


@functools.lru_cache(maxsize=None)
def _settings_by_elements() -> dict[frozenset, PointGroup]:
    out: dict[frozenset, PointGroup] = {}
    for name in point_group_names():
        ref = point_group(name)
        if not ref.is_continuous:
            out.setdefault(frozenset(_keys(ref.matrices)), ref)  # type: ignore[arg-type]
    return out


def _describe_subgroup(g: MagneticPointGroup) -> str:
    """``"2mm (C2v), 2-fold axis along x, mirrors normal to y and z"``: H in the library's settings."""
    H = g.unitary
    ref = _settings_by_elements().get(frozenset(_keys(H.matrices)))  # type: ignore[arg-type]
    if ref is not None:
        return f"{ref.name} ({ref.schoenflies}), {ref.setting}"
    return f"{H.name} ({H.schoenflies}) in another orientation"


# --------------------------------------------------------------------------- look-up
def _normalise(name: str) -> str:
    """:func:`symcompile.o3.point_groups._normalise` keeping G(H) parentheses, with every prime as '."""
    s = name
    for prime in ("\u2032", "\u2019", "\u00b4", "`", "\u02b9"):
        s = s.replace(prime, "'")
    return _normalise_symbol(s, drop="{}$")


def is_magnetic_name(name: str) -> bool:
    """True if a group name carries a prime (``4'/m``, ``m'm'm``, ``11'``, ``D4h(D2d)``...)."""
    s = _normalise(name)
    return "'" in s or bool(re.fullmatch(r"[a-z][a-z0-9]*\([a-z][a-z0-9]*\)", s))


def magnetic_point_groups(kind: str | None = None) -> list[MagneticPointGroup]:
    """The 122 magnetic point groups in Litvin's order (or those of one ``kind``)."""
    if kind is not None and kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return [g for g in _table().groups if kind is None or g.kind == kind]


def magnetic_point_group_names() -> list[str]:
    return [g.name for g in _table().groups]


def _from_symbol(text: str) -> MagneticPointGroup:
    """Build a magnetic group from a Hermann–Mauguin symbol with primes, in any orientation."""
    tokens = _tokens(text)
    grey = any(element == "1" and sign < 0 for element, sign, _ in tokens)
    kept = [(e, s, ms) for e, s, ms in tokens if not (e == "1" and s < 0)]
    if grey and any(s < 0 or ms < 0 for _, s, ms in kept):
        raise InputError(f"{text!r}: a grey group (with 1') has no other primes")
    base_symbol = "".join(e for e, _, _ in kept) or "1"  # "1'" alone: the grey group 11'
    if not kept:
        kept = [("1", 1, 1)]
    try:
        G = point_group(base_symbol)
    except InputError:
        raise InputError(f"unknown magnetic point group {text!r}: {base_symbol!r} is not a point group") from None
    if G.is_continuous or G.crystal_system == "continuous":
        raise InputError(f"{text!r}: magnetic groups are available for the 32 crystal classes only")
    pairs = [pair for position in _position_elements(G, kept) for pair in position]
    own = {_key(M) for M in G.matrices}  # type: ignore[union-attr]
    if any(_key(M) not in own for M, _ in pairs):
        raise InputError(f"{text!r}: the symbol's elements are not those of {G.name} in this orientation")
    closed = _signed_closure(pairs)
    if closed is None:
        raise InputError(f"{text!r} is not a magnetic point group: its primes are inconsistent "
                         f"(some operation would be both with and without time reversal)")
    if len(closed) != G.order:
        raise InputError(f"{text!r}: the symbol's elements do not generate {G.name}")
    table = _table()
    signs = np.array([s for _, s in closed])
    mats = np.stack([M for M, _ in closed])
    if grey:
        sig = _signature(np.concatenate([mats, mats]), np.concatenate([signs, -signs]))
    else:
        sig = _signature(mats, signs)
    std = table.by_signature[sig]
    sign_of = {_key(M): s for M, s in closed}
    name = f"{G.name}1'" if grey else _primed_name(G, sign_of)
    mine = {(k, s) for k, s in sign_of.items()} | ({(k, -s) for k, s in sign_of.items()} if grey else set())
    if name == std.name and mine == {(_key(M), int(t)) for M, t in zip(std.matrices, std.time_reversal)}:
        return std
    setting = f"{G.setting}; the type {std.name} ({std.number})" + ("" if name == std.name else
                                                                      " in another orientation")
    gens = pairs + ([(np.eye(3), -1)] if grey else [])
    return _build(G, closed, grey, name, std.number, std.name, setting, gens)


def magnetic_point_group(name: str | MagneticPointGroup) -> MagneticPointGroup:
    """Look a magnetic point group up by name.

    Hermann–Mauguin with primes (``4'/m'm'm``, ``m'm'm``, ``-1'``; ``′`` also accepted), grey
    groups with ``1'`` (``11'``, ``4/mmm1'``), Schoenflies-based ``D4h(D2d)``, ``D4h1'``, or
    Litvin's number (``15.5.91``). Unprimed names give the ordinary group. Other orientations
    of a black-white class (``4'/mmm'``) are built in this library's frame and keep the
    standard name of their type in ``standard_name``. Unknown names raise :class:`InputError`.
    """
    if isinstance(name, MagneticPointGroup):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InputError("empty magnetic point-group name")
    table = _table()
    key = _normalise(name)
    if key in table.index:
        return table.index[key]
    m = re.fullmatch(r"([a-z][a-z0-9]*)\(([a-z][a-z0-9]*)\)", key)
    if m:
        family = point_group(m.group(1))
        options = [g for g in table.groups if g.kind == "black-white" and g.family is family]
        for g in options:
            if g.unitary.schoenflies.lower() == m.group(2) or _normalise(g.unitary.name) == m.group(2):
                return g
        listed = ", ".join(g.schoenflies for g in options) or "none"
        raise InputError(f"{family.schoenflies} has no black-white group {name!r} (its black-white groups: {listed})")
    if key.endswith("1'") and "'" not in key[:-2]:
        try:
            family = point_group(key[:-2])
        except InputError:
            family = None
        if family is not None and not family.is_continuous and family.name in STANDARD_NAMES:
            return table.index[_normalise(family.name + "1'")]
    try:
        return _from_symbol(key)
    except InputError as exc:
        close = difflib.get_close_matches(key, list(table.index), n=4, cutoff=0.6)
        names = list(dict.fromkeys(table.index[c].name for c in close))
        hint = f"; did you mean {', '.join(repr(n) for n in names)}?" if names else ""
        raise InputError(f"{str(exc).rstrip('.')}{hint}") from None


def magnetic_point_group_from_operations(matrices: np.ndarray, time_reversal: np.ndarray, tol: float = 1e-5,
                                         setting: str = "the structure's own Cartesian frame") -> MagneticPointGroup:
    """The magnetic point group of operations (R, tau) given in any Cartesian frame (kept as given).

    ``matrices`` [n, 3, 3] orthogonal, ``time_reversal`` [n] of +1/-1 (repeats allowed, e.g. the
    point parts of a magnetic space group). The type among the 122 is found by counting element
    kinds (det, trace, time sign), which tells all 122 apart; the name is the type's standard name
    (the orientation is the frame's own, see ``setting``). Raises :class:`InputError` if the pairs do
    not form a group of a crystal class.

    >>> g = magnetic_point_group("4'/m'm'm")
    >>> magnetic_point_group_from_operations(g.matrices, g.time_reversal).number
    '15.5.57'
    """
    mats = np.asarray(matrices, dtype=np.float64).reshape(-1, 3, 3)
    signs = np.asarray(time_reversal, dtype=np.int64).reshape(-1)
    if len(mats) != len(signs) or not np.all(np.abs(signs) == 1):
        raise InputError("one time-reversal sign (+1 or -1) per matrix is needed")
    err = np.abs(np.einsum("nji,njk->nik", mats, mats) - np.eye(3)).max(initial=0.0)
    if len(mats) == 0 or err > tol:
        raise InputError(f"the matrices are not orthogonal (error {err:.2g})")
    u, _, vt = np.linalg.svd(mats)
    mats = _snap(u @ vt)
    # orthogonal A, B are equal iff <A, B> = trace(A^T B) = 3; distinct crystallographic ones have <A, B> <= 1
    flat = mats.reshape(-1, 9)
    same = (flat @ flat.T > 3.0 - tol) & (signs[:, None] == signs[None])
    unique = np.flatnonzero(np.argmax(same, axis=1) == np.arange(len(mats)))  # first of each (matrix, sign)
    mats, signs, flat = mats[unique], signs[unique], flat[unique]
    # closed under products, signs multiplying: every product is an element with the product's sign
    products = np.einsum("aij,bjk->abik", mats, mats).reshape(-1, 9)
    product_signs = np.outer(signs, signs).reshape(-1)
    scores = np.where(product_signs[:, None] == signs[None], products @ flat.T, -np.inf)
    if not np.all(scores.max(axis=1) > 3.0 - tol):
        raise InputError("the operations (with their time-reversal signs) are not closed under products: "
                         "not a magnetic point group")
    pairs = {(key, int(t)): M for key, M, t in zip(_keys(mats), mats, signs)}
    spatial = np.stack(list({k: M for (k, _), M in pairs.items()}.values()))
    name = _class_signatures().get(_class_signature(spatial))
    std = _table().by_signature.get(_signature(mats, signs))
    if name is None or std is None or std.order != len(mats):
        raise InputError("the operations do not form one of the 122 magnetic point groups")
    ref = point_group(name)
    family = PointGroup(ref.name, ref.schoenflies, ref.full_symbol, ref.crystal_system, setting, tuple(spatial),
                        spatial, ())
    unitary = family
    if std.kind == "black-white":
        kept = mats[signs == 1]
        sub = point_group(_class_signatures()[_class_signature(kept)])
        unitary = PointGroup(sub.name, sub.schoenflies, sub.full_symbol, sub.crystal_system, setting, tuple(kept),
                             kept, ())
    return MagneticPointGroup(std.name, std.kind, family, mats, signs, tuple(zip(mats, signs.tolist())), unitary,
                              std.number, std.name, setting, std._signature)


def any_point_group(name: str | PointGroup | MagneticPointGroup) -> PointGroup | MagneticPointGroup:
    """A point group by name: magnetic if the name carries a prime, else ordinary (or continuous).

    >>> any_point_group("4/mmm").order, any_point_group("4/mmm1'").order
    (16, 32)
    """
    if isinstance(name, (PointGroup, MagneticPointGroup)):
        return name
    if isinstance(name, str) and is_magnetic_name(name):
        return magnetic_point_group(name)
    return point_group(name)
