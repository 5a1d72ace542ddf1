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
])
def test_bad_input_exit_2_one_line(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_tensor_command_does_not_import_torch() -> None:
    code = ("import sys\nfrom symcompile.cli import main\n"
            "try:\n    main(['tensor', 'elastic', '-g', '4mm', '--json'])\nexcept SystemExit as e:\n"
            "    assert e.code == 0, e.code\n"
            "assert 'torch' not in sys.modules, 'torch imported by tensor'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["independent_components"] == 6  # 4mm: 6 elastic constants
