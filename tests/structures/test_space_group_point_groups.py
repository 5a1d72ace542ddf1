"""Space groups -> point groups: our o3 matrices (setting included) against spglib's database, through
symcompile.structures.spacegroup (the one symbol table)."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest
import spglib

from symcompile.errors import InputError
from symcompile.o3.point_groups import point_group
from symcompile.structures.spacegroup import point_group_from_space_group


def _as_set(mats: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(np.rint(np.asarray(m) * 1e6).astype(np.int64).ravel()) for m in mats}


def _conventional_lattice(number: int) -> np.ndarray:
    """Lattice rows of the conventional cell in the standard orientation (a along x, c along z)."""
    if number <= 2:
        return np.array([[1.0, 0.0, 0.0], [0.3, 1.1, 0.0], [0.2, 0.4, 1.3]])
    if number <= 15:  # b-unique monoclinic: b along y, c in the xz plane
        beta = math.radians(100.0)
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.2, 0.0], [1.4 * math.cos(beta), 0.0, 1.4 * math.sin(beta)]])
    if number <= 74:
        return np.diag([1.0, 1.2, 1.4])
    if number <= 142:
        return np.diag([1.0, 1.0, 1.4])
    if number <= 194:  # hexagonal axes (also for R groups: the first Hall setting is hexagonal)
        return np.array([[1.0, 0.0, 0.0], [-0.5, math.sqrt(3) / 2, 0.0], [0.0, 0.0, 1.6]])
    return np.eye(3)


@functools.lru_cache(maxsize=None)
def _hall_table() -> dict[int, tuple[int, str]]:
    """space group number -> (first Hall number, spglib's point-group symbol)."""
    table: dict[int, tuple[int, str]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for hall in range(1, 531):
            t = spglib.get_spacegroup_type(hall)
            table.setdefault(int(t.number), (hall, str(t.pointgroup_international)))
    return table


@pytest.mark.parametrize("number", list(range(1, 231)))
def test_point_group_of_each_space_group_equals_spglib_rotations_in_cartesian_frame(number: int) -> None:
    """Our matrices (orientation included: -4m2 vs -42m, 312 vs 321, 31m vs 3m1) are spglib's."""
    hall, pg_symbol = _hall_table()[number]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rotations = spglib.get_symmetry_from_database(hall)["rotations"]
    Lt = _conventional_lattice(number).T
    cart = Lt @ rotations @ np.linalg.inv(Lt)
    G = point_group_from_space_group(number)
    assert _as_set(cart) == _as_set(G.matrices)
    assert G.schoenflies == point_group(pg_symbol).schoenflies


@pytest.mark.parametrize("bad", [0, 231, -3, "abc", "12a", 3.5, None])
def test_space_group_number_errors(bad: object) -> None:
    with pytest.raises(InputError):
        point_group_from_space_group(bad)  # type: ignore[arg-type]


