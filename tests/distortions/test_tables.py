"""Bilbao's tables as read: settings equal to spglib's Hall settings, characters that are
irreducible and orthogonal on every little co-group (checked on the tables' own numbers)."""

from __future__ import annotations

import numpy as np
import pytest
import spglib

from symcompile.distortions.tables import CENTRING, load_table


def _op_set(rotations, translations):
    t = np.rint((np.asarray(translations) % 1.0) * 24).astype(int) % 24
    return {(tuple(np.asarray(r).ravel()), tuple(x)) for r, x in zip(rotations, t)}


@pytest.mark.parametrize("number", range(1, 231))
def test_setting_is_a_spglib_hall_setting_and_characters_are_irreducible(number: int) -> None:
    table = load_table(number)
    db = spglib.get_symmetry_from_database(table.hall_number)
    assert spglib.get_spacegroup_type(table.hall_number).number == number
    centring = table.centring
    rots = np.repeat(table.rotations, len(centring), axis=0)
    trans = (table.translations[:, None, :] + centring[None]).reshape(-1, 3)
    assert _op_set(rots, trans) == _op_set(db["rotations"], db["translations"])
    assert np.array_equal(table.rotations[0], np.eye(3)) and np.allclose(table.translations[0], 0)
    # the primitive basis spans the centred lattice: the centring vectors are integer combinations
    inv = np.linalg.inv(table.primitive)
    assert np.allclose(centring @ inv.T, np.rint(centring @ inv.T))
    assert round(abs(np.linalg.det(table.primitive)) * len(centring), 9) == 1
    assert table.symbol[0] in CENTRING
    for point in table.points:
        order = len(point.little)
        chars = np.array(list(point.irreps.values()))
        dims = np.array(list(point.dims.values()))
        assert np.allclose(chars[:, 0], dims)  # the identity is listed first
        assert int(np.sum(dims ** 2)) == order
        gram = chars.conj() @ chars.T / order
        assert np.allclose(gram, np.eye(len(chars)), atol=1e-4), (number, point.letter)


def test_perovskite_table_values() -> None:
    """Spot values of Pm-3m that anyone can check in Bilbao's REPRES: GM4- is the polar vector."""
    table = load_table(221)
    assert table.symbol == "Pm-3m" and table.hall_number == 517
    gm = table.point("GM")
    inversion = next(i for i, (w, t) in enumerate(zip(table.rotations, table.translations))
                     if np.array_equal(w, -np.eye(3)))
    position = gm.little.index(inversion)
    assert gm.irreps["GM4-"][position] == -3 and gm.irreps["GM4+"][position] == 3
    assert [p.letter for p in table.points] == ["GM", "R", "M", "X"]
    assert [float(x) for x in table.point("X").k] == [0.0, 0.5, 0.0]
    fd3m = load_table(227)
    assert [float(x) for x in fd3m.point("X").k] == [0.0, 1.0, 0.0]  # conventional reciprocal basis


@pytest.mark.parametrize("number", [144, 145, 151, 152, 153, 154, 169, 170, 171, 172, 178, 179, 180, 181])
def test_screw_translations_are_exact_thirds_and_sixths(number: int) -> None:
    """The tables print 1/3 as 0.33333; the operations must map a crystal onto itself to 1e-12."""
    table = load_table(number)
    sixths = table.translations * 6
    assert np.abs(sixths - np.rint(sixths)).max() < 1e-12
