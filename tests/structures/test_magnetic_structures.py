"""Magnetic space groups of published magnetic structures, every format that carries moments, and notes.

Expected BNS numbers (and magnetic point groups) are the ones the cited MAGNDATA entries give for
these structures; the files are retyped from those entries (citations in each file). Moments
found by spglib are checked independently: every operation must carry each moment onto its
image's moment, m' = tau det(R) R m.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import invoke

from symcompile.structures import read_structure
from symcompile.structures.analysis import analyse_symmetry
from symcompile.structures.magnetic import COLLINEAR_NOTE, ZERO_NOTE, magnetic_symmetry
from symcompile.structures.structure import Structure

MAGNETIC = Path(__file__).resolve().parents[2] / "examples" / "magnetic"

#: file -> (BNS number, BNS symbol, type, magnetic point group (Litvin number) as the entry gives it)
PUBLISHED = {
    "GdB4_MAGNDATA_0.9.mcif": ("127.395", "P4/m'b'm'", 3, "15.7.59"),
    "NiO_MAGNDATA_1.6.mcif": ("15.90", "C_c2/c", 4, "5.2.13"),
    "CuO_MAGNDATA_1.62.mcif": ("14.80", "P_a2_1/c", 4, "5.2.13"),
    "YMnO3_MAGNDATA_0.6.mcif": ("185.197", "P6_3cm", 1, "25.1.91"),
    "RuO2_MAGNDATA_0.607.mcif": ("136.499", "P4_2'/mnm'", 3, None),
}


def _moments_map_onto_each_other(structure: Structure, symprec: float = 1e-3) -> None:
    found = magnetic_symmetry(structure, symprec)
    ops = found.operations
    for R, tau, perm in zip(ops.rotations, ops.time_reversal, ops.permutations):
        image = tau * np.linalg.det(R) * found.moments @ R.T
        np.testing.assert_allclose(found.moments[perm], image, atol=1e-6)
    assert sorted(set(ops.time_reversal.tolist())) in ([1], [-1, 1])


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_magnetic_structures(name: str) -> None:
    bns, symbol, kind, litvin = PUBLISHED[name]
    record = analyse_symmetry(MAGNETIC / name, check_declared=True)
    block = record["magnetic"]
    assert (block["bns"]["number"], block["bns"]["symbol"], block["type"]) == (bns, symbol, kind)
    assert block["declared_match"] == "same" and record.get("status") != "failed"
    if litvin:
        assert block["point_group"]["number"] == litvin
    _moments_map_onto_each_other(read_structure(MAGNETIC / name))


def test_isocif_format_and_declared_group() -> None:
    record = analyse_symmetry(MAGNETIC / "Mn3Ge_ISOCIF_model.mcif", check_declared=True)
    assert record["magnetic"]["bns"] == {"number": "194.271", "symbol": "P6_3/m'm'c'"}
    assert record["magnetic"]["og"]["number"] == "194.9.1502" and record["magnetic"]["declared_match"] == "same"


def test_ruo2_point_group_and_record_keys() -> None:
    block = analyse_symmetry(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")["magnetic"]
    assert set(block) == {"bns", "og", "uni_number", "type", "type_roman", "type_words", "point_group", "operations",
                          "primitive_atoms", "moments"}
    assert block["point_group"] == {"hm": "4'/mm'm", "hm_bns_setting": "4'/mmm'", "schoenflies": "D4h(D2h)",
                                    "number": "15.4.56", "kind": "black-white", "order": 16}
    assert block["og"] == {"number": "136.5.1156", "symbol": "P4_2'/mnm'"} and block["operations"] == 16
    assert block["moments"]["magnetic_atoms"] == 2 and block["moments"]["collinear"]
    np.testing.assert_allclose(block["moments"]["net"], 0.0, atol=1e-12)


def _ruo2(moments: np.ndarray | list[float]) -> Structure:
    s = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    return s.replace(magmoms=moments)


def test_zero_moments_give_the_grey_group_and_collinear_values_go_along_z() -> None:
    s = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    zero = magnetic_symmetry(s.replace(magmoms=np.zeros((len(s), 3))))
    assert (zero.group.bns_number, zero.group.bns_symbol, zero.group.type) == ("136.496", "P4_2/mnm1'", 2)
    assert zero.point_group.name == "4/mmm1'" and ZERO_NOTE in zero.notes
    values = np.linalg.norm(s.magmoms, axis=1) * np.sign(s.magmoms[:, 2])
    collinear = magnetic_symmetry(s.replace(magmoms=values))
    assert collinear.group.bns_number == "136.499" and COLLINEAR_NOTE in collinear.notes


def test_the_moment_direction_decides_the_group() -> None:
    """Neel vector of RuO2 along [100] and [110] instead of [001]: other groups (computed by hand below)."""
    s = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    sign = np.sign(s.magmoms[:, 2])
    along_a = magnetic_symmetry(s.replace(magmoms=np.outer(sign, [0.05, 0, 0])))
    along_110 = magnetic_symmetry(s.replace(magmoms=np.outer(sign, [0.035, 0.035, 0])))
    # [100]: the 4-fold axes go; 2x keeps Ru1 and its moment (unprimed), the n-glides swap the Ru (primed)
    assert (along_a.group.bns_symbol, along_a.point_group.name) == ("Pnn'm'", "m'm'm")
    assert (along_110.group.bns_symbol, along_110.point_group.name) == ("Cmm'm'", "m'm'm")


def _supercell(s: Structure) -> Structure:
    frac = np.concatenate([s.frac_coords * [0.5, 1, 1], s.frac_coords * [0.5, 1, 1] + [0.5, 0, 0]])
    return Structure(s.lattice * [[2], [1], [1]], frac, s.species * 2, magmoms=np.concatenate([s.magmoms] * 2))


@pytest.mark.parametrize("name", ["RuO2_MAGNDATA_0.607.mcif", "GdB4_MAGNDATA_0.9.mcif", "YMnO3_MAGNDATA_0.6.mcif"])
def test_invariance_under_cells_frames_origins_and_order(name: str) -> None:
    s = read_structure(MAGNETIC / name)
    ref = magnetic_symmetry(s)
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    variants = [
        _supercell(s),
        s.transformed(Q),  # rotated frame (proper or improper Q: moments turn as axial vectors)
        s.replace(frac_coords=s.frac_coords + [0.13, 0.27, 0.41]),
        s.permuted(rng.permutation(len(s))),
    ]
    for v in variants:
        found = magnetic_symmetry(v)
        assert found.group.uni_number == ref.group.uni_number
        assert found.point_group.number == ref.point_group.number


def test_moments_from_pymatgen_writer_json_and_extended_xyz(tmp_path: Path) -> None:
    """The same RuO2 through pymatgen's mCIF writer, pymatgen JSON and an extended XYZ with moments."""
    from pymatgen.io.cif import CifWriter

    s = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    pmg = s.to_pymatgen()
    CifWriter(pmg, write_magmoms=True).write_file(tmp_path / "written.mcif")
    (tmp_path / "RuO2.json").write_text(json.dumps(pmg.as_dict()))
    lat = " ".join(f"{x:.10f}" for x in s.lattice.ravel())
    lines = [str(len(s)), f'Lattice="{lat}" Properties=species:S:1:pos:R:3:magmoms:R:3 pbc="T T T"']
    lines += [f"{sp} {' '.join(f'{x:.10f}' for x in r)} {' '.join(f'{m:.6f}' for m in mm)}"
              for sp, r, mm in zip(s.species, s.cart_coords, s.magmoms)]
    (tmp_path / "RuO2.extxyz").write_text("\n".join(lines) + "\n")
    for name in ("written.mcif", "RuO2.json", "RuO2.extxyz"):
        block = analyse_symmetry(tmp_path / name)["magnetic"]
        assert block["bns"]["number"] == "136.499", name


def test_unreadable_moments_get_a_note_never_silence(tmp_path: Path) -> None:
    text = (MAGNETIC / "RuO2_MAGNDATA_0.607.mcif").read_text()
    spherical = text.replace("_atom_site_moment.crystalaxis_x\n_atom_site_moment.crystalaxis_y\n"
                             "_atom_site_moment.crystalaxis_z\nRu1 0.0 0.0 0.05",
                             "_atom_site_moment.spherical_modulus\n_atom_site_moment.spherical_polar\n"
                             "_atom_site_moment.spherical_azimuthal\nRu1 0.05 0.0 0.0")
    wrong_label = text.replace("Ru1 0.0 0.0 0.05", "Ru9 0.0 0.0 0.05")
    no_moments = text[:text.index("loop_\n_atom_site_moment.label")]
    cases = {"spherical.mcif": spherical, "label.mcif": wrong_label}
    for name, content in cases.items():
        (tmp_path / name).write_text(content)
        record = analyse_symmetry(tmp_path / name)
        assert "magnetic" not in record and any("not analysed" in n for n in record["notes"]), name
    (tmp_path / "none.mcif").write_text(no_moments)
    record = analyse_symmetry(tmp_path / "none.mcif")
    assert record["magnetic"]["type"] == 2 and any("lists no moments" in n for n in record["notes"])
    (tmp_path / "zero.mcif").write_text(text.replace("Ru1 0.0 0.0 0.05", "Ru1 0.0 0.0 0.0"))
    record = analyse_symmetry(tmp_path / "zero.mcif", check_declared=True)  # declares 136.499: the moments say 136.496
    assert record["magnetic"]["bns"] == {"number": "136.496", "symbol": "P4_2/mnm1'"}
    assert record["status"] == "failed" and any(n == ZERO_NOTE for n in record["notes"])
    xyz = "2\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1:pos:R:3:magmoms:R:2\nFe 0 0 0 1 0\nFe 1.5 1.5 1.5 1 0\n"
    (tmp_path / "two.extxyz").write_text(xyz)
    record = analyse_symmetry(tmp_path / "two.extxyz")
    assert "magnetic" not in record and any("magmoms:R:2" in n for n in record["notes"])
    pmg = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif").to_pymatgen().as_dict()
    pmg["sites"][0]["properties"]["magmom"] = None
    (tmp_path / "missing.json").write_text(json.dumps(pmg))
    record = analyse_symmetry(tmp_path / "missing.json")
    assert "magnetic" not in record and any("could not be read" in n for n in record["notes"])


def test_cli_no_magnetic_mag_symprec_and_a_wrong_declared_group(tmp_path: Path) -> None:
    path = str(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    code, out, _ = invoke(["symmetry", path, "--json", "--no-magnetic"])
    record = json.loads(out)
    assert code == 0 and "magnetic" not in record and any("--no-magnetic" in n for n in record["notes"])
    assert record["space_group"] == {"number": 136, "symbol": "P4_2/mnm"}
    code, out, _ = invoke(["symmetry", path, "--json", "--mag-symprec", "0.2"])
    record = json.loads(out)  # +-0.05 muB differ by less than 0.2: time reversal alone is a symmetry (grey)
    assert record["magnetic"]["type"] == 2 and record["tolerances"]["mag_symprec"] == 0.2
    wrong = tmp_path / "wrong.mcif"
    wrong.write_text(Path(path).read_text().replace("number_BNS 136.499", "number_BNS 136.498"))
    code, out, _ = invoke(["symmetry", str(wrong), "--json", "--check-declared"])
    record = json.loads(out)
    assert code == 1 and record["status"] == "failed" and "BNS 136.498" in record["mismatch"]
    code, _, err = invoke(["symmetry", path, "--mag-symprec", "-1"])
    assert code == 2 and err.startswith("error:")
    modulated = tmp_path / "modulated.mcif"
    modulated.write_text(Path(path).read_text().replace("_cell_length_a", "_cell_modulation_dimension 1\n_cell_length_a"))
    code, _, err = invoke(["symmetry", str(modulated)])
    assert code == 2 and "incommensurate" in err and len(err.strip().splitlines()) == 1
