"""One structure model for every command: the same file gives the same group in `symmetry`, `tensor
--structure`, `curie --no-train` and `order-params --no-train`, in one record shape, and never exit 3.

The inputs are the bundled crystals and molecules plus the variants that used to disagree (issue 11):
extended XYZ with ``pbc="F F F"`` and a ``Lattice`` (a molecule), extended XYZ whose ``Properties``
reorder or add columns, XYZ with ``#`` comment lines, methane with 3e-4 Å of noise, and rutile with
its c axis tilted by 0.3° read at ``--symprec 0.05``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from symcompile.cli import main

ROOT = Path(__file__).resolve().parents[1]
STRUCTURES = ROOT / "examples" / "structures"
CURIE = ROOT / "examples" / "curie"

#: Published groups: space group number (crystals) or Schoenflies symbol (molecules).
EXPECTED = {
    "SrTiO3_cubic.cif": 221, "BaTiO3_tetragonal.cif": 99, "TiO2_rutile.cif": 136, "CaTiO3_Pnma.cif": 62,
    "SrTiO3_I4mcm.cif": 140, "LaAlO3_R-3c.cif": 167, "SiO2_alpha_quartz.cif": 154,
    "water.xyz": "C2v", "ammonia.xyz": "C3v", "methane.xyz": "Td", "benzene.xyz": "D6h", "CO2.xyz": "D∞h",
    "hydrogen_peroxide.xyz": "C2", "square.xyz": "D4h", "cscl_tetragonal.xyz": 123,
    "water_pbc_false.xyz": "C2v", "water_properties.xyz": "C2v", "water_columns_reordered.xyz": "C2v",
    "water_hash_comments.xyz": "C2v", "methane_noisy.xyz": "Td", "rutile_c_tilted.cif": 136, "argon.xyz": "Kh",
}
#: Loose tolerance for the inputs that need one.
SYMPREC = {"rutile_c_tilted.cif": 0.05}


def _water_lines() -> list[str]:
    return (STRUCTURES / "water.xyz").read_text().splitlines()


def _write_variants(directory: Path) -> None:
    """The extended-XYZ, noisy and tilted inputs (generated here, from the bundled examples)."""
    head, comment, *atoms = _water_lines()
    lattice = 'Lattice="10 0 0 0 10 0 0 0 10"'
    (directory / "water_pbc_false.xyz").write_text(
        "\n".join([head, f'{lattice} Properties=species:S:1:pos:R:3 pbc="F F F"', *atoms]) + "\n")
    (directory / "water_properties.xyz").write_text(
        "\n".join([head, "Properties=species:S:1:pos:R:3:forces:R:3", *(a + " 0.1 0.0 -0.2" for a in atoms)]) + "\n")
    moved = [" ".join([*a.split()[1:], "1.0", a.split()[0]]) for a in atoms]
    (directory / "water_columns_reordered.xyz").write_text(
        "\n".join([head, "Properties=pos:R:3:charge:R:1:species:S:1", *moved]) + "\n")
    (directory / "water_hash_comments.xyz").write_text(
        "\n".join(["# water written by hand", head, comment, "# oxygen first", atoms[0], *atoms[1:],
                   "# end"]) + "\n")
    rng = np.random.default_rng(11)
    head, comment, *atoms = (STRUCTURES / "methane.xyz").read_text().splitlines()
    noisy = []
    for line in atoms:
        element, *xyz = line.split()
        step = rng.normal(size=3)
        point = np.array([float(v) for v in xyz]) + 3e-4 * step / np.linalg.norm(step)  # 3e-4 Å off
        noisy.append(f"{element} {point[0]:.6f} {point[1]:.6f} {point[2]:.6f}")
    (directory / "methane_noisy.xyz").write_text("\n".join([head, "methane, 3e-4 A noise", *noisy]) + "\n")
    text = (STRUCTURES / "TiO2_rutile.cif").read_text()
    (directory / "rutile_c_tilted.cif").write_text(text.replace("_cell_angle_beta   90", "_cell_angle_beta   90.3"))
    (directory / "argon.xyz").write_text("1\na single atom\nAr 0.1 0.2 0.3\n")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("cross_command")
    _write_variants(directory)
    paths = {name: directory / name for name in EXPECTED if (directory / name).exists()}
    for name in EXPECTED:
        for folder in (STRUCTURES, CURIE):
            if name not in paths and (folder / name).exists():
                paths[name] = folder / name
    assert set(paths) == set(EXPECTED)
    return paths


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict | None, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) <= 1, "one input gives one JSON line"
    return int(info.value.code), json.loads(lines[0]) if lines else None, err


def _groups(record: dict) -> tuple[object, object]:
    return record["space_group"], record["point_group"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_command_reports_the_same_group(capsys: pytest.CaptureFixture[str], inputs: dict[str, Path],
                                               name: str) -> None:
    path = str(inputs[name])
    tol = ["--symprec", str(SYMPREC.get(name, 1e-3))]
    code, symmetry, err = _run(capsys, "symmetry", path, "--json", *tol)
    assert code == 0 and err == "", err
    expected = EXPECTED[name]
    if isinstance(expected, int):
        assert symmetry["space_group"]["number"] == expected
    else:
        assert symmetry["point_group"]["schoenflies"] == expected and symmetry["space_group"] is None
    runs = {
        "tensor": ("tensor", "ij=ji", "--structure", path, "--json", *tol),
        "curie": ("curie", path, "--property", "ij=ji", "--no-train", "--json", *tol),
        "order-params": ("order-params", path, "--no-train", "--json", *tol),
    }
    for command, args in runs.items():
        code, record, err = _run(capsys, *args)
        assert code != 3, (command, err)
        if command == "order-params" and code == 2:  # molecules, or no parent within the bound: bad input
            assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
            continue
        assert code in (0, 1) and record is not None, (command, err)
        assert record["command"] == command and record["schema_version"] == symmetry["schema_version"]
        assert _groups(record) == _groups(symmetry), command
        assert record["tolerances"] == symmetry["tolerances"], command
        assert isinstance(record["notes"], list) and "total" in record["seconds"], command


def test_tilted_rutile_elastic_constants_agree(capsys: pytest.CaptureFixture[str], inputs: dict[str, Path]) -> None:
    """Issue 11: `tensor` gave 6 and `curie` exited 3 (non-integral invariant count). Both give 6 now."""
    path = str(inputs["rutile_c_tilted.cif"])
    code, tensor, _ = _run(capsys, "tensor", "elastic", "--structure", path, "--symprec", "0.05", "--json")
    assert code == 0 and tensor["independent_components"] == 6  # 4/mmm: C11 C12 C13 C33 C44 C66 (Nye)
    code, curie, err = _run(capsys, "curie", path, "--property", "elastic", "--no-train", "--symprec", "0.05",
                            "--json")
    assert code == 0, err
    assert curie["independent_components"] == 6 and curie["point_group"]["schoenflies"] == "D4h"


def test_pbc_false_xyz_is_a_molecule_everywhere(capsys: pytest.CaptureFixture[str], inputs: dict[str, Path]) -> None:
    """Issue 11: `symmetry` said C2v, `curie` said Pmm2 for the same file."""
    path = str(inputs["water_pbc_false.xyz"])
    for args in (("symmetry", path), ("curie", path, "--property", "dipole", "--no-train"),
                 ("tensor", "dipole", "--structure", path)):
        code, record, _ = _run(capsys, *args, "--json")
        assert code == 0 and record["space_group"] is None
        assert record["point_group"] == {"hm": "mm2", "schoenflies": "C2v", "order": 4}


def test_noisy_methane_is_td_without_pymatgen_or_stderr(tmp_path: Path) -> None:
    """Issue 11: `symmetry` ran for minutes in pymatgen's PointGroupAnalyzer and flooded stderr."""
    import subprocess

    _write_variants(tmp_path)
    code = ("import sys\nfrom symcompile.cli import main\n"
            f"try:\n    main(['symmetry', {str(tmp_path / 'methane_noisy.xyz')!r}, {str(tmp_path / 'argon.xyz')!r}, "
            "'--json'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert 'pymatgen.symmetry.analyzer' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["point_group"]["schoenflies"] for r in records] == ["Td", "Kh"]


def test_json_is_json_lines_for_one_input_in_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (("symmetry", str(STRUCTURES / "water.xyz")), ("tensor", "elastic", "-g", "4mm"),
                 ("curie", str(CURIE / "square.xyz"), str(CURIE / "rectangle.xyz"), "--no-train"),
                 ("order-params", str(STRUCTURES / "SrTiO3_I4mcm.cif"), "--no-train")):
        with pytest.raises(SystemExit):
            main([*args, "--json"])
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and json.loads(out)["schema_version"] == 2  # one compact line
