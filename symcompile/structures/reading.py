"""Reading any structure file into a :class:`Structure`, with one-line errors and plain-words notes.

One reader per format: CIF (:mod:`cif_reader`: fast builder, pymatgen fallback), XYZ and
extended XYZ (:mod:`xyz`), POSCAR/CONTCAR including VASP 4 files whose element names are only
on the first line, vasprun.xml (:mod:`vasprun`), pymatgen JSON, and anything else pymatgen reads. Compressed
files (.gz, .bz2, .xz) and UTF-8 byte-order marks are handled before the format is chosen.
Every structure read is validated (:mod:`symcompile.structures.validation`: finite numbers,
volume, distances between atoms, species). Every failure is an :class:`InputError`; pymatgen's
warnings become notes, never output.

>>> from pathlib import Path
>>> s = read_structure(Path(__file__).parents[2] / "examples" / "structures" / "water.xyz")
>>> s.kind, s.formula()
('molecule', 'H2O')
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from symcompile.errors import InputError
from symcompile.notes import warnings_as_notes
from symcompile.structures.cif_reader import one_line, plain_note, read_cif
from symcompile.structures.files import format_of, read_text
from symcompile.structures.structure import ATOMIC_NUMBER, Declared, Structure, from_pymatgen
from symcompile.structures.validation import validate
from symcompile.structures.vasprun import read_vasprun
from symcompile.structures.xyz import read_xyz

DISORDER_NOTE = ("partially occupied (disordered) sites: each distinct site composition is treated "
                 "as a distinct species")


def _captured_warnings(notes: list[str]) -> Any:
    """Collect warnings (pymatgen's parsers are chatty) as plain notes instead of printing them."""
    return warnings_as_notes(notes, plain_note)


# --------------------------------------------------------------------------- formats
def _read_json(text: str, source: str, notes: list[str]) -> Structure:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or "sites" not in data:
        raise InputError("JSON is not a pymatgen Structure or Molecule document")
    try:
        with _captured_warnings(notes):
            if "lattice" in data:
                from pymatgen.core import Structure as PymatgenStructure

                obj = PymatgenStructure.from_dict(data)
            else:
                from pymatgen.core import Molecule

                obj = Molecule.from_dict(data)
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise InputError(f"cannot read pymatgen JSON: {one_line(exc)}") from None
    return from_pymatgen(obj, source)


def _elements_in(text: str) -> list[str]:
    """Element symbols of a name: 'Sr Ti O' -> [Sr, Ti, O]; 'SrTiO3 cubic' -> [Sr, Ti, O]; else []."""
    tokens = text.split()
    if tokens and all(t in ATOMIC_NUMBER for t in tokens):
        return tokens
    first = tokens[0] if tokens else ""
    parts = re.findall(r"([A-Z][a-z]?)(\d*\.?\d*)", first)
    if parts and "".join(e + n for e, n in parts) == first and all(e in ATOMIC_NUMBER for e, _ in parts):
        return list(dict.fromkeys(e for e, _ in parts))
    return []


def vasp4_names(text: str) -> list[str] | None:
    """For a VASP 4 POSCAR (no element line), the element names its first line gives; None for VASP 5.

    >>> vasp4_names("Sr Ti O\\n1.0\\n3.9 0 0\\n0 3.9 0\\n0 0 3.9\\n1 1 3\\nDirect\\n")
    ['Sr', 'Ti', 'O']
    """
    lines = [line for line in text.splitlines()]
    if len(lines) < 7:
        return None
    counts = lines[5].split()
    if not counts or not all(c.isdigit() for c in counts):
        return None  # line 6 holds the element names: VASP 5
    names = _elements_in(lines[0])
    if len(names) != len(counts):
        raise InputError("VASP 4 POSCAR without element names: give them on the first line "
                         f"({len(counts)} names, in the order of the counts) or write a VASP 5 file")
    return names


def _read_poscar(text: str, source: str, notes: list[str]) -> Structure:
    from pymatgen.io.vasp import Poscar

    names = vasp4_names(text)
    try:
        with _captured_warnings(notes):
            structure = Poscar.from_str(text, default_names=names).structure
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read POSCAR: {one_line(exc)}") from None
    if names:
        notes.append(f"VASP 4 POSCAR: element names {' '.join(names)} taken from the first line")
    return from_pymatgen(structure, source)


def _read_other(path: str, source: str, notes: list[str]) -> Structure:
    from pymatgen.core import Molecule
    from pymatgen.core import Structure as PymatgenStructure

    try:
        with _captured_warnings(notes):
            return from_pymatgen(PymatgenStructure.from_file(path), source)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        first_error = one_line(exc)
    try:
        with _captured_warnings(notes):
            molecule = Molecule.from_file(path)
    except Exception:  # noqa: BLE001
        raise InputError(f"not a structure file pymatgen can read ({first_error})") from None
    return from_pymatgen(molecule, source)


# --------------------------------------------------------------------------- public API
def read_structure(path: str | os.PathLike[str]) -> Structure:
    """Read a structure file; raises :class:`InputError` (one line, ``.path`` set) on any failure."""
    path = os.fspath(path)
    try:
        return _read(path)
    except InputError as exc:
        if exc.path is None:
            exc.path = path
        raise


def _read(path: str) -> Structure:
    text = read_text(path)
    notes: list[str] = []
    fmt = format_of(path, text)
    if fmt == "cif":
        structure = read_cif(text, path)
    elif fmt == "xyz":
        structure = read_xyz(text, path)
    elif fmt == "json":
        structure = _read_json(text, path, notes)
    elif fmt == "poscar":
        structure = _read_poscar(text, path, notes)
    elif fmt == "vasprun":
        structure = read_vasprun(text, path)
    else:
        structure = _read_other(path, path, notes)
    if not structure.ordered:
        notes.append(DISORDER_NOTE)
    structure = validate(structure)
    return structure.with_notes(*notes) if notes else structure


#: Historical name of :func:`read_structure`.
load = read_structure


def read_declared(path: str | os.PathLike[str]) -> Declared:
    """The space group a CIF declares (number, H-M symbol, Hall symbol), read cheaply."""
    from symcompile.structures.cif import CifSyntaxError, declared_space_group, parse_blocks

    text = read_text(os.fspath(path))
    try:
        return declared_space_group(parse_blocks(text))
    except CifSyntaxError:
        return Declared()


def as_structure_or_file(source: Any) -> Structure:
    """A :class:`Structure` from a path, a Structure, or a pymatgen Structure/Molecule."""
    from symcompile.structures.structure import as_structure

    if isinstance(source, (str, os.PathLike)):
        return read_structure(source)
    return as_structure(source)


def require_ordered(structure: Any, what: str = "structure", command: str = "this command") -> None:
    """Refuse structures with partially occupied sites (for commands that need ordered ones): sites
    read as disordered, or species written as a site composition ("Fe:0.5,Co:0.5").

    >>> from symcompile.structures.structure import Structure
    >>> require_ordered(Structure.molecule(("Fe:0.5,Co:0.5",), [[0, 0, 0]]), "child", "order-params")
    Traceback (most recent call last):
    ...
    symcompile.errors.InputError: the child has partially occupied (disordered) sites; order-params needs an ordered ...
    """
    species = getattr(structure, "species", ())
    mixed = isinstance(species, tuple) and any(":" in str(s) or "," in str(s) for s in species)
    if mixed or not getattr(structure, "ordered", getattr(structure, "is_ordered", True)):
        raise InputError(f"the {what} has partially occupied (disordered) sites; {command} needs an "
                         "ordered structure (order it first, e.g. with pymatgen's "
                         "OrderDisorderedStructureTransformation)")
