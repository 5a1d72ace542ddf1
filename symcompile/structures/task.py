"""The ``symmetry`` command's work for one input: read, find the group, compare with the declared one.

Crystals get their space group from spglib, molecules their point group (Schoenflies);
with ``check_declared`` a crystal whose detected group differs from the one its CIF
declares is a failed check (status ``failed``, exit code 1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.structures.reading import Loaded, load

COMMAND = "symmetry"


def analyse_loaded(loaded: Loaded, symprec: float = 1e-3, angle_tol: float | None = None,
                   check_declared: bool = False) -> dict[str, Any]:
    """The symmetry record of an already-read structure (see :func:`analyse_symmetry`)."""
    notes = list(loaded.notes)
    record: dict[str, Any] = {"command": COMMAND, "kind": loaded.kind}
    data = None
    if loaded.kind == "crystal":
        from symcompile.structures.spacegroup import dataset, space_group_info

        cell = loaded.cell
        assert cell is not None
        data = dataset(cell, symprec, angle_tol)
        record["formula"] = cell.formula()
        record.update(space_group_info(cell, symprec, angle_tol, data=data))
    else:
        from symcompile.structures.molecules import molecule_symmetry

        result = molecule_symmetry(loaded.molecule, symprec)
        record["formula"] = _molecule_formula(loaded.molecule)
        record["point_group"] = result.point_group
        record["order"] = result.order
        record["num_atoms"] = _molecule_size(loaded.molecule)
        record["space_group_label"] = f"{result.point_group} (point group)"
        if result.order is None:
            notes.append(f"{result.point_group} is an infinite group (order null)")
    record["symprec"] = symprec
    record["angle_tol"] = angle_tol
    if check_declared:
        _check_declared(record, loaded, data if loaded.kind == "crystal" else None, notes)
    record["notes"] = notes
    return record


def _check_declared(record: dict[str, Any], loaded: Loaded, data: Any, notes: list[str]) -> None:
    from symcompile.structures.declared import compare

    if loaded.kind != "crystal":
        record["declared"] = None
        record["declared_match"] = "none declared"
        return
    cell = loaded.cell
    assert cell is not None
    detected_ops = (np.asarray(data.rotations, dtype=np.int64), np.asarray(data.translations, dtype=np.float64))
    result = compare(loaded.declared, int(data.number), detected_ops, loaded.cif_operations, cell.lattice)
    record["declared"] = result.declared
    record["declared_match"] = result.match
    notes.extend(result.notes)
    if result.mismatch:
        record["status"] = "failed"
        record["mismatch"] = result.message


def _molecule_formula(molecule: Any) -> str:
    """Hill formula: C first, then H, then the other elements alphabetically (no C: all alphabetical)."""
    species = [site.species_string for site in molecule] if hasattr(molecule, "cart_coords") else list(molecule.species)
    counts: dict[str, int] = {}
    for s in species:
        counts[s] = counts.get(s, 0) + 1
    order = sorted(counts)
    if "C" in counts:
        order = ["C"] + (["H"] if "H" in counts else []) + [k for k in order if k not in ("C", "H")]
    return "".join(k + (str(counts[k]) if counts[k] != 1 else "") for k in order)


def _molecule_size(molecule: Any) -> int:
    return len(molecule) if hasattr(molecule, "cart_coords") else len(molecule.species)


def analyse_symmetry(source: str | os.PathLike[str] | Any, symprec: float = 1e-3, angle_tol: float | None = None,
                     check_declared: bool = False) -> dict[str, Any]:
    """The symmetry record of a file, a pymatgen Structure / Molecule, or a :class:`Cell`.

    Keys: ``command``, ``kind`` (crystal/molecule), ``formula``, ``num_atoms``, ``symprec``,
    ``angle_tol``, ``notes``; crystals: ``space_group`` {number, symbol},
    ``space_group_label``, ``hall_symbol``, ``hall_number``, ``point_group`` (H-M),
    ``point_group_order``, ``crystal_system``, ``sites``; molecules: ``point_group``
    (Schoenflies), ``order`` (null for infinite groups). With ``check_declared``:
    ``declared``, ``declared_match`` and, on a mismatch, ``status: failed`` and ``mismatch``.
    """
    if isinstance(source, (str, os.PathLike)):
        loaded = load(source)
    else:
        loaded = _loaded_from_object(source)
    return analyse_loaded(loaded, symprec, angle_tol, check_declared)


def _loaded_from_object(obj: Any) -> Loaded:
    from symcompile.structures.cell import Cell, as_cell
    from symcompile.structures.reading import DISORDER_NOTE

    if isinstance(obj, Cell) or hasattr(obj, "lattice"):
        cell = as_cell(obj)
        return Loaded("crystal", cell=cell, notes=() if cell.ordered else (DISORDER_NOTE,))
    return Loaded("molecule", molecule=obj)


@dataclass(frozen=True)
class SymmetryTask:
    """Picklable per-file task of the ``symmetry`` command (runs in worker processes too)."""

    symprec: float = 1e-3
    angle_tol: float | None = None
    check_declared: bool = False

    def __call__(self, path: str) -> dict[str, Any]:
        record = analyse_symmetry(path, self.symprec, self.angle_tol, self.check_declared)
        record.pop("file", None)
        return record
