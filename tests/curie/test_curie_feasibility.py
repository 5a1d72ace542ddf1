"""Group-theory verdicts of `curie` (no network): maps, properties, unblocking, invariance, CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from curie_helpers import EXAMPLES, MOLECULES, example, moved

from symcompile.curie.check import CurieOptions, map_record, property_record
from symcompile.curie.feasibility import act, group_average, map_target
from symcompile.curie.unblock import stabiliser
from symcompile.o3 import Irrep
from symcompile.structures import Structure, schoenflies_symbol, symmetry_operations

NO_TRAIN = CurieOptions(train=False)

SQUARE_BLOCKING = {
    "4-fold rotation about z (+90°)", "4-fold rotation about z (-90°)", "2-fold rotation about [110]",
    "2-fold rotation about [1-10]", "-4 rotoinversion about z (+90°)", "-4 rotoinversion about z (-90°)",
    "mirror normal to [110]", "mirror normal to [1-10]",
}

#: (IN, OUT, feasible, unblocking irreps when infeasible)
MAPS = [
    ("rectangle", "square", True, None),
    ("square", "rectangle", False, "2e"),
    ("water", "water_symmetric_stretch", True, None),
    ("water", "water_asymmetric_stretch", False, "1o"),
    ("cscl_cubic", "cscl_polar", False, "1o"),
    ("cscl_cubic", "cscl_tetragonal", False, "2e"),
    ("co2", "co2_bent", False, "1o"),
    ("co2", "co2_asymmetric_stretch", False, "1o"),
]


def _map(a: str, b: str, opts: CurieOptions = NO_TRAIN) -> dict:
    return map_record(example(a), example(b), opts)


def _groups(r: dict) -> tuple[str | None, ...]:
    """Schoenflies names of IN's group, OUT's group and the group kept by the map."""
    def name(entry: dict | None) -> str | None:
        return None if entry is None else entry["schoenflies"]

    return name(r["point_group"]), name(r["output_groups"]["point_group"]), name(r["map_group"])


def test_rectangle_to_square_is_feasible() -> None:
    r = _map("rectangle", "square")
    assert r["feasible"] and r["status"] == "ok" and r["blocking_operations"] == []
    assert _groups(r) == ("D2h", "D4h", "D2h")


def test_square_to_rectangle_is_blocked_by_the_fourfold_operations() -> None:
    r = _map("square", "rectangle")
    assert not r["feasible"] and r["status"] == "failed"
    assert _groups(r) == ("D4h", "D2h", "D2h")
    assert set(r["blocking_operations"]) == SQUARE_BLOCKING
    # by hand: averaging the rectangle over the square's 4-fold rotation gives the square back (no displacement)
    assert np.abs(r["group_average"]["displacements"]).max() < 1e-15
    assert r["group_average"]["symmetry_floor"] == pytest.approx(0.25**2 * 2 / 3, rel=1e-12)


@pytest.mark.parametrize("a,b,feasible,irreps", MAPS)
def test_map_verdicts_and_unblocking(a: str, b: str, feasible: bool, irreps: str | None) -> None:
    r = _map(a, b)
    assert r["feasible"] is feasible
    assert r.get("unblocking_irreps") == irreps
    assert bool(r["blocking_operations"]) is (not feasible)


@pytest.mark.parametrize("a,b,feasible,irreps", [m for m in MAPS if not m[2] and not m[0].startswith("co2")])
def test_unblocking_is_the_lowest_irrep_by_sampling(a: str, b: str, feasible: bool, irreps: str) -> None:
    """Another route: sample vectors of every lower irrep; none has stabiliser exactly H. The answer's does."""
    inp, out = example(a), example(b)
    ops = symmetry_operations(inp, 1e-3)
    target = map_target(inp, out, ops.symmetrized)
    kept = np.array([np.allclose(act(R, p, target).flat(), target.flat(), atol=1e-3)
                     for R, p in zip(ops.rotations, ops.permutations)])
    rng = np.random.default_rng(0)
    answer = Irrep(irreps)
    for ir in Irrep.iterator(answer.l):
        D = ir.D_from_matrix(ops.rotations)
        P = D[kept].mean(0)  # onto H-invariant vectors
        hits = [bool((stabiliser(D, P @ rng.normal(size=ir.dim)) == kept).all())
                for _ in range(20) if ir.dim]
        if ir == answer:
            assert all(hits)
            break
        assert not any(hits), ir


@pytest.mark.parametrize("out,kept", [("co2_bent", "C2v"), ("co2_asymmetric_stretch", "C∞v")])
def test_linear_molecules(out: str, kept: str) -> None:
    """Bending CO2 keeps C2v (2-fold axis along the bend), the asymmetric stretch keeps C∞v; both need a
    vector input (a field across, or along, the axis) — checked by sampling the stabilisers of vectors."""
    r = _map("co2", out)
    assert (_groups(r)[0], _groups(r)[2], r["unblocking_irreps"]) == ("D∞h", kept, "1o")
    assert "inversion" in r["blocking_operations"]
    ops = symmetry_operations(example("co2"), 1e-3)
    v = np.asarray(r["unblocking"]["direction"])
    G = ops.finite_approximant(60, np.array([1.0, 0, 0]))  # another finite subgroup, finer than the code's
    keep = stabiliser(Irrep("1o").D_from_matrix(G.rotations), v)
    name = schoenflies_symbol(G.rotations[keep])
    assert name == ("C60v" if kept == "C∞v" else kept)


def test_group_average_is_the_orthogonal_projection_onto_invariant_fields() -> None:
    """Reynolds average == least-squares projection onto the null space of all (g - 1), computed by SVD."""
    inp, out = example("water"), example("water_asymmetric_stretch")
    ops = symmetry_operations(inp, 1e-3)
    target = map_target(inp, out, ops.symmetrized)
    dim = target.flat().size
    blocks = []
    for R, p in zip(ops.rotations, ops.permutations):
        M = np.stack([act(R, p, target.unflat(e)).flat() for e in np.eye(dim)], axis=1)
        blocks.append(M - np.eye(dim))
    _, s, vt = np.linalg.svd(np.concatenate(blocks))
    null = vt[np.sum(s > 1e-9):]
    expected = null.T @ (null @ target.flat())
    assert np.abs(group_average(ops, target).flat() - expected).max() < 1e-12


@pytest.mark.parametrize("a,b,feasible,irreps", MAPS)
@pytest.mark.parametrize("seed", [0, 1])
def test_verdicts_do_not_depend_on_frame_or_order(a: str, b: str, feasible: bool, irreps: str | None,
                                                  seed: int) -> None:
    """IN and OUT rotated (seed 1: with inversion), translated and re-ordered together: same answers."""
    inp, out = example(a), example(b)
    inp2, R, t, order = moved(inp, seed, improper=bool(seed), permute=not inp.periodic)
    out2 = out.transformed(R, t).permuted(order)
    r1, r2 = map_record(inp, out, NO_TRAIN), map_record(inp2, out2, NO_TRAIN)
    for key in ("feasible", "space_group", "point_group", "output_groups", "map_group", "unblocking_irreps",
                "kept_operations"):
        assert r1.get(key) == r2.get(key), key
    assert len(r1["blocking_operations"]) == len(r2["blocking_operations"])
    assert r2["group_average"]["symmetry_floor"] == pytest.approx(r1["group_average"]["symmetry_floor"], abs=1e-12)


# --------------------------------------------------------------------------- properties
#: Independent components (Nye's tables / character counts) — dipole, anisotropy, piezoelectric d_ijk.
PROPERTY_COUNTS = {
    "water": {"dipole": 1, "polarizability_anisotropy": 2, "piezoelectric": 5},
    "ammonia": {"dipole": 1, "polarizability_anisotropy": 1, "piezoelectric": 4},
    "methane": {"dipole": 0, "polarizability_anisotropy": 0, "piezoelectric": 1},
    "benzene": {"dipole": 0, "polarizability_anisotropy": 1, "piezoelectric": 0},
    "co2": {"dipole": 0, "polarizability_anisotropy": 1, "piezoelectric": 0},
}


def _cartesian_reynolds_count(rotations: list[np.ndarray], prop: str) -> int:
    """Invariant Cartesian tensors by brute force: projector of the index symmetries x group average."""
    eye = np.eye(3)
    if prop == "dipole":
        P_form = eye
        rep = lambda R: R  # noqa: E731
    elif prop == "polarizability_anisotropy":
        sym = 0.5 * (np.einsum("ik,jl->ijkl", eye, eye) + np.einsum("il,jk->ijkl", eye, eye))
        trace = np.einsum("ij,kl->ijkl", eye, eye) / 3
        P_form = (sym - trace).reshape(9, 9)
        rep = lambda R: np.kron(R, R)  # noqa: E731
    else:  # T_ijk = T_ikj
        swap = np.einsum("il,jn,km->ijklmn", eye, eye, eye).reshape(27, 27)
        P_form = 0.5 * (np.eye(27) + swap)
        rep = lambda R: np.kron(R, np.kron(R, R))  # noqa: E731
    P_group = np.mean([rep(R) for R in rotations], axis=0)
    return int(round(np.trace(P_group @ P_form)))


@pytest.mark.parametrize("molecule", MOLECULES)
@pytest.mark.parametrize("prop", ["dipole", "polarizability_anisotropy", "piezoelectric"])
def test_molecular_properties(molecule: str, prop: str) -> None:
    r = property_record(example(molecule), prop, NO_TRAIN)
    expected = PROPERTY_COUNTS[molecule][prop]
    assert r["independent_components"] == expected
    assert r["feasible"] is (expected > 0)
    assert r["status"] == ("ok" if expected else "failed")
    assert bool(r["blocking_operations"]) is (expected == 0)


@pytest.mark.parametrize("molecule", [m for m in MOLECULES if m != "co2"])
@pytest.mark.parametrize("prop", ["dipole", "polarizability_anisotropy", "piezoelectric"])
def test_property_counts_by_pymatgen_operations(molecule: str, prop: str) -> None:
    """Independent route: pymatgen's symmetry operations, Cartesian tensors averaged by brute force."""
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer

    g = example(molecule)
    ops = PointGroupAnalyzer(Molecule(list(g.species), g.cart_coords)).get_symmetry_operations()
    assert _cartesian_reynolds_count([op.rotation_matrix for op in ops], prop) == PROPERTY_COUNTS[molecule][prop]


@pytest.mark.parametrize("molecule", MOLECULES)
def test_property_counts_by_the_tensors_characters(molecule: str) -> None:
    """Independent route: the tensors module's character counts for the named point group."""
    from symcompile.o3.point_groups import point_group
    from symcompile.tensors.characters import count_invariants

    name = {"water": "C2v", "ammonia": "C3v", "methane": "Td", "benzene": "D6h", "co2": "D∞h"}[molecule]
    G = point_group(name)
    counts = PROPERTY_COUNTS[molecule]
    assert count_invariants("i", G) == counts["dipole"]
    assert count_invariants("ij=ji", G) - G.invariants_of_irrep(0, 1) == counts["polarizability_anisotropy"]
    assert count_invariants("ijk=ikj", G) == counts["piezoelectric"]
    assert property_record(example(molecule), "ij=ji", NO_TRAIN)["independent_components"] == \
        count_invariants("ij=ji", G)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_property_verdicts_do_not_depend_on_frame_or_order(seed: int) -> None:
    for molecule in ("ammonia", "methane"):
        g2, *_ = moved(example(molecule), seed, improper=seed == 2)
        for prop in ("dipole", "piezoelectric", "elastic"):
            a = property_record(example(molecule), prop, NO_TRAIN)
            b = property_record(g2, prop, NO_TRAIN)
            assert (a["independent_components"], a["point_group"]) == (b["independent_components"],
                                                                          b["point_group"])


@pytest.mark.parametrize("molecule,allowed", [("hydrogen_peroxide", 1), ("water", 0), ("methane", 0),
                                              ("ammonia", 0), ("co2", 0)])
def test_chirality_needs_a_group_without_improper_operations(molecule: str, allowed: int) -> None:
    r = property_record(example(molecule), "chirality", NO_TRAIN)
    assert r["irreps"] == "1x0o" and r["independent_components"] == allowed
    ops = symmetry_operations(example(molecule), 1e-3)
    assert (allowed == 1) is all(np.linalg.det(R) > 0 for R in ops.rotations)


def test_property_forms() -> None:
    g = example("methane")
    assert property_record(g, "ijk=ikj", NO_TRAIN)["independent_components"] == 1
    assert property_record(g, "2e", NO_TRAIN)["independent_components"] == 0
    assert property_record(g, "3o", NO_TRAIN)["independent_components"] == 1  # the xyz octupole of Td
    assert property_record(g, "elastic", NO_TRAIN)["independent_components"] == 3  # cubic: C11, C12, C44


# --------------------------------------------------------------------------- inputs and CLI
def test_bad_inputs() -> None:
    from symcompile.errors import InputError

    with pytest.raises(InputError):
        map_record(example("water"), example("square"), NO_TRAIN)
    with pytest.raises(InputError):
        property_record(example("water"), "ij=ii", NO_TRAIN)
    with pytest.raises(InputError):
        property_record(example("water"), "no-such-property", NO_TRAIN)


def test_a_single_point_cannot_move() -> None:
    """One point has the symmetry of a sphere (Kh): no displacement and no vector or 2e property survive."""
    a = Structure.molecule(("Ar",), np.array([[0.0, 0, 0]]))
    r = map_record(a, Structure.molecule(("Ar",), np.array([[0.0, 0, 0.3]])), CurieOptions(train=True))
    assert r["point_group"]["schoenflies"] == "Kh" and not r["feasible"] and r["network"] is None
    assert set(r["blocking_operations"]) == {"rotations about any axis", "inversion"}
    assert map_record(a, Structure.molecule(("Ar",), np.array([[0.0, 0, 0.0]])), NO_TRAIN)["feasible"]
    assert property_record(a, "0e", NO_TRAIN)["feasible"]
    assert not property_record(a, "2e", NO_TRAIN)["feasible"]
    assert not property_record(a, "0o", NO_TRAIN)["feasible"]


def test_species_change_is_part_of_the_target() -> None:
    sq = example("square")
    colored = Structure.molecule(("C", "N", "C", "N"), sq.cart_coords)  # alternate corners: keeps D2h only
    r = map_record(sq, colored, NO_TRAIN)
    assert not r["feasible"] and r["species_change"] and r["map_group"]["schoenflies"] == "D2h"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symcompile", "curie", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_no_train_json_and_exit_codes() -> None:
    ok = _cli(str(EXAMPLES / "rectangle.xyz"), str(EXAMPLES / "square.xyz"), "--no-train", "--json")
    assert ok.returncode == 0, ok.stderr
    r = json.loads(ok.stdout)
    for key in ("file", "command", "schema_version", "feasible", "space_group", "point_group", "output_groups",
                "blocking_operations", "network", "tolerances", "seconds", "notes"):
        assert key in r
    assert r["network"] is None and r["tolerances"]["symprec"] == 1e-3
    bad = _cli(str(EXAMPLES / "square.xyz"), str(EXAMPLES / "rectangle.xyz"), "--no-train", "--json")
    assert bad.returncode == 1
    r = json.loads(bad.stdout)
    assert r["status"] == "failed" and r["unblocking_irreps"] == "2e"
    prop = _cli(str(EXAMPLES / "methane.xyz"), "--property", "dipole", "--no-train", "--json")
    assert prop.returncode == 1 and json.loads(prop.stdout)["independent_components"] == 0
    for args in ([str(EXAMPLES / "square.xyz")],
                 [str(EXAMPLES / "square.xyz"), str(EXAMPLES / "rectangle.xyz"), "--property", "dipole"],
                 [str(EXAMPLES / "square.xyz"), str(EXAMPLES / "water.xyz")],
                 [str(EXAMPLES / "nothing.xyz"), str(EXAMPLES / "square.xyz")],
                 [str(EXAMPLES / "square.xyz"), "--property", "ij=ik"]):
        res = _cli(*args, "--no-train")
        assert res.returncode == 2, args
        assert res.stderr.startswith("error: ") and len(res.stderr.strip().splitlines()) == 1
        assert res.stdout == ""


def test_no_train_does_not_import_torch() -> None:
    code = ("import sys\nfrom symcompile.cli import main\n"
            f"try:\n    main(['curie', {str(EXAMPLES / 'square.xyz')!r}, {str(EXAMPLES / 'rectangle.xyz')!r}, "
            "'--no-train', '--json'])\nexcept SystemExit as e:\n    assert e.code == 1, e.code\n"
            "assert 'torch' not in sys.modules, 'torch imported by --no-train'\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported without --plot'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
