"""Declared versus detected space group: same, higher, lower or different symmetry.

A CIF declares a group G_dec; spglib detects G_det at the chosen tolerance. When the CIF
lists its operations, both groups are compared as sets of operations {W|w} in the CIF's
own cell: G_dec a proper subgroup of G_det means the crystal has *higher* symmetry than
declared, G_det a proper subgroup of G_dec means *lower*. Without usable operations the
comparison falls back to the point groups (crystal classes): a class relation
(subgroup / supergroup) decides higher / lower, anything else is *different*.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import spglib

from symcompile.structures.spacegroup import (
    crystal_class, hall_number_of, number_from_hall, number_from_symbol, operations_of_hall,
    space_group_of_operations, standard_symbol,
)
from symcompile.structures.structure import Declared

MATCHES = ("same", "higher", "lower", "different", "none declared")
_TRANSLATION_TOL = 1e-2  # fractional; symmetry translations are multiples of 1/12 or 1/8


@dataclass(frozen=True)
class Comparison:
    """The outcome of a declared-vs-detected check."""

    declared: dict[str, Any] | None
    match: str
    message: str
    notes: tuple[str, ...] = ()

    @property
    def mismatch(self) -> bool:
        return self.match not in ("same", "none declared")


def resolve(declared: Declared) -> tuple[int | None, list[str]]:
    """The declared number (from the number, else the H-M symbol, else the Hall symbol)."""
    notes: list[str] = []
    by_symbol = number_from_symbol(declared.symbol) if declared.symbol else None
    by_hall = number_from_hall(declared.hall) if declared.hall else None
    number = declared.number
    if number is not None and not 1 <= number <= 230:
        notes.append(f"declared space group number {number} is not in 1-230")
        number = None
    if number is not None and by_symbol is not None and by_symbol != number:
        notes.append(f"the CIF's number ({number}) and H-M symbol {declared.symbol!r} ({by_symbol}) disagree; "
                     "the number is used")
    if number is None:
        number = by_symbol if by_symbol is not None else by_hall
    if declared.symbol and by_symbol is None and declared.number is None:
        notes.append(f"declared H-M symbol {declared.symbol!r} not recognised")
    return number, notes


def _contains(group: tuple[np.ndarray, np.ndarray], op_rot: np.ndarray, op_trans: np.ndarray) -> bool:
    rotations, translations = group
    same_rot = np.all(rotations.reshape(-1, 9) == op_rot.reshape(9), axis=1)
    if not np.any(same_rot):
        return False
    diff = translations[same_rot] - op_trans
    diff -= np.round(diff)
    return bool(np.any(np.all(np.abs(diff) < _TRANSLATION_TOL, axis=1)))


def _subset(small: tuple[np.ndarray, np.ndarray], big: tuple[np.ndarray, np.ndarray]) -> bool:
    return all(_contains(big, r, t) for r, t in zip(*small))


def _relation_by_operations(declared_ops: tuple[np.ndarray, np.ndarray],
                            detected_ops: tuple[np.ndarray, np.ndarray]) -> str:
    dec_in_det = _subset(declared_ops, detected_ops)
    det_in_dec = _subset(detected_ops, declared_ops)
    if dec_in_det and det_in_dec:
        return "same"
    if dec_in_det:
        return "higher"
    if det_in_dec:
        return "lower"
    return "different"


@functools.cache
def subgroup_classes(number: int) -> frozenset[str]:
    """Point group symbols of all subgroups of the point group of space group ``number``."""
    rotations, _ = operations_of_hall(hall_number_of(number))
    elements = np.unique(np.asarray(rotations, dtype=np.int64).reshape(-1, 9), axis=0).reshape(-1, 3, 3)
    index = {m.tobytes(): i for i, m in enumerate(elements)}
    n = len(elements)
    table = [[index[(elements[i] @ elements[j]).tobytes()] for j in range(n)] for i in range(n)]

    def closure(generators: frozenset[int]) -> frozenset[int]:
        found = set(generators)
        frontier = list(generators)
        while frontier:
            a = frontier.pop()
            for b in list(found):
                for c in (table[a][b], table[b][a]):
                    if c not in found:
                        found.add(c)
                        frontier.append(c)
        return frozenset(found)

    identity = index[np.eye(3, dtype=np.int64).tobytes()]
    subgroups = {frozenset({identity})}
    frontier = list(subgroups)
    while frontier:
        group = frontier.pop()
        for g in range(n):
            if g not in group:
                bigger = closure(group | {g})
                if bigger not in subgroups:
                    subgroups.add(bigger)
                    frontier.append(bigger)
    classes = set()
    for group in subgroups:
        symbol = spglib.get_pointgroup(elements[sorted(group)].astype(np.intc))[0]
        classes.add(str(symbol).strip())
    return frozenset(classes)


def _relation_by_class(declared_number: int, detected_number: int) -> str:
    dec_class = crystal_class(declared_number)
    det_class = crystal_class(detected_number)
    if dec_class != det_class and dec_class in subgroup_classes(detected_number):
        return "higher"
    if dec_class != det_class and det_class in subgroup_classes(declared_number):
        return "lower"
    return "different"


def _label(number: int) -> str:
    return f"{standard_symbol(number)} ({number})"


def compare(declared: Declared, detected_number: int, detected_ops: tuple[np.ndarray, np.ndarray],
            cif_operations: tuple[np.ndarray, np.ndarray] | None, lattice: np.ndarray) -> Comparison:
    """Compare what a file declares with what spglib detected (operations in the same cell)."""
    if declared.number is None and not declared.symbol and not declared.hall:
        return Comparison(None, "none declared", "the file declares no space group")
    number, notes = resolve(declared)
    shown = {"number": number, "symbol": declared.symbol or (standard_symbol(number) if number else declared.hall)}
    if number is None:
        return Comparison(shown, "different", "the declared space group is not recognised", tuple(notes))
    if number == detected_number:
        return Comparison(shown, "same", f"detected {_label(detected_number)} as declared", tuple(notes))
    relation = None
    if cif_operations is not None and len(cif_operations[0]) > 0:
        listed = space_group_of_operations(cif_operations[0], cif_operations[1], lattice, symprec=1e-3)
        if listed is not None and listed["number"] == number:
            relation = _relation_by_operations(cif_operations, detected_ops)
        else:
            notes.append("the CIF's listed operations do not form the declared group; compared by crystal class")
    if relation is None or relation == "same":
        relation = _relation_by_class(number, detected_number)
    text = {
        "higher": "higher symmetry than declared",
        "lower": "lower symmetry than declared",
        "different": "a different group (neither contains the other)",
    }[relation]
    message = f"declared {_label(number)}, detected {_label(detected_number)}: {text}"
    return Comparison(shown, relation, message, tuple(notes))
