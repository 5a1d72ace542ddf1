"""Nye's dot diagrams of symmetry-allowed Voigt matrices, laid out as data (no matplotlib here).

The notation of J. F. Nye, *Physical Properties of Crystals* (Oxford, 1957/1985), Tables 8-9:
a small dot is a zero component, a large dot a non-zero one; a line joins components that are
equal up to the factor its mark shows: filled ● equal, open ○ equal and opposite, ◉ twice,
⊙ minus twice (Nye's d-tensor mark, e.g. d26 = -2 d11 in class 32), × the combination
1/2 (C11 - C12) (any multiple of C11 - C12, so 2 (s11 - s12) too), ◆ any other combination of
free components. Cells are grouped by proportionality; the heavy (filled) cell of each group is
the one that makes the most cells equal to it, which reproduces Nye's choices (c25 rather than
c15 in classes 3 and -3); ties go to the free component of the allowed form. For 6x6 matrices
equality is judged on the tensor components (Voigt value over the shear factors), so that the
compliance s and the stiffness c share one diagram, as in Nye's Table 9.

>>> from symcompile.tensors.allowed import allowed_form
>>> d = nye_diagram(allowed_form("elastic", "6/mmm"))
>>> d.cell(5, 5).mark, d.cross_value, len(d.groups)
('cross', '(C11 - C12)/2', 6)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["NyeCell", "NyeGroup", "NyeDiagram", "nye_diagram", "factor_text"]

Cell = tuple[int, int]
_TOL = 1e-9


@dataclass(frozen=True)
class NyeCell:
    """One Voigt entry: ``mark`` is zero/dot/cross/combination; ``factor`` its value over the heavy cell's."""

    row: int
    col: int
    name: str
    value: str
    mark: str
    group: int | None
    factor: float

    @property
    def heavy(self) -> bool:
        return self.mark != "zero" and abs(self.factor - 1.0) < _TOL

    @property
    def kind(self) -> str:
        """The drawn mark: zero, dot, open, twice, minus-twice, scaled (a number beside it), cross, combination."""
        if self.mark in ("zero", "cross", "combination"):
            return self.mark
        for value, name in ((1.0, "dot"), (-1.0, "open"), (2.0, "twice"), (-2.0, "minus-twice")):
            if abs(self.factor - value) < _TOL:
                return name
        return "scaled"


@dataclass(frozen=True)
class NyeGroup:
    """Cells proportional to one another; ``value`` is the heavy cell's entry in free components."""

    heavy: Cell
    value: str
    mark: str
    members: tuple[Cell, ...]


@dataclass(frozen=True)
class NyeDiagram:
    """Everything a Nye diagram shows; ``joins`` are the lines (cell, cell), 0-based (row, column)."""

    symbol: str
    shape: tuple[int, int]
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[NyeCell, ...], ...]
    groups: tuple[NyeGroup, ...]
    joins: tuple[tuple[Cell, Cell], ...]
    symmetric: bool
    free: tuple[str, ...]
    independent_components: int

    def cell(self, row: int, col: int) -> NyeCell:
        return self.cells[row][col]

    @property
    def cross_value(self) -> str | None:
        """The value the cross stands for (e.g. ``(C11 - C12)/2``), or None without a cross."""
        return next((g.value for g in self.groups if g.mark == "cross"), None)

    @property
    def combinations(self) -> list[tuple[str, str]]:
        """(heavy cell name, value) of the groups drawn as ◆ (other combinations of free components)."""
        return [(self.cell(*g.heavy).name, g.value) for g in self.groups if g.mark == "combination"]


def factor_text(x: float) -> str:
    """A factor as people write it: ``-2``, ``1/2``, ``√3/2``, else three digits.

    >>> factor_text(-0.5), factor_text(math.sqrt(3) / 2), factor_text(2.0)
    ('-1/2', '√3/2', '2')
    """
    for root, label in ((1.0, ""), (math.sqrt(3.0), "√3")):
        q = Fraction(x / root).limit_denominator(12)
        if q != 0 and abs(float(q) * root - x) < 1e-9:
            sign = "-" if q < 0 else ""
            num, den = abs(q.numerator), q.denominator
            top = f"{num}" if not label else (label if num == 1 else f"{num}{label}")
            return sign + (top if den == 1 else f"{top}/{den}")
    return f"{x:.3g}"


def _direction(terms: dict[str, float], order: dict[str, int]) -> tuple[tuple[str, float], ...]:
    """The entry scaled so its first free component (in the form's order) has coefficient 1."""
    names = sorted(terms, key=lambda s: order.get(s, len(order)))
    lead = terms[names[0]]
    return tuple((s, round(terms[s] / lead, 9)) for s in names)


def _ratio(a: dict[str, float], b: dict[str, float]) -> float:
    """a / b for proportional entries."""
    name = max(b, key=lambda s: abs(b[s]))
    return a[name] / b[name]


def _is_cross(terms: dict[str, float], voigt_terms: list[list[dict[str, float]]], shape: tuple[int, int]) -> bool:
    """Is this entry a multiple of X11 - X12 (Nye's ×), with X11 and X12 independent entries?"""
    if shape != (6, 6) or len(terms) < 2:
        return False
    t11, t12 = voigt_terms[0][0], voigt_terms[0][1]
    if not t11 or not t12:
        return False
    diff = {s: t11.get(s, 0.0) - t12.get(s, 0.0) for s in set(t11) | set(t12)}
    diff = {s: v for s, v in diff.items() if abs(v) > _TOL}
    if set(diff) != set(terms):
        return False
    k = _ratio(terms, diff)
    return all(abs(terms[s] - k * diff[s]) < 1e-9 for s in diff) and len(diff) >= 2


def _spanning_joins(members: list[Cell], root: Cell) -> list[tuple[Cell, Cell]]:
    """Shortest lines that connect ``members`` (Prim's tree from ``root``, ties in reading order)."""
    if len(members) < 2:
        return []
    inside = [root]
    outside = sorted(m for m in members if m != root)
    joins = []
    while outside:
        best = min(((math.dist(a, b), b, a) for a in inside for b in outside))
        _, b, a = best
        joins.append((a, b) if a < b else (b, a))
        inside.append(b)
        outside.remove(b)
    return joins


def _is_symmetric(terms: list[list[dict[str, float]]]) -> bool:
    n = len(terms)
    if any(len(row) != n for row in terms):
        return False
    return all(_same(terms[i][j], terms[j][i]) for i in range(n) for j in range(i))


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return set(a) == set(b) and all(abs(a[s] - b[s]) < 1e-9 for s in a)


def nye_diagram(form: Any) -> NyeDiagram:
    """The Nye diagram of an :class:`~symcompile.tensors.allowed.AllowedForm` with a Voigt matrix."""
    voigt, terms = form.voigt, form.voigt_terms
    if voigt is None or terms is None:
        raise ValueError("a Nye diagram needs the Voigt matrix of the allowed form (rank <= 4 with Voigt pairs)")
    shape = (len(terms), len(terms[0]))
    sf = float(voigt.get("shear_factor", 1))
    shear_rows, shear_cols = (shape[0] == 6, shape[1] == 6)

    def scale(cell: Cell) -> float:  # Voigt value / tensor component
        return (sf if shear_rows and cell[0] >= 3 else 1.0) * (sf if shear_cols and cell[1] >= 3 else 1.0)

    on_tensor = shape == (6, 6)
    order = {s: i for i, s in enumerate(form.free)}
    symmetric = _is_symmetric(terms)

    def in_region(cell: Cell) -> bool:  # the cells that count: the upper triangle of a symmetric matrix
        return not symmetric or cell[0] <= cell[1]

    grouped: dict[tuple[tuple[str, float], ...], list[Cell]] = {}
    for i, row in enumerate(terms):
        for j, entry in enumerate(row):
            if entry:
                grouped.setdefault(_direction(entry, order), []).append((i, j))

    groups: list[NyeGroup] = []
    factors: dict[Cell, tuple[int, float]] = {}
    joins: list[tuple[Cell, Cell]] = []
    for members in grouped.values():
        counted = [m for m in members if in_region(m)] or members

        def preference(candidate: Cell) -> tuple[int, int, Cell]:
            base = terms[candidate[0]][candidate[1]]
            equal = sum(abs(_ratio(terms[m[0]][m[1]], base) * (scale(candidate) / scale(m) if on_tensor else 1.0)
                            - 1.0) < _TOL for m in counted)
            free_unit = len(base) == 1 and abs(next(iter(base.values())) - 1.0) < _TOL
            return (-equal, 0 if free_unit else 1, candidate)

        heavy = min(counted, key=preference)
        base = terms[heavy[0]][heavy[1]]
        if len(base) == 1:
            mark = "dot"
        elif _is_cross(base, terms, shape):
            mark = "cross"
        else:
            mark = "combination"
        index = len(groups)
        groups.append(NyeGroup(heavy, voigt["rows"][heavy[0]][heavy[1]], mark, tuple(members)))
        for m in members:
            factors[m] = (index, _ratio(terms[m[0]][m[1]], base))
        if symmetric:
            upper = [m for m in members if m[0] <= m[1]]
            lower = [m for m in members if m[0] > m[1]]
            joins += _spanning_joins(upper, heavy if heavy in upper else min(upper)) if upper else []
            joins += _spanning_joins(lower, (heavy[1], heavy[0]) if (heavy[1], heavy[0]) in lower else min(lower)) \
                if lower else []
        else:
            joins += _spanning_joins(members, heavy)

    cells = []
    for i, row in enumerate(terms):
        out_row = []
        for j, _ in enumerate(row):
            name = voigt["symbol"] + voigt["row_labels"][i] + voigt["col_labels"][j]
            if (i, j) in factors:
                g, factor = factors[(i, j)]
                out_row.append(NyeCell(i, j, name, voigt["rows"][i][j], groups[g].mark, g, factor))
            else:
                out_row.append(NyeCell(i, j, name, "0", "zero", None, 0.0))
        cells.append(tuple(out_row))
    return NyeDiagram(voigt["symbol"], shape, tuple(voigt["row_labels"]), tuple(voigt["col_labels"]),
                      tuple(cells), tuple(groups), tuple(sorted(joins)), symmetric, tuple(form.free),
                      int(form.independent_components))
