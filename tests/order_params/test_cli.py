"""The `order-params` command: the JSON schema (issue 10's names), JSON Lines, the parent options
(--parent used as given, --parent-group, --origin), exit codes 0 / 1 / 2 with one-line errors,
no torch with --no-train, the magnetic CIF with the child's operations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from op_data import FAMILIES, ORDER, STRUCTURES

from symcompile.cli import main

STO = str(STRUCTURES / "SrTiO3_I4mcm.cif")
CTO = str(STRUCTURES / "CaTiO3_Pnma.cif")
LNO = str(FAMILIES["LiNbO3 R3c"][0])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["order-params", *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code), out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, CTO, "--json", "--quiet")
    assert code == 0, err
    r = json.loads(out)
    for key in ("file", "status", "command", "schema_version", "space_group", "point_group", "parent", "child",
                "candidates", "modes", "strain", "total_displacement", "primary_irreps", "glazer",
                "primary_carrier", "carriers", "other_blocks", "order_parameter", "verified",
                "decorated_space_group", "spglib_check", "loss", "steps", "seed", "lmax", "network",
                "tolerances", "seconds", "notes"):
        assert key in r, key
    mode = r["modes"][0]
    assert set(mode) >= {"irrep", "k", "k_label", "direction", "amplitude", "primary", "isotropy_subgroup", "sites"}
    assert set(mode["isotropy_subgroup"]) == {"number", "symbol"}
    assert set(mode["sites"][0]) == {"species", "wyckoff", "amplitude"}
    assert all(set(s) == {"irrep", "amplitude", "primary"} for s in r["strain"])
    assert r["parent"]["origin"] == "Ti"
    assert {(s["species"], s["wyckoff"], s["multiplicity"]) for s in r["parent"]["sites"]} == {
        ("Ti", "1a", 1), ("Ca", "1b", 1), ("O", "3d", 3)}
    assert r["candidates"][0]["chosen"] is True and r["candidates"][0]["space_group"]["number"] == 221
    entry = r["order_parameter"][0]
    assert set(entry) >= {"species", "wyckoff", "irrep", "label", "k", "k_label", "arms", "direction", "primary"}
    total = sum(m["amplitude"] ** 2 for m in r["modes"]) ** 0.5
    assert total == pytest.approx(r["total_displacement"], abs=1e-8)


def test_several_children_give_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, STO, CTO, "--json", "--quiet", "--no-train")
    assert code == 0, err
    assert [json.loads(line)["space_group"]["number"] for line in out.strip().splitlines()] == [140, 62]


def test_human_output_shows_modes_and_learned_order_parameter_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, STO)
    assert code == 0, err
    assert "VERIFIED" in out and "a0a0c-" in out and "R4+" in out and "I4/mcm" in out
    assert "learned order parameter" in out and "1e on Ti 1a" in out


def test_given_parent_is_used_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    """SrTiO3_cubic.cif has Sr at its origin: used as given, the tilt is R5- (R4+ with Ti there)."""
    code, out, err = run(capsys, STO, "--parent", str(STRUCTURES / "SrTiO3_cubic.cif"), "--no-train", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["parent"]["given"] is True and r["parent"]["origin"] == "Sr" and r["parent"]["origin_rule"] == "as given"
    assert r["primary_irreps"] == ["R5-"] and r["candidates"] == []
    assert r["parent"]["file"] == str(STRUCTURES / "SrTiO3_cubic.cif")


def test_parent_that_does_not_correspond_is_refused_with_the_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, CTO, "--parent", str(ORDER / "CaTiO3_cubic.cif"), "--max-displacement", "0.1")
    assert code == 2 and out == ""
    assert "do not correspond within 0.1 Å" in one_line_error(err) and "0.40 Å" in err
    code, _, err = run(capsys, CTO, "--parent", str(STRUCTURES / "SrTiO3_cubic.cif"))
    assert code == 2 and "compositions" in one_line_error(err)


def test_parent_group_and_origin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, LNO, "--no-train", "--json")
    r = json.loads(out)
    assert code == 0 and r["parent"]["space_group"]["number"] == 221, err
    groups = {c["space_group"]["number"] for c in r["candidates"]}
    assert {221, 167} <= groups
    # the parent's largest displacement is the candidates' measure (LiNbO3 is polar: not the mean-free one)
    assert r["parent"]["max_displacement"] == r["candidates"][0]["max_displacement"]
    code, out, _ = run(capsys, LNO, "--no-train", "--parent-group", "R-3c")
    text = " ".join(out.split())  # the two R-3c parents told apart by their sites
    assert code == 0 and "0.359 Å [Li 6a, Nb 6b, O 18e] (chosen)" in text and "[Nb 6a, Li 6b, O 18e]" in text
    assert "Pm-3m (221) 0.6576 Å," in text  # a group listed once: no sites
    code, out, err = run(capsys, LNO, "--parent-group", "R-3c", "--no-train", "--json")
    r = json.loads(out)
    assert code == 0 and r["parent"]["space_group"]["number"] == 167 and r["primary_irreps"] == ["GM2-"], err
    assert [c["space_group"]["number"] for c in r["candidates"] if c["chosen"]] == [167]
    code, out, err = run(capsys, LNO, "--parent-group", "R3m", "--no-train", "--json")
    assert code == 0 and json.loads(out)["parent"]["space_group"]["number"] == 160, err
    code, out, err = run(capsys, LNO, "--parent-group", "R-3c#2", "--no-train", "--json")
    r = json.loads(out)  # the second R-3c: Nb on the 32 site, farther from the child
    assert code == 0 and r["parent"]["max_displacement"] == 0.4753, err
    assert [c["sites"] for c in r["candidates"] if c["chosen"]] == [["Nb 6a", "Li 6b", "O 18e"]]
    code, _, err = run(capsys, LNO, "--parent-group", "167#3")
    assert code == 2 and "no parent #3 of space group R-3c (167) (there are 2)" in one_line_error(err)
    code, _, err = run(capsys, LNO, "--parent-group", "R-3c#first")
    assert code == 2 and "after '#'" in one_line_error(err)
    code, _, err = run(capsys, LNO, "--parent-group", "225")
    assert code == 2 and "no parent of space group Fm-3m (225)" in one_line_error(err)
    code, _, err = run(capsys, LNO, "--parent-group", "Xyz")
    assert code == 2 and "unknown space group" in one_line_error(err)
    code, out, err = run(capsys, CTO, "--origin", "Ca", "--no-train", "--json")
    r = json.loads(out)
    assert code == 0 and r["parent"]["origin"] == "Ca" and set(r["primary_irreps"]) == {"R5-", "M2+"}, err
    code, _, err = run(capsys, CTO, "--origin", "O")
    assert code == 2 and "origin" in one_line_error(err)


def test_undistorted_child_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(STRUCTURES / "SrTiO3_cubic.cif"), "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["symmetry_breaking"] is False and r["order_parameter"] == [] and r["modes"] == []
    assert "no symmetry breaking within the bound" in r["notes"][0] and r["status"] == "ok"


def test_bad_inputs_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, str(STRUCTURES / "water.xyz"))
    assert code == 2 and "molecule" in one_line_error(err) and out == ""
    mixed = tmp_path / "mixed.cif"
    mixed.write_text("data_x\n_cell_length_a 3.95\n_cell_length_b 3.95\n_cell_length_c 3.95\n_cell_angle_alpha 90\n"
                     "_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'P 1'\nloop_\n"
                     "_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
                     "_atom_site_fract_z\n_atom_site_occupancy\n Sr1 Sr 0 0 0 0.5\n Ba1 Ba 0 0 0 0.5\n"
                     " Ti1 Ti 0.5 0.5 0.5 1\n O1 O 0.5 0.5 0 1\n O2 O 0.5 0 0.5 1\n O3 O 0 0.5 0.5 1\n")
    code, _, err = run(capsys, str(mixed))
    assert code == 2 and "disordered" in one_line_error(err)
    for args in (("--lmax", "9"), ("--seed", "-1"), ("--max-displacement", "0"), ("--plot", "x.jpg"),
                 ("--parent", "x.cif", "--parent-group", "167")):
        code, _, err = run(capsys, STO, *args)
        assert code == 2, args
        one_line_error(err)


def test_failed_fit_exits_1_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, STO, "--steps", "1", "--json", "--quiet")
    assert code == 1
    r = json.loads(out)
    assert r["status"] == "failed" and r["verified"] is False and "fits the child with none" in r["reason"]
    assert all(c["fits"] is False for c in r["carriers"][:1])


def test_write_mcif_has_the_childs_operations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "decorated.mcif"
    code, out, err = run(capsys, CTO, "--json", "--quiet", "--write-mcif", str(path))
    assert code == 0, err
    text = path.read_text()
    ops = text.split("_space_group_symop_magn_operation.xyz\n")[1].split("loop_")[0].strip().splitlines()
    assert all(line.endswith(",+1") for line in ops) and "+1," not in text.replace(",+1\n", "\n")
    assert len(ops) == 8  # Pnma: 8 operations in the 20-atom primitive cell, none with time reversal
    assert '_space_group_magn.name_BNS "Pnma"' in text and "_atom_site_moment.crystalaxis_x" in text
    atoms = text.split("_atom_site_occupancy\n")[1].split("loop_")[0].strip().splitlines()
    assert len(atoms) == 4  # Ca, Ti, O1, O2: the child's symmetry-independent atoms
    assert json.loads(out)["mcif"] == str(path)
    import warnings

    from pymatgen.io.cif import CifParser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = CifParser(str(path)).parse_structures(primitive=False)[0]  # the viewer's view: all 20 atoms
    assert len(parsed) == 20


def test_no_train_imports_no_torch() -> None:
    code = ("import sys\nfrom symcompile.cli import main\n"
            f"try:\n    main(['order-params', {STO!r}, '--no-train', '--json'])\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert 'torch' not in sys.modules, 'torch imported by --no-train'\n"
            "assert 'matplotlib' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    assert r["trained"] is False and r["verified"] is None and r["status"] == "ok"
    assert r["parent"]["space_group"]["number"] == 221 and r["space_group"]["number"] == 140
    assert r["primary_irreps"] == ["R4+"] and r["modes"] and r["strain"] and r["candidates"]
    assert r["primary_carrier"] == {"irrep": "1e", "species": "Ti", "wyckoff": "1a", "site_symmetry": "m-3m"}


def test_pure_strain_child_is_named_and_not_verified(capsys: pytest.CaptureFixture[str]) -> None:
    """Tetragonal CsCl: no atom moves, the strain alone (GM3+) lowers Pm-3m to P4/mmm."""
    code, out, _ = run(capsys, str(STRUCTURES.parent / "curie" / "cscl_tetragonal.xyz"), "--json")
    r = json.loads(out)
    assert code == 1 and r["space_group"]["number"] == 123 and r["primary_irreps"] == ["GM3+"]
    assert [s["irrep"] for s in r["strain"] if s["primary"]] == ["GM3+"] and r["modes"] == []
    assert "strain alone" in r["reason"] and r["primary_carrier"]["irrep"] == "2e"


def test_a_pure_ferroelastic_strain_is_the_child_every_command_reports(capsys: pytest.CaptureFixture[str]) -> None:
    """alpha-PbO at 30 K (Boher et al. 1985): the atoms on their tetragonal sites, a - b = 0.001 Å, at the
    edge of symprec. `symmetry` says Cmme (67); order-params must too, with the spontaneous strain of
    xy type (B2g of 4/mmm: kept by the 2-fold axes along the tetragonal diagonals, reversed by the
    4-fold axis: GM4+) as the primary irrep and nothing for the network to fit (exit 1)."""
    path = str(Path(__file__).resolve().parents[1] / "distortions" / "published" / "PbO_Cmma_Boher1985.cif")
    code, out, _ = run(capsys, path, "--json")
    r = json.loads(out)
    with pytest.raises(SystemExit):
        main(["symmetry", path, "--json"])
    seen = json.loads(capsys.readouterr().out)
    assert seen["space_group"] == r["space_group"] == {"number": 67, "symbol": "Cmme"}
    assert r["parent"]["space_group"]["number"] == 129 and r["primary_irreps"] == ["GM4+"]
    assert [s["irrep"] for s in r["strain"] if s["primary"]] == ["GM4+"]
    assert not any(m["primary"] for m in r["modes"])
    assert code == 1 and r["verified"] is False and "strain alone (GM4+)" in r["reason"]
    code, out, _ = run(capsys, path)
    assert code == 1 and "nothing to fit" in out and "nan" not in out
