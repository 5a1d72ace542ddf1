"""`symcompile curie --plot`: every kind of picture from the bundled examples, written headless in each
format, with the words a reader needs (species, groups, the blocking operations, counts) as SVG text;
the plane of the projection turns with the molecule and does not depend on the order of the atoms;
the cell drawn for --no-train is the group average that group theory predicts by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from plot_helpers import assert_picture, svg_text

from symcompile.cli import main
from symcompile.report.curie_plot import arrow_scale, axis_words, projection_axes

ROOT = Path(__file__).resolve().parents[2]
CURIE = ROOT / "examples" / "curie"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["curie", *args])
    captured = capsys.readouterr()
    return int(exc.value.code), captured.out, captured.err


# --------------------------------------------------------------------------- every kind, as SVG with its words
KINDS = [
    # (IN, OUT or --property NAME, words the picture must show)
    (["square.xyz", "rectangle.xyz"],
     ["square.xyz → rectangle.xyz: infeasible", "C", "IN", "OUT", "D4h (4/mmm), 16 operations", "D2h (mmm)",
      "8 of 16 operations", "4-fold rotation about z (+90°)", "2-fold rotation about [110]", "mirror normal to [1-10]",
      "-4 rotoinversion about z (-90°)", "blocked by 8 operations of IN", "a global input 2e",
      "group average (group theory)", "0.0417 Å²", "horizontal x, vertical y", "Displacements to scale"]),
    (["rectangle.xyz", "square.xyz"],
     ["rectangle.xyz → square.xyz: feasible", "no operation: every symmetry of IN is kept", "D2h (mmm)"]),
    (["water.xyz", "water_asymmetric_stretch.xyz"],
     ["O", "H", "C2v (mm2), 4 operations", "Cs (m)", "2-fold rotation about z", "mirror normal to x", "a global input 1o",
      "horizontal x, vertical z", "Displacements drawn ×5"]),
    (["co2.xyz", "co2_bent.xyz"],
     ["D∞h (∞/mm), continuous", "C2v (mm2)", "rotations about z", "mirrors containing z", "inversion",
      "a global input 1o"]),
    (["cscl_cubic.xyz", "cscl_tetragonal.xyz"],
     ["Cs", "Cl", "Pm3\u0305m (221), point group Oh (m3\u0305m), 48 operations", "P4/mmm (123)", "IN's cell",
      "OUT's cell", "group-average cell", "3-fold rotation ×8", "mirror ×4", "PCA of its corners",
      "the cell change is drawn", "a global input 2e"]),
    (["cscl_cubic.xyz", "cscl_polar.xyz"], ["P4mm (99)", "Displacements drawn ×10", "inversion", "a global input 1o"]),
    (["benzene.xyz", "--property", "piezoelectric"],
     ["benzene.xyz carries piezoelectric (2x1o+1x2o+1x3o)? forbidden", "0 independent components of 18",
      "forbidden by each of", "inversion", "-3 rotoinversion about z (±120°)", "D6h (6/mmm), 24 operations", "C", "H",
      "2x1o", "1x3o", "invariant under D6h"]),
    (["methane.xyz", "--property", "dipole"],
     ["0 independent components of 3", "-4 rotoinversion about x (±90°)", "-4 rotoinversion about z (±90°)", "Td (4\u03053m)", "a global input 1o"]),
    (["water.xyz", "--property", "dipole"],
     ["allowed", "1 independent component of 3", "no operation of IN forbids it", "electric dipole moment"]),
    (["cscl_cubic.xyz", "--property", "elastic"],
     ["3 independent components of 21", "IN's cell", "invariant under Oh", "2x2e", "PCA of its corners"]),
]


@pytest.mark.parametrize("args, texts", KINDS, ids=[" ".join(k[0]) for k in KINDS])
def test_every_kind_as_svg_with_its_words(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                          texts: list[str]) -> None:
    out = tmp_path / "c.svg"
    files = [str(CURIE / a) if a.endswith(".xyz") else a for a in args]
    code, stdout, err = run(capsys, *files, "--no-train", "--plot", str(out), "--json")
    record = json.loads(stdout)
    assert code == (0 if record["feasible"] else 1), err
    assert record["plot"] == str(out) and err == f"wrote {out}\n"
    assert_picture(out, 5_000)
    text = svg_text(out)
    for t in texts:
        assert t in text, (t, text[:600])


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg"])
def test_each_format_by_its_magic_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    for args in ([str(CURIE / "square.xyz"), str(CURIE / "rectangle.xyz")],
                 [str(CURIE / "cscl_cubic.xyz"), "--property", "elastic"]):
        out = tmp_path / f"plot{suffix}"
        code, stdout, err = run(capsys, *args, "--no-train", "--plot", str(out))
        assert code in (0, 1) and err.strip() == f"wrote {out}"
        assert_picture(out)


def test_quiet_prints_no_wrote_line_and_the_same_input_gives_the_same_file(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    for target in (a, b):
        code, _, err = run(capsys, str(CURIE / "water.xyz"), str(CURIE / "water_asymmetric_stretch.xyz"), "--no-train",
                           "--plot", str(target), "-q")
        assert code == 1 and err == ""
    assert a.read_bytes() == b.read_bytes()


def test_name_in_the_path_becomes_the_input_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, str(CURIE / "methane.xyz"), "--property", "dipole", "--no-train", "--plot",
                          str(tmp_path / "{name}_dipole.png"), "--json")
    assert code == 1
    assert json.loads(stdout)["plot"] == str(tmp_path / "methane_dipole.png")
    assert_picture(tmp_path / "methane_dipole.png")


@pytest.mark.parametrize("name", ["plot.jpg", "plot", "no/such/folder/plot.png", "{name}/plot.png"])
def test_bad_plot_path_is_one_line_exit_2_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    import symcompile.curie.check as check

    def no_work(*args, **kwargs):
        raise AssertionError("the work started before the plot path was checked")

    monkeypatch.setattr(check, "curie_check", no_work)
    code, out, err = run(capsys, str(CURIE / "square.xyz"), str(CURIE / "rectangle.xyz"), "--no-train", "--plot",
                         str(tmp_path / name), "--json")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_trained_run_draws_the_network_prediction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --no-train the network trains as before and its (symmetry-averaged) prediction is drawn."""
    out = tmp_path / "trained.svg"
    code, stdout, err = run(capsys, str(CURIE / "square.xyz"), str(CURIE / "rectangle.xyz"), "--plot", str(out),
                            "--json", "-q", "--steps", "60")
    record = json.loads(stdout)
    assert code == 1 and record["network"] is not None and record["verdicts_agree"]
    assert record["network"]["prediction_distance_to_group_average"] < 1e-3
    assert record["plot"] == str(out)
    text = svg_text(out)
    for t in ("network prediction (symmetry-averaged)", "infeasible, agrees with group theory", "retrained with it"):
        assert t in text, t


# --------------------------------------------------------------------------- the projection
def _water() -> np.ndarray:
    return np.array([[0.0, 0.0, 0.390588], [0.75695, 0.0, -0.195294], [-0.75695, 0.0, -0.195294]])


def _random_rotation(seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


@pytest.mark.parametrize("seed", range(5))
def test_the_plane_turns_with_the_molecule_and_ignores_atom_order(seed: int) -> None:
    R = _random_rotation(seed)
    points = _water()
    plane = projection_axes(points)
    turned = projection_axes(points @ R.T)
    # the same plane (projector), turned by R
    assert np.allclose(turned.T @ turned, R @ (plane.T @ plane) @ R.T, atol=1e-10)
    assert np.allclose(projection_axes(points[[2, 0, 1]]), plane)
    # the plane holds the largest spread: for water, its own plane (normal y)
    assert np.allclose(plane @ np.array([0.0, 1.0, 0.0]), 0.0)


def test_ties_are_broken_by_the_displacements_then_by_the_axes() -> None:
    square = np.array([[1, 1, 0], [-1, 1, 0], [-1, -1, 0], [1, -1, 0]], dtype=float)
    assert np.allclose(projection_axes(square), [[1, 0, 0], [0, 1, 0]])
    line = np.array([[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]])
    bend = np.array([[0.1, 0, 0], [-0.02, 0, 0], [0.1, 0, 0]])  # CO2 bent in the xz plane
    assert np.allclose(projection_axes(line, (bend.T @ bend,)), [[1, 0, 0], [0, 0, 1]])
    bend_y = bend[:, [1, 0, 2]]  # the same bend in the yz plane
    assert np.allclose(projection_axes(line, (bend_y.T @ bend_y,)), [[0, 1, 0], [0, 0, 1]])
    cube = np.array([[i, j, k] for i in (0, 4) for j in (0, 4) for k in (0, 4)], dtype=float)
    polar = np.array([[0, 0, 0.05], [0, 0, -0.05]])
    assert np.allclose(projection_axes(cube, (polar.T @ polar,)), [[1, 0, 0], [0, 0, 1]])
    assert axis_words(np.array([0.0, 0.0, 1.0])) == "z"


def test_arrows_are_scaled_by_1_2_or_5_times_a_power_of_ten_to_be_seen() -> None:
    for longest, extent in ((0.05, 1.5), (0.001, 3.0), (0.3, 40.0), (0.07, 1.0)):
        s = arrow_scale(np.array([longest, longest / 3]), extent)
        mantissa = s / 10 ** np.floor(np.log10(s))
        assert round(mantissa, 9) in (1.0, 2.0, 5.0)
        assert 0.08 * extent <= s * longest <= 0.2 * extent + 1e-12
    assert arrow_scale(np.array([0.35]), 3.5) == 1.0  # already visible: to scale


def test_the_group_average_cell_of_a_tetragonal_strain_under_oh_is_isotropic() -> None:
    """By hand: the average of diag(0, 0, e) over the 48 operations of Oh is (e/3) times the identity."""
    from symcompile.report.curie_plot import _cell_group_average
    from symcompile.structures.reading import read_structure

    inp, out = read_structure(str(CURIE / "cscl_cubic.xyz")), read_structure(str(CURIE / "cscl_tetragonal.xyz"))
    e = 4.30 / 4.12 - 1.0
    average = _cell_group_average({"tolerances": {"symprec": 1e-3, "angle_tol": None}}, inp, out)
    assert np.allclose(average, e / 3.0 * np.eye(3), atol=1e-12)


def test_plots_of_group_theory_alone_do_not_import_torch(tmp_path: Path) -> None:
    """`curie --no-train --plot` and `symmetry --plot` load matplotlib, and still never torch."""
    import subprocess
    import sys

    runs = [["curie", str(CURIE / "cscl_cubic.xyz"), str(CURIE / "cscl_tetragonal.xyz"), "--no-train", "--plot",
             str(tmp_path / "a.png")],
            ["curie", str(CURIE / "benzene.xyz"), "--property", "piezoelectric", "--no-train", "--plot",
             str(tmp_path / "b.png")],
            ["symmetry", str(ROOT / "examples" / "structures"), "--plot", str(tmp_path / "c.png")]]
    for args in runs:
        code = ("import sys\nfrom symcompile.cli import main\n"
                f"try:\n    main({args!r} + ['--json', '-q'])\nexcept SystemExit as e:\n    assert e.code in (0, 1), e.code\n"
                "assert 'matplotlib' in sys.modules\n"
                "assert not [m for m in sys.modules if m.split('.')[0] in ('torch', 'e3nn')], 'torch imported'\n")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (args, result.stderr)
    for name in "abc":
        assert_picture(tmp_path / f"{name}.png")
