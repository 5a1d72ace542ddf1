"""`symcompile symmetry --plot`: one summary figure for a batch, written headless in each format, with the
space-group symbols, crystal systems, molecule point groups and counts as SVG text; with --check-declared
the declared-vs-detected mismatches (higher, lower, different) named; every analysed record names it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from plot_helpers import assert_picture, svg_text

from symcompile.cli import main
from symcompile.report.symmetry_plot import MAX_BARS, plot_symmetry, summarise

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FOLDERS = [str(EXAMPLES / name) for name in ("structures", "distortions", "order_params")]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    with pytest.raises(SystemExit) as exc:
        main(["symmetry", *args])
    captured = capsys.readouterr()
    return int(exc.value.code), [json.loads(line) for line in captured.out.splitlines() if line.strip()], captured.err


def test_bundled_examples_with_check_declared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.svg"
    code, records, err = run(capsys, *FOLDERS, "--check-declared", "--plot", str(out), "--json")
    assert code == 1  # the three cubic parents declare P1
    assert err == f"wrote {out}\n"
    assert len(records) == 36 and all(r["plot"] == str(out) for r in records)
    assert_picture(out)
    text = svg_text(out)
    for t in ("36 structure files: 31 crystals, 5 molecules, 3 differ from the declared group",
              "crystals by space group (18 groups)", "Cmce (64)", "Pnma (62)", "P4\u2082/mnm (136)", "Pm3\u0305m (221)",
              "Fd3\u0305m (227)", "P3\u208221 (154)", "R3\u0305c (167)", "P6\u2083cm (185)", "P4\u20812\u20812 (92)",
              "tetragonal", "cubic", "orthorhombic", "hexagonal", "trigonal", "crystal systems",
              "C2v (mm2)", "C3v (3m)", "D6h (6/mmm)", "D∞h (∞/mm)", "Td (4\u03053m)", "molecules by point group",
              "differs from declared", "same: 28   higher: 3   lower: 0   different: 0   none declared: 5",
              "BaTiO3_cubic.cif: declared P1 (1), detected Pm3\u0305m (221): higher"):
        assert t in text, (t, text[:800])
    # the counts drawn are the records' counts
    groups = Counter(r["space_group"]["number"] for r in records if r["kind"] == "crystal")
    assert groups[221] == 5 and groups[62] == 2 and sum(groups.values()) == 31
    summary = summarise(records)
    assert {k[0]: n for k, n in summary["space_groups"].items()} == dict(groups)
    assert summary["systems"]["tetragonal"] == 11 and summary["mismatched"] == Counter({(221, "Pm-3m", "cubic"): 3})


def _p1_cif(source: str, number: int | None) -> str:
    """An example written out in P1 by pymatgen, then declared as space group ``number``."""
    from pymatgen.io.cif import CifWriter

    from symcompile.structures import read_structure

    text = str(CifWriter(read_structure(EXAMPLES / "structures" / source).to_pymatgen()))
    return text.replace("_symmetry_Int_Tables_number   1\n", f"_symmetry_Int_Tables_number   {number}\n") \
        .replace("_symmetry_space_group_name_H-M   'P 1'\n", "")


def test_lower_and_different_mismatches_and_unreadable_files(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "CaTiO3_declared_cubic.cif").write_text(_p1_cif("CaTiO3_Pnma.cif", 221))  # mmm < m-3m: lower
    (tmp_path / "SrTiO3_declared_P6.cif").write_text(_p1_cif("SrTiO3_cubic.cif", 168))  # 6 vs m-3m: different
    (tmp_path / "noise.cif").write_bytes(bytes(range(256)) * 2)
    out = tmp_path / "figures" / "batch.png"
    out.parent.mkdir()
    code, records, err = run(capsys, str(tmp_path / "*.cif"), "--check-declared", "--plot", str(out), "--json")
    assert code == 2  # the unreadable file; the others are still drawn
    status = {Path(r["file"]).name: r for r in records}
    assert {name: r["status"] for name, r in status.items()} == {
        "CaTiO3_declared_cubic.cif": "failed", "SrTiO3_declared_P6.cif": "failed", "noise.cif": "error"}
    assert "plot" not in status["noise.cif"] and status["CaTiO3_declared_cubic.cif"]["plot"] == str(out)
    assert_picture(out)
    svg = tmp_path / "figures" / "batch.svg"
    run(capsys, str(tmp_path / "*.cif"), "--check-declared", "--plot", str(svg), "-q", "--json")
    text = svg_text(svg)
    for t in ("3 structure files: 2 crystals, 0 molecules, 1 not read, 2 differ from the declared group",
              "lower: 1", "different: 1", "declared Pm3\u0305m (221), detected Pnma (62): lower",
              "declared P6 (168), detected Pm3\u0305m (221): different"):
        assert t in text, (t, text[:800])


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg"])
def test_each_format_and_molecules_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    out = tmp_path / f"molecules{suffix}"
    code, records, err = run(capsys, str(EXAMPLES / "curie" / "*.xyz"), "--glob", "*.xyz", "--plot", str(out),
                             "-q", "--json")
    assert code == 0 and err == ""
    assert_picture(out)
    if suffix == ".svg":
        text = svg_text(out)
        assert "molecules by point group" in text and "crystal systems" in text  # cscl_*.xyz are crystals
        assert "C2 (2)" in text and "D4h (4/mmm)" in text


def test_parallel_workers_give_the_same_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "one.svg", tmp_path / "two.svg"
    run(capsys, FOLDERS[0], "--plot", str(one), "-q", "--json")
    run(capsys, FOLDERS[0], "--plot", str(two), "-q", "--json", "--jobs", "2")
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize("name", ["summary.gif", "missing/summary.png", "{name}.png"])
def test_bad_plot_path_is_one_line_exit_2_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         name: str) -> None:
    code, records, err = run(capsys, FOLDERS[0], "--plot", str(tmp_path / name), "--json")
    assert code == 2 and records == []
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_many_groups_keep_the_most_frequent_and_say_how_many_are_left(tmp_path: Path) -> None:
    from symcompile.structures.spacegroup import crystal_system, standard_symbol

    records = [{"status": "ok", "kind": "crystal", "file": f"s{n}_{k}.cif",
                "space_group": {"number": n, "symbol": standard_symbol(n)}, "crystal_system": crystal_system(n)}
               for n in range(1, 121) for k in range(1 + (n % 3 == 0))]
    out = tmp_path / "many.svg"
    plot_symmetry(records, str(out))
    text = svg_text(out)
    assert f"the {MAX_BARS - 1} most frequent shown, {120 - MAX_BARS + 1} rarer ones hold" in text
    assert "P2\u2081/c (14)" not in text and "P2\u2081 (4)" not in text  # once each: among the rarer
    assert "Pm3\u0305 (200)" not in text and "P4\u2083 (78)" in text  # 78 = 3 x 26: twice


def test_nothing_analysed_still_writes_the_named_file(tmp_path: Path) -> None:
    out = tmp_path / "empty.svg"
    plot_symmetry([{"status": "error", "file": "x.cif", "error": "unreadable"}], str(out))
    assert "no structure could be analysed" in svg_text(out)
