"""Every case of issue 14 (reliability) as a regression test: bad input is one line and exit 2 naming the
file and the problem, a batch goes on past it, nothing is taken silently.

Before the fix (main at the start of issue 14's second half): an empty path was the working directory
(exit 0), a cell length of 1e200 was exit 3 (OverflowError) and turned an 80-file batch into exit 3, a
Cartesian CIF was refused, a coordinate '.' was read as 0, negative lengths and angles were accepted,
`--seed -1` was exit 3.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import check_contract, invoke

from symcompile.errors import InputError
from symcompile.structures import Structure, read_structure
from symcompile.structures.validation import MIN_DISTANCE, MIN_VOLUME_PER_ATOM, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
STO = (EXAMPLES / "structures" / "SrTiO3_cubic.cif").read_text()
RUTILE = EXAMPLES / "structures" / "TiO2_rutile.cif"
WATER = EXAMPLES / "curie" / "water.xyz"
QUARTZ = ROOT / "tests" / "data" / "SiO2_P3221_alphaQuartz_Levien1980.cif"


def one_error(code: int, out: str, err: str, *needles: str) -> str:
    """Exit 2, nothing on stdout, exactly one line 'error: ...' holding every needle."""
    assert code == 2, (code, err)
    assert out == "", out
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def cif_with(**cell: str) -> str:
    """The SrTiO3 CIF with some _cell_ values replaced (keys like length_a, angle_alpha)."""
    text = STO
    for key, value in cell.items():
        text = re.sub(rf"(_cell_{key}\s+)\S+", lambda m: m.group(1) + value, text)
    return text


def xyz_crystal(lattice: str, atoms: tuple[str, ...] = ("Cs 0 0 0", "Cl 2 2 2")) -> str:
    return f'{len(atoms)}\nLattice="{lattice}" Properties=species:S:1:pos:R:3\n' + "\n".join(atoms) + "\n"


# --------------------------------------------------------------------------- empty paths
@pytest.mark.parametrize("args", [
    ["symmetry", "", "--check-declared"], ["symmetry", str(RUTILE), ""], ["order-params", "", "--no-train"],
    ["curie", "", "--property", "dipole", "--no-train"], ["curie", str(WATER), "", "--no-train"],
    ["tensor", "elastic", "--structure", ""], ["order-params", str(RUTILE), "--parent", "", "--no-train"],
    ["order-params", str(RUTILE), "--write-mcif", ""],
])
def test_an_empty_path_is_an_error_not_the_working_directory(args: list[str], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Formerly ``symmetry "$CIF"`` with CIF unset analysed the working directory and exited 0."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "decoy.cif").write_text(STO)
    one_error(*invoke(args), "empty file name ''")


# --------------------------------------------------------------------------- broken numbers
@pytest.mark.parametrize("name,text,needle", [
    ("nan.xyz", xyz_crystal("nan 0 0 0 4 0 0 0 4"), "Lattice= holds nan"),
    ("inf.xyz", xyz_crystal("inf 0 0 0 4 0 0 0 4"), "Lattice= holds inf"),
    ("big.xyz", xyz_crystal("1e200 0 0 0 4 0 0 0 4"), "lattice vector a has a component of 1e+200"),
    ("far.xyz", xyz_crystal("4 0 0 0 4 0 0 0 4", ("Cs 0 0 0", "Cl 1e300 2 2")), "atom 2 (Cl) lies 1e+300"),
    ("far_molecule.xyz", "2\n\nH 0 0 0\nH 1e300 0 0\n", "atom 2 (H) lies 1e+300"),
    ("big.cif", cif_with(length_a="1e200"), "_cell_length_a is 1e+200"),
    ("nan.cif", cif_with(length_b="nan"), "_cell_length_b is 'nan', not a finite number"),
    ("negative_length.cif", cif_with(length_c="-3.905"), "_cell_length_c is -3.905"),
    ("negative_angle.cif", cif_with(angle_beta="-90"), "_cell_angle_beta is -90"),
    ("zero_angle.cif", cif_with(angle_alpha="0"), "_cell_angle_alpha is 0"),
    ("impossible_angles.cif", cif_with(angle_alpha="60", angle_beta="60", angle_gamma="150"),
     "no cell has the angles alpha=60, beta=60, gamma=150"),
    ("flat_angles.cif", cif_with(angle_alpha="120", angle_beta="120", angle_gamma="120"), "no cell has the angles"),
    ("dot.cif", STO.replace("Ti1  Ti  0.5 ", "Ti1  Ti  .   "), "Ti1 has the coordinate _atom_site_fract_x = '.'"),
    ("question.cif", STO.replace("O1   O   0.5        0.5        0 ", "O1   O   0.5        0.5        ? "),
     "O1 has the coordinate _atom_site_fract_z = '?'"),
])
@pytest.mark.parametrize("command", ["symmetry", "curie"])
def test_broken_numbers_are_one_line_errors_naming_file_and_problem(tmp_path: Path, name: str, text: str,
                                                                   needle: str, command: str) -> None:
    """Formerly: NaN in a Lattice= segfaulted spglib (curie, exit 139), 1e200 was an OverflowError (exit 3),
    1e300 'min() arg is an empty sequence' (exit 3); '.', negative lengths and angles were accepted (exit 0)."""
    path = tmp_path / name
    path.write_text(text)
    args = ["symmetry", str(path)] if command == "symmetry" else ["curie", str(path), str(path), "--no-train"]
    one_error(*invoke(args), f"{path}: ", needle)


def test_a_80_file_batch_reports_the_bad_files_and_goes_on(tmp_path: Path) -> None:
    """Formerly one cell length of 1e200 turned `symmetry --jobs 1|2 -` over 80 files into exit 3."""
    bad = {"big.cif": cif_with(length_a="1e200"), "nan.xyz": xyz_crystal("nan 0 0 0 4 0 0 0 4"),
           "negative.cif": cif_with(length_a="-4"), "dot.cif": STO.replace("Ti1  Ti  0.5 ", "Ti1  Ti  .   ")}
    paths = []
    for k in range(76):
        path = tmp_path / f"good{k:02d}.cif"
        path.write_text(RUTILE.read_text())
        paths.append(path)
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
        paths.insert(len(paths) // 2, tmp_path / name)
    listing = "\n".join(map(str, paths)) + "\n"
    for jobs in ("1", "2"):
        args = ["symmetry", "-", "--json", "--jobs", jobs]
        code, out, err = invoke(args, stdin=listing)
        check_contract(args, code, out, err, inputs=80)
        records = [__import__("json").loads(line) for line in out.splitlines()]
        assert code == 2 and len(records) == 80
        assert [r["file"] for r in records] == [str(p) for p in paths]
        errors = {Path(r["file"]).name for r in records if r["status"] == "error"}
        assert errors == set(bad) and not any(r.get("internal") for r in records)
        assert err.count("\n") == len(bad)
        assert all(r["space_group"]["number"] == 136 for r in records if r["status"] == "ok")


# --------------------------------------------------------------------------- Cartesian CIFs
def _rollett(a: float, b: float, c: float, alpha: float, beta: float, gamma: float) -> np.ndarray:
    """Columns a, b, c with c along z and b in the yz plane, by a reversed Cholesky factor of the metric
    tensor (a different route from the dictionary's closed form used by the reader)."""
    ca, cb, cg = np.cos(np.radians([alpha, beta, gamma]))
    G = np.array([[a * a, a * b * cg, a * c * cb], [a * b * cg, b * b, b * c * ca], [a * c * cb, b * c * ca, c * c]])
    P = np.eye(3)[::-1]
    L = np.linalg.cholesky(P @ G @ P)
    return P @ L.T @ P  # M with M^T M = G, lower triangular, positive diagonal


def _cartesian_cif(text: str, M: np.ndarray, shift: np.ndarray = np.zeros(3), extra: str = "") -> str:
    """The CIF with its fractional coordinates replaced by Cartesian ones r = M f + shift."""
    lines = text.splitlines()
    out = []
    for line in lines:
        parts = line.split()
        if line.strip().startswith("_atom_site_fract_"):
            out.append(line.replace("_atom_site_fract_", "_atom_site_Cartn_"))
        elif len(parts) >= 5 and parts[1] in ("Si", "O"):
            cart = M @ np.array([float(v) for v in parts[2:5]]) + shift
            out.append(f"  {parts[0]} {parts[1]} {cart[0]:.10f} {cart[1]:.10f} {cart[2]:.10f} {' '.join(parts[5:])}")
        else:
            out.append(line)
    return "\n".join(out) + "\n" + extra


def _same_crystal(first: Structure, second: Structure) -> None:
    assert first.species == second.species
    assert np.allclose(first.lattice, second.lattice, atol=1e-9)
    delta = first.frac_coords - second.frac_coords
    assert np.abs(delta - np.round(delta)).max() < 1e-8


def test_a_cartesian_cif_is_read_with_the_dictionarys_default_axes(tmp_path: Path) -> None:
    """Formerly refused ('missing _atom_site_fract_x'). alpha-quartz (Levien et al. 1980, gamma = 120°)
    written with _atom_site_Cartn_x/y/z in Rollett's axes (CIF core dictionary, _atom_sites_Cartn_transform)
    is the same crystal as its fractional version."""
    fractional = read_structure(QUARTZ)
    path = tmp_path / "quartz_cartesian.cif"
    path.write_text(_cartesian_cif(QUARTZ.read_text(), _rollett(4.916, 4.916, 5.4054, 90, 90, 120)))
    cartesian = read_structure(path)
    _same_crystal(cartesian, fractional)
    assert any("Cartesian coordinates" in note and "default axes" in note for note in cartesian.notes)
    code, out, err = invoke(["symmetry", str(path), "--json"])
    assert code == 0 and '"number":154' in out


def test_a_cartesian_cif_with_its_own_transformation_matrix(tmp_path: Path) -> None:
    """_atom_sites_Cartn_tran_matrix_ij and _vector_i (here pymatgen's axes and a shift) are used when given,
    and so is the inverse map _atom_sites_fract_tran_matrix_ij."""
    fractional = read_structure(QUARTZ)
    M = np.asarray(fractional.lattice).T  # columns a, b, c in pymatgen's frame (a in the xz plane)
    shift = np.array([0.5, -1.25, 2.0])
    given = "".join(f"_atom_sites_Cartn_tran_matrix_{i + 1}{j + 1} {M[i, j]:.12f}\n" for i in range(3) for j in range(3))
    given += "".join(f"_atom_sites_Cartn_tran_vector_{i + 1} {shift[i]}\n" for i in range(3))
    path = tmp_path / "given.cif"
    path.write_text(_cartesian_cif(QUARTZ.read_text(), M, shift, given))
    _same_crystal(read_structure(path), fractional)
    F = np.linalg.inv(M)
    inverse = "".join(f"_atom_sites_fract_tran_matrix_{i + 1}{j + 1} {F[i, j]:.14f}\n" for i in range(3) for j in range(3))
    inverse += "".join(f"_atom_sites_fract_tran_vector_{i + 1} {-(F @ shift)[i]:.14f}\n" for i in range(3))
    path.write_text(_cartesian_cif(QUARTZ.read_text(), M, shift, inverse))
    _same_crystal(read_structure(path), fractional)


# --------------------------------------------------------------------------- validation on entry
def test_atoms_closer_than_the_floor_are_named_with_their_distance(tmp_path: Path) -> None:
    path = tmp_path / "close.xyz"
    path.write_text("3\n\nO 0 0 0\nH 0.3 0 0\nH 0 0.96 0\n")
    one_error(*invoke(["symmetry", str(path)]), "atoms 1 (O) and 2 (H) are 0.3 Å apart",
              f"floor of {MIN_DISTANCE:g} Å")
    path = tmp_path / "image.xyz"
    path.write_text(xyz_crystal("0.4 0 0 0 6 0 0 0 6", ("Cs 0 0 0",)))
    one_error(*invoke(["symmetry", str(path)]), "shortest lattice vector is 0.4 Å")
    duplicated = STO.replace("  O1   O   0.5        0.5        0          1.0",
                             "  O1   O   0.5        0.5        0          1.0\n  O2   O   0.52 0.5 0 1.0")
    path = tmp_path / "duplicated.cif"
    path.write_text(duplicated)
    one_error(*invoke(["symmetry", str(path)]), "Å apart, closer than the floor")


def test_an_oblique_cell_is_searched_in_its_reduced_form() -> None:
    """A cell whose faces are 0.01 Å apart (a sheared supercell) is valid; its neighbour search stays small."""
    a, b = np.array([4.0, 0, 0]), np.array([0, 4.0, 0])
    c = 400 * a + 3 * b + np.array([0, 0, 4.0])
    sheared = Structure(np.array([a, b, c]), [[0, 0, 0], [0.5, 0.5, 0.5]], ("Cs", "Cl"))
    assert validate(sheared) is sheared
    # the same lattice is the 4 Å cube (c - 400 a - 3 b = 4 z): brute force over its images
    cube = 4.0 * np.eye(3)
    offsets = np.array([[i, j, k] for i in range(-2, 3) for j in range(-2, 3) for k in range(-2, 3)]) @ cube
    cart = sheared.cart_coords
    expected = min(np.linalg.norm((cart[1] - cart[0]) % 4.0 + offsets, axis=1).min(),
                   np.linalg.norm(offsets[np.any(offsets != 0, axis=1)], axis=1).min())
    assert abs(sheared.closest_pair()[2] - expected) < 1e-9


def test_volume_floor_and_species_labels() -> None:
    small = Structure(0.9 * np.eye(3), [[0, 0, 0], [0.5, 0.5, 0.5]], ("H", "H"))
    with pytest.raises(InputError, match=f"below the floor of {MIN_VOLUME_PER_ATOM:g} Å³ per atom"):
        validate(small)
    labelled = validate(Structure(4 * np.eye(3), [[0, 0, 0], [0.5, 0.5, 0.5]], ("X0+", "Ti")))
    assert any("'X0+' is not a chemical element" in note for note in labelled.notes)


def test_partially_occupied_split_sites_may_be_closer_than_the_floor() -> None:
    split = Structure(5 * np.eye(3), [[0, 0, 0], [0.5, 0.5, 0.5], [0.53, 0.5, 0.5]],
                      ("Na", "O:0.500", "O:0.500"), ordered=False)
    assert validate(split) is split


def test_a_directory_without_structure_files_counts_what_it_skipped(tmp_path: Path) -> None:
    for name in ("a.pdb", "b.txt", "c.mol"):
        (tmp_path / name).write_text("x")
    one_error(*invoke(["symmetry", str(tmp_path)]), "3 files skipped")


def test_files_too_large_and_compression_bombs_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading stops at the limit (512 MiB; 1 MiB here to keep the test small): /dev/zero or a gzip bomb
    is an error, not a MemoryError."""
    import gzip

    from symcompile.structures import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 2 ** 20)
    bomb = tmp_path / "bomb.xyz.gz"
    bomb.write_bytes(gzip.compress(b"1" * (2 ** 20 + 10)))
    one_error(*invoke(["symmetry", str(bomb)]), "larger than 1 MiB")
    big = tmp_path / "big.xyz"
    big.write_bytes(b"1\n\nH 0 0 0\n" + b" " * 2 ** 20)
    one_error(*invoke(["symmetry", str(big)]), "larger than 1 MiB")
    one_error(*invoke(["symmetry", "/dev/zero"]), "larger than 1 MiB")


# --------------------------------------------------------------------------- options
@pytest.mark.parametrize("args,needle", [
    (["curie", str(WATER), "--property", "dipole", "--seed", "-1"], "--seed"),
    (["curie", str(WATER), "--property", "dipole", "--seed", str(2 ** 64)], "--seed"),
    (["order-params", str(RUTILE), "--seed", "-5"], "--seed"),
    (["order-params", str(RUTILE), "--seed", str(2 ** 70)], "--seed"),
    (["order-params", str(RUTILE), "--max-displacement", "inf"], "--max-displacement"),
    (["order-params", str(RUTILE), "--max-displacement", "5"], "--max-displacement"),
    (["order-params", str(RUTILE), "--max-displacement", "nan"], "--max-displacement"),
    (["order-params", str(RUTILE), "--steps", "0"], "--steps"),
    (["order-params", str(RUTILE), "--lmax", "9"], "--lmax"),
    (["symmetry", str(RUTILE), "--symprec", "1e-300"], "--symprec"),
    (["symmetry", str(RUTILE), "--symprec", "nan"], "--symprec"),
    (["symmetry", str(RUTILE), "--angle-tol", "-1"], "--angle-tol"),
    (["symmetry", str(RUTILE), "--timeout", "0"], "--timeout"),
    (["symmetry", str(RUTILE), "--timeout", "nan"], "--timeout"),
    (["symmetry", str(RUTILE), "--timeout", "-3"], "--timeout"),
    (["symmetry", str(RUTILE), "--jobs", "0"], "--jobs"),
    (["curie", str(WATER), "--property", "dipole", "--steps", "1000001"], "--steps"),
    (["curie", str(WATER), "--property", "dipole", "--lmax", "0"], "--lmax"),
    (["tensor", "elastic", "--space-group", "231"], "1-230"),
])
def test_absurd_option_values_are_one_line_errors(args: list[str], needle: str) -> None:
    """Formerly `curie --seed -1` and a seed past 64 bits were exit 3 (ValueError in numpy / torch)."""
    one_error(*invoke(args), needle)


def test_the_largest_seed_is_accepted() -> None:
    code, out, err = invoke(["curie", str(WATER), "--property", "dipole", "--seed", str(2 ** 64 - 1), "--steps", "1",
                             "--json"])
    assert code == 0, err
    assert f'"seed":{2 ** 64 - 1}' in out


# --------------------------------------------------------------------------- warnings and known escapes
def test_warnings_become_notes_of_the_record() -> None:
    from symcompile.batch import guarded

    def noisy(path: str) -> dict:
        np.array([1e308]) * 10  # numpy: overflow encountered in multiply
        import warnings

        warnings.warn("spglib: something odd", UserWarning)
        return {"notes": ["read fine"]}

    record = guarded(noisy, "x.cif")
    assert record["status"] == "ok"
    assert record["notes"][0] == "read fine"
    assert any("overflowed" in note for note in record["notes"])
    assert any(note.startswith("tests warning: spglib: something odd") or "something odd" in note
               for note in record["notes"])


def test_order_params_on_a_crystal_with_a_short_bond_is_not_an_internal_error(tmp_path: Path) -> None:
    path = tmp_path / "h2.cif"
    path.write_text("data_h2\n_cell_length_a 4\n_cell_length_b 4.1\n_cell_length_c 4.2\n_cell_angle_alpha 90\n"
                    "_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_label\n_atom_site_fract_x\n"
                    "_atom_site_fract_y\n_atom_site_fract_z\nH1 0 0 0\nH2 0.01 0.02 0.18\n")
    code, out, err = invoke(["order-params", str(path), "--no-train"])
    assert code in (0, 1, 2) and "internal error" not in err
