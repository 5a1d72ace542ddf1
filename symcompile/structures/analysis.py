"""The symmetry of one structure as a plain dict: space group, point group, setting, Wyckoff sites.

Crystals get their space group from spglib, with the setting of the given cell relative to
the standard one and their symmetry-distinct sites; molecules get their point group from
:mod:`symcompile.structures.molecules`. Groups have one shape in every command:
``space_group: {number, symbol}`` (null for molecules), ``point_group: {hm, schoenflies,
order}``. With ``check_declared``, a crystal whose detected group differs from the one its
CIF declares is a failed check (``status: failed``). A crystal with magnetic moments also gets
its magnetic space group (``magnetic``: :mod:`symcompile.structures.magnetic`); ``space_group``
stays the group of the atoms alone, so records compare with and without moments.

>>> from pathlib import Path
>>> result = analyse_symmetry(Path(__file__).parents[2] / "examples" / "structures" / "TiO2_rutile.cif")
>>> result["space_group"], result["point_group"]["schoenflies"]
({'number': 136, 'symbol': 'P4_2/mnm'}, 'D4h')
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from symcompile.structures.reading import as_structure_or_file
from symcompile.structures.structure import Structure


def _sites(structure: Structure, data: Any) -> list[dict[str, Any]]:
    """Each crystallographic orbit once: Wyckoff letter, site symmetry, multiplicity per conventional
    cell of the standard setting, and the number of its atoms in the given cell."""
    prim_volume = abs(float(np.linalg.det(data.primitive_lattice)))
    cells_per_input = max(1, round(structure.volume / prim_volume))
    centring = max(1, round(abs(float(np.linalg.det(data.std_lattice))) / prim_volume))
    orbits: dict[int, list[int]] = {}
    for index, orbit in enumerate(np.asarray(data.crystallographic_orbits)):
        orbits.setdefault(int(orbit), []).append(index)
    sites = []
    for representative, members in orbits.items():
        sites.append({
            "species": structure.species[representative],
            "wyckoff": str(data.wyckoffs[representative]),
            "site_symmetry": str(data.site_symmetry_symbols[representative]),
            "multiplicity": len(members) * centring // cells_per_input,
            "count": len(members),
        })
    sites.sort(key=lambda s: (s["wyckoff"], s["species"], s["multiplicity"]))
    return sites


def _wyckoff_cell(setting: dict[str, Any], centring: int) -> str:
    """Which cell the Wyckoff multiplicities count atoms in, in words."""
    axes = " on hexagonal axes" if setting.get("axes") == "hexagonal" else ""
    points = f" ({centring} lattice points)" if centring > 1 else ""
    return f"conventional cell of the standard setting{axes}{points}"


def crystal_symmetry(structure: Structure, symprec: float = 1e-3, angle_tol: float | None = None,
                     data: Any = None) -> dict[str, Any]:
    """Space group, point group, crystal system, setting and Wyckoff sites of a crystal."""
    from symcompile.structures.naming import crystal_point_group_entry
    from symcompile.structures.spacegroup import crystal_system, dataset, setting_of, space_group_name

    if data is None:
        data = dataset(structure, symprec, angle_tol)
    number = int(data.number)
    setting = setting_of(data, structure)
    prim_volume = abs(float(np.linalg.det(data.primitive_lattice)))
    centring = max(1, round(abs(float(np.linalg.det(data.std_lattice))) / prim_volume))
    setting["wyckoff_multiplicities"] = _wyckoff_cell(setting, centring)
    notes = []
    if setting.get("input_axes") == "rhombohedral":
        notes.append("the cell is given on rhombohedral axes; Wyckoff multiplicities count the atoms of the "
                     "conventional cell on hexagonal axes (3 times as many)")
    return {
        "space_group": space_group_name(number),
        "point_group": crystal_point_group_entry(number),
        "crystal_system": crystal_system(number),
        "setting": setting,
        "sites": _sites(structure, data),
        "notes": notes,
    }


def _check_declared(result: dict[str, Any], structure: Structure, data: Any) -> None:
    from symcompile.structures.declared import compare

    if structure.lattice is None:
        result["declared"] = None
        result["declared_match"] = "none declared"
        return
    detected_ops = (np.asarray(data.rotations, dtype=np.int64), np.asarray(data.translations, dtype=np.float64))
    outcome = compare(structure.declared, int(data.number), detected_ops, structure.declared_operations,
                      structure.lattice)
    result["declared"] = outcome.declared
    result["declared_match"] = outcome.match
    result["notes"].extend(outcome.notes)
    if outcome.mismatch:
        result["status"] = "failed"
        result["mismatch"] = outcome.message


def magnetic_analysis(structure: Structure, symprec: float = 1e-3, angle_tol: float | None = None,
                      mag_symprec: float | None = None, magnetic: bool = True) -> tuple[Any, list[str]]:
    """The :class:`~symcompile.structures.magnetic.MagneticSymmetry` of a crystal with moments (None without),
    and notes in plain words (why the moments are not used, or what the analysis assumed)."""
    if structure.magmoms is None:
        return None, []
    if not magnetic:
        return None, ["magnetic moments were read but not used (--no-magnetic): the groups are those of the atoms"]
    if structure.lattice is None:
        return None, ["magnetic moments of molecules are not analysed (magnetic point groups of molecules are not "
                      "implemented): the point group is that of the atoms"]
    from symcompile.structures.magnetic import magnetic_symmetry

    found = magnetic_symmetry(structure, symprec, angle_tol, mag_symprec)
    return found, list(found.notes)


def magnetic_entry(structure: Structure, symprec: float = 1e-3, angle_tol: float | None = None,
                   mag_symprec: float | None = None, magnetic: bool = True) -> tuple[dict[str, Any] | None, list[str]]:
    """The ``magnetic`` block of a structure with moments (None without), and notes saying why not."""
    found, notes = magnetic_analysis(structure, symprec, angle_tol, mag_symprec, magnetic)
    return (None if found is None else found.to_dict()), notes


def _check_declared_magnetic(result: dict[str, Any], structure: Structure) -> None:
    """A magnetic CIF's declared BNS number against the detected one (the number is setting-free)."""
    declared = structure.declared.bns_number
    found = result.get("magnetic")
    if not declared or not found:
        return
    same = declared == found["bns"]["number"]
    found["declared_bns"] = declared
    found["declared_match"] = "same" if same else "different"
    if not same:
        result["status"] = "failed"
        message = (f"declared magnetic group BNS {declared}, detected {found['bns']['symbol']} "
                   f"(BNS {found['bns']['number']})")
        result["mismatch"] = f"{result['mismatch']}; {message}" if result.get("mismatch") else message


def analyse_symmetry(source: str | os.PathLike[str] | Any, symprec: float = 1e-3, angle_tol: float | None = None,
                     check_declared: bool = False, magnetic: bool = True,
                     mag_symprec: float | None = None) -> dict[str, Any]:
    """The symmetry of a file, a :class:`Structure` or a pymatgen Structure / Molecule.

    Keys: ``kind`` (crystal/molecule), ``formula``, ``num_atoms``, ``space_group`` {number,
    symbol} or None, ``point_group`` {hm, schoenflies, order (None if infinite)}, ``notes``;
    crystals also ``crystal_system``, ``setting`` and ``sites``; crystals with magnetic moments
    ``magnetic`` (unless ``magnetic=False``; ``mag_symprec`` in μB, default ``symprec``). With
    ``check_declared``: ``declared``, ``declared_match`` and, on a mismatch, ``status: failed``
    and ``mismatch`` (also for the BNS number a magnetic CIF declares).
    """
    structure = as_structure_or_file(source)
    result: dict[str, Any] = {"kind": structure.kind, "formula": structure.formula(),
                              "num_atoms": structure.num_atoms}
    notes = list(structure.notes)
    data = None
    if structure.lattice is not None:
        from symcompile.structures.spacegroup import dataset

        data = dataset(structure, symprec, angle_tol)
        found = crystal_symmetry(structure, symprec, angle_tol, data)
        notes.extend(found.pop("notes"))
        result.update(found)
    else:
        from symcompile.structures.molecules import molecule_operations

        ops = molecule_operations(structure, symprec)
        result["space_group"] = None
        result["point_group"] = ops.point_group
        if not ops.finite:
            notes.append(f"{ops.name} is an infinite group (order null)")
    block, magnetic_notes = magnetic_entry(structure, symprec, angle_tol, mag_symprec, magnetic)
    notes.extend(magnetic_notes)
    if block is not None:
        result["magnetic"] = block
    result["notes"] = notes
    if check_declared:
        _check_declared(result, structure, data)
        _check_declared_magnetic(result, structure)
    return result
