"""CIF syntax, the symmetry a CIF gives, and a fast builder of the crystal for the common case.

A CIF gives a cell, symmetry operations and the asymmetric unit; the crystal is the orbit of
those atoms under the operations. The operations are the ones listed; failing that, those of
the declared space group (Hall symbol, or H-M symbol with its setting such as ``C2:b1``,
``Fd-3m:2``, ``R-3c:H``, from spglib's database); failing that, P1 with a note. The fast
builder handles ordered single-structure CIFs (what databases and pymatgen write) about 20x
faster than pymatgen's CifParser and returns ``None`` otherwise (partial occupancy,
oxidation-state tables, magnetic CIFs, several structures), so that the caller falls back to
pymatgen. It builds the cell pymatgen builds: same lattice matrix (pymatgen's
``Lattice.from_parameters`` convention), 1/3 and 2/3 snapped as pymatgen does, duplicates
merged at 1e-4 in fractional coordinates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.structure import ATOMIC_NUMBER, Declared, Structure

_TOKEN = re.compile(r"""'(.*?)'(?=\s|$)|"(.*?)"(?=\s|$)|(\S+)""")
_UNCERTAINTY = re.compile(r"\(\d*\)?$")
_SITE_TOLERANCE = 1e-4
_FRAC_TOLERANCE = 1e-4
_SPECIAL_SYMBOLS = re.compile("Hw|Ow|Wat|wat|OH|OH2|NO3")

SYMOP_TAGS = (
    "_symmetry_equiv_pos_as_xyz", "_space_group_symop_operation_xyz",
    "_symmetry_equiv_pos_as_xyz_", "_space_group_symop_operation_xyz_",
)
NUMBER_TAGS = ("_space_group_it_number", "_symmetry_int_tables_number")
SYMBOL_TAGS = (
    "_symmetry_space_group_name_h-m", "_space_group_name_h-m_alt", "_symmetry_space_group_name_h_m",
    "_space_group_name_h-m",
)
HALL_TAGS = ("_space_group_name_hall", "_symmetry_space_group_name_hall")
#: The BNS number of a magnetic CIF (``_space_group_magn.number_BNS``, MAGNDATA's older ``_space_group.magn_number_BNS``).
BNS_TAGS = ("_space_group_magn_number_bns", "_magnetic_space_group_bns_number")


class CifSyntaxError(ValueError):
    """The text is not CIF as this reader understands it."""


@dataclass
class CifBlock:
    """One data block: single items and loop columns, tags lower-cased with '.' -> '_'."""

    name: str
    items: dict[str, str]
    loops: dict[str, list[str]]

    def get(self, tag: str) -> str | None:
        if tag in self.items:
            return self.items[tag]
        column = self.loops.get(tag)
        return column[0] if column and len(column) == 1 else None

    def column(self, tag: str) -> list[str] | None:
        if tag in self.loops:
            return self.loops[tag]
        if tag in self.items:
            return [self.items[tag]]
        return None


def _normalise_tag(tag: str) -> str:
    return tag.lower().replace(".", "_")


def tokenize(text: str) -> list[str | tuple[str]]:
    """CIF tokens; quoted strings and text fields come back as 1-tuples (never keywords)."""
    tokens: list[str | tuple[str]] = []
    lines = text.splitlines()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith(";"):
            field_lines = [line[1:]]
            i += 1
            while i < n and not lines[i].startswith(";"):
                field_lines.append(lines[i])
                i += 1
            if i >= n:
                raise CifSyntaxError("unterminated ';' text field")
            tokens.append(("\n".join(field_lines).strip(),))
            i += 1
            continue
        for match in _TOKEN.finditer(line):
            bare = match.group(3)
            if bare is not None:
                if bare.startswith("#"):
                    break
                tokens.append(bare)
            else:
                quoted = match.group(1) if match.group(1) is not None else match.group(2)
                tokens.append((quoted,))
        i += 1
    return tokens


def parse_blocks(text: str) -> list[CifBlock]:
    """Split CIF text into data blocks of items and loops (CIF 1.1 syntax, no save frames)."""
    if "\x00" in text:
        raise CifSyntaxError("binary data")
    tokens = tokenize(text)
    blocks: list[CifBlock] = []
    block: CifBlock | None = None
    pos = 0
    count = len(tokens)

    def is_keyword(tok: str | tuple[str]) -> bool:
        if isinstance(tok, tuple):
            return False
        low = tok.lower()
        return tok.startswith("_") or low in ("loop_", "global_", "stop_") or low.startswith(("data_", "save_"))

    while pos < count:
        tok = tokens[pos]
        if isinstance(tok, tuple):
            raise CifSyntaxError(f"unexpected value {tok[0][:30]!r}")
        low = tok.lower()
        if low.startswith("data_"):
            block = CifBlock(tok[5:], {}, {})
            blocks.append(block)
            pos += 1
        elif block is None:
            raise CifSyntaxError(f"expected data_ block header, found {tok[:30]!r}")
        elif low == "loop_":
            pos += 1
            tags: list[str] = []
            while pos < count and isinstance(tokens[pos], str) and tokens[pos].startswith("_"):  # type: ignore[union-attr]
                tags.append(_normalise_tag(tokens[pos]))  # type: ignore[arg-type]
                pos += 1
            if not tags:
                raise CifSyntaxError("loop_ without tags")
            values: list[str] = []
            while pos < count and not is_keyword(tokens[pos]):
                value = tokens[pos]
                values.append(value[0] if isinstance(value, tuple) else value)
                pos += 1
            if len(values) % len(tags):
                raise CifSyntaxError(f"loop of {len(tags)} columns has {len(values)} values")
            for k, tag in enumerate(tags):
                block.loops[tag] = values[k::len(tags)]
        elif tok.startswith("_"):
            if pos + 1 >= count or is_keyword(tokens[pos + 1]):
                raise CifSyntaxError(f"tag {tok[:40]} has no value")
            value = tokens[pos + 1]
            block.items[_normalise_tag(tok)] = value[0] if isinstance(value, tuple) else value
            pos += 2
        else:
            raise CifSyntaxError(f"unexpected token {tok[:30]!r}")
    if not blocks:
        raise CifSyntaxError("no data_ block")
    return blocks


def cif_float(text: str) -> float:
    """A CIF number: uncertainty in brackets dropped (``0.1234(5)``); '.'/'?' are not numbers."""
    value = float(_UNCERTAINTY.sub("", text.strip()))
    if not math.isfinite(value):
        raise ValueError(f"non-finite number {text!r}")
    return value


# --------------------------------------------------------------------------- symmetry operations
_TERM = re.compile(r"([+-]?)([^+-]+)")


def parse_symop(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``'-x+1/2, y, z'`` -> (integer rotation 3x3, translation 3); raises ValueError."""
    parts = text.replace(" ", "").lower().split(",")
    if len(parts) != 3:
        raise ValueError(f"bad symmetry operation {text!r}")
    rot = np.zeros((3, 3))
    trans = np.zeros(3)
    for row, part in enumerate(parts):
        if not part or _TERM.sub("", part):
            raise ValueError(f"bad symmetry operation {text!r}")
        for sign_text, body in _TERM.findall(part):
            sign = -1.0 if sign_text == "-" else 1.0
            var = body[-1]
            if var in "xyz":
                coef_text = body[:-1].rstrip("*")
                coef = float(Fraction(coef_text)) if coef_text else 1.0
                rot[row, "xyz".index(var)] += sign * coef
            else:
                trans[row] += sign * float(Fraction(body))
    if not np.allclose(rot, np.round(rot)) or round(abs(np.linalg.det(rot))) != 1:
        raise ValueError(f"symmetry operation {text!r} is not a crystallographic operation")
    return np.round(rot).astype(int), trans


def symmetry_operations_of(block: CifBlock) -> tuple[np.ndarray, np.ndarray] | None:
    """The operations listed in the block (rotations, translations), or None if none are listed.

    Raises :class:`CifSyntaxError` if a listed operation cannot be read."""
    for tag in SYMOP_TAGS:
        column = block.column(tag)
        if column:
            try:
                ops = [parse_symop(s) for s in column]
            except (ValueError, ZeroDivisionError) as exc:
                raise CifSyntaxError(f"unreadable symmetry operation ({str(exc)[:80]})") from None
            return np.array([r for r, _ in ops]), np.array([t for _, t in ops])
    return None


# --------------------------------------------------------------------------- lattice
def lattice_from_parameters(a: float, b: float, c: float, alpha: float, beta: float, gamma: float) -> np.ndarray:
    """Lattice rows exactly as pymatgen's ``Lattice.from_parameters`` (vesta=False) builds them."""
    alpha_r, beta_r, gamma_r = np.radians([alpha, beta, gamma])
    val = (np.cos(alpha_r) * np.cos(beta_r) - np.cos(gamma_r)) / (np.sin(alpha_r) * np.sin(beta_r))
    val = float(np.clip(val, -1, 1))
    gamma_star = np.arccos(val)
    vector_a = [a * np.sin(beta_r), 0.0, a * np.cos(beta_r)]
    vector_b = [-b * np.sin(alpha_r) * np.cos(gamma_star), b * np.sin(alpha_r) * np.sin(gamma_star),
                b * np.cos(alpha_r)]
    vector_c = [0.0, 0.0, float(c)]
    return np.array([vector_a, vector_b, vector_c], dtype=np.float64)


# --------------------------------------------------------------------------- fast structure path
def _element_from_symbol(symbol: str) -> str | None:
    """pymatgen's rule for type symbols / labels, for the unambiguous cases only."""
    if not symbol or _SPECIAL_SYMBOLS.match(symbol):
        return None
    two = symbol[:2].title()
    if two in ATOMIC_NUMBER:
        return two
    one = symbol[0].upper()
    if one in ATOMIC_NUMBER:
        return one
    return None


def _snap_thirds(values: np.ndarray) -> np.ndarray:
    """pymatgen snaps coordinates within 1e-4 (relative) of 1/3 and 2/3 to the exact fraction."""
    out = values.copy()
    for frac in (1 / 3, 2 / 3):
        out[np.abs(values / frac - 1) <= _FRAC_TOLERANCE] = frac
    return out


def _floats(column: list[str]) -> np.ndarray | None:
    """A CIF column as floats (uncertainties dropped), or None if any entry is not a number."""
    try:
        values = np.array(column, dtype=np.float64)
    except ValueError:
        try:
            values = np.array([cif_float(v) for v in column])
        except ValueError:
            return None
    return values if np.all(np.isfinite(values)) else None


def _orbits(positions: np.ndarray, rotations: np.ndarray, translations: np.ndarray) -> list[np.ndarray]:
    """Distinct images of each position under the operations, wrapped into [0, 1)."""
    m = len(rotations)
    images = np.einsum("mij,nj->nmi", rotations, positions) + translations[None]
    images -= np.floor(images)
    lower = np.tril(np.ones((m, m), dtype=bool), k=-1)
    out: list[np.ndarray] = []
    step = max(1, 2_000_000 // (m * m * 3))
    for start in range(0, len(positions), step):
        block = images[start:start + step]
        diff = block[:, :, None, :] - block[:, None, :, :]
        diff -= np.round(diff)
        same = np.all(np.abs(diff) < _SITE_TOLERANCE, axis=3) & lower
        first = ~np.any(same, axis=2)
        out.extend(img[keep] for img, keep in zip(block, first))
    return out


def _orbits_overlap(points: np.ndarray, owner: np.ndarray) -> bool:
    """True if two points of different orbits coincide (pymatgen would merge those atoms): every fractional
    coordinate within the site tolerance, modulo 1. Linear in the number of points (a hash grid in the unit
    cube finds the candidates within the box's circumscribed ball)."""
    from symcompile.structures.neighbours import PeriodicIndex

    index = PeriodicIndex(np.eye(3), points, np.sqrt(3) * _SITE_TOLERANCE)
    queries = index.prepare(points)
    qi, pi = index.candidates(queries)
    diff = queries[qi] - index.points[pi]
    close = np.all(np.abs(diff) < _SITE_TOLERANCE, axis=1) & (owner[qi] != owner[index.owner[pi]])
    return bool(close.any())


def atom_blocks(blocks: list[CifBlock]) -> list[CifBlock]:
    """The data blocks that hold atom sites (fractional or Cartesian coordinates)."""
    return [b for b in blocks if any(tag in b.loops or tag in b.items
                                     for tag in ("_atom_site_fract_x", "_atom_site_cartn_x"))]


def is_magnetic(block: CifBlock) -> bool:
    """A magnetic CIF (mCIF): its operations carry time reversal; pymatgen reads those."""
    return any(key.startswith(("_space_group_magn", "_space_group_symop_magn", "_atom_site_moment"))
               for key in (*block.items, *block.loops))


_CELL_NAMES = ("length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma")


def cell_parameters(block: CifBlock) -> tuple[float, ...]:
    """a, b, c (Å), alpha, beta, gamma (degrees) of a block; InputError if they cannot make a cell.

    Lengths positive and at most :data:`~symcompile.structures.validation.MAX_COORDINATE`;
    angles in (0, 180) degrees, each less than the sum of the other two and all three summing
    to less than 360 (else no cell has them: the metric tensor is not positive definite).
    """
    from symcompile.structures.validation import MAX_COORDINATE

    params = []
    for name in _CELL_NAMES:
        text = block.get(f"_cell_{name}")
        if text is None:
            raise InputError(f"the CIF has no cell parameter _cell_{name}")
        try:
            params.append(cif_float(text))
        except ValueError:
            raise InputError(f"the cell parameter _cell_{name} is {text[:20]!r}, not a finite number") from None
    for name, value in zip(_CELL_NAMES[:3], params[:3]):
        if not 0 < value <= MAX_COORDINATE:
            raise InputError(f"the cell length _cell_{name} is {value:g} Å: it must be positive and at most "
                             f"{MAX_COORDINATE:g} Å")
    for name, value in zip(_CELL_NAMES[3:], params[3:]):
        if not 0 < value < 180:
            raise InputError(f"the cell angle _cell_{name} is {value:g} degrees: it must lie between 0 and 180")
    cosines = np.cos(np.radians(params[3:]))
    gram = 1 - float(np.sum(cosines ** 2)) + 2 * float(np.prod(cosines))
    if gram <= 1e-10:
        alpha, beta, gamma = params[3:]
        raise InputError(f"no cell has the angles alpha={alpha:g}, beta={beta:g}, gamma={gamma:g} degrees (each "
                         "must be less than the sum of the other two, and the three less than 360 in all)")
    return tuple(params)


def cell_lattice(block: CifBlock) -> np.ndarray | None:
    """The lattice of the cell parameters (pymatgen's convention), or None if they are unusable."""
    try:
        params = cell_parameters(block)
    except InputError:
        return None
    return lattice_from_parameters(*params)


def cartesian_transform(block: CifBlock, params: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(M, v) with Cartesian = M @ fractional + v for the block's ``_atom_site_Cartn_*`` coordinates.

    The matrix the CIF gives (``_atom_sites_Cartn_tran_matrix_ij``, or the inverse map
    ``_atom_sites_fract_tran_matrix_ij``), else the CIF core dictionary's default: Rollett's
    axes, c along Z and b in the YZ plane (the columns of M are a, b, c).
    """
    def read(prefixes: tuple[str, ...], vector_prefixes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        for prefix, vector_prefix in zip(prefixes, vector_prefixes):
            values = [block.get(f"{prefix}{i}{j}") for i in "123" for j in "123"]
            if all(v is not None for v in values):
                try:
                    matrix = np.array([cif_float(v) for v in values]).reshape(3, 3)  # type: ignore[arg-type]
                    shift = np.array([cif_float(block.get(f"{vector_prefix}{i}") or "0") for i in "123"])
                except ValueError:
                    raise InputError(f"the CIF's {prefix}ij are not numbers") from None
                if abs(np.linalg.det(matrix)) < 1e-12:
                    raise InputError(f"the CIF's {prefix}ij form a singular matrix")
                return matrix, shift
        return None

    given = read(("_atom_sites_cartn_tran_matrix_", "_atom_sites_cartn_transform_mat_"),
                 ("_atom_sites_cartn_tran_vector_", "_atom_sites_cartn_transform_vec_"))
    if given is not None:
        return given
    inverse = read(("_atom_sites_fract_tran_matrix_", "_atom_sites_fract_transform_mat_"),
                   ("_atom_sites_fract_tran_vector_", "_atom_sites_fract_transform_vec_"))
    if inverse is not None:  # fractional = F @ Cartesian + w
        F, w = inverse
        M = np.linalg.inv(F)
        return M, -M @ w
    a, b, c = params[:3]
    alpha, beta, gamma = np.radians(params[3:])
    cos_gamma_star = (np.cos(alpha) * np.cos(beta) - np.cos(gamma)) / (np.sin(alpha) * np.sin(beta))
    sin_gamma_star = np.sqrt(max(0.0, 1 - cos_gamma_star ** 2))
    M = np.array([[a * np.sin(beta) * sin_gamma_star, 0.0, 0.0],
                  [-a * np.sin(beta) * cos_gamma_star, b * np.sin(alpha), 0.0],
                  [a * np.cos(beta), b * np.cos(alpha), c]])
    return M, np.zeros(3)


def with_fractional_coordinates(block: CifBlock) -> CifBlock:
    """The block with ``_atom_site_fract_x/y/z`` computed from ``_atom_site_Cartn_x/y/z`` (when only those are given).

    >>> text = ("data_x _cell_length_a 4 _cell_length_b 5 _cell_length_c 6 _cell_angle_alpha 90 "
    ...         "_cell_angle_beta 90 _cell_angle_gamma 90 loop_ _atom_site_label _atom_site_Cartn_x "
    ...         "_atom_site_Cartn_y _atom_site_Cartn_z Na 2 2.5 3")
    >>> with_fractional_coordinates(parse_blocks(text)[0]).loops["_atom_site_fract_x"]
    ['0.5']
    """
    if "_atom_site_fract_x" in block.loops or "_atom_site_fract_x" in block.items:
        return block
    columns = [block.column(f"_atom_site_cartn_{axis}") for axis in "xyz"]
    if any(c is None for c in columns):
        return block
    if len({len(c) for c in columns}) != 1:  # type: ignore[arg-type]
        raise InputError("the _atom_site_Cartn_x/y/z columns have different lengths")
    cart = np.array([[cif_float(v) for v in column] for column in columns]).T  # type: ignore[union-attr]
    M, shift = cartesian_transform(block, cell_parameters(block))
    frac = np.linalg.solve(M, (cart - shift).T).T
    loops = dict(block.loops)
    for k, axis in enumerate("xyz"):
        loops[f"_atom_site_fract_{axis}"] = [repr(float(v)) for v in frac[:, k]]
    return CifBlock(block.name, dict(block.items), loops)


def check_coordinates_given(block: CifBlock) -> None:
    """Every atom site has three coordinates: '?' (unknown) or '.' (inapplicable) is an InputError."""
    labels = block.column("_atom_site_label")
    for kind in ("fract", "cartn"):
        for axis in "xyz":
            tag = f"_atom_site_{kind}_{axis}"
            for row, value in enumerate(block.column(tag) or []):
                if value in ("?", "."):
                    label = labels[row] if labels is not None and row < len(labels) else f"number {row + 1}"
                    raise InputError(f"atom site {label} has the coordinate {tag} = {value!r} ("
                                     f"{'unknown' if value == '?' else 'inapplicable'}): every site needs three "
                                     "numbers")


def operations_of_block(block: CifBlock, lattice: np.ndarray | None
                        ) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(rotations, translations, note): the listed operations, else the declared group's, else P1.

    The note says in plain words where the operations came from when they were not listed.
    A declared symbol that cannot be read, with no operations listed, is an :class:`InputError`.
    """
    from symcompile.structures.spacegroup import (
        hall_number_from_hall, hall_number_from_symbol, hall_number_of, operations_of_hall, space_group_types,
    )

    listed = symmetry_operations_of(block)  # CifSyntaxError if one cannot be read: pymatgen may
    if listed is not None:
        return listed[0], listed[1], None
    declared = declared_space_group([block])
    hall = None
    said = ""
    if declared.hall:
        hall = hall_number_from_hall(declared.hall)
        said = f"Hall symbol {declared.hall!r}"
    if hall is None and declared.symbol:
        hall = hall_number_from_symbol(declared.symbol, lattice)
        said = f"H-M symbol {declared.symbol!r}"
        if hall is None:
            raise InputError(f"the CIF lists no symmetry operations and its space-group symbol "
                             f"{declared.symbol!r} is not one this reader knows")
    if hall is None and declared.hall:
        raise InputError(f"the CIF lists no symmetry operations and its Hall symbol {declared.hall!r} "
                         "is not one this reader knows")
    if hall is None and declared.number is not None:
        if not 1 <= declared.number <= 230:
            raise InputError(f"the CIF lists no symmetry operations and its space-group number "
                             f"{declared.number} is not in 1-230")
        hall = hall_number_of(declared.number)
        said = f"space-group number {declared.number} (standard setting assumed)"
    if hall is None:
        return (np.eye(3, dtype=int)[None], np.zeros((1, 3)),
                "the CIF gives no symmetry operations and no space group: read as P1, with only the atoms "
                "it lists")
    sg = space_group_types()[hall - 1]
    setting = f", setting {sg.choice}" if sg.choice else ""
    rotations, translations = operations_of_hall(hall)
    note = (f"the CIF lists no symmetry operations: the {len(rotations)} operations of "
            f"{sg.international_full} (No. {sg.number}{setting}) from its {said} were used")
    if declared.number is not None and declared.number != int(sg.number):
        note += f"; its space-group number {declared.number} disagrees with that symbol"
    return rotations, translations, note


def symop_text(rotation: np.ndarray, translation: np.ndarray) -> str:
    """(W, w) -> ``'-y,x-y,z+1/3'`` (the CIF form)."""
    rows = []
    for r, t in zip(np.asarray(rotation, dtype=int), np.asarray(translation, dtype=float)):
        terms = [("-" if c < 0 else "+") + (str(abs(c)) if abs(c) != 1 else "") + v
                 for c, v in zip(r, "xyz") if c]
        frac = Fraction(float(t) % 1.0).limit_denominator(48)
        if frac:
            terms.append(f"+{frac}")
        text = "".join(terms).lstrip("+")
        rows.append(text or "0")
    return ",".join(rows)


def fast_structure(block: CifBlock, rotations: np.ndarray, translations: np.ndarray, lattice: np.ndarray,
                   source: str = "") -> Structure | None:
    """The crystal of an ordered CIF block under the given operations, or None when pymatgen must decide."""
    if any(key.startswith(("_space_group_magn", "_atom_site_moment", "_atom_type_oxidation_number",
                           "_atom_site_attached_hydrogens", "_parent_space_group"))
           for key in (*block.items, *block.loops)):
        return None
    labels = block.column("_atom_site_label")
    symbols = block.column("_atom_site_type_symbol")
    columns = [block.column(f"_atom_site_fract_{axis}") for axis in "xyz"]
    occupancies = block.column("_atom_site_occupancy")
    if labels is None or any(c is None or len(c) != len(labels) for c in columns):
        return None
    if (symbols is not None and len(symbols) != len(labels)) or (
            occupancies is not None and len(occupancies) != len(labels)):
        return None
    elements: list[str] = []
    cache: dict[str, str | None] = {}
    for i, label in enumerate(labels):
        name = symbols[i] if symbols is not None else label
        if name not in cache:
            cache[name] = None if ("+" in name and " " in name) else _element_from_symbol(name)
        element = cache[name]
        if element is None:
            return None
        elements.append(element)
    if not elements:
        return None
    if occupancies is not None:
        known = [v for v in occupancies if v not in ("?", ".")]
        values = _floats(known) if known else np.ones(1)
        if values is None or np.any(np.abs(values - 1) > 1e-6):
            return None
    xyz = [_floats(c) for c in columns]  # type: ignore[arg-type]
    if any(v is None for v in xyz):
        return None
    positions = _snap_thirds(np.stack(xyz, axis=1))  # type: ignore[arg-type]
    orbits = _orbits(positions, np.asarray(rotations, dtype=np.float64), np.asarray(translations, dtype=np.float64))
    species = [element for element, orbit in zip(elements, orbits) for _ in range(len(orbit))]
    coords = np.concatenate(orbits)
    owner = np.repeat(np.arange(len(orbits)), [len(o) for o in orbits])
    # an atom listed twice (or symmetry-equivalent to one listed before) is merged by pymatgen
    if _orbits_overlap(coords, owner):
        return None
    return Structure(lattice, coords, tuple(species), source=source)


# --------------------------------------------------------------------------- declared space group
def declared_space_group(blocks: list[CifBlock]) -> Declared:
    """The declared number / H-M symbol / Hall symbol of the first block that has any."""
    for block in blocks:
        number = source = None
        for tag in NUMBER_TAGS:
            value = block.get(tag)
            if value and value not in ("?", "."):
                try:
                    number = int(cif_float(value))
                    source = tag
                    break
                except ValueError:
                    continue
        symbol = next((block.get(t) for t in SYMBOL_TAGS if block.get(t) not in (None, "?", ".")), None)
        hall = next((block.get(t) for t in HALL_TAGS if block.get(t) not in (None, "?", ".")), None)
        bns = next((block.get(t).strip() for t in BNS_TAGS if block.get(t) not in (None, "?", ".")), None)
        if number is not None or symbol or hall or bns:
            return Declared(number, symbol.strip() if symbol else None, hall.strip() if hall else None, source,
                            bns or None)
    return Declared()
