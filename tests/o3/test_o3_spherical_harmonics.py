"""Spherical harmonics (torch and numpy) against e3nn 0.6, exact quadrature, and equivariance with wigner_D."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from e3nn import o3 as e3

import symcompile.o3 as so3
from symcompile.o3 import Irreps, rand_matrix, spherical_harmonics_np, wigner_D_list
from symcompile.o3.spherical_harmonics import SphericalHarmonics, spherical_harmonics

LMAX = 12  # e3nn 0.6 implements l <= 12


def _vectors(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(n, 3, generator=g, dtype=torch.float64) * 2.5
    v[0] = 0.0  # a zero vector: (1, 0, 0, ...) in both libraries
    v[1] = torch.tensor([0.0, 3.0, 0.0])  # on the polar (y) axis
    v[2] = torch.tensor([0.0, -1e-3, 0.0])
    return v


def _rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-300))


@pytest.mark.parametrize("normalize", [True, False])
def test_equals_e3nn_every_l(normalize: bool) -> None:
    v = _vectors(400, seed=0)
    for l in range(LMAX + 1):
        ref = e3.spherical_harmonics(l, v, normalize, normalization="component")
        ours = spherical_harmonics(l, v, normalize)
        assert ours.shape == ref.shape and ours.is_contiguous()
        assert _rel_err(ours, ref) < 1e-12, l
        ours_np = spherical_harmonics_np(l, v.numpy(), normalize)
        assert _rel_err(torch.from_numpy(ours_np), ref) < 1e-12, l
    full = spherical_harmonics(list(range(LMAX + 1)), v, normalize)
    ref = e3.spherical_harmonics(list(range(LMAX + 1)), v, normalize, normalization="component")
    assert _rel_err(full, ref) < 1e-12
    # the autograd path (inputs requiring grad) computes the same values as the in-place no-grad path
    full_grad = spherical_harmonics(list(range(LMAX + 1)), v.clone().requires_grad_(), normalize)
    assert full_grad.requires_grad
    assert _rel_err(full_grad.detach(), ref) < 1e-12


def test_equals_e3nn_lists_irreps_normalizations() -> None:
    v = _vectors(50, seed=1)
    for ls in ([0, 3, 3, 1], [5, 2], "0e+1o+2e", Irreps("2x1o+4e")):
        ref = e3.spherical_harmonics(str(ls) if isinstance(ls, Irreps) else ls, v, True, normalization="component")
        np.testing.assert_allclose(spherical_harmonics(ls, v).numpy(), ref.numpy(), atol=1e-12, rtol=0)
        np.testing.assert_allclose(spherical_harmonics_np(ls, v.numpy()), ref.numpy(), atol=1e-12, rtol=0)
    for norm in ("norm", "integral"):
        ref = e3.spherical_harmonics([1, 4], v, True, normalization=norm)
        np.testing.assert_allclose(spherical_harmonics([1, 4], v, True, norm).numpy(), ref.numpy(), atol=1e-13)
    with pytest.raises(ValueError):
        spherical_harmonics(2, v, normalization="bogus")
    with pytest.raises(ValueError):
        spherical_harmonics(2, v[:, :2])


def test_float32_and_batch_shapes() -> None:
    v = _vectors(30, seed=2).reshape(5, 6, 3)
    ours = spherical_harmonics(6, v.float())
    assert ours.dtype == torch.float32 and ours.shape == (5, 6, 13)
    ref = e3.spherical_harmonics(6, v, True, normalization="component")
    np.testing.assert_allclose(ours.double().numpy(), ref.numpy(), atol=2e-5)
    assert spherical_harmonics_np(3, v.numpy()).shape == (5, 6, 7)
    assert SphericalHarmonics([0, 1, 2])(v).shape == (5, 6, 9)


def test_gradients_equal_e3nn() -> None:
    v = _vectors(60, seed=3)[3:]  # away from the zero vector
    ls = list(range(LMAX + 1))
    for normalize in (True, False):
        w = torch.randn(sum(2 * l + 1 for l in ls), dtype=torch.float64, generator=torch.Generator().manual_seed(4))
        a = v.clone().requires_grad_()
        (spherical_harmonics(ls, a, normalize) * w).sum().backward()
        b = v.clone().requires_grad_()
        (e3.spherical_harmonics(ls, b, normalize, normalization="component") * w).sum().backward()
        assert _rel_err(a.grad, b.grad) < 1e-11


def test_gradcheck_first_and_second_order() -> None:
    v = _vectors(6, seed=5)[3:].clone().requires_grad_()
    for normalize in (True, False):
        f = lambda t, normalize=normalize: spherical_harmonics([0, 1, 2, 3, 4], t, normalize)  # noqa: E731
        assert torch.autograd.gradcheck(f, (v,))
        assert torch.autograd.gradgradcheck(f, (v,))


def test_norm_and_parity_up_to_l12() -> None:
    v = _vectors(200, seed=6)[1:]
    Y = spherical_harmonics(list(range(LMAX + 1)), v)
    Ym = spherical_harmonics(list(range(LMAX + 1)), -v)
    i = 0
    for l in range(LMAX + 1):
        block = Y[:, i : i + 2 * l + 1]
        np.testing.assert_allclose((block**2).sum(-1).numpy(), 2 * l + 1, rtol=1e-12)
        np.testing.assert_allclose(Ym[:, i : i + 2 * l + 1].numpy(), (-1) ** l * block.numpy(), atol=1e-12)
        i += 2 * l + 1
    np.testing.assert_array_equal(spherical_harmonics(LMAX, torch.zeros(1, 3)).numpy(), 0.0)
    np.testing.assert_array_equal(spherical_harmonics(0, torch.zeros(1, 3)).numpy(), 1.0)


def test_orthogonality_by_exact_quadrature() -> None:
    # Gauss-Legendre in cos(theta) x uniform phi integrates polynomials of degree <= 2 * 12 exactly on S^2:
    # (1 / 4 pi) * integral Y_lm Y_l'm' = delta (component normalisation).
    ct, wt = np.polynomial.legendre.leggauss(16)
    phi = np.arange(32) * 2 * np.pi / 32
    st = np.sqrt(1 - ct**2)
    pts = np.stack(np.broadcast_arrays(st[:, None] * np.cos(phi), st[:, None] * np.sin(phi), ct[:, None]), -1)
    weights = (wt[:, None] * np.full(32, 2 * np.pi / 32)).reshape(-1) / (4 * np.pi)
    Y = spherical_harmonics_np(list(range(LMAX + 1)), pts.reshape(-1, 3))
    gram = Y.T @ (Y * weights[:, None])
    np.testing.assert_allclose(gram, np.eye(Y.shape[1]), atol=1e-12)


def test_equivariance_with_wigner_D_up_to_l12() -> None:
    v = _vectors(40, seed=7)
    R = rand_matrix(rng=8)
    D = wigner_D_list(LMAX, R)
    Rt = torch.from_numpy(R)
    for l in range(LMAX + 1):
        lhs = spherical_harmonics(l, v @ Rt.T).numpy()
        rhs = spherical_harmonics(l, v).numpy() @ D[l].T
        np.testing.assert_allclose(lhs, rhs, atol=1e-11, err_msg=f"l={l}")
        lhs_np = spherical_harmonics_np(l, v.numpy() @ R.T)
        np.testing.assert_allclose(lhs_np, spherical_harmonics_np(l, v.numpy()) @ D[l].T, atol=1e-11)


def test_lazy_export_and_no_torch_on_import() -> None:
    code = "import symcompile.o3, sys; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
    v = _vectors(4, seed=9)
    assert torch.equal(so3.spherical_harmonics(2, v), spherical_harmonics(2, v))
    from symcompile.o3 import spherical_harmonics as f

    assert torch.equal(f(2, v), spherical_harmonics(2, v))


def test_large_batches_are_processed_in_blocks_consistently() -> None:
    from symcompile.o3 import spherical_harmonics as sh_mod

    n = 30_000  # more than one internal block for lmax = 12 in float64
    v = torch.randn(n, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(10)).requires_grad_()
    ls = list(range(LMAX + 1))
    ours = sh_mod(ls, v)
    ref = e3.spherical_harmonics(ls, v, True, normalization="component")
    assert _rel_err(ours.detach(), ref.detach()) < 1e-12
    assert _rel_err(sh_mod([3, 0, 12, 3], v.detach()), ref.detach()[:, [*range(9, 16), 0, *range(144, 169), *range(9, 16)]]) < 1e-12
    w = torch.randn(ours.shape[1], dtype=torch.float64)
    (g_ours,) = torch.autograd.grad((ours * w).sum(), v)
    (g_ref,) = torch.autograd.grad((ref * w).sum(), v)
    assert _rel_err(g_ours, g_ref) < 1e-11


def test_blocked_path_second_derivatives(monkeypatch: pytest.MonkeyPatch) -> None:
    import symcompile.o3.spherical_harmonics as impl

    monkeypatch.setattr(impl, "_MIN_BLOCK", 3)
    monkeypatch.setattr(impl, "_BLOCK_BYTES", 1)  # -> blocks of 3 vectors
    v = torch.randn(7, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(11)).requires_grad_()
    f = lambda t: impl.spherical_harmonics([0, 1, 2, 3], t)  # noqa: E731
    ref = e3.spherical_harmonics([0, 1, 2, 3], v, True, normalization="component")
    assert _rel_err(f(v).detach(), ref.detach()) < 1e-13
    assert torch.autograd.gradcheck(f, (v,))
    assert torch.autograd.gradgradcheck(f, (v,))


def test_empty_input() -> None:
    out = spherical_harmonics([0, 1, 2], torch.zeros(0, 3, dtype=torch.float64))
    assert out.shape == (0, 9)
    assert spherical_harmonics(2, torch.zeros(2, 0, 3)).shape == (2, 0, 5)
