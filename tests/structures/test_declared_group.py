"""Declared versus detected space group: same, higher, lower, different, none declared."""

from __future__ import annotations

from pathlib import Path

import pytest
from structure_variants import EXAMPLES

from symcompile.structures import analyse_symmetry, read_structure
from symcompile.structures import Declared
from symcompile.structures.declared import resolve, subgroup_classes


def _p1_cif(source: str, number: int | None, symbol: str | None) -> str:
    """The example written out in P1 by pymatgen, then given a (possibly wrong) declared group."""
    from pymatgen.io.cif import CifWriter

    text = str(CifWriter(read_structure(EXAMPLES / source).to_pymatgen()))
    text = text.replace("_symmetry_Int_Tables_number   1\n",
                        f"_symmetry_Int_Tables_number   {number}\n" if number else "")
    return text.replace("_symmetry_space_group_name_H-M   'P 1'\n",
                        f"_symmetry_space_group_name_H-M   '{symbol}'\n" if symbol else "")


@pytest.mark.parametrize("name", ["CaTiO3_Pnma.cif", "SrTiO3_I4mcm.cif", "LaAlO3_R-3c.cif", "TiO2_rutile.cif"])
def test_examples_match_their_declared_group(name: str) -> None:
    record = analyse_symmetry(EXAMPLES / name, check_declared=True)
    assert record["declared_match"] == "same"
    assert record["declared"]["number"] == record["space_group"]["number"]
    assert "status" not in record


@pytest.mark.parametrize("source, number, symbol, match", [
    ("CaTiO3_Pnma.cif", 1, "P 1", "higher"),        # P1 is a subgroup of the detected Pnma
    ("CaTiO3_Pnma.cif", 221, "P m -3 m", "lower"),   # mmm is a subgroup class of m-3m
    ("SrTiO3_cubic.cif", 99, "P 4 m m", "higher"),   # 4mm < m-3m
    ("SiO2_alpha_quartz.cif", 191, "P 6/m m m", "lower"),  # 32 < 6/mmm
    ("SiO2_alpha_quartz.cif", 221, None, "lower"),  # 32 (D3) is a subgroup class of m-3m (O_h)
    ("SrTiO3_cubic.cif", 168, None, "different"),  # 6 is not in m-3m, m-3m not in 6
    ("TiO2_rutile.cif", None, "P 42/m n m", "same"),  # declared by symbol only
])
def test_wrong_declarations_are_classified(tmp_path: Path, source: str, number: int | None, symbol: str | None,
                                           match: str) -> None:
    path = tmp_path / "x.cif"
    path.write_text(_p1_cif(source, number, symbol))
    record = analyse_symmetry(path, check_declared=True)
    assert record["declared_match"] == match
    assert (record.get("status") == "failed") == (match != "same")
    if match != "same":
        assert match in record["mismatch"]


def test_operations_listed_in_the_cif_decide_higher_exactly(tmp_path: Path) -> None:
    """Declared P4mm with its own operations, atoms placed with cubic symmetry: detected is higher."""
    text = (EXAMPLES / "BaTiO3_tetragonal.cif").read_text()
    for old, new in (("0.482 ", "0.5 "), ("0.016 ", "0.0 "), ("0.515 ", "0.5 "), ("_c   4.018", "_c   3.9998")):
        text = text.replace(old, new)
    path = tmp_path / "cubic_as_p4mm.cif"
    path.write_text(text)
    record = analyse_symmetry(path, check_declared=True)
    assert record["space_group"]["number"] == 221
    assert record["declared_match"] == "higher" and record["status"] == "failed"
    assert record["notes"] == []  # compared by operations, no fallback note


def test_no_declaration_is_not_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "x.cif"
    path.write_text(_p1_cif("CaTiO3_Pnma.cif", None, None))
    record = analyse_symmetry(path, check_declared=True)
    assert record["declared_match"] == "none declared" and record["declared"] is None
    assert "status" not in record
    molecule = analyse_symmetry(EXAMPLES / "water.xyz", check_declared=True)
    assert molecule["declared_match"] == "none declared"


def test_unrecognised_symbol_is_different() -> None:
    number, notes = resolve(Declared(None, "Q 42", None))
    assert number is None and any("not recognised" in n for n in notes)


def test_subgroup_classes_of_the_holohedries() -> None:
    """m-3m contains every class except the 7 hexagonal ones (25); 6/mmm every hexagonal, trigonal,
    orthorhombic, monoclinic and triclinic class (7 + 5 + 3 + 3 + 2 = 20)."""
    cubic = subgroup_classes(221)
    assert len(cubic) == 25 and not cubic & {"6", "-6", "6/m", "622", "6mm", "-6m2", "6/mmm"}
    hexagonal = subgroup_classes(191)
    assert len(hexagonal) == 20 and not hexagonal & {"4", "-4", "23", "m-3m", "4/mmm"}
    assert subgroup_classes(1) == frozenset({"1"})
