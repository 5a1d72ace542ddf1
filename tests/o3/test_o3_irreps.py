"""Irrep / Irreps against e3nn 0.6 (the oracle): parsing, printing, algebra, O(3) representation matrices."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from e3nn import o3 as e3

from symcompile.errors import InputError
from symcompile.o3 import Irrep, Irreps, MulIr, rand_matrix
from symcompile.o3.irreps import IrrepsError

STRINGS = [
    "3x0e + 2x1o",
    "3x0e+2x1o",
    "0e",
    "1o + 1o",
    "",
    "  ",
    "10x2e+3x3o+0x1e",
    "1y + 2y + 3y",
    "  4x0o +1e ",
    "2x1e+1x0e+1x1e",
    "0x0e",
    "16x0e+16x1o+16x2e",
    "5x11o+1x12e+2x0o",
    "1e+0e+1e+2o+0e+0e",
]


@pytest.mark.parametrize("s", STRINGS)
def test_string_round_trip_equals_e3nn(s: str) -> None:
    ours, ref = Irreps(s), e3.Irreps(s)
    assert str(ours) == str(ref)
    assert Irreps(str(ours)) == ours
    assert ours.dim == ref.dim
    assert ours.num_irreps == ref.num_irreps
    assert ours.ls == ref.ls
    if ref.ls:  # e3nn's lmax fails on "0x0e"; ours gives 0 there
        assert ours.lmax == ref.lmax
    assert [(s.start, s.stop) for s in ours.slices()] == [(s.start, s.stop) for s in ref.slices()]
    assert str(ours.simplify()) == str(ref.simplify())
    srt, srt_ref = ours.sort(), ref.sort()
    assert str(srt.irreps) == str(srt_ref.irreps)
    assert tuple(srt.p) == tuple(srt_ref.p)
    assert tuple(srt.inv) == tuple(srt_ref.inv)
    assert str(ours.regroup()) == str(ref.regroup())
    for ir in ["0e", "0o", "1o", "1e", "2e", "3o"]:
        assert ours.count(ir) == ref.count(ir)
        assert (ir in ours) == (ir in ref)


def test_algebra_equals_e3nn() -> None:
    a, b = "3x1e+0e", "2x1o + 1x2e"
    assert str(Irreps(a) + Irreps(b)) == str(e3.Irreps(a) + e3.Irreps(b))
    assert str(Irreps(a) + b) == str(e3.Irreps(a) + b)
    assert str(Irreps(a) * 3) == str(e3.Irreps(a) * 3)
    assert str(2 * Irreps(a)) == str(2 * e3.Irreps(a))
    assert str(3 * Irrep("1o")) == str(3 * e3.Irrep("1o"))
    assert str(Irrep("1o") + Irrep("0e")) == str(e3.Irrep("1o") + e3.Irrep("0e"))
    assert [str(x) for x in Irrep("2o") * Irrep("1o")] == [str(x) for x in e3.Irrep("2o") * e3.Irrep("1o")]
    assert str(Irreps(a)[1:]) == str(e3.Irreps(a)[1:])
    assert isinstance(Irreps(a)[1:], Irreps)
    for lmax in range(4):
        for p in (1, -1):
            assert str(Irreps.spherical_harmonics(lmax, p)) == str(e3.Irreps.spherical_harmonics(lmax, p))


def test_irrep_fields_and_order() -> None:
    ir = Irrep("1o")
    assert (ir.l, ir.p, ir.dim, str(ir)) == (1, -1, 3, "1o")
    assert Irrep(1, -1) == ir == Irrep((1, -1)) == Irrep(ir)
    assert Irrep("1e").p == 1 and Irrep("2y") == Irrep("2e") and Irrep("3y") == Irrep("3o")
    assert hash(Irrep("2e")) == hash(Irrep(2, 1))
    ours = [str(x) for x in sorted(Irrep.iterator(4))]
    ref = [str(x) for x in sorted(e3.Irrep.iterator(4))]
    assert ours == ref
    assert [str(x) for x in Irrep.iterator(3)] == [str(x) for x in e3.Irrep.iterator(3)]
    m = MulIr(3, Irrep("2e"))
    assert (m.mul, m.ir, m.dim, str(m)) == (3, Irrep("2e"), 15, "3x2e")
    assert Irreps([(3, "0e"), (2, (1, -1))]) == Irreps("3x0e+2x1o")
    assert Irreps(["0e", Irrep("1o"), MulIr(2, Irrep("2e"))]) == Irreps("0e+1o+2x2e")
    assert Irreps(Irrep("1e")) == Irreps("1x1e")


@pytest.mark.parametrize("bad", ["3x", "1q", "x1o", "-1e", "1.5e", "ax1o", "1o++2e", "3x1o2", "e"])
def test_bad_strings_raise_input_error(bad: str) -> None:
    with pytest.raises(IrrepsError):
        Irreps(bad)
    with pytest.raises(InputError):
        Irreps(bad)
    with pytest.raises(ValueError):  # e3nn raises ValueError too
        e3.Irreps(bad)


def test_bad_irrep_values() -> None:
    with pytest.raises(ValueError):
        Irrep(1, 0)
    with pytest.raises(ValueError):
        Irrep(-1, 1)
    with pytest.raises(ValueError):
        MulIr(-2, Irrep("0e"))


IRREPS_D = "2x0e+0o+1o+1e+2e+2o+3o+3e+1x4e"


def _improper_batch(n: int, seed: int) -> np.ndarray:
    R = rand_matrix(n, rng=seed)
    R[::2] *= -1  # every other one improper
    return R


def test_D_from_matrix_equals_e3nn_proper_and_improper() -> None:
    R = _improper_batch(6, seed=1)
    ours = Irreps(IRREPS_D).D_from_matrix(R)
    ref = e3.Irreps(IRREPS_D).D_from_matrix(torch.tensor(R, dtype=torch.float64)).numpy()
    assert ours.shape == ref.shape == (6, Irreps(IRREPS_D).dim, Irreps(IRREPS_D).dim)
    np.testing.assert_allclose(ours, ref, atol=1e-10, rtol=0)
    for _mul, ir in Irreps(IRREPS_D):
        np.testing.assert_allclose(
            ir.D_from_matrix(R),
            e3.Irrep(str(ir)).D_from_matrix(torch.tensor(R, dtype=torch.float64)).numpy(),
            atol=1e-10,
            rtol=0,
        )


def test_D_from_matrix_parity_and_homomorphism() -> None:
    irreps = Irreps(IRREPS_D)
    # inversion acts as the parity of each irrep
    expected = np.concatenate([np.full(mul * ir.dim, float(ir.p)) for mul, ir in irreps])
    np.testing.assert_allclose(irreps.D_from_matrix(-np.eye(3)), np.diag(expected), atol=1e-14, rtol=0)
    # vectors and pseudovectors
    R = _improper_batch(4, seed=2)
    np.testing.assert_allclose(Irrep("1o").D_from_matrix(R), R, atol=1e-15)
    det = np.linalg.det(R)[:, None, None]
    np.testing.assert_allclose(Irrep("1e").D_from_matrix(R), det * R, atol=1e-15)
    # homomorphism on O(3)
    g1, g2 = _improper_batch(4, seed=3), _improper_batch(4, seed=4)[::-1]
    np.testing.assert_allclose(
        irreps.D_from_matrix(g1 @ g2), irreps.D_from_matrix(g1) @ irreps.D_from_matrix(g2), atol=1e-12
    )
    # single matrix shape
    assert irreps.D_from_matrix(np.eye(3)).shape == (irreps.dim, irreps.dim)
    np.testing.assert_allclose(irreps.D_from_matrix(np.eye(3)), np.eye(irreps.dim), atol=1e-14)
    assert Irreps("").D_from_matrix(np.eye(3)).shape == (0, 0)
