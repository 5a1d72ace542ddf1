"""Index-symmetry formulas of Cartesian tensors (e3nn syntax) and named physical tensors.

``ijk=-jik=-ikj`` means T_ijk = -T_jik = -T_ikj: each term after the first is a signed
permutation of the first, and the allowed tensors are those invariant under the group
these signed permutations generate. Each index is a vector (``1o``, the default) or a
pseudovector (``1e``); ``axial=True`` makes the whole tensor axial (an extra det(R));
``time_odd=True`` makes it odd under time reversal (magnetisation, magnetoelectric alpha...),
which matters only for magnetic point groups (operations combined with time reversal).

Syntax: ASCII letters, ``-`` (or ``+``) in front of a term, ``=`` between terms, blanks
ignored. At most :data:`MAX_RANK` (12) indices. Per-index types: library keyword
``index_types={'i': '1e'}`` (or ``i='1e'`` like e3nn), CLI ``--index i=1e``.
Signs that force the tensor to vanish (``ij=-ij``) are valid: the space has dimension 0.

Formula or name: text with ``=`` is always a formula. A bare word is a tensor name when it is
one (any case, ``-`` or blank for ``_``); a bare word that is not a name but close to one
(a misspelling such as ``elastc``, or the start of a name such as ``thermal``) is an error that
suggests the name; any other bare word of distinct letters is a formula without index
symmetry (``ijk``). Words joined by ``_``, ``-`` or blanks that are not a name are an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from symcompile.errors import InputError

__all__ = [
    "MAX_RANK",
    "TensorFormula",
    "suggest_names",
    "NamedTensor",
    "SHORTCUTS",
    "parse_formula",
    "parse_index_assignments",
]

#: The largest number of indices accepted (3**12 = 531441 Cartesian components).
MAX_RANK = 12

_TYPE_SYNONYMS = {
    "1o": "1o", "o": "1o", "vector": "1o", "polar": "1o", "v": "1o",
    "1e": "1e", "e": "1e", "pseudovector": "1e", "axial": "1e", "pseudo": "1e", "a": "1e",
}


@dataclass(frozen=True)
class NamedTensor:
    """A physical tensor known by name: its formula and the symbol of its Voigt/Nye table."""

    formula: str
    symbol: str
    description: str
    axial: bool = False
    shear_factor: int = 1  # Voigt value = tensor component x shear_factor per contracted shear pair
    time_odd: bool = False  # odd under time reversal (magnetic): matters under magnetic point groups


SHORTCUTS: dict[str, NamedTensor] = {
    "elastic": NamedTensor("ijkl=jikl=klij", "C", "elastic stiffness C_ijkl (Voigt C_ab = C_ijkl)"),
    "stiffness": NamedTensor("ijkl=jikl=klij", "C", "elastic stiffness C_ijkl (Voigt C_ab = C_ijkl)"),
    "compliance": NamedTensor("ijkl=jikl=klij", "s",
                              "elastic compliance s_ijkl (Voigt s_ab = s_ijkl x 2 per shear index)", shear_factor=2),
    "piezoelectric": NamedTensor("ijk=ikj", "d", "piezoelectric strain coefficients d_ijk (d_ia = d_ijk x 2 if a > 3)",
                                 shear_factor=2),
    "piezoelectric_d": NamedTensor("ijk=ikj", "d",
                                   "piezoelectric strain coefficients d_ijk (d_ia = d_ijk x 2 if a > 3)",
                                   shear_factor=2),
    "piezoelectric_e": NamedTensor("ijk=ikj", "e", "piezoelectric stress coefficients e_ijk (e_ia = e_ijk)"),
    "piezomagnetic": NamedTensor("ijk=ikj", "q", "piezomagnetic M_i = q_ijk sigma_jk (axial, time-odd; "
                                 "q_ia = q_ijk x 2 if a > 3)", axial=True, shear_factor=2, time_odd=True),
    "dielectric": NamedTensor("ij=ji", "eps", "dielectric permittivity eps_ij"),
    "permittivity": NamedTensor("ij=ji", "eps", "dielectric permittivity eps_ij"),
    "susceptibility": NamedTensor("ij=ji", "chi", "electric or magnetic susceptibility chi_ij"),
    "polarizability": NamedTensor("ij=ji", "alpha", "polarizability alpha_ij"),
    "conductivity": NamedTensor("ij=ji", "sigma", "electrical conductivity sigma_ij (no magnetic field)"),
    "thermal_conductivity": NamedTensor("ij=ji", "k", "thermal conductivity k_ij"),
    "thermal_expansion": NamedTensor("ij=ji", "alpha", "thermal expansion alpha_ij"),
    "quadrupole": NamedTensor("ij=ji", "Q", "quadrupole moment Q_ij (trace included)"),
    "stress": NamedTensor("ij=ji", "sigma", "stress sigma_ij"),
    "strain": NamedTensor("ij=ji", "eps", "strain eps_ij"),
    "seebeck": NamedTensor("ij", "S", "Seebeck (thermoelectric) coefficient S_ij"),
    "pyroelectric": NamedTensor("i", "p", "pyroelectric coefficient p_i"),
    "dipole": NamedTensor("i", "p", "electric dipole moment p_i"),
    "polarization": NamedTensor("i", "P", "electric polarization P_i"),
    "vector": NamedTensor("i", "v", "polar vector v_i"),
    "pseudovector": NamedTensor("i", "w", "axial vector w_i, time-even (e.g. a rotation); magnetisation is "
                                "'magnetization' (time-odd)", axial=True),
    "magnetization": NamedTensor("i", "M", "magnetisation M_i: ferromagnetism (axial vector, time-odd)",
                                 axial=True, time_odd=True),
    "magnetisation": NamedTensor("i", "M", "magnetisation M_i: ferromagnetism (axial vector, time-odd)",
                                 axial=True, time_odd=True),
    "ferromagnetism": NamedTensor("i", "M", "magnetisation M_i: ferromagnetism (axial vector, time-odd)",
                                  axial=True, time_odd=True),
    "gyration": NamedTensor("ij=ji", "g", "optical activity (gyration) g_ij, axial", axial=True),
    "optical_activity": NamedTensor("ij=ji", "g", "optical activity (gyration) g_ij, axial", axial=True),
    "shg": NamedTensor("ijk=ikj", "d", "second-harmonic generation d_ijk (d_il = d_ijk, no factor 2)"),
    "second_harmonic": NamedTensor("ijk=ikj", "d", "second-harmonic generation d_ijk (d_il = d_ijk, no factor 2)"),
    "electrooptic": NamedTensor("ijk=jik", "r", "linear electro-optic (Pockels) r_ijk (r_ak = r_ijk)"),
    "pockels": NamedTensor("ijk=jik", "r", "linear electro-optic (Pockels) r_ijk (r_ak = r_ijk)"),
    "magnetoelectric": NamedTensor("ij", "alpha", "linear magnetoelectric P_i = alpha_ij H_j (polar x axial, "
                                   "time-odd)", axial=True, time_odd=True),
    "anomalous_hall": NamedTensor("ij=-ji", "sigma", "anomalous Hall conductivity: the antisymmetric part "
                                  "sigma_ij = -sigma_ji of the conductivity at zero field (time-odd)", time_odd=True),
    "antisymmetric_conductivity": NamedTensor("ij=-ji", "sigma", "anomalous Hall conductivity: the antisymmetric "
                                              "part sigma_ij = -sigma_ji of the conductivity at zero field "
                                              "(time-odd)", time_odd=True),
    "magnetooptic": NamedTensor("ij=-ji", "eps", "magneto-optic (gyrotropic) permittivity: the antisymmetric part "
                                "eps_ij = -eps_ji of the permittivity at zero field, Faraday and polar Kerr "
                                "effects (time-odd)", time_odd=True),
    "magneto_optic": NamedTensor("ij=-ji", "eps", "magneto-optic (gyrotropic) permittivity: the antisymmetric "
                                 "part eps_ij = -eps_ji of the permittivity at zero field, Faraday and polar Kerr "
                                 "effects (time-odd)", time_odd=True),
    "photoelastic": NamedTensor("ijkl=jikl=ijlk", "p", "elasto-optic (photoelastic) p_ijkl (p_ab = p_ijkl)"),
    "elastooptic": NamedTensor("ijkl=jikl=ijlk", "p", "elasto-optic (photoelastic) p_ijkl (p_ab = p_ijkl)"),
    "hall": NamedTensor("ijk=-jik", "R", "Hall tensor rho_ijk = -rho_jik"),
}


@dataclass(frozen=True)
class TensorFormula:
    """A parsed formula: the indices, generators of the signed index-permutation group, index types.

    ``generators`` are ``(sign, perm)``: the tensor satisfies T[x_perm(0), ..., x_perm(n-1)] =
    sign * T[x_0, ..., x_n-1] (``perm[k]`` = position in the first term of the k-th letter
    of the other term).
    """

    text: str
    indices: str
    generators: tuple[tuple[int, tuple[int, ...]], ...]
    index_types: tuple[str, ...]
    axial: bool = False
    name: str | None = None
    symbol: str = "T"
    shear_factor: int = 1
    time_odd: bool = False
    description: str = field(default="", compare=False)

    @property
    def rank(self) -> int:
        return len(self.indices)

    @property
    def parity(self) -> int:
        """Sign of the whole tensor under inversion: (-1)^(number of 1o indices), times -1 if axial."""
        p = -1 if self.axial else 1
        for t in self.index_types:
            if t == "1o":
                p = -p
        return p

    @property
    def time_parity(self) -> int:
        """Sign of the whole tensor under time reversal: -1 if time-odd (magnetic), else +1."""
        return -1 if self.time_odd else 1

    @property
    def types_label(self) -> str:
        """``"i=1e"`` style list of the non-default index types (empty when all are vectors)."""
        return ",".join(f"{c}={t}" for c, t in zip(self.indices, self.index_types) if t != "1o")

    def __str__(self) -> str:
        extra = [self.types_label] if self.types_label else []
        if self.axial:
            extra.append("axial")
        if self.time_odd:
            extra.append("time-odd")
        return self.text + (f" ({'; '.join(extra)})" if extra else "")


_TERM = re.compile(r"^([+-]?)([A-Za-z]*)$")


def _normalise_type(letter: str, value: Any) -> str:
    key = str(value).strip().lower()
    if key not in _TYPE_SYNONYMS:
        raise InputError(f"index {letter!r}: type must be 1o (vector) or 1e (pseudovector), got {value!r}")
    return _TYPE_SYNONYMS[key]


def parse_index_assignments(items: Iterable[str]) -> dict[str, str]:
    """CLI ``--index i=1e`` values -> ``{'i': '1e'}`` (several may be joined by commas)."""
    out: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise InputError(f"--index expects LETTER=TYPE like i=1e, got {part!r}")
            letter, value = (s.strip() for s in part.split("=", 1))
            if len(letter) != 1 or not letter.isascii() or not letter.isalpha():
                raise InputError(f"--index expects a single index letter before '=', got {letter!r}")
            out[letter] = _normalise_type(letter, value)
    return out


def _orbits(n: int, perms: Iterable[tuple[int, ...]]) -> list[int]:
    """Union-find labels of positions connected by the permutations."""
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for p in perms:
        for k, pk in enumerate(p):
            ra, rb = find(k), find(pk)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return [find(k) for k in range(n)]


def suggest_names(word: str, n: int = 4) -> list[str]:
    """Tensor names a word may be a misspelling or the start of (``elastc`` -> ``['elastic']``).

    Close means a difflib similarity of at least 0.8, or a name that starts with the word (four
    letters or more). Used to refuse near misses instead of reading them as formulas.

    >>> suggest_names("elastc"), suggest_names("ijk")
    (['elastic'], [])
    """
    key = word.strip().lower().replace("-", "_").replace(" ", "_")
    if not key:
        return []
    close = difflib.get_close_matches(key, list(SHORTCUTS), n=n, cutoff=0.8)
    starts = [name for name in SHORTCUTS if len(key) >= 4 and name.startswith(key)] if key not in SHORTCUTS else []
    return list(dict.fromkeys(close + starts))[:n]


def _not_a_name(text: str, suggestions: list[str]) -> InputError:
    hint = (f"did you mean {', '.join(repr(n) for n in suggestions)}?" if suggestions
            else "see 'symcompile tensor --help' for the names")
    return InputError(f"unknown tensor name {text.strip()!r}: {hint} (a formula uses distinct index letters, "
                      f"e.g. 'ijk'; write a bare word W as 'W=W' to force a formula)")


def parse_formula(formula: str | TensorFormula, index_types: Mapping[str, str] | None = None,
                  axial: bool | None = None, time_odd: bool | None = None, **letters: str) -> TensorFormula:
    """Parse ``formula`` (or a named shortcut such as ``"elastic"``) into a :class:`TensorFormula`.

    ``index_types`` (or keyword letters, e3nn style ``i='1e'``) give pseudovector indices;
    ``axial=True`` multiplies the whole tensor by det(R); ``time_odd`` sets the time parity
    (default: the named tensor's, else even). A bare word close to a name is refused (see the
    module docstring). Raises :class:`InputError` with a one-line message on any malformed input.

    >>> f = parse_formula("magnetoelectric")
    >>> f.text, f.axial, f.time_odd, f.parity
    ('ij', True, True, -1)
    """
    if isinstance(formula, TensorFormula):
        if not index_types and not letters and axial is None and time_odd is None:
            return formula
        formula_text = formula.text
        base_axial, base_time_odd = formula.axial, formula.time_odd
        named = (formula.name, formula.symbol, formula.shear_factor, formula.description)
        inherited = {c: t for c, t in zip(formula.indices, formula.index_types) if t != "1o"}
    else:
        if not isinstance(formula, str):
            raise InputError(f"formula must be a string, got {type(formula).__name__}")
        key = formula.strip().lower().replace("-", "_").replace(" ", "_")
        inherited = {}
        if key in SHORTCUTS:
            nt = SHORTCUTS[key]
            formula_text, base_axial, base_time_odd = nt.formula, nt.axial, nt.time_odd
            named = (key, nt.symbol, nt.shear_factor, nt.description)
        else:
            stripped = formula.strip()
            words = re.fullmatch(r"[A-Za-z]+(?:[ _-]+[A-Za-z]+)+", stripped)
            if words and (re.search(r"[ _]", stripped) or max(len(w) for w in re.split(r"[ _-]+", stripped)) >= 4):
                raise _not_a_name(stripped, suggest_names(stripped))
            if re.fullmatch(r"[A-Za-z]+", stripped):
                near = suggest_names(stripped)
                if near:
                    raise _not_a_name(stripped, near)
            formula_text, base_axial, base_time_odd = formula, False, False
            named = (None, "T", 1, "")
    types_in = dict(inherited)
    for src in (index_types or {}), letters:
        for k, v in src.items():
            types_in[str(k)] = v

    text = re.sub(r"\s+", "", formula_text)
    if not text:
        raise InputError("empty tensor formula (expected e.g. 'ij=ji' or a name like 'elastic')")
    bad = sorted(set(c for c in text if not (c.isascii() and (c.isalpha() or c in "=-+"))))
    if bad:
        raise InputError(f"bad character {bad[0]!r} in tensor formula {text!r} (use letters, '-' and '=')")
    terms = text.split("=")
    parsed: list[tuple[int, str]] = []
    for term in terms:
        m = _TERM.match(term)
        if m is None:
            raise InputError(f"malformed term {term!r} in tensor formula {text!r} (at most one sign per term)")
        if not m.group(2):
            raise InputError(f"empty term in tensor formula {text!r}")
        parsed.append((-1 if m.group(1) == "-" else 1, m.group(2)))
    s0, f0 = parsed[0]
    if len(set(f0)) != len(f0):
        rep = next(c for c in f0 if f0.count(c) > 1)
        raise InputError(f"repeated index {rep!r} in {f0!r}: each index letter may appear once per term "
                         "(traces are not supported)")
    if len(f0) > MAX_RANK:
        raise InputError(f"tensor rank {len(f0)} is larger than the supported maximum {MAX_RANK}")
    gens: list[tuple[int, tuple[int, ...]]] = []
    for s, f in parsed[1:]:
        if len(f) != len(f0) or set(f) != set(f0) or len(set(f)) != len(f):
            raise InputError(f"term {f!r} is not a permutation of {f0!r} in tensor formula {text!r}")
        perm = tuple(f0.index(c) for c in f)
        sign = s * s0
        if perm == tuple(range(len(f0))) and sign == 1:
            continue
        if (sign, perm) not in gens:
            gens.append((sign, perm))

    for k in types_in:
        if k not in f0:
            raise InputError(f"index {k!r} has a type but does not appear in the formula {text!r}")
    types = {c: _normalise_type(c, v) for c, v in types_in.items()}
    labels = _orbits(len(f0), (p for _, p in gens))
    orbit_type: dict[int, str] = {}
    for pos, c in enumerate(f0):
        if c in types:
            prev = orbit_type.get(labels[pos])
            if prev is not None and prev != types[c]:
                others = "".join(f0[q] for q in range(len(f0)) if labels[q] == labels[pos])
                raise InputError(f"indices {others!r} are exchanged by the formula, so they must have one type")
            orbit_type[labels[pos]] = types[c]
    index_type_tuple = tuple(orbit_type.get(labels[pos], "1o") for pos in range(len(f0)))

    name, symbol, shear, description = named
    return TensorFormula(
        text=text if s0 == 1 else text,
        indices=f0,
        generators=tuple(gens),
        index_types=index_type_tuple,
        axial=bool(base_axial if axial is None else axial),
        time_odd=bool(base_time_odd if time_odd is None else time_odd),
        name=name,
        symbol=symbol,
        shear_factor=shear,
        description=description,
    )
