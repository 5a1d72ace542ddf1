"""The bundled examples give their published space groups, Wyckoff sites and point groups."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from structure_variants import CRYSTALS, EXAMPLES, MOLECULES

from symcompile.structures import Structure, analyse_symmetry, read_structure
from symcompile.structures.cif import atom_blocks, cell_lattice, fast_structure, operations_of_block, parse_blocks


def test_every_published_example_is_bundled() -> None:
    assert {*CRYSTALS, *MOLECULES} <= {p.name for p in EXAMPLES.iterdir()}


@pytest.mark.parametrize("name", sorted(CRYSTALS))
def test_crystal_has_published_group_and_wyckoff_sites(name: str) -> None:
    number, symbol, sites = CRYSTALS[name]
    record = analyse_symmetry(EXAMPLES / name, symprec=1e-3)
    assert record["kind"] == "crystal"
    assert record["space_group"] == {"number": number, "symbol": symbol}
    assert {(s["species"], s["wyckoff"], s["multiplicity"]) for s in record["sites"]} == sites
    assert record["num_atoms"] == sum(s["count"] for s in record["sites"])
    assert record["notes"] == []


@pytest.mark.parametrize("name", ["CaTiO3_Pnma.cif", "SrTiO3_I4mcm.cif", "LaAlO3_R-3c.cif"])
def test_tilted_perovskites_are_not_cubic_unless_the_tolerance_swallows_the_tilts(name: str) -> None:
    """Octahedral tilts move O by 0.07-0.5 Å: strict tolerances keep them, 1 Å erases them (Pm-3m)."""
    for symprec in (1e-5, 1e-3, 1e-2):
        assert analyse_symmetry(EXAMPLES / name, symprec=symprec)["space_group"]["number"] == CRYSTALS[name][0]
    assert analyse_symmetry(EXAMPLES / name, symprec=1.0)["space_group"]["number"] == 221


@pytest.mark.parametrize("name", sorted(MOLECULES))
def test_molecule_has_published_point_group(name: str) -> None:
    group, order = MOLECULES[name]
    record = analyse_symmetry(EXAMPLES / name)
    assert record["kind"] == "molecule"
    assert (record["point_group"]["schoenflies"], record["point_group"]["order"]) == (group, order)
    assert record["space_group"] is None


@pytest.mark.parametrize("name", sorted(CRYSTALS))
def test_fast_cif_reader_builds_the_same_crystal_as_pymatgen(name: str) -> None:
    from pymatgen.io.cif import CifParser

    text = (EXAMPLES / name).read_text()
    block = atom_blocks(parse_blocks(text))[0]
    rotations, translations, note = operations_of_block(block, cell_lattice(block))
    assert note is None  # the examples list their operations
    cell = fast_structure(block, rotations, translations, cell_lattice(block))
    assert cell is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = CifParser.from_str(text).parse_structures(primitive=False)[0]
    assert np.allclose(cell.lattice, reference.lattice.matrix, atol=1e-10)
    assert sorted(cell.species) == sorted(site.species_string for site in reference)
    for frac, species in zip(cell.frac_coords, cell.species):
        diff = reference.frac_coords - frac
        diff -= np.round(diff)
        match = np.all(np.abs(diff) < 1e-8, axis=1)
        assert any(m and reference[i].species_string == species for i, m in enumerate(match))


def test_read_structure_gives_the_structure_model_and_pymatgen_objects_on_request() -> None:
    from pymatgen.core import Molecule
    from pymatgen.core import Structure as PymatgenStructure

    crystal = read_structure(EXAMPLES / "CaTiO3_Pnma.cif")
    assert isinstance(crystal, Structure) and crystal.kind == "crystal" and len(crystal) == 20
    assert crystal.to_pymatgen().composition.reduced_formula == "CaTiO3" == crystal.formula()
    assert isinstance(crystal.to_pymatgen(), PymatgenStructure)
    molecule = read_structure(EXAMPLES / "benzene.xyz")
    assert molecule.kind == "molecule" and molecule.lattice is None and molecule.formula() == "C6H6"
    assert isinstance(molecule.to_pymatgen(), Molecule) and molecule.to_pymatgen().composition.formula == "H6 C6"


def test_examples_cite_their_sources() -> None:
    for path in (EXAMPLES / name for name in [*CRYSTALS, *MOLECULES]):
        text = path.read_text()
        head = "\n".join(line for line in text.splitlines() if line.startswith("#")) if path.suffix == ".cif" \
            else text.splitlines()[1]
        assert any(word in head for word in ("Source", "J. ", "Phys.", "CCCBDB", "Acta", "Mineral")), path.name
    assert read_structure(EXAMPLES / "water.xyz").kind == "molecule"
