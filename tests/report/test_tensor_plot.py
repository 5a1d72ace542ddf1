"""`symcompile tensor --plot`: every kind of picture, written headless in each format, with the labels a
reader needs (group, count of independent components, irreps) as SVG text; the random allowed
instance really is allowed (invariant under every group element) and positive where it should be."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from symcompile.cli import main
from symcompile.o3.point_groups import point_group
from symcompile.report.tensor_plot import allowed_instance, longitudinal
from symcompile.tensors import tensor_report
from symcompile.tensors.allowed import allowed_form

ROOT = Path(__file__).resolve().parents[2]
QUARTZ = ROOT / "examples" / "structures" / "SiO2_alpha_quartz.cif"
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".svg": b"<?xml"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["tensor", *args])
    captured = capsys.readouterr()
    return int(exc.value.code), captured.out, captured.err


def svg_text(path: Path) -> str:
    """All text of an SVG written with svg.fonttype='none' (XML escapes undone)."""
    raw = path.read_text(encoding="utf-8")
    assert "<svg" in raw
    texts = re.findall(r"<text[^>]*>(.*?)</text>", raw, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", t) for t in texts).replace("&#45;", "-").replace("&amp;", "&")


# --------------------------------------------------------------------------- every kind, every format
KINDS = [
    # (arguments, texts the picture must show)
    (["elastic", "-g", "6/mmm"], ["6/mmm", "5 independent components", "(C11 − C12)/2", "C11", "x3"]),
    (["elastic", "-g", "-3"], ["-3 (C3i)", "7 independent components", "minus the joined"]),
    (["piezoelectric", "--structure", str(QUARTZ)], ["32 (D3)", "2 independent components", "minus twice"]),
    (["dielectric", "--space-group", "136"], ["4/mmm", "2 independent components", "eps11", "eps33"]),
    (["pyroelectric", "-g", "mm2"], ["mm2", "1 independent component", "p3"]),
    (["elastic"], ["2x0e+2x2e+1x4e", "21 degrees of freedom", "0e", "2e", "4e"]),
    (["ijk=-jik=-ikj"], ["1x0o", "1 degree of freedom", "0o"]),
    (["ijklm=jiklm", "-g", "4mm"], ["4mm", "21 independent components", "9x1o", "invariant under 4mm"]),
]


@pytest.mark.parametrize("args, texts", KINDS, ids=[" ".join(k[0][:3]) for k in KINDS])
def test_every_kind_as_svg_with_its_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                           texts: list[str]) -> None:
    out = tmp_path / "t.svg"
    code, stdout, err = run(capsys, *args, "--plot", str(out), "--json")
    assert code == 0, err
    assert json.loads(stdout)["plot"] == str(out)
    assert out.read_bytes().startswith(MAGIC[".svg"]) and out.stat().st_size > 3_000
    text = svg_text(out)
    for t in texts:
        assert t in text, (t, text[:400])


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg"])
def test_each_format_by_its_magic_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    for args in (["elastic", "-g", "4/m"], ["photoelastic"]):
        out = tmp_path / f"plot{suffix}"
        code, _, err = run(capsys, *args, "--plot", str(out))
        assert code == 0, err
        assert out.read_bytes().startswith(MAGIC[suffix]) and out.stat().st_size > 10_000
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary file left behind"


def test_the_same_input_gives_the_same_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    assert run(capsys, "elastic", "-g", "32", "--plot", str(a))[0] == 0
    assert run(capsys, "elastic", "-g", "32", "--plot", str(b))[0] == 0
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------- bad plot paths
@pytest.mark.parametrize("name", ["plot.jpg", "plot", "no/such/folder/plot.png"])
def test_bad_plot_path_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            name: str) -> None:
    target = tmp_path / name
    code, out, err = run(capsys, "elastic", "-g", "m-3m", "--plot", str(target), "--json")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from symcompile.errors import InputError
    from symcompile.report import plotting

    target = tmp_path / "keep.png"
    target.write_bytes(b"old picture")
    with plotting.plot_style():
        fig = plotting.new_figure(2, 2)
        fig.add_subplot(1, 1, 1).plot([0, 1], [0, 1])

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(InputError, match="cannot write"):
        plotting.save_figure(fig, target)
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


# --------------------------------------------------------------------------- the random allowed instance
def _rotate(T: np.ndarray, R: np.ndarray) -> np.ndarray:
    for k in range(T.ndim):
        T = np.moveaxis(np.tensordot(R, T, axes=([1], [k])), 0, k)
    return T


@pytest.mark.parametrize("name, group", [("elastic", "-3"), ("elastic", "4/m"), ("elastic", "2/m"),
                                         ("piezoelectric", "32"), ("piezoelectric", "-42m"), ("dielectric", "2"),
                                         ("elastic", "-43m"), ("shg", "6mm")])
def test_instance_is_invariant_under_every_group_element(name: str, group: str) -> None:
    """Neumann's principle checked directly on the tensor that is drawn (not through the form)."""
    T = allowed_instance(allowed_form(name, group))
    assert np.abs(T).max() > 0.1
    for R in point_group(group).matrices:
        np.testing.assert_allclose(_rotate(T, R), T, atol=1e-12)
    np.testing.assert_array_equal(T, allowed_instance(allowed_form(name, group)))  # seeded


def test_instance_is_generic_not_more_symmetric_than_the_group() -> None:
    """-3 has no 2-fold axis along x1: the drawn tensor must not have one either (C14 and C15 both nonzero)."""
    T = allowed_instance(allowed_form("elastic", "-3"))
    two_fold_x = np.diag([1.0, -1.0, -1.0])
    assert np.abs(_rotate(T, two_fold_x) - T).max() > 1e-3
    assert abs(T[0, 0, 1, 2]) > 1e-3 and abs(T[0, 0, 0, 2]) > 1e-3


@pytest.mark.parametrize("name, group", [("elastic", "1"), ("elastic", "-3"), ("elastic", "6/mmm"),
                                         ("elastic", "m-3m"), ("elastic", "SO3"), ("dielectric", "2/m")])
def test_longitudinal_quantity_of_the_instance_is_positive_and_anisotropic(name: str, group: str) -> None:
    """The surface has a positive radius everywhere, with min/max = 0.45 unless the group is isotropic."""
    T = allowed_instance(allowed_form(name, group))
    theta, phi = np.meshgrid(np.linspace(0, np.pi, 61), np.linspace(0, 2 * np.pi, 121), indexing="ij")
    n = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], axis=-1)
    f = longitudinal(T, n)
    assert f.min() > 0
    assert f.min() / f.max() == pytest.approx(1.0 if group == "SO3" else 0.45, abs=0.02)


def test_instance_has_every_allowed_component_of_order_one() -> None:
    """Quartz (32): C14 must not be accidentally tiny, or the picture would look hexagonal."""
    C = allowed_instance(allowed_form("elastic", "32"))
    scale = np.abs(C).max()
    for i, j, k, l in ((0, 0, 0, 0), (0, 0, 1, 1), (0, 0, 2, 2), (0, 0, 1, 2), (2, 2, 2, 2), (1, 2, 1, 2)):
        assert abs(C[i, j, k, l]) > 0.05 * scale, (i, j, k, l)


def test_longitudinal_against_explicit_sums() -> None:
    rng = np.random.default_rng(3)
    T = rng.standard_normal((3, 3, 3, 3))
    n = rng.standard_normal(3)
    explicit = sum(T[i, j, k, l] * n[i] * n[j] * n[k] * n[l] for i in range(3) for j in range(3)
                   for k in range(3) for l in range(3))
    assert abs(float(longitudinal(T, n)) - explicit) < 1e-12


def test_forms_handed_back_by_tensor_report_are_the_recorded_ones() -> None:
    forms: dict = {}
    record = tensor_report("elastic", structure=str(QUARTZ), forms=forms)
    assert set(forms) == {"standard", "structure"}
    assert forms["standard"].to_dict() == record["allowed_form"]
    assert forms["structure"].to_dict() == record["allowed_form_structure_frame"]


# --------------------------------------------------------------------------- imports
def _modules_after(args: list[str]) -> set[str]:
    code = ("import sys, json\nfrom symcompile.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as e:\n    assert e.code in (0, 1), e.code\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_no_matplotlib_or_torch_without_plot() -> None:
    for args in (["tensor", "elastic", "-g", "6/mmm", "--json"],
                 ["symmetry", str(QUARTZ), "--json"],
                 ["curie", str(ROOT / "examples" / "curie" / "water.xyz"), "--property", "dipole", "--no-train",
                  "--json"]):
        loaded = _modules_after(args)
        assert not loaded & {"matplotlib", "torch"}, (args, loaded & {"matplotlib", "torch"})


def test_plot_loads_matplotlib_but_still_not_torch(tmp_path: Path) -> None:
    loaded = _modules_after(["tensor", "elastic", "-g", "6/mmm", "--json", "--plot", str(tmp_path / "x.png")])
    assert "matplotlib" in loaded and "torch" not in loaded
    assert (tmp_path / "x.png").stat().st_size > 10_000
