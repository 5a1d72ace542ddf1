"""Reading structure files: every format gives the same crystal; every bad file one InputError."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from structure_variants import EXAMPLES

from symcompile.errors import InputError
from symcompile.structures import Declared, analyse_symmetry, read_structure, require_ordered
from symcompile.structures.reading import read_declared

BROKEN_LOOP = """data_broken
_cell_length_a 3.905
_cell_length_b 3.905
_cell_length_c 3.905
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Sr 0 0 0
Ti 0.5 0.5
"""

NO_ATOMS = "data_empty\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n" \
           "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"

BAD_FILES = {
    "empty.cif": b"",
    "blank.xyz": b"\n  \n",
    "garbage.cif": bytes(range(256)) * 3,
    "garbage.xyz": b"\x89PNG\r\n\x1a\n" + bytes(200),
    "text.cif": b"this is not a crystal\n",
    "broken_loop.cif": BROKEN_LOOP.encode(),
    "no_atoms.cif": NO_ATOMS.encode(),
    "short.xyz": b"3\nwater\nO 0 0 0\nH 0.9 0 0\n",
    "unknown_element.xyz": b"1\n\nXq 0 0 0\n",
    "nan.xyz": b"1\n\nH nan 0 0\n",
    "bad.json": b"{not json",
    "other.json": b'{"a": 1}',
    "POSCAR": b"not a poscar\n1.0\n",
    "unknown.dat": b"1 2 3\n4 5 6\n",
    "overlap.xyz": b"2\n\nH 0 0 0\nH 0 0 0\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_input_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(InputError) as info:
        analyse_symmetry(path)
    message = str(info.value)
    assert message and "\n" not in message and "Traceback" not in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_structure(tmp_path / "missing.cif")
    with pytest.raises(InputError, match="directory"):
        read_structure(tmp_path)


def test_broken_loop_message_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "b.cif"
    path.write_text(BROKEN_LOOP)
    with pytest.raises(InputError, match="loop of 4 columns has 7 values"):
        read_structure(path)


_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
_SUFFIXES = st.sampled_from(["x.cif", "x.xyz", "x.json", "POSCAR", "x.vasp", "x.extxyz", "x.dat"])


@settings(max_examples=120, deadline=None, suppress_health_check=_HEALTH)
@given(data=st.binary(max_size=400), name=_SUFFIXES)
def test_random_bytes_never_escape_as_anything_but_input_error(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        read_structure(path)
    except InputError as exc:
        assert "\n" not in str(exc)


_CIF_WORDS = st.sampled_from(["data_x", "loop_", "_cell_length_a", "_cell_angle_gamma", "_atom_site_label",
                              "_atom_site_fract_x", "_symmetry_equiv_pos_as_xyz", "'x,y,z'", "'-x,1/2+y,z'",
                              "O1", "Sr", "0.5", "0", "1/3", "?", ".", ";", "#", "'", '"', "1e999", "-3", "\n"])


@settings(max_examples=120, deadline=None, suppress_health_check=_HEALTH)
@given(words=st.lists(_CIF_WORDS, max_size=60), text=st.text(max_size=120), name=_SUFFIXES)
def test_random_text_never_escapes_as_anything_but_input_error(tmp_path: Path, words: list[str], text: str,
                                                               name: str) -> None:
    path = tmp_path / name
    path.write_text(" ".join(words) + text, encoding="utf-8", errors="surrogatepass")
    try:
        analyse_symmetry(path, check_declared=True)
    except InputError as exc:
        assert "\n" not in str(exc)
    except UnicodeEncodeError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=_HEALTH)
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_example_files_give_a_record_or_an_input_error(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    source = rng.choice(sorted(EXAMPLES.iterdir()))
    lines = source.read_text().splitlines()
    for _ in range(rng.randint(1, 3)):
        action = rng.randrange(4)
        i = rng.randrange(len(lines))
        if action == 0:
            del lines[i]
        elif action == 1:
            j = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:j] + rng.choice("'\";_#0.-x/ ()") + lines[i][j + 1:]
        elif action == 2:
            lines = lines[:i]
        else:
            lines.insert(i, rng.choice(lines))
        if not lines:
            break
    path = tmp_path / source.name
    path.write_text("\n".join(lines) + "\n")
    try:
        record = analyse_symmetry(path, check_declared=True)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert record["kind"] in ("crystal", "molecule")


# --------------------------------------------------------------------------- other formats
def test_every_crystal_format_gives_the_same_group(tmp_path: Path) -> None:
    from pymatgen.io.vasp import Poscar

    structure = read_structure(EXAMPLES / "CaTiO3_Pnma.cif")
    structure = structure.to_pymatgen()
    (tmp_path / "POSCAR").write_text(Poscar(structure).get_str())
    (tmp_path / "cto.json").write_text(json.dumps(structure.as_dict()))
    lattice = " ".join(f"{v:.10f}" for v in structure.lattice.matrix.ravel())
    rows = [f"{site.specie} {x:.10f} {y:.10f} {z:.10f}" for site, (x, y, z) in zip(structure, structure.cart_coords)]
    (tmp_path / "cto.xyz").write_text(f"{len(rows)}\nLattice=\"{lattice}\" Properties=species:S:1:pos:R:3 "
                                      f"pbc=\"T T T\"\n" + "\n".join(rows) + "\n")
    for name in ("POSCAR", "cto.json", "cto.xyz"):
        record = analyse_symmetry(tmp_path / name)
        assert record["kind"] == "crystal", name
        assert record["space_group"]["number"] == 62, name


def test_molecule_json_and_pbc_false_xyz_are_molecules(tmp_path: Path) -> None:
    molecule = read_structure(EXAMPLES / "methane.xyz").to_pymatgen()
    (tmp_path / "m.json").write_text(json.dumps(molecule.as_dict()))
    assert analyse_symmetry(tmp_path / "m.json")["point_group"]["schoenflies"] == "Td"
    lines = (EXAMPLES / "water.xyz").read_text().splitlines()
    lines[1] = 'Lattice="10 0 0 0 10 0 0 0 10" pbc="F F F"'
    (tmp_path / "w.xyz").write_text("\n".join(lines) + "\n")
    assert analyse_symmetry(tmp_path / "w.xyz")["point_group"]["schoenflies"] == "C2v"


DISORDERED = """data_disordered
# rock-salt (Fe,Ni)O with a 50/50 mixed cation site, written in P1 on purpose
_cell_length_a 4.2
_cell_length_b 4.2
_cell_length_c 4.2
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Fe1 Fe 0 0 0 0.5
Ni1 Ni 0 0 0 0.5
Fe2 Fe 0.5 0.5 0 0.5
Ni2 Ni 0.5 0.5 0 0.5
Fe3 Fe 0.5 0 0.5 0.5
Ni3 Ni 0.5 0 0.5 0.5
Fe4 Fe 0 0.5 0.5 1.0
O1 O 0.5 0 0 1
O2 O 0 0.5 0 1
O3 O 0 0 0.5 1
O4 O 0.5 0.5 0.5 1
"""


def test_disordered_sites_are_distinct_species_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "d.cif"
    path.write_text(DISORDERED)
    record = analyse_symmetry(path)
    assert any("partially occupied" in note for note in record["notes"])
    # three mixed (Fe,Ni) sites and one pure Fe site on the fcc sublattice: the mixed sites are
    # one species, pure Fe another, so the cubic F lattice is broken to the simple cubic Pm-3m.
    assert record["space_group"]["number"] == 221
    species = {s["species"] for s in record["sites"]}
    assert "Fe" in species and any("Ni" in s and "Fe" in s for s in species)
    with pytest.raises(InputError, match="disordered"):
        require_ordered(read_structure(path))
    require_ordered(read_structure(EXAMPLES / "CaTiO3_Pnma.cif"))


def test_declared_space_group_is_read_from_number_symbol_and_hall(tmp_path: Path) -> None:
    assert read_declared(EXAMPLES / "CaTiO3_Pnma.cif") == Declared(62, "P b n m", None, "_space_group_it_number")
    path = tmp_path / "h.cif"
    path.write_text("data_x\n_symmetry_space_group_name_Hall '-P 2ac 2n'\n_cell_length_a 1\n")
    assert read_declared(path).hall == "-P 2ac 2n"
    assert read_structure(EXAMPLES / "water.xyz").declared == Declared()


def test_multi_block_cif_reads_the_first_structure_with_a_note(tmp_path: Path) -> None:
    text = (EXAMPLES / "SrTiO3_cubic.cif").read_text() + "\n" + (EXAMPLES / "TiO2_rutile.cif").read_text()
    path = tmp_path / "two.cif"
    path.write_text(text)
    record = analyse_symmetry(path)
    assert record["space_group"]["number"] == 221
    assert any("2 structures" in note for note in record["notes"])


def test_cif_with_symbol_only_is_expanded_from_the_symbol(tmp_path: Path) -> None:
    text = (EXAMPLES / "TiO2_rutile.cif").read_text()
    start = text.index("loop_\n_space_group_symop_operation_xyz")
    end = text.index("loop_\n_atom_site_label")
    path = tmp_path / "rutile_symbol_only.cif"
    path.write_text(text[:start] + text[end:])
    record = analyse_symmetry(path)
    assert record["space_group"]["number"] == 136 and record["num_atoms"] == 6
    assert np.isclose(read_structure(path).volume, 4.5937**2 * 2.9587)


def test_occupancies_slightly_above_one_are_rescaled_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "rounded.cif"
    path.write_text(DISORDERED.replace("Ni1 Ni 0 0 0 0.5", "Ni1 Ni 0 0 0 0.52"))
    record = analyse_symmetry(path)
    assert any("occupancies" in note.lower() for note in record["notes"])
    path.write_text(DISORDERED.replace("Ni1 Ni 0 0 0 0.5", "Ni1 Ni 0 0 0 0.9"))
    with pytest.raises(InputError, match="Occupancy 1.4 exceeded"):
        analyse_symmetry(path)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("_cell_length_a 4.2\n", ""), "no cell parameter _cell_length_a"),
    (lambda t: t.split("loop_\n_atom_site_label")[0], "no atom sites"),
])
def test_incomplete_cif_names_what_is_missing(tmp_path: Path, edit, message: str) -> None:  # noqa: ANN001
    path = tmp_path / "incomplete.cif"
    path.write_text(edit(DISORDERED))
    with pytest.raises(InputError, match=message):
        read_structure(path)


def test_compressed_files_are_read(tmp_path: Path) -> None:
    import bz2
    import gzip

    data = (EXAMPLES / "SiO2_alpha_quartz.cif").read_bytes()
    (tmp_path / "q.cif.gz").write_bytes(gzip.compress(data))
    (tmp_path / "q.cif.bz2").write_bytes(bz2.compress(data))
    for name in ("q.cif.gz", "q.cif.bz2"):
        assert analyse_symmetry(tmp_path / name)["space_group"]["number"] == 154
    (tmp_path / "bad.cif.gz").write_bytes(b"\x1f\x8b" + bytes(30))
    with pytest.raises(InputError, match="compressed"):
        read_structure(tmp_path / "bad.cif.gz")
