"""`symcompile symmetry` from the command line: published groups, JSON, exit codes, errors, start-up."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from symcompile.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "structures"

#: Published space groups of the bundled crystals and point groups of the molecules.
PUBLISHED = {
    "SrTiO3_cubic.cif": "Pm-3m (221)", "BaTiO3_tetragonal.cif": "P4mm (99)", "TiO2_rutile.cif": "P4_2/mnm (136)",
    "CaTiO3_Pnma.cif": "Pnma (62)", "SrTiO3_I4mcm.cif": "I4/mcm (140)", "LaAlO3_R-3c.cif": "R-3c (167)",
    "SiO2_alpha_quartz.cif": "P3_221 (154)",
    "water.xyz": "C2v", "ammonia.xyz": "C3v", "methane.xyz": "Td", "benzene.xyz": "D6h", "CO2.xyz": "D∞h",
}


def invoke(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
           stdin: str | None = None) -> tuple[int, str, str]:
    """Run the console entry point in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code), out, err


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_examples_report_their_published_groups(capsys, monkeypatch) -> None:
    paths = [str(EXAMPLES / name) for name in sorted(PUBLISHED)]
    code, out, err = invoke(capsys, monkeypatch, "symmetry", *paths, "--json")
    assert code == 0, err
    records = json_lines(out)
    assert [Path(r["file"]).name for r in records] == [Path(p).name for p in paths]
    for record in records:
        name = Path(record["file"]).name
        assert record["status"] == "ok" and record["command"] == "symmetry"
        assert record["schema_version"] == 2 and set(record["point_group"]) == {"hm", "schoenflies", "order"}
        assert record["tolerances"] == {"symprec": 1e-3, "angle_tol": None} and "total" in record["seconds"]
        if record["kind"] == "crystal":
            group = record["space_group"]
            assert f"{group['symbol']} ({group['number']})" == PUBLISHED[name]
            assert isinstance(group["number"], int)
            assert "hall_symbol" in record["setting"] and record["sites"]
        else:
            assert record["point_group"]["schoenflies"] == PUBLISHED[name] and record["space_group"] is None
    assert err == ""


def test_directory_argument_and_single_file_json(capsys, monkeypatch) -> None:
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(EXAMPLES), "--json")
    records = json_lines(out)
    assert code == 0 and {Path(r["file"]).name for r in records} >= set(PUBLISHED)
    assert all(r["status"] == "ok" for r in records)
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(EXAMPLES / "TiO2_rutile.cif"), "--json")
    assert len(out.splitlines()) == 1  # JSON Lines even for one input: one compact object
    record = json.loads(out)
    assert record["space_group"] == {"number": 136, "symbol": "P4_2/mnm"}
    assert {(s["species"], s["wyckoff"], s["multiplicity"]) for s in record["sites"]} == {("Ti", "a", 2), ("O", "f", 4)}


def test_human_output_has_group_sites_and_summary(capsys, monkeypatch) -> None:
    code, out, err = invoke(capsys, monkeypatch, "symmetry", str(EXAMPLES / "CaTiO3_Pnma.cif"),
                            str(EXAMPLES / "water.xyz"), "--symprec", "0.01")
    assert code == 0
    assert "Pnma (62)" in out and "-P 2ac 2n" in out and "orthorhombic" in out and "mm2 (C2v, order 4)" in out
    assert "Wyckoff" in out and "symprec 0.01 Å" in out
    assert "summary of 2 inputs" in err and "Pnma (62)" in err


def test_check_declared_mismatch_exits_1(capsys, monkeypatch, tmp_path: Path) -> None:
    text = (EXAMPLES / "SrTiO3_cubic.cif").read_text().replace("_space_group_IT_number   221",
                                                                "_space_group_IT_number   99")
    wrong = tmp_path / "declared_p4mm.cif"
    wrong.write_text(text)
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(wrong), "--check-declared", "--json")
    record = json.loads(out)
    assert code == 1 and record["status"] == "failed"
    assert record["declared"]["number"] == 99 and record["declared_match"] == "higher"
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(wrong), "--check-declared")
    assert code == 1 and "higher symmetry than declared" in " ".join(out.split())
    code, _, _ = invoke(capsys, monkeypatch, "symmetry", str(wrong), "--json")
    assert code == 0  # without the flag the declaration is not checked


BAD_INPUTS = {
    "missing": None,
    "empty.cif": b"",
    "garbage.cif": bytes(range(256)) * 4,
    "broken_loop.cif": b"data_x\n_cell_length_a 4\nloop_\n_atom_site_label\n_atom_site_fract_x\nSr 0 Ti\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(capsys, monkeypatch, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if BAD_INPUTS[name] is not None:
        path.write_bytes(BAD_INPUTS[name])
    code, out, err = invoke(capsys, monkeypatch, "symmetry", str(path))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("symprec", ["-1", "0", "5", "1e9", "nan", "abc"])
def test_bad_symprec_exits_2(capsys, monkeypatch, symprec: str) -> None:
    code, out, err = invoke(capsys, monkeypatch, "symmetry", str(EXAMPLES / "water.xyz"), "--symprec", symprec)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "noise.cif"
    garbage.write_bytes(bytes(range(256)) * 2)
    for target in (str(garbage), str(tmp_path / "missing.cif")):
        result = subprocess.run([sys.executable, "-m", "symcompile", "symmetry", target], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_symmetry_command_does_not_import_torch_or_matplotlib() -> None:
    code = (
        "import sys\nfrom symcompile.cli import main\n"
        f"try:\n    main(['symmetry', {str(EXAMPLES / 'CaTiO3_Pnma.cif')!r}, {str(EXAMPLES / 'water.xyz')!r}, "
        "'--json', '--check-declared'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'e3nn', 'matplotlib')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(json_lines(result.stdout)) == 2


def test_tolerances_are_recorded(capsys, monkeypatch) -> None:
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(EXAMPLES / "LaAlO3_R-3c.cif"), "--json",
                          "--symprec", "0.01", "--angle-tol", "2")
    record = json.loads(out)
    assert code == 0 and record["tolerances"] == {"symprec": 0.01, "angle_tol": 2.0}
    assert record["space_group"]["number"] == 167
