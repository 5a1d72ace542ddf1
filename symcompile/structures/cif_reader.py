"""Reading a CIF into a :class:`Structure`: the fast builder, else pymatgen, notes in plain words.

The symmetry operations are settled first (listed, from the declared symbol, or P1 with a
note; :func:`symcompile.structures.cif.operations_of_block`). When pymatgen has to build the
crystal (partial occupancy, oxidation states, magnetic CIFs, unusual syntax), operations that
came from the symbol are written into the CIF it reads, so that both paths expand the same
group. pymatgen's parser warnings are turned into short plain sentences.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.cif import (
    CifBlock, CifSyntaxError, atom_blocks, cell_lattice, cell_parameters, check_coordinates_given, cif_float,
    declared_space_group, fast_structure, is_magnetic, operations_of_block, parse_blocks, symop_text,
    with_fractional_coordinates,
)
from symcompile.structures.structure import Declared, Structure, from_pymatgen

#: pymatgen's CIF warnings (regular expression) -> what they mean, in plain words ('' drops it).
_PLAIN_WARNINGS: tuple[tuple[str, str], ...] = (
    (r"Issues encountered while parsing CIF", ""),
    (r"Skipping relative stoichiometry check", ""),
    (r"No _symmetry_equiv_pos_as_xyz type key found\. Spacegroup from", ""),
    (r"No _symmetry_equiv_pos_as_xyz type key found\. Defaulting to P1", ""),
    (r"Some occupancies .* sum to > 1", "some sites are more than fully occupied (sum of occupancies above 1 "
                                        "within the tolerance): their occupancies were scaled down to 1"),
    (r"Some fractional coordinates rounded to ideal values",
     "some fractional coordinates were rounded to ideal values (1/3, 2/3, ...)"),
    (r"Incorrect stoichiometry", "the atoms do not add up to the formula the CIF states"),
    (r"data/.* is not an element|not a valid element", "an atom type is not a chemical element"),
    (r"Magnetic moment information", "magnetic moments read from the CIF"),
    (r"Elements in POSCAR would be overwritten", ""),
)
MAX_NOTES = 5


def plain_note(message: str) -> str:
    """One of pymatgen's parser warnings as a short plain sentence ('' when it says nothing useful)."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    for pattern, plain in _PLAIN_WARNINGS:
        if re.search(pattern, first):
            return plain
    first = re.sub(r"^(UserWarning|Warning):\s*", "", first)
    return f"pymatgen: {first[:160]}" if first else ""


def _add(notes: list[str], note: str | None) -> None:
    if note and note not in notes and len(notes) < MAX_NOTES:
        notes.append(note)


def one_line(exc: BaseException | str) -> str:
    """The first non-empty line of an error message (its type name if it has none), at most 200 characters."""
    text = str(exc).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first and isinstance(exc, BaseException):
        first = type(exc).__name__
    return first[:200]


def _cif_problem(blocks: list[CifBlock]) -> str | None:
    """A precise message for CIFs that cannot hold a structure (before asking pymatgen)."""
    with_atoms = [b for b in blocks if any(t in b.loops or t in b.items
                                           for t in ("_atom_site_fract_x", "_atom_site_cartn_x"))]
    if not with_atoms:
        return "the CIF has no atom sites (_atom_site_fract_x/y/z or _atom_site_Cartn_x/y/z)"
    block = with_atoms[0]
    missing = [f"_cell_length_{axis}" for axis in "abc" if block.get(f"_cell_length_{axis}") is None]
    if missing:
        return f"the CIF has no cell parameter {missing[0]}"
    return None


def _has_transform(block: CifBlock) -> bool:
    return any(key.startswith(("_atom_sites_cartn_tran", "_atom_sites_fract_tran")) for key in block.items)


def _with_operations(text: str, block: CifBlock, rotations: np.ndarray, translations: np.ndarray) -> str:
    """The CIF text with an explicit operations loop added to ``block`` (for pymatgen)."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.strip().lower() == f"data_{block.name}".lower()), None)
    if header is None:
        return text
    loop = ["loop_", "_symmetry_equiv_pos_as_xyz", *(f"'{symop_text(r, t)}'" for r, t in zip(rotations, translations))]
    return "\n".join(lines[:header + 1] + loop + lines[header + 1:]) + "\n"


def _pymatgen(text: str, notes: list[str], syntax_error: str | None) -> Any:
    from pymatgen.io.cif import CifParser

    reasons: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parser = CifParser.from_str(text, occupancy_tolerance=1.05)
            structure = parser.parse_structures(primitive=False)[0]
        except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
            structure = None
            reasons.append(one_line(exc))
    for item in caught:
        message = str(item.message).strip()
        if message.startswith("No structure parsed for section"):
            reasons.insert(0, one_line(message.split("\n", 1)[-1]))
        elif not issubclass(item.category, (DeprecationWarning, PendingDeprecationWarning)):
            for line in message.splitlines():
                _add(notes, plain_note(line))
    if structure is None:
        if syntax_error:
            raise InputError(syntax_error)
        message = reasons[0] if reasons else "unknown problem"
        if message.startswith("'_") and message.endswith("'"):
            message = f"missing CIF item {message.strip(chr(39))}"
        if "no structures" in message.lower():
            message = "no structure could be built from this CIF (missing cell, atoms or coordinates)"
        if "incommensurate" in message.lower():
            raise InputError("incommensurate magnetic structures (superspace magnetic CIF) are not supported")
        raise InputError(f"cannot read CIF: {message}")
    if len(structure) == 0:
        raise InputError("the structure has no atoms")
    return structure


_MOMENT_FORM = ("moments given in a form this reader does not read (only _atom_site_moment.crystalaxis_x/y/z "
                "are read): the magnetic symmetry is not analysed")


def _checked_moments(block: CifBlock | None, structure: Structure, notes: list[str]) -> Structure:
    """The moments of a magnetic CIF as read, or none with a note: never silently zero."""
    if block is None or not is_magnetic(block):
        return structure
    tags = [key for key in (*block.items, *block.loops) if key.startswith("_atom_site_moment")]
    labels = block.column("_atom_site_moment_label")
    axes = [block.column(f"_atom_site_moment_crystalaxis_{axis}") for axis in "xyz"]
    if not tags:
        _add(notes, "the magnetic CIF lists no moments: every atom is taken as non-magnetic")
        return structure
    if labels is None or any(a is None or len(a) != len(labels) for a in axes):
        _add(notes, _MOMENT_FORM)
        return structure.replace(magmoms=None)
    try:
        listed = np.array([[cif_float(v) for v in column] for column in axes])
    except ValueError:
        _add(notes, "some magnetic moments are not numbers: the magnetic symmetry is not analysed")
        return structure.replace(magmoms=None)
    sites = set(block.column("_atom_site_label") or [])
    unknown = [label for label in labels if label not in sites]
    if unknown:
        _add(notes, f"moments are listed for {', '.join(unknown[:3])}, which is not an atom site label: "
                    "the magnetic symmetry is not analysed")
        return structure.replace(magmoms=None)
    if structure.magmoms is None or (np.any(listed) and not np.any(structure.magmoms)):
        _add(notes, "the magnetic CIF's moments could not be read: the magnetic symmetry is not analysed")
        return structure.replace(magmoms=None)
    return structure


def read_cif(text: str, source: str = "") -> Structure:
    """The first structure of a CIF text; InputError with one line for anything unreadable."""
    notes: list[str] = []
    blocks: list[CifBlock] | None = None
    syntax_error = None
    try:
        blocks = parse_blocks(text)
    except CifSyntaxError as exc:
        syntax_error = f"CIF syntax error: {one_line(exc)}"
    declared = Declared()
    listed = None
    structure = None
    if blocks is not None:
        problem = _cif_problem(blocks)
        holding = atom_blocks(blocks)
        if problem and not holding:
            raise InputError(problem)
        declared = declared_space_group(blocks)
        if len(holding) > 1:
            _add(notes, f"the CIF holds {len(holding)} structures; the first is analysed")
        block = holding[0] if holding else None
        cartesian = False
        if block is not None:
            check_coordinates_given(block)
            cell_parameters(block)  # an impossible cell is an InputError, whoever builds the crystal
            fractional = with_fractional_coordinates(block)
            cartesian = fractional is not block
            block = fractional
        try:
            resolved = None if block is None or is_magnetic(block) else operations_of_block(block, cell_lattice(block))
        except CifSyntaxError:  # a listed operation this reader cannot parse: pymatgen decides
            resolved = None
        if block is not None and resolved is not None:
            lattice = cell_lattice(block)
            rotations, translations, note = resolved
            _add(notes, note)
            if note is None:
                listed = (rotations, translations)
            else:
                text = _with_operations(text, block, rotations, translations)
            if lattice is not None and len(holding) == 1:
                structure = fast_structure(block, rotations, translations, lattice, source)
            if structure is None and problem:
                raise InputError(problem)
        if structure is None and cartesian:
            raise InputError("the CIF gives Cartesian coordinates only (_atom_site_Cartn_x/y/z); they are read for "
                             "ordered single structures without oxidation states or magnetic moments: give "
                             "_atom_site_fract_x/y/z instead")
        if cartesian:
            _add(notes, "Cartesian coordinates (_atom_site_Cartn_x/y/z) converted to fractional ones with "
                        + ("the CIF's transformation matrix" if _has_transform(block) else
                           "the CIF core dictionary's default axes (c along z, b in the yz plane)"))
    if structure is None:
        structure = from_pymatgen(_pymatgen(text, notes, syntax_error), source)
        if syntax_error:
            _add(notes, f"non-standard CIF ({syntax_error}); read by pymatgen")
        structure = _checked_moments(holding[0] if blocks is not None and holding else None, structure, notes)
    return structure.replace(notes=tuple(notes), declared=declared, declared_operations=listed, source=source)
