"""Reading structure files: crystals (periodic) and molecules, with one-line errors.

A crystal is a lattice plus atoms in it (CIF, POSCAR/CONTCAR, pymatgen JSON, extended XYZ
with ``Lattice=``, anything pymatgen reads); a molecule has no lattice (plain XYZ, pymatgen
Molecule JSON, ...). Every failure is an :class:`InputError` with one line; pymatgen's
warnings are captured and returned as notes, never printed.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.cell import Cell, as_cell, cell_from_structure
from symcompile.structures.cif import (
    CifSyntaxError, Declared, declared_space_group, fast_cell, parse_blocks, symmetry_operations_of,
)
from symcompile.structures.xyz import XyzMolecule, read_xyz

DISORDER_NOTE = ("partially occupied (disordered) sites: each distinct site composition is treated "
                 "as a distinct species")
_MAX_NOTES = 5
#: Control characters that do not occur in text files (tab, newlines, form feed allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v")


@dataclass(frozen=True)
class Loaded:
    """What a structure file holds, in the lean form the analysis needs."""

    kind: str  # "crystal" | "molecule"
    cell: Cell | None = None
    molecule: Any = None  # XyzMolecule or pymatgen Molecule
    notes: tuple[str, ...] = ()
    declared: Declared = field(default_factory=Declared)
    #: the symmetry operations the CIF lists (rotations, translations), in the CIF's cell
    cif_operations: tuple[np.ndarray, np.ndarray] | None = None


def _one_line(exc: BaseException | str) -> str:
    text = str(exc).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first and isinstance(exc, BaseException):
        first = type(exc).__name__
    return first[:200]


@contextmanager
def _captured_warnings(notes: list[str]) -> Iterator[None]:
    """Collect warnings (pymatgen's parser is chatty) as notes instead of printing them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        if issubclass(item.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        _add_note(notes, _one_line(str(item.message)))


def _add_note(notes: list[str], note: str) -> None:
    if note and note not in notes and len(notes) < _MAX_NOTES:
        notes.append(note)


def _read_text(path: str) -> str:
    file = Path(path)
    if not file.exists():
        raise InputError("file not found")
    if file.is_dir():
        raise InputError("is a directory, not a structure file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None
    data = _decompressed(data)
    if not data.strip():
        raise InputError("empty file")
    if b"\x00" in data:
        raise InputError("not a structure file (binary data)")
    text = data.decode("utf-8", errors="replace")
    suspicious = len(data) - len(data.translate(None, _CONTROL_BYTES)) + text.count("\ufffd")
    if suspicious > max(8, len(text) // 50):
        raise InputError("not a structure file (binary data)")
    return text


def _decompressed(data: bytes) -> bytes:
    """gzip / bzip2 / xz content, recognised by its magic bytes (e.g. ``x.cif.gz``)."""
    import bz2
    import gzip
    import lzma

    for magic, module in ((b"\x1f\x8b", gzip), (b"BZh", bz2), (b"\xfd7zXZ\x00", lzma)):
        if data.startswith(magic):
            try:
                return module.decompress(data)  # type: ignore[attr-defined]
            except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
                raise InputError(f"corrupt compressed file ({exc})") from None
    return data


def _format_of(path: str, text: str) -> str:
    name = os.path.basename(path).lower()
    for suffix in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(suffix)
    if name.endswith((".cif", ".mcif")):
        return "cif"
    if name.endswith((".xyz", ".extxyz")):
        return "xyz"
    if name.endswith(".json"):
        return "json"
    if name.startswith(("poscar", "contcar")) or name.endswith((".vasp", ".poscar")):
        return "poscar"
    head = next((line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if head.lower().startswith("data_"):
        return "cif"
    if head.startswith(("{", "[")):
        return "json"
    if head.split()[:1] and head.split()[0].isdigit() and len(head.split()) == 1:
        return "xyz"
    return "other"


# --------------------------------------------------------------------------- formats
def _load_cif(text: str, notes: list[str]) -> Loaded:
    blocks = None
    syntax_error = None
    try:
        blocks = parse_blocks(text)
    except CifSyntaxError as exc:
        syntax_error = f"CIF syntax error: {_one_line(exc)}"
    cell = fast_cell(blocks) if blocks is not None else None
    if cell is None and blocks is not None:
        problem = _cif_problem(blocks)
        if problem:
            raise InputError(problem)
    if cell is None:
        cell = _pymatgen_cif(text, notes, syntax_error)
        if syntax_error:
            _add_note(notes, f"non-standard CIF ({syntax_error}); read by pymatgen")
    declared = declared_space_group(blocks) if blocks else Declared()
    operations = None
    if blocks:
        atom_blocks = [b for b in blocks if "_atom_site_fract_x" in b.loops or "_atom_site_fract_x" in b.items]
        if len(atom_blocks) > 1:
            _add_note(notes, f"the CIF holds {len(atom_blocks)} structures; the first is analysed")
        try:
            operations = symmetry_operations_of(atom_blocks[0]) if atom_blocks else None
        except (ValueError, ZeroDivisionError):
            operations = None
    return Loaded("crystal", cell=cell, notes=tuple(notes), declared=declared, cif_operations=operations)


def _cif_problem(blocks: list) -> str | None:
    """A precise message for CIFs that cannot hold a structure (before asking pymatgen)."""
    atom_blocks = [b for b in blocks if any(t in b.loops or t in b.items
                                            for t in ("_atom_site_fract_x", "_atom_site_cartn_x"))]
    if not atom_blocks:
        return "the CIF has no atom sites (_atom_site_fract_x/y/z)"
    block = atom_blocks[0]
    missing = [f"_cell_length_{axis}" for axis in "abc" if block.get(f"_cell_length_{axis}") is None]
    if missing:
        return f"the CIF has no cell parameter {missing[0]}"
    return None


def _pymatgen_cif(text: str, notes: list[str], syntax_error: str | None) -> Cell:
    from pymatgen.io.cif import CifParser

    reasons: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parser = CifParser.from_str(text, occupancy_tolerance=1.05)
            structure = parser.parse_structures(primitive=False)[0]
        except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
            structure = None
            reasons.append(_one_line(exc))
    for item in caught:
        message = str(item.message).strip()
        if message.startswith("No structure parsed for section"):
            reasons.insert(0, _one_line(message.split("\n", 1)[-1]))
        elif not message.startswith("Issues encountered while parsing CIF") and not issubclass(
                item.category, (DeprecationWarning, PendingDeprecationWarning)):
            _add_note(notes, _one_line(message))
    if structure is None:
        if syntax_error:
            raise InputError(syntax_error)
        message = reasons[0] if reasons else "unknown problem"
        if message.startswith("'_") and message.endswith("'"):
            message = f"missing CIF item {message.strip(chr(39))}"
        if "no structures" in message.lower():
            message = "no structure could be built from this CIF (missing cell, atoms or coordinates)"
        raise InputError(f"cannot read CIF: {message}")
    return _checked_cell(structure)


def _checked_cell(structure: Any) -> Cell:
    if len(structure) == 0:
        raise InputError("the structure has no atoms")
    return cell_from_structure(structure)


def _load_xyz(text: str, notes: list[str]) -> Loaded:
    result = read_xyz(text)
    for note in result.notes:
        _add_note(notes, note)
    if isinstance(result, Cell):
        return Loaded("crystal", cell=result, notes=tuple(notes))
    return Loaded("molecule", molecule=result, notes=tuple(notes))


def _load_json(text: str, notes: list[str]) -> Loaded:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or "sites" not in data:
        raise InputError("JSON is not a pymatgen Structure or Molecule document")
    try:
        with _captured_warnings(notes):
            if "lattice" in data:
                from pymatgen.core import Structure

                return Loaded("crystal", cell=_checked_cell(Structure.from_dict(data)), notes=tuple(notes))
            from pymatgen.core import Molecule

            molecule = Molecule.from_dict(data)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read pymatgen JSON: {_one_line(exc)}") from None
    if len(molecule) == 0:
        raise InputError("the molecule has no atoms")
    return Loaded("molecule", molecule=molecule, notes=tuple(notes))


def _load_poscar(text: str, notes: list[str]) -> Loaded:
    from pymatgen.io.vasp import Poscar

    try:
        with _captured_warnings(notes):
            structure = Poscar.from_str(text).structure
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read POSCAR: {_one_line(exc)}") from None
    return Loaded("crystal", cell=_checked_cell(structure), notes=tuple(notes))


def _load_other(path: str, notes: list[str]) -> Loaded:
    from pymatgen.core import Molecule, Structure

    try:
        with _captured_warnings(notes):
            structure = Structure.from_file(path)
        return Loaded("crystal", cell=_checked_cell(structure), notes=tuple(notes))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        first_error = _one_line(exc)
    try:
        with _captured_warnings(notes):
            molecule = Molecule.from_file(path)
    except Exception:  # noqa: BLE001
        raise InputError(f"not a structure file pymatgen can read ({first_error})") from None
    if len(molecule) == 0:
        raise InputError("the molecule has no atoms")
    return Loaded("molecule", molecule=molecule, notes=tuple(notes))


# --------------------------------------------------------------------------- public API
def load(path: str | os.PathLike[str]) -> Loaded:
    """Read a structure file into its lean form; raises :class:`InputError` on any failure."""
    path = os.fspath(path)
    text = _read_text(path)
    notes: list[str] = []
    fmt = _format_of(path, text)
    if fmt == "cif":
        loaded = _load_cif(text, notes)
    elif fmt == "xyz":
        loaded = _load_xyz(text, notes)
    elif fmt == "json":
        loaded = _load_json(text, notes)
    elif fmt == "poscar":
        loaded = _load_poscar(text, notes)
    else:
        loaded = _load_other(path, notes)
    if loaded.cell is not None and not loaded.cell.ordered:
        _add_note(notes, DISORDER_NOTE)
        loaded = Loaded(loaded.kind, loaded.cell, loaded.molecule, tuple(notes), loaded.declared,
                        loaded.cif_operations)
    return loaded


def read_structure(path: str | os.PathLike[str], notes: list[str] | None = None) -> Any:
    """A pymatgen ``Structure`` (crystals) or ``Molecule`` (molecules) from a file.

    Raises :class:`InputError` with a one-line message on any failure. Parser warnings are
    appended to ``notes`` when a list is given.
    """
    loaded = load(path)
    if notes is not None:
        notes.extend(loaded.notes)
    if loaded.kind == "crystal":
        assert loaded.cell is not None
        return loaded.cell.to_structure()
    return to_pymatgen_molecule(loaded.molecule)


def to_pymatgen_molecule(molecule: Any) -> Any:
    """A pymatgen ``Molecule`` from an :class:`XyzMolecule` (pymatgen molecules pass through)."""
    if isinstance(molecule, XyzMolecule):
        from pymatgen.core import Molecule

        return Molecule(list(molecule.species), molecule.positions)
    return molecule


def read_declared(path: str | os.PathLike[str]) -> Declared:
    """The space group a CIF declares (number, H-M symbol, Hall symbol), read cheaply."""
    text = _read_text(os.fspath(path))
    try:
        return declared_space_group(parse_blocks(text))
    except CifSyntaxError:
        return Declared()


def is_ordered(obj: Any) -> bool:
    """True unless some site is partially occupied / mixed (molecules are always ordered)."""
    if isinstance(obj, (Cell,)) or hasattr(obj, "lattice"):
        return as_cell(obj).ordered
    return bool(getattr(obj, "is_ordered", True))


def require_ordered(obj: Any) -> None:
    """Refuse structures with partially occupied sites (for commands that need ordered ones)."""
    if not is_ordered(obj):
        raise InputError("the structure has partially occupied (disordered) sites; this command needs an "
                         "ordered structure (order it first, e.g. with pymatgen's "
                         "OrderDisorderedStructureTransformation)")
