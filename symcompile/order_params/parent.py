"""The parent of a child: the candidates within a displacement bound, and the one chosen.

One seam to the parent search: :func:`find_parents` lists every higher-symmetry structure
within ``max_displacement`` Å of the child (highest symmetry first), each with its space
group, largest displacement and the idealised parent written atom for atom in the child's
cell; :func:`select_parent` picks the default (the highest symmetry) or the group asked for.
The search itself lives in ``distortions.parents`` when present (interim: the spglib tolerance
scan of :mod:`symcompile.order_params.parent_scan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symcompile.distortions.correspondence import DEFAULT_MAX_DISPLACEMENT
from symcompile.errors import InputError
from symcompile.structures.neighbours import overlapping_pair
from symcompile.structures.spacegroup import number_from_symbol, space_group_name
from symcompile.structures.structure import Structure

__all__ = ["DEFAULT_MAX_DISPLACEMENT", "ParentOption", "find_parents", "group_number", "select_parent"]



@dataclass(frozen=True)
class ParentOption:
    """One candidate parent: ``space_group`` {number, symbol}, ``max_displacement`` (Å),
    ``ideal_parent`` (atom for atom in the child's cell), ``parent_cells`` in the child's cell."""

    space_group: dict[str, Any]
    max_displacement: float
    ideal_parent: Structure
    parent_cells: int
    chain: tuple[dict[str, Any], ...] = ()

    def to_record(self, chosen: bool) -> dict[str, Any]:
        out = {"space_group": dict(self.space_group), "max_displacement": round(float(self.max_displacement), 4),
               "parent_cells": int(self.parent_cells), "chosen": chosen}
        if self.chain:
            out["chain"] = [dict(g) for g in self.chain]
        return out


def _option(candidate: Any, others: list[Any]) -> ParentOption:
    """The seam: a candidate of the parent search as this package uses it (its supergroups among the
    candidates make its inclusion chain)."""
    group = dict(candidate.space_group)
    above = getattr(candidate, "supergroups", ()) or ()
    chain = tuple(dict(others[i].space_group) for i in above)
    return ParentOption({"number": int(group["number"]), "symbol": str(group["symbol"])},
                        float(candidate.max_displacement), candidate.ideal_parent,
                        int(getattr(candidate, "parent_cells", 0) or 0), chain)


def find_parents(child: Structure, max_displacement: float, symprec: float,
                 angle_tol: float | None = None) -> tuple[list[ParentOption], float | None]:
    """Every parent within ``max_displacement`` Å of ``child``, highest symmetry first; and the
    displacement of the nearest one beyond the bound, when known (for the message)."""
    try:
        from symcompile.distortions.parents import find_parents as search  # type: ignore[import-not-found]
    except ImportError:
        from symcompile.order_params.parent_scan import scan_parents

        found, miss = scan_parents(child, max_displacement, symprec, angle_tol)
        return [_option(c, found) for c in found], miss
    found = search(child, max_displacement, symprec, angle_tol)
    beyond = getattr(found, "nearest_beyond", None)
    return [_option(c, found) for c in found], (None if not beyond else float(beyond["max_displacement"]))


def group_number(text: str | int) -> int:
    """A space group from ``--parent-group``: a number (1-230) or a Hermann-Mauguin symbol.

    >>> group_number("R-3c"), group_number("221")
    (167, 221)
    """
    if isinstance(text, int) or str(text).strip().isdigit():
        number = int(text)
        if not 1 <= number <= 230:
            raise InputError(f"--parent-group: no space group number {number} (1-230)")
        return number
    number = number_from_symbol(str(text))
    if number is None:
        raise InputError(f"--parent-group: unknown space group symbol {text!r}")
    return int(number)


def select_parent(options: list[ParentOption], group: str | int | None = None) -> ParentOption:
    """The highest-symmetry option, or the one whose group is ``group`` (number or symbol)."""
    if not options:
        raise ValueError("no parent options")
    if group is None:
        return options[0]
    number = group_number(group)
    for option in options:
        if option.space_group["number"] == number:
            return option
    listed = ", ".join(f"{o.space_group['symbol']} ({o.space_group['number']})" for o in options)
    raise InputError(f"--parent-group {space_group_name(number)['symbol']} ({number}) is not among the parents "
                     f"within the bound: {listed}")


def check_sane(crystal: Structure, what: str = "structure", min_distance: float = 0.5) -> None:
    """Atoms closer than ``min_distance`` Å (overlapping sites) make no sense here (linear hash grid)."""
    if overlapping_pair(crystal, min_distance) is not None:
        raise InputError(f"the {what} has atoms closer than {min_distance} Å (overlapping sites?)")
