"""`order-params --plot`: the order parameter on the parent's cells and the mode amplitudes, drawn
headless; the files are checked for their format and for the labels a reader looks for."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from symcompile.cli import main

ROOT = Path(__file__).resolve().parents[2]
CTO = ROOT / "examples" / "structures" / "CaTiO3_Pnma.cif"
MN3O4 = ROOT / "examples" / "order_params" / "Mn3O4_I41amd_Jarosch1987.cif"
LTT = ROOT / "examples" / "order_params" / "La2NiO4_P42ncm_LTT_FullProf.cif"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    with pytest.raises(SystemExit) as exit_info:
        main(["order-params", *args, "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    return int(exit_info.value.code), [json.loads(line) for line in out.strip().splitlines()]


def test_learned_tilts_in_svg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "cto.svg"
    _, (record,) = run(capsys, str(CTO), "--plot", str(path))
    assert record["plot"] == str(path) and "drawing" not in record
    text = path.read_text()
    assert text.startswith("<?xml") and "<svg" in text
    for label in ("R4+", "M3+", "X5+", "Ti 1a", "Ca 1b", "O 3d", "primary", "amplitude (Å)", "tilt (axial)",
                  "a+b-b-", "along c"):
        assert label in text, label


def test_displacements_when_the_carrier_is_no_vector_and_formats(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    svg, png, pdf = tmp_path / "mn.svg", tmp_path / "mn.png", tmp_path / "ltt.pdf"
    run(capsys, str(MN3O4), "--no-train", "--plot", str(svg))
    text = svg.read_text()
    for label in ("GM3+", "Mn 16d", "Mn 8a", "O 32e", "displacement (polar)", "2e on Mn 16d"):
        assert label in text, label
    run(capsys, str(MN3O4), "--no-train", "--plot", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    run(capsys, str(LTT), "--no-train", "--plot", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5_000


def test_one_file_per_child(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    template = tmp_path / "{name}.svg"
    _, records = run(capsys, str(MN3O4), str(LTT), "--no-train", "--plot", str(template))
    assert [Path(r["plot"]).name for r in records] == [f"{MN3O4.stem}.svg", f"{LTT.stem}.svg"]
    assert all(Path(r["plot"]).is_file() for r in records)
    assert "X3+" in (tmp_path / f"{LTT.stem}.svg").read_text()


def test_no_matplotlib_without_plot() -> None:
    import subprocess

    code = ("import sys\nfrom symcompile.cli import main\n"
            f"try:\n    main(['order-params', {str(MN3O4)!r}, '--no-train', '--json'])\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert 'matplotlib' not in sys.modules and 'torch' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
