"""Space groups by spglib: the symmetry dataset, the one table of symbols and settings, names.

The space group of a crystal is the set of isometries {W|w} mapping the infinite crystal onto
itself; spglib finds them within a distance tolerance ``symprec`` (Å) and an angle tolerance.
Every symbol, Hall symbol, setting choice and standard setting comes from spglib's own
database of the 530 Hall settings (:func:`space_group_types`): there is no other table.

>>> hall_number_from_symbol("C 1 2 1"), hall_number_from_symbol("C2:b1"), hall_number_from_symbol("R-3c:R")
(9, 9, 461)
>>> standard_symbol(136), crystal_system(136), point_group_symbol(117)
('P4_2/mnm', 'tetragonal', '-4m2')
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import spglib

from symcompile.errors import InputError
from symcompile.structures.operations import symmetrized_basis  # noqa: F401 - distortions imports it from here

# spglib >= 2.7: raise SpglibError instead of returning None (the default flips in 3.0).
try:
    spglib.error.OLD_ERROR_HANDLING = False
except AttributeError:  # pragma: no cover - very old or very new spglib
    pass

#: CIF origin-choice letters some programs write instead of 1 / 2.
_CHOICE_ALIASES = {"S": "1", "Z": "2"}


@contextlib.contextmanager
def quiet_spglib() -> Iterator[None]:
    """spglib prints C-level warnings at large tolerances and deprecation warnings: silence both."""
    old = os.environ.get("SPGLIB_WARNING")
    os.environ["SPGLIB_WARNING"] = "OFF"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        if old is None:
            os.environ.pop("SPGLIB_WARNING", None)
        else:
            os.environ["SPGLIB_WARNING"] = old


def _angle(angle_tol: float | None) -> float:
    return -1.0 if angle_tol is None else float(angle_tol)


# --------------------------------------------------------------------------- the one symbol table
@functools.lru_cache(maxsize=1)
def space_group_types() -> tuple[Any, ...]:
    """spglib's SpacegroupType of every Hall setting, index = Hall number - 1."""
    with quiet_spglib():
        return tuple(spglib.get_spacegroup_type(hall) for hall in range(1, 531))


def _compact(symbol: str) -> str:
    """'P 4_2/m n m' -> 'P42/mnm' (lattice letter upper case, the rest lower case)."""
    text = re.sub(r"[\s_]", "", symbol.strip().strip("'\""))
    return text[:1].upper() + text[1:].lower()


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, list[int]]:
    """Compact H-M symbol (short, full, and every alias spglib lists) -> Hall numbers, standard first."""
    table: dict[str, list[int]] = {}
    for hall, sg in enumerate(space_group_types(), start=1):
        for name in (sg.international_full, *sg.international.split("="), sg.international_short):
            table.setdefault(_compact(name), [])
            if hall not in table[_compact(name)]:
                table[_compact(name)].append(hall)
    return table


def _split_choice(symbol: str) -> tuple[str, str | None]:
    """'C2:b1' -> ('C2', 'b1'); 'R -3 c H' -> ('R -3 c', 'H'); 'Fd-3m:2' -> ('Fd-3m', '2')."""
    text = symbol.strip().strip("'\"").strip()
    if ":" in text:
        base, _, choice = text.partition(":")
        return base.strip(), choice.strip() or None
    parts = text.split()
    if len(parts) > 1 and parts[-1] in ("H", "R", "S", "Z"):
        return " ".join(parts[:-1]), parts[-1]
    return text, None


def hall_number_from_symbol(symbol: str, lattice: np.ndarray | None = None) -> int | None:
    """The Hall setting of a Hermann-Mauguin symbol with an optional setting (``:b1``, ``:2``, ``:H``).

    Without a setting: the setting the symbol itself names (``P b n m``, ``A 1 2 1``), else
    the standard one; rhombohedral groups take hexagonal or rhombohedral axes from ``lattice``.
    """
    base, choice = _split_choice(symbol)
    halls = _names().get(_compact(base))
    if not halls:
        return None
    types = space_group_types()
    if choice is not None:
        choice = _CHOICE_ALIASES.get(choice.upper(), choice)
        chosen = [h for h in halls if types[h - 1].choice.lower() == choice.lower()]
        if not chosen and choice.upper() in ("H", "R"):
            chosen = [h for h in halls if types[h - 1].choice == choice.upper()]
        return chosen[0] if chosen else None
    if lattice is not None and types[halls[0] - 1].choice in ("H", "R"):
        return next((h for h in halls if types[h - 1].choice == lattice_axes(lattice)), halls[0])
    return halls[0]


def hall_number_from_hall(hall: str) -> int | None:
    """The Hall number of a Hall symbol ('-P 2ac 2n' -> 292)."""
    key = " ".join(hall.strip().strip("'\"").lower().replace('"', "''").split())
    for number, sg in enumerate(space_group_types(), start=1):
        if " ".join(sg.hall_symbol.lower().replace('"', "''").split()) == key:
            return number
    return None


def number_from_symbol(symbol: str) -> int | None:
    """Space group number of a Hermann-Mauguin symbol in any ITA setting ('P b n m' -> 62)."""
    hall = hall_number_from_symbol(symbol)
    return None if hall is None else int(space_group_types()[hall - 1].number)


def number_from_hall(hall: str) -> int | None:
    """Space group number of a Hall symbol ('-P 2ac 2n' -> 62)."""
    number = hall_number_from_hall(hall)
    return None if number is None else int(space_group_types()[number - 1].number)


@functools.cache
def hall_number_of(number: int) -> int:
    """The first (standard) Hall setting of a space group number."""
    for hall, sg in enumerate(space_group_types(), start=1):
        if sg.number == number:
            return hall
    raise ValueError(f"no space group number {number}")


def standard_symbol(number: int) -> str:
    """The short Hermann-Mauguin symbol of a space group number in its standard setting."""
    return str(space_group_types()[hall_number_of(number) - 1].international_short)


def space_group_name(number: int) -> dict[str, Any]:
    """``{"number", "symbol"}``: the record shape of a space group in every command."""
    return {"number": int(number), "symbol": standard_symbol(int(number))}


def crystal_system(number: int) -> str:
    """Crystal system of a space group number (1-230)."""
    for upper, name in ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"), (142, "tetragonal"),
                        (167, "trigonal"), (194, "hexagonal"), (230, "cubic")):
        if 1 <= number <= upper:
            return name
    raise ValueError(f"no space group number {number}")


def crystal_class(number: int) -> str:
    """spglib's Hermann-Mauguin point group of a space group number, setting-free ('-42m' for P-4b2)."""
    return str(space_group_types()[hall_number_of(number) - 1].pointgroup_international)


def point_group_symbol(number: int) -> str:
    """The point group in the setting of the standard symbol: 'P4_2/mnm' -> '4/mmm', 'P-4b2' -> '-4m2'."""
    s = standard_symbol(number).replace(" ", "")
    s = s[1:] if s and s[0] in "PABCFIRS" else s
    s = re.sub(r"_\d", "", s)
    return re.sub(r"[abcnde]", "m", s)


def point_group_from_space_group(number: int) -> Any:
    """The o3 :class:`PointGroup` of space group ``number`` (1-230), in the setting of its standard symbol."""
    from symcompile.o3.point_groups import point_group

    text = str(number).strip()
    if isinstance(number, bool) or not text.isdigit() or not 1 <= int(text) <= 230:
        raise InputError(f"space group number must be an integer 1-230, got {number!r}")
    return point_group(point_group_symbol(int(text)))


def operations_of_hall(hall_number: int) -> tuple[np.ndarray, np.ndarray]:
    """(integer rotations, translations) of a Hall setting, centring translations included."""
    with quiet_spglib():
        ops = spglib.get_symmetry_from_database(hall_number)
    return np.asarray(ops["rotations"], dtype=int), np.asarray(ops["translations"], dtype=np.float64)


def lattice_axes(lattice: np.ndarray, tol: float = 1e-3) -> str | None:
    """'H' for hexagonal axes (a = b, gamma = 120°), 'R' for rhombohedral ones (a = b = c, equal angles)."""
    lattice = np.asarray(lattice, dtype=np.float64)
    lengths = np.linalg.norm(lattice, axis=1)
    cosines = [lattice[1] @ lattice[2] / (lengths[1] * lengths[2]), lattice[0] @ lattice[2] / (lengths[0] * lengths[2]),
               lattice[0] @ lattice[1] / (lengths[0] * lengths[1])]
    if abs(lengths[0] - lengths[1]) < tol * lengths[0] and abs(cosines[2] + 0.5) < tol:
        return "H"
    if np.ptp(lengths) < tol * lengths[0] and np.ptp(cosines) < tol:
        return "R"
    return None


# --------------------------------------------------------------------------- spglib on a structure
def dataset(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> Any:
    """spglib's symmetry dataset of a crystal; overlapping atoms and spglib failures are InputErrors."""
    from symcompile.structures.neighbours import overlapping_pair

    pair = overlapping_pair(structure, symprec)
    if pair is not None:
        i, j, _ = pair
        raise InputError(f"atoms {i + 1} and {j + 1} are closer than the tolerance (symprec={symprec:g} Å): "
                         "overlapping atoms or --symprec too large")
    try:
        with quiet_spglib():
            data = spglib.get_symmetry_dataset(structure.spglib_cell(), symprec=symprec,
                                               angle_tolerance=_angle(angle_tol))
    except spglib.SpglibError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "symmetry search failed"
        if "too close" in message:
            raise InputError(f"atoms closer than the tolerance (symprec={symprec:g} Å): overlapping atoms "
                             "or --symprec too large") from None
        raise InputError(f"spglib could not determine the space group ({message}) at symprec={symprec:g} Å") from None
    if data is None:  # old error handling still active somewhere
        raise InputError(f"spglib could not determine the space group at symprec={symprec:g} Å")
    return data


def space_group_of_operations(rotations: np.ndarray, translations: np.ndarray, lattice: np.ndarray,
                              symprec: float = 1e-3) -> dict[str, Any] | None:
    """``{"number", "symbol"}`` of a set of operations {W|w} in a cell, or None if they are no space group."""
    try:
        with quiet_spglib():
            sgt = spglib.get_spacegroup_type_from_symmetry(np.asarray(rotations, dtype=np.intc),
                                                           np.asarray(translations, dtype=np.double),
                                                           np.asarray(lattice, dtype=np.double), symprec=symprec)
    except spglib.SpglibError:
        return None
    if sgt is None:
        return None
    return {"number": int(sgt.number), "symbol": str(sgt.international_short)}


def standardize(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                primitive: bool = True) -> Any:
    """spglib's ideal standard (primitive or conventional) cell as a :class:`Structure` in standard axes."""
    from symcompile.structures.structure import Structure

    numbers = structure.type_numbers()
    try:
        with quiet_spglib():
            out = spglib.standardize_cell(structure.spglib_cell(), to_primitive=primitive, no_idealize=False,
                                          symprec=symprec, angle_tolerance=_angle(angle_tol))
    except spglib.SpglibError:
        out = None
    if out is None:
        raise InputError("spglib could not find the symmetry of the structure (atoms too close?)")
    lattice, frac, new_numbers = out
    key = {int(z): s for z, s in zip(numbers, structure.species)}
    return Structure(lattice, frac, tuple(key[int(z)] for z in new_numbers), ordered=structure.ordered,
                     source=structure.source, notes=structure.notes)


def atoms_in_cell(structure: Any, lattice: np.ndarray, tol: float) -> tuple[Any, np.ndarray]:
    """The atoms of ``structure`` in a smaller cell ``lattice`` of the same crystal (same Cartesian
    frame), the first atom at each position; returns the structure and the indices kept.

    InputError if the smaller cell does not hold a whole number of the given atoms at ``tol`` Å.
    """
    from symcompile.structures.structure import Structure

    lattice = np.asarray(lattice, dtype=np.float64)
    frac = np.linalg.solve(lattice.T, structure.cart_coords.T).T
    frac -= np.floor(frac)
    kept: list[int] = []
    for i in range(len(frac)):
        if kept:
            diff = frac[kept] - frac[i]
            diff -= np.round(diff)
            if np.linalg.norm(diff @ lattice, axis=1).min() < tol:
                continue
        kept.append(i)
    expected = len(frac) * abs(np.linalg.det(lattice)) / structure.volume
    if abs(len(kept) - expected) > 1e-6:
        raise InputError("the primitive cell does not hold a whole number of the given atoms at this "
                         "tolerance: try another --symprec")
    index = np.asarray(kept, dtype=int)
    magmoms = None if structure.magmoms is None else np.asarray(structure.magmoms)[index]
    cell = Structure(lattice, frac[index], tuple(structure.species[i] for i in kept), ordered=structure.ordered,
                     source=structure.source, notes=structure.notes, magmoms=magmoms)
    return cell, index


def primitive_cell(structure: Any, symprec: float = 1e-3, angle_tol: float | None = None) -> Any:
    """The crystal in a primitive cell of its own translation lattice, in the SAME Cartesian frame.

    A supercell can hide symmetry from operations written in its cell: the 4-fold axis of rutile
    does not map a 2a x a x c cell onto itself, so spglib lists only mmm there. Properties of the
    infinite crystal (tensors, the point group) are taken on this cell. Returns ``structure`` itself
    when it is already primitive.

    >>> import numpy as np
    >>> from symcompile.structures.structure import Structure
    >>> bcc = Structure(np.eye(3) * 3.0, [[0, 0, 0], [0.5, 0.5, 0.5]], ("Fe", "Fe"))
    >>> primitive_cell(bcc).num_atoms
    1
    """
    data = dataset(structure, symprec, angle_tol)
    lattice = np.asarray(data.primitive_lattice, dtype=np.float64)
    if abs(abs(np.linalg.det(lattice)) - structure.volume) < 1e-6 * structure.volume:
        return structure
    return atoms_in_cell(structure, lattice, symprec)[0]


# --------------------------------------------------------------------------- settings
def _origin_choice(choice: str) -> int | None:
    return int(choice[0]) if choice[:1] in ("1", "2") else None


def setting_of(data: Any, structure: Any) -> dict[str, Any]:
    """How the given cell relates to spglib's standard setting of its space group.

    ``transformation_matrix`` P and ``origin_shift`` p: x_standard = P x + p (spglib's
    convention; the standard basis is (a b c) P^-1). ``origin_choice`` for the groups with
    two ITA origins, ``axes`` hexagonal/rhombohedral for R groups (the standard setting uses
    hexagonal axes; ``input_axes`` says which the given cell uses).
    """
    sg = space_group_types()[int(data.hall_number) - 1]
    P = np.asarray(data.transformation_matrix, dtype=np.float64)
    p = np.asarray(data.origin_shift, dtype=np.float64)
    p = p - np.round(p)
    p[np.abs(p) < 1e-10] = 0.0
    standard = bool(np.allclose(P, np.eye(3), atol=1e-8) and np.allclose(p, 0, atol=1e-8))
    out: dict[str, Any] = {
        "hall_number": int(data.hall_number),
        "hall_symbol": str(data.hall),
        "choice": str(data.choice) or None,
        "origin_choice": _origin_choice(str(sg.choice)),
        "transformation_matrix": np.round(P, 12) + 0.0,
        "origin_shift": np.round(p, 12) + 0.0,
        "standard": standard,
    }
    if str(data.international).startswith("R"):
        out["axes"] = "hexagonal"
        given = lattice_axes(structure.lattice) if structure.lattice is not None else None
        ratio = abs(float(np.linalg.det(P)))  # volume of the given cell / volume of the standard cell
        out["input_axes"] = {"H": "hexagonal", "R": "rhombohedral"}.get(given or "") or (
            "rhombohedral" if abs(ratio - 1 / 3) < 1e-6 else "other")
    return out
