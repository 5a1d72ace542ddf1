"""The parent of a child as ``order-params`` reports it: the candidates within the bound, the chosen one.

The search is :func:`symcompile.distortions.parents.find_parents` (pseudo-symmetry, as Bilbao's
PSEUDO: every supergroup of the child's group within the bound, highest symmetry first) and the
choice :func:`symcompile.distortions.parents.select_parent`; this module writes one candidate
as the record lists it, with the chain of groups above it.
"""

from __future__ import annotations

from typing import Any

from symcompile.distortions.parents import ParentCandidate
from symcompile.distortions.setting import parent_setting

__all__ = ["candidate_record"]


def candidate_record(candidates: list[ParentCandidate], index: int, chosen: bool,
                     sites: list[str] | None = None) -> dict[str, Any]:
    """One parent of the list: its group, largest displacement (Å), parent cells per child primitive
    cell, whether it is the one analysed, and the groups of the candidates above it (its chain).

    When the list holds another parent of the same group (LiNbO3: two R-3c structures, Nb on the
    -3 site or on the 32 site), ``sites`` says which species sit on which Wyckoff positions of the
    tables' setting (given, or found by :func:`~symcompile.distortions.setting.parent_setting`).

    >>> import numpy as np
    >>> from symcompile.distortions import find_parents
    >>> from symcompile.structures import Structure
    >>> child = Structure(np.diag([4.0, 4.0, 4.04]), [[0, 0, 0], [.5, .5, .52], [.5, .5, 0], [.5, 0, .49],
    ...                   [0, .5, .49]], ("Ba", "Ti", "O", "O", "O"))
    >>> found = find_parents(child)
    >>> candidate_record(found, 1, False)["chain"]
    [{'number': 221, 'symbol': 'Pm-3m'}]
    """
    cand = candidates[index]
    out: dict[str, Any] = {"space_group": {"number": cand.number, "symbol": cand.symbol},
                           "max_displacement": round(float(cand.max_displacement), 4),
                           "parent_cells": int(cand.parent_cells), "chosen": chosen}
    if cand.supergroups:
        out["chain"] = [{"number": candidates[i].number, "symbol": candidates[i].symbol} for i in cand.supergroups]
    if sum(c.number == cand.number for c in candidates) > 1:
        if sites is None:
            setting = parent_setting(cand.ideal_parent, cand.symprec, cand.angle_tol)
            sites = [f"{site.species} {site.wyckoff}" for site in setting.sites]
        out["sites"] = list(sites)
    return out
