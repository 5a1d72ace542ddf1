"""The `order-params` command: JSON schema, JSON Lines for several children, exit codes 0 / 1 / 2
with one-line errors, the magnetic CIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from op_data import EXAMPLES, STRUCTURES

from symcompile.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
STO = str(EXAMPLES["SrTiO3"][0])
BTO = str(EXAMPLES["BaTiO3"][0])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["order-params", *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code), out, err


def test_json_record_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, STO, "--json", "--no-discovery", "--quiet")
    assert code == 0, err
    record = json.loads(out)
    for key in ("parent", "child", "order_parameters", "carriers", "decorated_space_group", "verified", "loss",
                "steps", "seed", "tolerances", "primary_carrier", "glazer", "status", "file", "command",
                "schema_version", "space_group", "point_group", "seconds", "notes"):
        assert key in record
    for side in ("parent", "child"):
        assert set(record[side]["space_group"]) == {"number", "symbol"}
    assert record["parent"]["space_group"]["number"] == 221 and record["child"]["space_group"]["number"] == 140
    entry = record["order_parameters"][0]
    assert {"irrep", "species", "wyckoff", "amplitude", "k_points", "primary"} <= set(entry)
    assert set(record["loss"]) == {"initial", "final"} and record["verified"] is True
    assert record["discovery"] is None and record["tolerances"]["symprec"] == 1e-3


def test_several_children_give_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, STO, BTO, "--json", "--no-discovery", "--quiet")
    assert code == 0, err
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["child"]["space_group"]["number"] for r in lines] == [140, 99]


def test_table_output_and_given_parent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, STO, "--parent", str(STRUCTURES / "SrTiO3_cubic.cif"), "--no-discovery")
    assert code == 0, err
    assert "VERIFIED" in out and "a0a0c-" in out and "I4/mcm" in out and "given" in out


def _error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_bad_inputs_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, str(EXAMPLES["CaTiO3"][0]), "--max-displacement", "0.1", "--quiet")
    assert code == 2 and "no higher-symmetry parent within 0.1 Å" in _error(err) and out == ""
    code, out, err = run(capsys, BTO, "--parent", str(STRUCTURES / "SrTiO3_cubic.cif"), "--quiet")
    assert code == 2 and "do not correspond" in _error(err) and out == ""
    code, out, err = run(capsys, str(STRUCTURES / "water.xyz"), "--quiet")
    assert code == 2 and "molecule" in _error(err) and out == ""
    mixed = tmp_path / "mixed.cif"
    mixed.write_text("data_x\n_cell_length_a 3.95\n_cell_length_b 3.95\n_cell_length_c 3.95\n_cell_angle_alpha 90\n"
                     "_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'P 1'\nloop_\n"
                     "_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
                     "_atom_site_fract_z\n_atom_site_occupancy\n Sr1 Sr 0 0 0 0.5\n Ba1 Ba 0 0 0 0.5\n"
                     " Ti1 Ti 0.5 0.5 0.5 1\n O1 O 0.5 0.5 0 1\n O2 O 0.5 0 0.5 1\n O3 O 0 0.5 0.5 1\n")
    code, _, err = run(capsys, str(mixed), "--quiet")
    assert code == 2 and "disordered" in _error(err)
    code, _, err = run(capsys, STO, "--lmax", "9")
    assert code == 2 and _error(err)


def test_failed_verification_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, BTO, "--steps", "1", "--no-discovery", "--json", "--quiet")
    assert code == 1
    record = json.loads(out)
    assert record["status"] == "failed" and record["verified"] is False


def test_write_mcif(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "decorated.mcif"
    code, out, err = run(capsys, STO, "--no-discovery", "--json", "--quiet", "--write-mcif", str(path))
    assert code == 0, err
    text = path.read_text()
    assert "_atom_site_moment.crystalaxis_x" in text and "_space_group_magn.name_BNS" in text
    assert json.loads(out)["mcif"] == str(path)


def test_no_train_is_group_theory_only_without_torch() -> None:
    """`--no-train`: the parent and the carriers, decided by group theory alone; torch is not imported."""
    import subprocess
    import sys

    code = ("import sys\nfrom symcompile.cli import main\n"
            f"try:\n    main(['order-params', {str(STO)!r}, '--no-train', '--json'])\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert 'torch' not in sys.modules, 'torch imported by --no-train'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["trained"] is False and record["verified"] is None and record["status"] == "ok"
    assert record["parent"]["space_group"]["number"] == 221 and record["space_group"]["number"] == 140
    assert record["primary_carrier"] == {"irrep": "1e", "species": "Ti", "wyckoff": "1b"}
    assert "order_parameters" not in record and all("in_gradient" not in c for c in record["carriers"])
