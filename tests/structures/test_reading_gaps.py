"""Reading gaps found on public files (issue 11), each checked against an independent source.

Symbols without operations (settings ``:b1``, ``:1``/``:2``, ``:H``/``:R``) against operations written
out by hand from the International Tables or against pymatgen; VASP 4 POSCARs; byte-order marks;
``#`` comments in XYZ; the directory scan; setting information; plain-words notes; magnetic moments.
"""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from structure_variants import EXAMPLES, PRIMITIVE, transform

from symcompile.cli import main
from symcompile.errors import InputError
from symcompile.inputs import expand_inputs
from symcompile.structures import analyse_symmetry, read_structure

#: Li2CO3 (zabuyelite), C2/c (b unique, cell choice 1): J. Effenberger and J. Zemann,
#: Z. Kristallogr. 150, 133-138 (1979). 24 atoms in the conventional cell (Z = 4).
LI2CO3 = """data_Li2CO3
_cell_length_a 8.359
_cell_length_b 4.973
_cell_length_c 6.197
_cell_angle_alpha 90
_cell_angle_beta 114.83
_cell_angle_gamma 90
{symmetry}
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Li1 Li 0.1965 0.4484 0.8338
C1 C 0 0.0657 0.25
O1 O 0 0.3213 0.25
O2 O 0.1459 -0.0636 0.3137
"""

#: Silicon (diamond structure, Fd-3m), a = 5.4310 Å: Y. Okada and Y. Tokumaru, J. Appl. Phys. 56, 314 (1984).
#: Si on 8a: (0, 0, 0) in origin choice 1, (1/8, 1/8, 1/8) in origin choice 2; 8 atoms per cubic cell.
SILICON = """data_Si
_cell_length_a 5.4310
_cell_length_b 5.4310
_cell_length_c 5.4310
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M '{symbol}'
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Si1 {x} {x} {x}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code), [json.loads(line) for line in out.splitlines() if line.strip()], err


# --------------------------------------------------------------------------- symbols without operations
#: C2/c, b unique, cell choice 1, written out from the International Tables (Vol. A, No. 15).
C2C_OPERATIONS = ("loop_\n_symmetry_equiv_pos_as_xyz\n'x,y,z'\n'-x,y,-z+1/2'\n'-x,-y,-z'\n'x,-y,z+1/2'\n"
                  "'x+1/2,y+1/2,z'\n'-x+1/2,y+1/2,-z+1/2'\n'-x+1/2,-y+1/2,-z'\n'x+1/2,-y+1/2,z+1/2'")


def _sites(structure: object) -> list[tuple]:
    return sorted((sp, *np.round(np.mod(f, 1.0), 6) % 1.0) for sp, f in zip(structure.species,  # type: ignore[attr-defined]
                                                                          structure.frac_coords))  # type: ignore[attr-defined]


@pytest.mark.parametrize("symbol", ["C 2/c", "C 1 2/c 1", "C2/c:b1", "C 1 2/c 1 :b1"])
def test_monoclinic_symbol_without_operations_is_expanded(tmp_path: Path, symbol: str) -> None:
    """The four spellings of C2/c in its standard setting give zabuyelite's 24 atoms, exactly the crystal
    the operations written out by hand give."""
    path = _write(tmp_path, "li2co3.cif", LI2CO3.format(symmetry=f"_symmetry_space_group_name_H-M '{symbol}'"))
    record = analyse_symmetry(path)
    assert record["space_group"] == {"number": 15, "symbol": "C2/c"} and record["num_atoms"] == 24
    assert any("no symmetry operations" in note and "C 1 2/c 1" in note for note in record["notes"])
    by_hand = read_structure(_write(tmp_path, "ops.cif", LI2CO3.format(symmetry=C2C_OPERATIONS)))
    assert _sites(read_structure(path)) == _sites(by_hand)


def test_c2_b1_symbol_matches_the_operations_written_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11: 'C2:b1' without operations was read as P1 (exit 0). Now: C2's four operations (ITA,
    b unique, cell choice 1: x,y,z; -x,y,-z; and the C centring), the same crystal as written out."""
    ops = "loop_\n_symmetry_equiv_pos_as_xyz\n'x,y,z'\n'-x,y,-z'\n'x+1/2,y+1/2,z'\n'-x+1/2,y+1/2,-z'"
    by_symbol = read_structure(_write(tmp_path, "symbol.cif", LI2CO3.format(
        symmetry="_symmetry_space_group_name_H-M 'C2:b1'")))
    by_hand = read_structure(_write(tmp_path, "ops.cif", LI2CO3.format(symmetry=ops)))
    assert by_symbol.num_atoms == by_hand.num_atoms == 16
    assert np.allclose(by_symbol.lattice, by_hand.lattice)
    assert _sites(by_symbol) == _sites(by_hand)
    assert any("setting b1" in note for note in by_symbol.notes)
    code, records, _ = _cli(capsys, "symmetry", str(tmp_path / "symbol.cif"), "--json")
    assert code == 0 and records[0]["space_group"]["number"] != 1


@pytest.mark.parametrize("symbol,x", [("F d -3 m", "0"), ("Fd-3m:1", "0"), ("F d -3 m :2", "0.125"),
                                      ("F d -3 m Z", "0.125")])
def test_origin_choices_of_fd3m(tmp_path: Path, symbol: str, x: str) -> None:
    """Silicon written in either origin choice is the diamond structure: 8 atoms, Fd-3m, Si on 8a."""
    record = analyse_symmetry(_write(tmp_path, "si.cif", SILICON.format(symbol=symbol, x=x)))
    assert record["space_group"]["number"] == 227 and record["num_atoms"] == 8
    # 8a or 8b: the two are swapped by moving the origin, which the other origin choice does
    assert [(s["multiplicity"], s["site_symmetry"]) for s in record["sites"]] == [(8, "-43m")]
    assert record["setting"]["origin_choice"] in (1, 2)


def test_wrong_origin_choice_gives_a_different_crystal(tmp_path: Path) -> None:
    """The same coordinates read in the other origin choice are another arrangement (not diamond)."""
    record = analyse_symmetry(_write(tmp_path, "si.cif", SILICON.format(symbol="Fd-3m:2", x="0")))
    assert (record["num_atoms"], record["space_group"]["number"]) != (8, 227)


def _laalo3_symbol_only(setting: str) -> str:
    text = (EXAMPLES / "LaAlO3_R-3c.cif").read_text()
    start = text.index("loop_\n_space_group_symop_operation_xyz")
    end = text.index("loop_\n_atom_site_label")
    return text[:start].replace("'R -3 c'", f"'R -3 c{setting}'") + text[end:]


@pytest.mark.parametrize("setting", [":H", " H", ""])
def test_rhombohedral_group_on_hexagonal_axes_by_symbol(tmp_path: Path, setting: str) -> None:
    listed = read_structure(EXAMPLES / "LaAlO3_R-3c.cif")
    record = analyse_symmetry(_write(tmp_path, "lao.cif", _laalo3_symbol_only(setting)))
    assert record["space_group"]["number"] == 167 and record["num_atoms"] == listed.num_atoms == 30
    assert record["setting"]["input_axes"] == "hexagonal" and record["setting"]["axes"] == "hexagonal"


def test_rhombohedral_axes_by_symbol(tmp_path: Path) -> None:
    """LaAlO3 rewritten on rhombohedral axes (cell and coordinates by the basis change, not by the reader),
    declared 'R -3 c :R' without operations: 10 atoms, the same crystal, and a plain note on multiplicities."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    hexagonal = read_structure(EXAMPLES / "LaAlO3_R-3c.cif")
    rhombohedral = transform(hexagonal, PRIMITIVE["R"])
    lengths = np.linalg.norm(rhombohedral.lattice, axis=1)
    cos = rhombohedral.lattice[1] @ rhombohedral.lattice[2] / lengths[1] ** 2
    # one representative per species is enough: the symbol's operations must rebuild the rest
    picked = {}
    for species, frac in zip(rhombohedral.species, rhombohedral.frac_coords):
        picked.setdefault(species, frac)
    rows = "\n".join(f"{s}1 {s} {f[0]:.8f} {f[1]:.8f} {f[2]:.8f}" for s, f in picked.items())
    text = (f"data_lao\n_cell_length_a {lengths[0]:.8f}\n_cell_length_b {lengths[0]:.8f}\n_cell_length_c "
            f"{lengths[0]:.8f}\n_cell_angle_alpha {np.degrees(np.arccos(cos)):.8f}\n_cell_angle_beta "
            f"{np.degrees(np.arccos(cos)):.8f}\n_cell_angle_gamma {np.degrees(np.arccos(cos)):.8f}\n"
            "_symmetry_space_group_name_H-M 'R -3 c :R'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n"
            f"_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n{rows}\n")
    path = _write(tmp_path, "lao_rhombohedral.cif", text)
    structure = read_structure(path)
    assert structure.num_atoms == 10
    assert StructureMatcher().fit(structure.to_pymatgen(), hexagonal.to_pymatgen())
    record = analyse_symmetry(path)
    assert record["space_group"]["number"] == 167
    assert record["setting"]["input_axes"] == "rhombohedral"
    assert any("rhombohedral axes" in note and "hexagonal" in note for note in record["notes"])
    assert {(s["species"], s["multiplicity"], s["count"]) for s in record["sites"]} == {
        ("La", 6, 2), ("Al", 6, 2), ("O", 18, 6)}


def test_unreadable_symbol_without_operations_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "bad.cif", LI2CO3.format(symmetry="_symmetry_space_group_name_H-M 'C 2:q7'"))
    code, records, err = _cli(capsys, "symmetry", str(path), "--json")
    assert code == 2 and records[0]["status"] == "error" and "'C 2:q7'" in records[0]["error"]
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_cif_without_any_symmetry_is_p1_with_a_note(tmp_path: Path) -> None:
    record = analyse_symmetry(_write(tmp_path, "bare.cif", LI2CO3.format(symmetry="")))
    assert record["num_atoms"] == 4
    assert any("no symmetry operations and no space group" in note and "P1" in note for note in record["notes"])


# --------------------------------------------------------------------------- other formats
def test_vasp4_poscar_takes_element_names_from_the_first_line(tmp_path: Path) -> None:
    """Issue 11: VASP 4 files (no element line) became H/He. BaTiO3 P4mm (examples/structures)."""
    crystal = read_structure(EXAMPLES / "BaTiO3_tetragonal.cif")
    lines = ["Ba Ti O", "1.0", *(" ".join(f"{v:.10f}" for v in row) for row in crystal.lattice),
             "1 1 3", "Direct", *(" ".join(f"{v:.10f}" for v in f) for f in crystal.frac_coords)]
    assert crystal.species == ("Ba", "Ti", "O", "O", "O")
    path = _write(tmp_path, "POSCAR", "\n".join(lines) + "\n")
    structure = read_structure(path)
    assert structure.species == crystal.species
    assert analyse_symmetry(path)["space_group"]["number"] == 99
    lines[0] = "BaTiO3 tetragonal"  # a formula as the title: its elements, in order
    assert read_structure(_write(tmp_path, "POSCAR", "\n".join(lines) + "\n")).species == crystal.species
    lines[0] = "tetragonal barium titanate"
    with pytest.raises(InputError, match="VASP 4 POSCAR without element names"):
        read_structure(_write(tmp_path, "POSCAR", "\n".join(lines) + "\n"))


def test_byte_order_mark_and_hash_comments(tmp_path: Path) -> None:
    cif = tmp_path / "bom.cif"  # the BOM right before 'data_' (comment lines dropped) broke the reader
    lines = [line for line in (EXAMPLES / "TiO2_rutile.cif").read_text().splitlines() if not line.startswith("#")]
    cif.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())
    assert analyse_symmetry(cif)["space_group"]["number"] == 136
    head, comment, *atoms = (EXAMPLES / "water.xyz").read_text().splitlines()
    xyz = _write(tmp_path, "w.xyz", "\n".join(["# written by hand", head, comment, atoms[0] + "  # oxygen",
                                               "# the hydrogens", *atoms[1:]]) + "\n")
    assert analyse_symmetry(xyz)["point_group"]["schoenflies"] == "C2v"
    bom_xyz = tmp_path / "bom.xyz"
    bom_xyz.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "water.xyz").read_bytes())
    assert analyse_symmetry(bom_xyz)["num_atoms"] == 3


VASPRUN = """<?xml version="1.0" encoding="ISO-8859-1"?>
<modeling>
 <atominfo>
  <atoms> 2 </atoms>
  <array name="atoms"><set><rc><c>Cs</c><c>1</c></rc><rc><c>Cl</c><c>2</c></rc></set></array>
 </atominfo>
 <structure name="initialpos"><crystal><varray name="basis">
  <v>4.2 0 0</v><v>0 4.2 0</v><v>0 0 4.2</v></varray></crystal>
  <varray name="positions"><v>0 0 0</v><v>0.52 0.5 0.5</v></varray></structure>
 <calculation><structure><crystal><varray name="basis">
  <v>4.12 0 0</v><v>0 4.12 0</v><v>0 0 4.12</v></varray></crystal>
  <varray name="positions"><v>0 0 0</v><v>0.5 0.5 0.5</v></varray></structure></calculation>
 {final}
</modeling>
"""
FINALPOS = ('<structure name="finalpos"><crystal><varray name="basis"><v>4.12 0 0</v><v>0 4.12 0</v>'
            '<v>0 0 4.12</v></varray></crystal><varray name="positions"><v>0 0 0</v><v>0.5 0.5 0.5</v></varray>'
            '</structure>')


def test_vasprun_final_and_last_complete_structure(tmp_path: Path) -> None:
    """CsCl relaxed from a displaced start: the final structure is Pm-3m; a run cut short gives its last
    complete structure, with a note."""
    (tmp_path / "done").mkdir()
    done = _write(tmp_path / "done", "vasprun.xml", VASPRUN.format(final=FINALPOS))
    record = analyse_symmetry(done)
    assert record["space_group"]["number"] == 221 and "final structure" in record["notes"][0]
    running = VASPRUN.format(final="").replace("</modeling>", "")
    record = analyse_symmetry(_write(tmp_path, "vasprun.xml", running))
    assert record["space_group"]["number"] == 221 and "did not finish" in record["notes"][0]


def test_directory_scan_reads_what_the_readme_lists_and_nothing_that_always_fails(tmp_path: Path) -> None:
    """Issue 11: compressed CIFs and vasprun.xml were skipped, *.pdb/*.mol were tried and always failed."""
    data = (EXAMPLES / "SiO2_alpha_quartz.cif").read_bytes()
    (tmp_path / "q.cif.gz").write_bytes(gzip.compress(data))
    (tmp_path / "q.cif.bz2").write_bytes(bz2.compress(data))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "vasprun.xml").write_text(VASPRUN.format(final=FINALPOS))
    (tmp_path / "CONTCAR").write_text("Cs Cl\n1.0\n4.12 0 0\n0 4.12 0\n0 0 4.12\nCs Cl\n1 1\nDirect\n0 0 0\n.5 .5 .5\n")
    for name in ("protein.pdb", "ligand.mol", "notes.txt", "README"):
        (tmp_path / name).write_text("not a structure\n")
    found = sorted(Path(p).name for p in expand_inputs([str(tmp_path)]))
    assert found == ["CONTCAR", "q.cif.bz2", "q.cif.gz", "vasprun.xml"]


def test_directory_scan_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "q.cif.gz").write_bytes(gzip.compress((EXAMPLES / "SiO2_alpha_quartz.cif").read_bytes()))
    (tmp_path / "vasprun.xml").write_text(VASPRUN.format(final=FINALPOS))
    (tmp_path / "x.pdb").write_text("HETATM\n")
    code, records, _ = _cli(capsys, "symmetry", str(tmp_path), "--json")
    assert code == 0 and [r["space_group"]["number"] for r in records] == [154, 221]


# --------------------------------------------------------------------------- settings, notes, moments
def test_setting_of_a_non_standard_cell(tmp_path: Path) -> None:
    """CaTiO3 is given in Pbnm (ICSD's choice): the transformation to Pnma is a permutation of the axes."""
    setting = analyse_symmetry(EXAMPLES / "CaTiO3_Pnma.cif")["setting"]
    assert setting["standard"] is False and setting["hall_symbol"] == "-P 2ac 2n"
    P = np.array(setting["transformation_matrix"])
    assert abs(abs(np.linalg.det(P)) - 1) < 1e-12 and set(np.abs(P).ravel()) == {0.0, 1.0}
    assert analyse_symmetry(EXAMPLES / "SrTiO3_cubic.cif")["setting"]["standard"] is True


def test_pymatgen_warnings_become_plain_notes(tmp_path: Path) -> None:
    from test_structure_reading import DISORDERED

    record = analyse_symmetry(_write(tmp_path, "d.cif", DISORDERED.replace("Ni1 Ni 0 0 0 0.5", "Ni1 Ni 0 0 0 0.52")))
    assert record["notes"]
    for note in record["notes"]:
        assert "Issues encountered" not in note and "_symmetry" not in note and "\n" not in note
    assert any("scaled down to 1" in note for note in record["notes"])


def test_magnetic_moments_are_read_from_an_mcif(tmp_path: Path) -> None:
    """MnF2 (rutile type): a = 4.8734, c = 3.3099 Å, F x = 0.3050 (W. H. Baur, Acta Cryst. 11, 488 (1958));
    antiparallel moments along c on the two Mn (R. A. Erickson, Phys. Rev. 90, 779 (1953))."""
    text = "\n".join([
        "data_MnF2", "_cell_length_a 4.8734", "_cell_length_b 4.8734", "_cell_length_c 3.3099",
        "_cell_angle_alpha 90", "_cell_angle_beta 90", "_cell_angle_gamma 90",
        "_space_group_magn.number_BNS 1.1", '_space_group_magn.name_BNS "P 1"',
        "loop_", "_space_group_symop_magn_operation.id", "_space_group_symop_magn_operation.xyz", "1 x,y,z,+1",
        "loop_", "_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x", "_atom_site_fract_y",
        "_atom_site_fract_z", "Mn1 Mn 0 0 0", "Mn2 Mn 0.5 0.5 0.5", "F1 F 0.3050 0.3050 0",
        "F2 F 0.6950 0.6950 0", "F3 F 0.8050 0.1950 0.5", "F4 F 0.1950 0.8050 0.5",
        "loop_", "_atom_site_moment.label", "_atom_site_moment.crystalaxis_x", "_atom_site_moment.crystalaxis_y",
        "_atom_site_moment.crystalaxis_z", "Mn1 0 0 5.0", "Mn2 0 0 -5.0"]) + "\n"
    structure = read_structure(_write(tmp_path, "MnF2.mcif", text))
    assert structure.magmoms is not None and structure.magmoms.shape == (6, 3)
    mn = [m for s, m in zip(structure.species, structure.magmoms) if s == "Mn"]
    assert sorted(round(float(m[2]), 6) for m in mn) == [-5.0, 5.0]
    assert analyse_symmetry(structure)["space_group"]["number"] == 136  # moments not used (yet)
    assert read_structure(EXAMPLES / "TiO2_rutile.cif").magmoms is None


def test_reading_never_prints(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from test_structure_reading import DISORDERED

    analyse_symmetry(_write(tmp_path, "d.cif", DISORDERED.replace("Ni1 Ni 0 0 0 0.5", "Ni1 Ni 0 0 0 0.52")))
    out, err = capfd.readouterr()
    assert out == "" and err == ""
