"""Irreducible representations of O(3) x {1, 1'} and their direct sums, in e3nn's notation ("3x0e+2x1o").

An irrep is (l, p): degree l and parity p = sign under inversion (vector ``1o``, pseudovector ``1e``).
An O(3) element g = det * R (R proper) acts on irrep (l, p) by ``p^[det = -1] * wigner_D(l, R)``.

Time reversal 1' is a second sign, the time parity t: a magnetic moment is a pseudovector that
changes sign under time reversal, written ``1e'`` (the prime of magnetic groups: odd under 1').
Time-even irreps are exactly e3nn's: the pair (l, p), printed ``1e``; a time-odd irrep is the
triple (l, p, -1), printed ``1e'``. Products multiply both signs (``1e' x 1o = 0o' + 1o' + 2o'``),
so a network built from these selection rules can never make a time-odd output from time-even
inputs. Time reversal does not act on space: ``D_from_matrix`` is unchanged, and the sign enters
only where an operation carries time reversal (``time_reversal=-1``).
"""

from __future__ import annotations

import collections
import itertools
from typing import Any, Iterable, Iterator, List, Optional, Tuple, Union

import numpy as np

from symcompile.errors import InputError
from symcompile.o3.rotations import check_orthogonal, split_improper
from symcompile.o3.wigner import wigner_D_list

__all__ = ["Irrep", "MulIr", "Irreps", "IrrepsError", "parse_irreps_spec", "check_irreps_size", "MAX_SPEC_L",
           "MAX_SPEC_DIM"]

#: Largest degree l accepted in irreps written by people (command-line specs such as ``2e``).
MAX_SPEC_L = 8
#: Largest total dimension accepted there (that of a general rank-6 Cartesian tensor, 3**6).
MAX_SPEC_DIM = 729


class IrrepsError(InputError, ValueError):
    """A malformed irrep / irreps specification (an InputError for the CLI, a ValueError like e3nn's)."""


_PARITY_CHAR = {1: "e", -1: "o"}


class Irrep(tuple):
    """Irreducible representation (l, p) of O(3). ``Irrep("1o")``, ``Irrep(1, -1)``, ``Irrep((1, -1))``.

    Ordered like e3nn (as the tuple (l, p): ``0o < 0e < 1o < 1e < ...``), hashable, ``str -> "1o"``.
    The suffix ``y`` means the parity of the spherical harmonics, (-1)^l (``"2y" == "2e"``).
    Time-odd irreps carry a prime: ``Irrep("1e'") == Irrep(1, 1, -1)``, the tuple (1, 1, -1),
    sorted right after its time-even twin (``1e < 1e'``).

    >>> Irrep("1e'"), Irrep("1e'").t, list(Irrep("1e'") * Irrep("1o"))
    (1e', -1, [0o', 1o', 2o'])
    """

    def __new__(cls, l: Union[int, str, "Irrep", Tuple[int, ...]], p: Optional[int] = None,
                t: Optional[int] = None) -> "Irrep":
        if p is None:
            if isinstance(l, Irrep) and t is None:
                return l
            if isinstance(l, Irrep):
                l, p = l[0], l[1]
            elif isinstance(l, MulIr):
                return l.ir if t is None else Irrep(l.ir.l, l.ir.p, t)
            elif isinstance(l, str):
                lv, pv, tv = _parse_irrep(l)
                l, p, t = lv, pv, (tv if t is None else t)
            elif isinstance(l, tuple) and len(l) in (2, 3):
                l, p, t = l[0], l[1], (l[2] if len(l) == 3 else t)
            else:
                raise IrrepsError(f"unable to convert {l!r} into an irrep")
        if isinstance(l, np.integer):
            l = int(l)
        if isinstance(p, np.integer):
            p = int(p)
        if isinstance(t, np.integer):
            t = int(t)
        if not isinstance(l, int) or isinstance(l, bool) or l < 0:
            raise IrrepsError(f"l must be a non-negative integer, got {l!r}")
        if p not in (-1, 1):
            raise IrrepsError(f"parity must be 1 (e) or -1 (o), got {p!r}")
        if t not in (None, -1, 1):
            raise IrrepsError(f"time parity must be 1 (even) or -1 (odd, written '), got {t!r}")
        if t == -1:
            return super().__new__(cls, (l, int(p), -1))
        return super().__new__(cls, (l, int(p)))

    @property
    def l(self) -> int:  # noqa: E743
        """Degree l = 0, 1, 2, ..."""
        return self[0]

    @property
    def p(self) -> int:
        """Parity: +1 (even, 'e') or -1 (odd, 'o') under inversion."""
        return self[1]

    @property
    def t(self) -> int:
        """Time parity: +1 (even, e3nn's irreps) or -1 (odd under time reversal, written with a prime)."""
        return self[2] if len(self) == 3 else 1

    @property
    def dim(self) -> int:
        """Dimension 2l + 1."""
        return 2 * self[0] + 1

    def __repr__(self) -> str:
        return f"{self[0]}{_PARITY_CHAR[self[1]]}{_TIME_MARK if len(self) == 3 else ''}"

    __str__ = __repr__

    def is_scalar(self) -> bool:
        """True for 0e (time-even)."""
        return self[0] == 0 and self[1] == 1 and len(self) == 2

    def is_time_odd(self) -> bool:
        """True for the irreps written with a prime (``1e'``)."""
        return len(self) == 3

    @classmethod
    def iterator(cls, lmax: Optional[int] = None) -> Iterator["Irrep"]:
        """All irreps in e3nn's order 0e, 0o, 1o, 1e, 2e, 2o, ... (up to lmax if given)."""
        for l in itertools.count():
            yield Irrep(l, (-1) ** l)
            yield Irrep(l, -((-1) ** l))
            if l == lmax:
                break

    def __mul__(self, other: Any) -> Iterator["Irrep"]:  # type: ignore[override]
        """Irreps in the tensor product self x other: l from |l1-l2| to l1+l2, parity p1*p2, time parity t1*t2."""
        other = Irrep(other)
        p, t = self.p * other.p, self.t * other.t
        for l in range(abs(self.l - other.l), self.l + other.l + 1):
            yield Irrep(l, p, t)

    def __rmul__(self, mul: Any) -> "Irreps":  # type: ignore[override]
        """``3 * Irrep("1o") == Irreps("3x1o")``."""
        if not isinstance(mul, (int, np.integer)):
            return NotImplemented
        return Irreps([(int(mul), self)])

    def __add__(self, other: Any) -> "Irreps":  # type: ignore[override]
        return Irreps(self) + Irreps(other)

    def count(self, _value: Any) -> int:  # pragma: no cover - tuple API disabled
        raise NotImplementedError

    def index(self, _value: Any, *args: Any) -> int:  # pragma: no cover - tuple API disabled
        raise NotImplementedError

    def D_from_matrix(self, R: np.ndarray, time_reversal: Any = None) -> np.ndarray:
        """Representation matrix (..., 2l+1, 2l+1) of O(3) matrices R (..., 3, 3), proper or improper.

        ``time_reversal`` (a sign, or one per matrix; -1: the operation is followed by time
        reversal) multiplies time-odd irreps; None means no time reversal anywhere.
        """
        Rp, det = split_improper(check_orthogonal(R))
        D = wigner_D_list(self.l, Rp)[self.l]
        return D * _parity_factor(self.p, det) * _parity_factor(self.t, _signs(time_reversal, det))


_TIME_MARK = "'"


def _parse_irrep(name: str) -> Tuple[int, int, Optional[int]]:
    """``"1e"`` -> (1, 1, None); ``"1e'"`` (or ``1e′``) -> (1, 1, -1); ``"2y"`` -> (2, 1, None)."""
    text = name.strip()
    t = None
    if text.endswith(("'", "\u2032")):
        text, t = text[:-1].rstrip(), -1
    try:
        lv = int(text[:-1])
        if lv < 0 or not text[:-1].strip().isdigit():
            raise ValueError
        pv = {"e": 1, "o": -1, "y": (-1) ** lv}[text[-1]]
    except (ValueError, KeyError, IndexError):
        raise IrrepsError(f"unable to convert {name!r} into an irrep (expected e.g. '0e', '1o', '2e', or "
                          "1e' for a time-odd one)") from None
    return lv, pv, t


def _signs(time_reversal: Any, det: Union[int, np.ndarray]) -> Union[int, np.ndarray]:
    """The time-reversal signs shaped like ``det`` (+1 everywhere when None)."""
    if time_reversal is None:
        return 1 if np.ndim(det) == 0 else np.ones(np.shape(det))
    signs = np.asarray(time_reversal)
    if signs.size == 1 and np.ndim(det) == 0:
        return int(signs.reshape(()))
    return np.broadcast_to(signs, np.shape(det)).astype(np.float64)


def _parity_factor(p: int, det: Union[int, np.ndarray]) -> Union[int, np.ndarray]:
    if p == 1:
        return 1
    if np.ndim(det) == 0:
        return int(det)
    return np.asarray(det, dtype=np.float64)[..., None, None]


class MulIr(tuple):
    """``mul`` copies of irrep ``ir``: ``MulIr(3, Irrep("1o"))`` prints as ``3x1o``."""

    def __new__(cls, mul: Union[int, Tuple[int, Any]], ir: Any = None) -> "MulIr":
        if ir is None:
            mul, ir = mul  # type: ignore[misc]
        if isinstance(mul, np.integer):
            mul = int(mul)
        if not isinstance(mul, int) or isinstance(mul, bool) or mul < 0:
            raise IrrepsError(f"multiplicity must be a non-negative integer, got {mul!r}")
        return super().__new__(cls, (mul, Irrep(ir)))

    @property
    def mul(self) -> int:
        return self[0]

    @property
    def ir(self) -> Irrep:
        return self[1]

    @property
    def dim(self) -> int:
        return self[0] * self[1].dim

    def __repr__(self) -> str:
        return f"{self[0]}x{self[1]}"

    __str__ = __repr__

    def count(self, _value: Any) -> int:  # pragma: no cover - tuple API disabled
        raise NotImplementedError

    def index(self, _value: Any, *args: Any) -> int:  # pragma: no cover - tuple API disabled
        raise NotImplementedError


IrrepsLike = Union[None, str, Irrep, "Irreps", Iterable[Any]]

SortResult = collections.namedtuple("SortResult", ["irreps", "p", "inv"])


class Irreps(tuple):
    """Direct sum of O(3) irreps: a tuple of :class:`MulIr`. ``Irreps("3x0e + 2x1o")``,
    ``Irreps([(3, "0e"), (2, (1, -1))])``; ``str`` gives e3nn's format ``"3x0e+2x1o"``.
    """

    def __new__(cls, irreps: IrrepsLike = None) -> "Irreps":
        if isinstance(irreps, Irreps):
            return super().__new__(cls, irreps)
        out: List[MulIr] = []
        if isinstance(irreps, Irrep):
            out.append(MulIr(1, irreps))
        elif isinstance(irreps, MulIr):
            out.append(irreps)
        elif isinstance(irreps, str):
            if irreps.strip() != "":
                for term in irreps.split("+"):
                    term = term.strip()
                    try:
                        if "x" in term:
                            mul_s, ir_s = term.split("x")
                            mul_s = mul_s.strip()
                            if not mul_s.isdigit():
                                raise ValueError
                            out.append(MulIr(int(mul_s), Irrep(ir_s)))
                        else:
                            out.append(MulIr(1, Irrep(term)))
                    except (ValueError, IrrepsError):
                        raise IrrepsError(
                            f"unable to convert {irreps!r} into irreps (expected e.g. '3x0e+2x1o')"
                        ) from None
        elif irreps is None:
            pass
        else:
            try:
                items = list(irreps)
            except TypeError:
                raise IrrepsError(f"unable to convert {irreps!r} into irreps") from None
            for item in items:
                if isinstance(item, MulIr):
                    out.append(item)
                elif isinstance(item, (str, Irrep)):
                    out.append(MulIr(1, Irrep(item)))
                elif isinstance(item, tuple) and len(item) == 2:
                    out.append(MulIr(item[0], item[1]))
                else:
                    raise IrrepsError(f"unable to interpret {item!r} as an irrep with multiplicity")
        return super().__new__(cls, out)

    # -- construction helpers -------------------------------------------------------------

    @staticmethod
    def spherical_harmonics(lmax: int, p: int = -1) -> "Irreps":
        """Irreps of (Y^0, ..., Y^lmax): ``1x0e+1x1o+1x2e+...`` for p=-1, parity p^l."""
        return Irreps([(1, (l, p**l)) for l in range(lmax + 1)])

    # -- sizes ----------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        return sum(mul_ir.dim for mul_ir in self)

    @property
    def num_irreps(self) -> int:
        return sum(mul for mul, _ in self)

    @property
    def ls(self) -> List[int]:
        return [ir.l for mul, ir in self for _ in range(mul)]

    @property
    def lmax(self) -> int:
        if len(self) == 0:
            raise ValueError("cannot get lmax of empty Irreps")
        return max(ir.l for _, ir in self)

    def slices(self) -> List[slice]:
        """Slices of the flat feature vector, one per (mul, ir) entry."""
        out, i = [], 0
        for mul_ir in self:
            out.append(slice(i, i + mul_ir.dim))
            i += mul_ir.dim
        return out

    def count(self, ir: Any) -> int:  # type: ignore[override]
        """Total multiplicity of irrep ``ir``."""
        ir = Irrep(ir)
        return sum(mul for mul, irrep in self if irrep == ir)

    def index(self, _value: Any, *args: Any) -> int:  # pragma: no cover
        raise NotImplementedError

    def __contains__(self, ir: Any) -> bool:  # type: ignore[override]
        ir = Irrep(ir)
        return any(irrep == ir for _, irrep in self)

    # -- algebra --------------------------------------------------------------------------

    def __getitem__(self, i: Any) -> Any:  # type: ignore[override]
        x = super().__getitem__(i)
        if isinstance(i, slice):
            return Irreps(x)
        return x

    def __add__(self, other: Any) -> "Irreps":  # type: ignore[override]
        return Irreps(tuple(self) + tuple(Irreps(other)))

    def __radd__(self, other: Any) -> "Irreps":
        return Irreps(tuple(Irreps(other)) + tuple(self))

    def __mul__(self, other: Any) -> "Irreps":  # type: ignore[override]
        """Repetition like e3nn: ``Irreps("3x1e") * 2 == Irreps("3x1e+3x1e")``."""
        if isinstance(other, Irreps):
            raise NotImplementedError("use a tensor product for Irreps x Irreps")
        if not isinstance(other, (int, np.integer)):
            return NotImplemented
        return Irreps(tuple(self) * int(other))

    def __rmul__(self, other: Any) -> "Irreps":  # type: ignore[override]
        return self.__mul__(other)

    def simplify(self) -> "Irreps":
        """Merge consecutive equal irreps and drop zero multiplicities (does not sort), like e3nn."""
        out: List[Tuple[int, Irrep]] = []
        for mul, ir in self:
            if out and out[-1][1] == ir:
                out[-1] = (out[-1][0] + mul, ir)
            elif mul > 0:
                out.append((mul, ir))
        return Irreps(out)

    def remove_zero_multiplicities(self) -> "Irreps":
        return Irreps([(mul, ir) for mul, ir in self if mul > 0])

    def sort(self) -> SortResult:
        """Stable sort by irrep; returns (irreps, p, inv) like e3nn.

        ``inv[i]`` is the old index of the entry now at position i; ``p`` is its inverse permutation
        (``p[old] = new``).
        """
        out = sorted((ir, i, mul) for i, (mul, ir) in enumerate(self))
        inv = tuple(i for _, i, _ in out)
        p = [0] * len(inv)
        for new, old in enumerate(inv):
            p[old] = new
        return SortResult(Irreps([(mul, ir) for ir, _, mul in out]), tuple(p), inv)

    def regroup(self) -> "Irreps":
        """``sort().irreps.simplify()``."""
        return self.sort().irreps.simplify()

    def filter(self, keep: Any = None, *, drop: Any = None, lmax: Optional[int] = None) -> "Irreps":
        """Keep only some irreps (list/Irreps/callable), or drop some, or cap l at lmax."""
        if keep is not None:
            if callable(keep):
                return Irreps([m for m in self if keep(m)])
            keep_set = {ir for _, ir in Irreps(keep)}
            return Irreps([(mul, ir) for mul, ir in self if ir in keep_set])
        if drop is not None:
            if callable(drop):
                return Irreps([m for m in self if not drop(m)])
            drop_set = {ir for _, ir in Irreps(drop)}
            return Irreps([(mul, ir) for mul, ir in self if ir not in drop_set])
        if lmax is not None:
            return Irreps([(mul, ir) for mul, ir in self if ir.l <= lmax])
        return self

    def __repr__(self) -> str:
        return "+".join(str(mul_ir) for mul_ir in self)

    __str__ = __repr__

    # -- representation matrices ----------------------------------------------------------

    def D_from_matrix(self, R: np.ndarray, time_reversal: Any = None) -> np.ndarray:
        """Block-diagonal representation matrix (..., dim, dim) of O(3) matrices R (..., 3, 3).

        Improper R (det = -1) contributes the parity p of each irrep; ``time_reversal`` (-1 for an
        operation followed by time reversal, per matrix) the time parity t of each irrep.
        """
        Rp, det = split_improper(check_orthogonal(R))
        signs = _signs(time_reversal, det)
        batch = Rp.shape[:-2]
        out = np.zeros(batch + (self.dim, self.dim))
        if len(self) == 0:
            return out
        Ds = wigner_D_list(max(ir.l for _, ir in self), Rp)
        i = 0
        for mul, ir in self:
            D = Ds[ir.l] * _parity_factor(ir.p, det) * _parity_factor(ir.t, signs)
            d = ir.dim
            for _ in range(mul):
                out[..., i : i + d, i : i + d] = D
                i += d
        return out


def check_irreps_size(irreps: Irreps, what: str = "irreps", max_l: int = MAX_SPEC_L,
                      max_dim: int = MAX_SPEC_DIM) -> Irreps:
    """Refuse (IrrepsError, one line) irreps with a degree above ``max_l`` or a dimension above ``max_dim``.

    The limits keep work on user-given irreps (representation matrices of size dim x dim for
    every operation, networks of degree l) within seconds and a few hundred MB.

    >>> check_irreps_size(Irreps("2x1o+2e")).dim
    11
    """
    if len(irreps) and irreps.lmax > max_l:
        raise IrrepsError(f"{what}: degree l = {irreps.lmax} is above the limit l <= {max_l}")
    if irreps.dim > max_dim:
        raise IrrepsError(f"{what}: dimension {irreps.dim} is above the limit {max_dim} (a rank-6 tensor)")
    return irreps


def parse_irreps_spec(text: str, max_l: int = MAX_SPEC_L, max_dim: int = MAX_SPEC_DIM) -> Irreps:
    """Irreps written by a person (``"2x1o + 2e"``): parsed, merged like e3nn's simplify, size-checked.

    >>> str(parse_irreps_spec("1o + 1o + 2e"))
    '2x1o+1x2e'
    """
    if not isinstance(text, str):
        raise IrrepsError(f"irreps must be a string like '2x1o+2e', got {type(text).__name__}")
    irreps = Irreps(text.replace(" ", "")).simplify()
    return check_irreps_size(irreps, f"irreps {text.strip()!r}", max_l, max_dim)
