"""Nye diagrams against the book: J. F. Nye, *Physical Properties of Crystals* (Oxford, 1957;
reissued 1985), Table 8 (piezoelectric moduli d) and Table 9 (elastic compliances s and
stiffnesses c), transcribed here by hand in Nye's orientation (the one our point groups use:
monoclinic diad along x2; 32, 3m, -3m, -42m, -6m2 with the diad along x1 or the mirror normal
to x1).

Each diagram is a grid of tokens, one per Voigt cell: ``.`` small dot (zero); a letter a
large dot; ``-a`` an open circle (equal and opposite to the ``a`` dots it is joined to);
``2a`` / ``-2a`` twice / minus twice ``a`` (Nye's ⊙ in the d and s tables); ``X`` the cross,
1/2 (c11 - c12) for c, 2 (s11 - s12) for s. Cells with the same letter are joined. The test
compares the structure our drawing is made from (marks, groups, heavy cells, lines) and the
marks present in the SVG.
"""

from __future__ import annotations

import re

import pytest

from symcompile.o3.point_groups import crystallographic_point_groups
from symcompile.report.nye import NyeDiagram, nye_diagram
from symcompile.tensors.allowed import allowed_form

# --------------------------------------------------------------------------- Nye, Table 9 (c and s)
TRICLINIC = """
a b c d e f
b g h i j k
c h l m n o
d i m p q r
e j n q s t
f k o r t u
"""
MONOCLINIC = """
a b c . d .
b e f . g .
c f h . i .
. . . j . k
d g i . l .
. . . k . m
"""
ORTHORHOMBIC = """
a b c . . .
b d e . . .
c e f . . .
. . . g . .
. . . . h .
. . . . . i
"""
TETRAGONAL_LOW = """
a  b  c  .  .  d
b  a  c  .  . -d
c  c  e  .  .  .
.  .  .  f  .  .
.  .  .  .  f  .
d -d  .  .  .  g
"""
TETRAGONAL_HIGH = """
a b c . . .
b a c . . .
c c e . . .
. . . f . .
. . . . f .
. . . . . g
"""
TRIGONAL_LOW_C = """
a  b  c  d -e  .
b  a  c -d  e  .
c  c  f  .  .  .
d -d  .  g  .  e
-e e  .  .  g  d
.  .  .  e  d  X
"""
TRIGONAL_HIGH_C = """
a  b  c  d  .  .
b  a  c -d  .  .
c  c  f  .  .  .
d -d  .  g  .  .
.  .  .  .  g  d
.  .  .  .  d  X
"""
HEXAGONAL = """
a b c . . .
b a c . . .
c c f . . .
. . . g . .
. . . . g .
. . . . . X
"""
CUBIC = """
a b b . . .
b a b . . .
b b a . . .
. . . g . .
. . . . g .
. . . . . g
"""
ISOTROPIC = """
a b b . . .
b a b . . .
b b a . . .
. . . X . .
. . . . X .
. . . . . X
"""
# the compliances: Nye's one diagram for s and c, with ⊙ = twice the joined dot for s
TRIGONAL_LOW_S = """
a  b  c  d -e  .
b  a  c -d  e  .
c  c  f  .  .  .
d -d  .  g  .  2e
-e e  .  .  g  2d
.  .  .  2e 2d X
"""
TRIGONAL_HIGH_S = """
a  b  c  d  .  .
b  a  c -d  .  .
c  c  f  .  .  .
d -d  .  g  .  .
.  .  .  .  g  2d
.  .  .  .  2d X
"""

#: The 11 Laue groups and every crystal class in each (standard settings).
ELASTIC = {
    "-1": (["1", "-1"], TRICLINIC),
    "2/m": (["2", "m", "2/m"], MONOCLINIC),
    "mmm": (["222", "mm2", "mmm"], ORTHORHOMBIC),
    "4/m": (["4", "-4", "4/m"], TETRAGONAL_LOW),
    "4/mmm": (["422", "4mm", "-42m", "-4m2", "4/mmm"], TETRAGONAL_HIGH),
    "-3": (["3", "-3"], TRIGONAL_LOW_C),
    "-3m": (["32", "3m", "-3m"], TRIGONAL_HIGH_C),
    "6/m": (["6", "-6", "6/m"], HEXAGONAL),
    "6/mmm": (["622", "6mm", "-6m2", "6/mmm"], HEXAGONAL),
    "m-3": (["23", "m-3"], CUBIC),
    "m-3m": (["432", "-43m", "m-3m"], CUBIC),
}

# --------------------------------------------------------------------------- Nye, Table 8 (d)
PIEZO = {
    "2": """
.  .  .  a  .  b
c  d  e  .  f  .
.  .  .  g  .  h
""",
    "m": """
a  b  c  .  d  .
.  .  .  e  .  f
g  h  i  .  j  .
""",
    "222": """
.  .  .  a  .  .
.  .  .  .  b  .
.  .  .  .  .  c
""",
    "mm2": """
.  .  .  .  a  .
.  .  .  b  .  .
c  d  e  .  .  .
""",
    "4": """
.  .  .  a  b  .
.  .  .  b -a  .
c  c  d  .  .  .
""",
    "-4": """
.  .  .  a  b  .
.  .  . -b  a  .
c -c  .  .  .  d
""",
    "422": """
.  .  .  a  .  .
.  .  .  . -a  .
.  .  .  .  .  .
""",
    "4mm": """
.  .  .  .  a  .
.  .  .  a  .  .
b  b  c  .  .  .
""",
    "-42m": """
.  .  .  a  .  .
.  .  .  .  a  .
.  .  .  .  .  b
""",
    "3": """
a -a  .  b  c -2d
-d d  .  c -b -2a
e  e  f  .  .  .
""",
    "32": """
a -a  .  b  .  .
.  .  .  . -b -2a
.  .  .  .  .  .
""",
    "3m": """
.  .  .  .  a -2b
-b b  .  a  .  .
c  c  d  .  .  .
""",
    "6": """
.  .  .  a  b  .
.  .  .  b -a  .
c  c  d  .  .  .
""",
    "-6": """
a -a  .  .  . -2b
-b b  .  .  . -2a
.  .  .  .  .  .
""",
    "622": """
.  .  .  a  .  .
.  .  .  . -a  .
.  .  .  .  .  .
""",
    "6mm": """
.  .  .  .  a  .
.  .  .  a  .  .
b  b  c  .  .  .
""",
    "-6m2": """
.  .  .  .  . -2a
-a a  .  .  .  .
.  .  .  .  .  .
""",
    "23": """
.  .  .  a  .  .
.  .  .  .  a  .
.  .  .  .  .  a
""",
    "-43m": """
.  .  .  a  .  .
.  .  .  .  a  .
.  .  .  .  .  a
""",
    "432": """
.  .  .  .  .  .
.  .  .  .  .  .
.  .  .  .  .  .
""",
}

_TOKEN = re.compile(r"^(-?)(2?)([a-zX])$")


def _grid(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()]


def assert_matches_nye(diagram: NyeDiagram, text: str) -> None:
    """Marks, joined groups, heavy/open choice and the cross, cell by cell; lines join exactly the groups."""
    expected = _grid(text)
    assert diagram.shape == (len(expected), len(expected[0]))
    group_of_letter: dict[str, int] = {}
    letter_of_group: dict[int, str] = {}
    for i, row in enumerate(expected):
        for j, token in enumerate(row):
            cell = diagram.cell(i, j)
            where = f"{cell.name} (Nye: {token!r}, drawn: {cell.kind}, factor {cell.factor})"
            if token == ".":
                assert cell.mark == "zero", where
                continue
            match = _TOKEN.match(token)
            assert match, token
            minus, two, letter = match.groups()
            factor = (-1.0 if minus else 1.0) * (2.0 if two else 1.0)
            assert cell.mark == ("cross" if letter == "X" else "dot"), where
            assert abs(cell.factor - factor) < 1e-9, where
            assert group_of_letter.setdefault(letter, cell.group) == cell.group, where
            assert letter_of_group.setdefault(cell.group, letter) == letter, where
    # the lines: every join is inside one group, and they connect each group (per triangle if symmetric)
    for a, b in diagram.joins:
        assert diagram.cell(*a).group == diagram.cell(*b).group is not None
    for g, group in enumerate(diagram.groups):
        halves = [[m for m in group.members if m[0] <= m[1]], [m for m in group.members if m[0] > m[1]]] \
            if diagram.symmetric else [list(group.members)]
        for half in halves:
            if half:
                assert _connected(half, diagram.joins), (g, half)


def _connected(cells: list[tuple[int, int]], joins: tuple) -> bool:
    seen = {cells[0]}
    frontier = [cells[0]]
    while frontier:
        c = frontier.pop()
        for a, b in joins:
            for x, y in ((a, b), (b, a)):
                if x == c and y in cells and y not in seen:
                    seen.add(y)
                    frontier.append(y)
    return seen == set(cells)


@pytest.mark.parametrize("laue", list(ELASTIC))
def test_elastic_stiffness_every_class_of_every_laue_group(laue: str) -> None:
    classes, text = ELASTIC[laue]
    for cls in classes:
        assert_matches_nye(nye_diagram(allowed_form("elastic", cls)), text)


def test_the_classes_above_are_all_32() -> None:
    listed = {c for classes, _ in ELASTIC.values() for c in classes} - {"-4m2"}
    assert listed == {g.name for g in crystallographic_point_groups()}


def test_isotropic_elastic_has_three_crosses() -> None:
    assert_matches_nye(nye_diagram(allowed_form("elastic", "SO3")), ISOTROPIC)


@pytest.mark.parametrize("group, text", [("-3", TRIGONAL_LOW_S), ("3", TRIGONAL_LOW_S), ("-3m", TRIGONAL_HIGH_S),
                                         ("32", TRIGONAL_HIGH_S), ("6/mmm", HEXAGONAL), ("-6", HEXAGONAL)])
def test_elastic_compliance_shares_the_stiffness_diagram(group: str, text: str) -> None:
    diagram = nye_diagram(allowed_form("compliance", group))
    assert_matches_nye(diagram, text)
    if "X" in text:
        assert diagram.cross_value == "2*(s11 - s12)"


@pytest.mark.parametrize("group", list(PIEZO))
def test_piezoelectric_d(group: str) -> None:
    assert_matches_nye(nye_diagram(allowed_form("piezoelectric", group)), PIEZO[group])


def test_hexagonal_cross_stands_for_half_c11_minus_c12() -> None:
    diagram = nye_diagram(allowed_form("elastic", "6/mmm"))
    assert diagram.cross_value == "(C11 - C12)/2"
    assert [c.name for row in diagram.cells for c in row if c.mark == "cross"] == ["C66"]


def test_svg_holds_the_marks_and_lines_of_the_layout(tmp_path) -> None:
    """The drawing shows what the layout says: one SVG element per cell, named by its mark."""
    from symcompile.report.tensor_plot import plot_tensor
    from symcompile.tensors import tensor_report

    for name, group in (("compliance", "-3"), ("piezoelectric", "3")):
        forms: dict = {}
        record = tensor_report(name, point_group=group, forms=forms)
        path = plot_tensor(record, str(tmp_path / f"{name}.svg"), forms["standard"])
        svg = open(path, encoding="utf-8").read()
        diagram = nye_diagram(forms["standard"])
        drawn = set(re.findall(r'id="nye-([a-z-]+)-(\d)-(\d)"', svg))
        expected = {(c.kind, str(c.row + 1), str(c.col + 1)) for row in diagram.cells for c in row}
        assert drawn == expected
        lines = set(re.findall(r'id="nye-join-(\d)-(\d)-(\d)-(\d)"', svg))
        assert lines == {(str(a[0] + 1), str(a[1] + 1), str(b[0] + 1), str(b[1] + 1)) for a, b in diagram.joins}
    assert ("twice", "4", "6") in {(k, r, c) for k, r, c in re.findall(r'id="nye-([a-z-]+)-(\d)-(\d)"',
                                                                            open(tmp_path / "compliance.svg").read())}
