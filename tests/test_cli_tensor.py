"""`symcompile tensor`: JSON keys, exit codes, one-line errors, structures, no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from symcompile.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "structures"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["tensor", *args])
    out, err = capsys.readouterr()
    return int(info.value.code), out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_seed_example(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "ijkl=jikl=klji")
    assert r["formula"] == "ijkl=jikl=klji" and r["irreps"] == "2x0e+2x2e+1x4e" and r["dim"] == 21
    assert r["status"] == "ok" and r["command"] == "tensor"


def test_hexagonal_elastic_json_and_human(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "elastic", "--point-group", "6/mmm")
    assert r["point_group"] == {"hm": "6/mmm", "schoenflies": "D6h", "order": 24}
    assert r["independent_components"] == 5 and r["schema_version"] == 2
    assert r["allowed_form"]["voigt"]["rows"][5][5] == "(C11 - C12)/2"
    assert "C66 = (C11 - C12)/2" in r["allowed_form"]["relations"]
    code, out, _ = run(capsys, "elastic", "-g", "D6h")
    assert code == 0 and "(C11 - C12)/2" in out and "independent components" in out


def test_space_group_setting(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "piezoelectric", "--space-group", "115")
    assert r["point_group"]["hm"] == "-4m2" and r["independent_components"] == 2
    assert r["space_group"] == {"number": 115, "symbol": "P-4m2"}


def test_crystal_structure_gives_both_frames(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "piezoelectric", "--structure", str(EXAMPLES / "BaTiO3_tetragonal.cif"))
    assert r["structure"]["space_group"] == {"number": 99, "symbol": "P4mm"} == r["space_group"]
    assert r["point_group"] == {"hm": "4mm", "schoenflies": "C4v", "order": 8} == r["structure"]["point_group"]
    assert r["independent_components"] == 3
    assert r["allowed_form_structure_frame"]["independent_components"] == 3
    assert r["tolerances"] == {"symprec": pytest.approx(1e-3), "angle_tol": None}
    assert r["file"] == str(EXAMPLES / "BaTiO3_tetragonal.cif") and r["notes"] == []


def test_molecule_structure(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "dielectric", "--structure", str(EXAMPLES / "water.xyz"))
    assert r["point_group"]["hm"] == "mm2" and r["independent_components"] == 3 and r["space_group"] is None
    r = run_json(capsys, "elastic", "--structure", str(EXAMPLES / "CO2.xyz"))
    assert r["point_group"] == {"hm": "∞/mm", "schoenflies": "D∞h", "order": None}
    assert r["independent_components"] == 5


def test_index_types_axial_symbolic(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "ijk=ikj", "--index", "i=1e", "-g", "4mm")
    assert r["index_types"] == {"i": "1e"} and r["irreps"] == "2x1e+1x2e+1x3e" and r["independent_components"] == 1
    r = run_json(capsys, "ij=ji", "--axial", "-g", "SO3", "--symbolic")
    assert r["irreps"] == "1x0o+1x2o" and r["independent_components"] == 1
    assert r["symbolic_basis"]["0o"] == [{"11": 1, "22": 1, "33": 1}]


def test_sign_inconsistent_formula_is_zero_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "ijk=-jik=ikj", "-g", "1")
    assert r["dim"] == 0 and r["irreps"] == "" and r["independent_components"] == 0


def test_rank8_counts(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "ijklmnop=jiklmnop", "-g", "m-3m")
    assert r["dim"] == 4374 and r["independent_components"] == 183 and "allowed_form_note" in r


def test_save_basis(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "q.npy"
    r = run_json(capsys, "ijk=ikj", "--save-basis", str(path))
    Q = np.load(path)
    assert Q.shape == (18, 3, 3, 3) and r["change_of_basis_shape"] == [18, 3, 3, 3]
    np.testing.assert_allclose(Q.reshape(18, -1) @ Q.reshape(18, -1).T, np.eye(18), atol=1e-12)


@pytest.mark.parametrize("args", [
    ["ij=jk"], ["iij"], [""], ["abcdefghijklmn"], ["ij", "-g", "D5h"], ["ij", "--space-group", "300"],
    ["ij", "-g", "4mm", "--space-group", "99"], ["ijk=ikj", "--index", "i=2e"], ["ij=ji", "--index", "i=1e,j=1o"],
    ["ij", "--structure", "/no/such/file.cif"], ["ij", "--symbol", "C 1"], ["ij", "--space-group", "x"],
    ["elastc"], ["piezo"], ["thermal"], ["anomalous-hal"], ["ij", "-g", "mm2'"], ["ij", "-g", "4'/m'm'm'"],
    ["ij", "-g", "D4h(C2v)"], ["elastic", "--magnetic"], ["elastic", "--all-groups", "-g", "4mm"],
    ["elastic", "--all-groups", "--save-basis", "x.npy"], ["ij", "--save-basis", ""],
    ["elastic", "--all-groups", "--plot", "x.png"],
])
def test_bad_input_exit_2_one_line(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("args,expect", [
    (["elastic", "-g", "4mm", "--json"], 6),  # 4mm: 6 elastic constants
    (["magnetoelectric", "-g", "-3'm'", "--json"], 2),
    (["magnetization", "--all-groups", "--magnetic", "--json"], 122),
])
def test_tensor_command_does_not_import_torch(args: list[str], expect: int) -> None:
    code = ("import sys\nfrom symcompile.cli import main\n"
            f"try:\n    main(['tensor', *{args!r}])\nexcept SystemExit as e:\n"
            "    assert e.code == 0, e.code\n"
            "assert 'torch' not in sys.modules, 'torch imported by tensor'\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported by tensor without --plot'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    got = len(lines) if "--all-groups" in args else json.loads(result.stdout)["independent_components"]
    assert got == expect


# --------------------------------------------------------------------------- magnetic groups, time parity
def test_magnetic_point_group_and_time_parity(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_json(capsys, "magnetoelectric", "-g", "-3'm'")
    assert r["time_parity"] == "odd" and r["point_group"] == {"hm": "-3'm'", "schoenflies": "D3d(D3)", "order": 12}
    assert r["magnetic_point_group"] == {
        "name": "-3'm'", "standard_name": "-3'm'", "schoenflies": "D3d(D3)", "number": "20.4.74",
        "kind": "black-white", "family": "-3m", "unitary_subgroup": "32", "order": 12, "crystal_system": "trigonal",
        "setting": r["point_group_setting"]}
    assert r["allowed_form"]["voigt"]["rows"] == [["alpha11", "0", "0"], ["0", "alpha11", "0"], ["0", "0", "alpha33"]]
    assert run_json(capsys, "magnetoelectric", "-g", "-3'm'", "--time-even")["independent_components"] == 0  # as under -3m
    assert run_json(capsys, "ij=-ji", "--time-odd", "-g", "11'")["independent_components"] == 0
    assert run_json(capsys, "ij=-ji", "--time-odd", "-g", "m'm'm")["independent_components"] == 1
    code, out, _ = run(capsys, "anomalous_hall", "-g", "4'/mmm'")
    assert code == 0 and "time reversal" in out and "4'/mm'm" in out


def test_time_even_override_of_a_named_tensor(capsys: pytest.CaptureFixture[str]) -> None:
    odd = run_json(capsys, "magnetization", "-g", "2'")
    even = run_json(capsys, "magnetization", "-g", "2'", "--time-even")
    assert odd["independent_components"] == 2 and even["independent_components"] == 1
    assert even["time_parity"] == "even"


def _jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_all_groups_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "magnetoelectric", "--all-groups", "--magnetic", "--json")
    records = _jsonl(out)
    assert code == 0 and err == "" and len(records) == 122
    assert all(r["command"] == "tensor" and r["status"] == "ok" and r["mode"] == "all-groups" for r in records)
    assert all(r["schema_version"] == 2 and set(r["point_group"]) == {"hm", "schoenflies", "order"} for r in records)
    assert sum(r["allowed"] for r in records) == 58
    cr2o3 = next(r for r in records if r["point_group"]["hm"] == "-3'm'")
    assert cr2o3["independent_components"] == 2 and cr2o3["magnetic_kind"] == "black-white"
    assert cr2o3["magnetic_number"] == "20.4.74" and cr2o3["index"] == 74 and cr2o3["groups"] == 122
    code, out, _ = run(capsys, "elastic", "--all-groups", "--json")
    records = _jsonl(out)
    assert [r["independent_components"] for r in records if r["point_group"]["hm"] in ("1", "mmm", "6/mmm", "m-3m")] == \
        [21, 9, 5, 3]
    assert len(records) == 32 and "magnetic_kind" not in records[0]


def test_all_groups_human_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "piezomagnetic", "--all-groups", "--magnetic")
    assert code == 0 and err == ""
    assert "allowed by 66 of 122 magnetic point groups" in " ".join(out.split())
    code, out, _ = run(capsys, "piezoelectric", "--all-groups")
    assert "allowed by 20 of 32 point groups" in " ".join(out.split())  # the 20 piezoelectric classes


# --------------------------------------------------------------------------- --save-basis writes the file it names
def test_save_basis_needs_npy_and_writes_nothing_else(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "ij", "--save-basis", str(tmp_path / "basis"))
    assert code == 2 and "ending in .npy" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_save_basis_never_overwrites_another_kind_of_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    precious = tmp_path / "data.npy"
    precious.write_text("not an array")
    code, _, err = run(capsys, "ij", "--save-basis", str(precious))
    assert code == 2 and "refusing to overwrite" in err and precious.read_text() == "not an array"
    code, _, err = run(capsys, "ij", "--save-basis", str(tmp_path))
    assert code == 2 and err.count("\n") == 1
    old = tmp_path / "old.npy"
    np.save(old, np.zeros(2))
    r = run_json(capsys, "ij=ji", "--save-basis", str(old))  # a previous array is replaced
    assert r["change_of_basis_file"] == str(old) and np.load(old).shape == (6, 3, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.npy", "old.npy"]
