"""Property-based tests of the options of `symmetry`, `curie` and `order-params` (issue 14; `tensor` has
its own in test_cli_tensor_fuzz.py): absurd numbers (negative, zero, huge, NaN, inf, 65-bit integers,
words), empty file names, missing files and their combinations.

Whatever the options: exit 0, 1 or 2, never 3, no traceback, no library warning on stderr, and on
exit 2 exactly one ``error: ...`` line. Runs in-process through the CLI's ``main``; training is
off except in a handful of examples with a few steps; no wall-clock assertions.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from cli_helpers import check_contract, invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
STRUCTURES = ROOT / "examples" / "structures"
CURIE = ROOT / "examples" / "curie"

_ODD = ["0", "-0", "-1", "1e-300", "1e300", "nan", "inf", "-inf", "", "abc", "1e-8", "1", "0.5", "3", "256", "257",
        str(2 ** 63), str(2 ** 64 - 1), str(2 ** 64), "0x10", "1_000", " 2", "½"]


def numbers() -> st.SearchStrategy[str]:
    """Option values as a user (or a broken script) types them."""
    return st.one_of(st.sampled_from(_ODD), st.integers(-2 ** 70, 2 ** 70).map(str),
                     st.floats(allow_nan=True, allow_infinity=True).map(repr))


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _maybe(draw: st.DrawFn, args: list[str], option: str, valid: list[str], chance: int = 2) -> None:
    """Add ``option`` one time in ``chance``: a valid value two times in three, else an odd one."""
    if draw(st.integers(0, chance - 1)) == 0:
        args += [option, draw(st.one_of(st.sampled_from(valid), st.sampled_from(valid), numbers()))]


@st.composite
def symmetry_args(draw: st.DrawFn) -> tuple[list[str], int]:
    inputs = draw(st.sampled_from([
        [STRUCTURES / "TiO2_rutile.cif"], [STRUCTURES / "water.xyz"], [STRUCTURES],
        [STRUCTURES / "SrTiO3_cubic.cif", STRUCTURES / "methane.xyz"], [STRUCTURES / "missing.cif"], [""],
        [STRUCTURES / "*.xyz"], [STRUCTURES / "nothing*.cif"]]))
    args = ["symmetry", *map(str, inputs)]
    _maybe(draw, args, "--symprec", ["1e-5", "0.01", "0.1", "1", "1e-8"])
    _maybe(draw, args, "--angle-tol", ["1", "5", "45"], 3)
    _maybe(draw, args, "--jobs", ["1", "2", "3"], 6)  # worker processes are slow to start: rarely
    _maybe(draw, args, "--glob", ["*.cif", "*.pdb", "", "[", "**/*.xyz"], 4)
    _maybe(draw, args, "--timeout", ["60", "600"], 15)
    for flag in ("--check-declared", "--json", "--quiet"):
        if draw(st.booleans()):
            args.append(flag)
    many = len(inputs) > 1 or inputs[0] == STRUCTURES or "*" in str(inputs[0])
    return args, 2 if many else 1


@_settings(60)
@given(symmetry_args())
def test_symmetry_options(case: tuple[list[str], int]) -> None:
    args, inputs = case
    code, out, err = invoke(args)
    check_contract(args, code, out, err, inputs=inputs)
    if code != 2 and "--json" in args:
        assert all(json.loads(line)["command"] == "symmetry" for line in out.splitlines())


_PROPERTIES = ["dipole", "elastic", "polarizability_anisotropy", "piezoelectric", "ij=ji", "2e", "1o+1e", "20000x0e",
               "1000e", "abcdefghijkl", "", "dipol", "ijk=-jik=-ikj", "0e", "9x9o", "magnetization"]


@st.composite
def curie_args(draw: st.DrawFn) -> list[str]:
    source = draw(st.sampled_from(["water.xyz", "co2.xyz", "methane.xyz", "cscl_tetragonal.xyz", "missing.xyz", ""]))
    args = ["curie", str(CURIE / source) if source else ""]
    if draw(st.booleans()):
        target = draw(st.sampled_from(["water_asymmetric_stretch.xyz", "co2_bent.xyz", "cscl_cubic.xyz", "water.xyz"]))
        args.append(str(CURIE / target))
    if draw(st.integers(0, 2)) or len(args) == 2:
        args += ["--property", draw(st.one_of(st.sampled_from(_PROPERTIES), st.text(max_size=8)))]
    _maybe(draw, args, "--seed", ["0", "7", str(2 ** 64 - 1)])
    _maybe(draw, args, "--steps", ["1", "200", "100000"])
    _maybe(draw, args, "--lmax", ["1", "2", "8"])
    _maybe(draw, args, "--symprec", ["1e-5", "0.01", "0.5"], 3)
    _maybe(draw, args, "--angle-tol", ["1", "5"], 4)
    args.append("--no-train")
    if draw(st.booleans()):
        args.append("--json")
    return args


@_settings(120)
@given(curie_args())
def test_curie_options(args: list[str]) -> None:
    code, out, err = invoke(args)
    check_contract(args, code, out, err)


@_settings(3)
@given(st.sampled_from(["water.xyz", "methane.xyz", "cscl_tetragonal.xyz"]),
       st.sampled_from(["dipole", "polarizability", "water_asymmetric_stretch.xyz", "cscl_cubic.xyz"]),
       st.integers(0, 2 ** 64 - 1), st.integers(1, 3), st.sampled_from([None, "1", "2"]))
def test_curie_options_with_training(source: str, target: str, seed: int, steps: int, lmax: str | None) -> None:
    """The network trains with any valid seed (up to 2^64 - 1), a few steps, any lmax."""
    out_args = [str(CURIE / target)] if target.endswith(".xyz") else ["--property", target]
    args = ["curie", str(CURIE / source), *out_args, "--seed", str(seed), "--steps", str(steps), "--json"]
    args += ["--lmax", lmax] if lmax else []
    code, out, err = invoke(args)
    check_contract(args, code, out, err)
    if code != 2:
        assert json.loads(out)["network"]["seed"] == seed


@st.composite
def order_params_args(draw: st.DrawFn, folder: Path) -> list[str]:
    child = draw(st.sampled_from(["BaTiO3_tetragonal.cif", "CaTiO3_Pnma.cif", "water.xyz", "missing.cif", ""]))
    args = ["order-params", str(STRUCTURES / child) if child else "", "--no-train"]
    _maybe(draw, args, "--max-displacement", ["0.3", "0.8", "1.0"])
    _maybe(draw, args, "--lmax", ["0", "2", "4"], 3)
    _maybe(draw, args, "--seed", ["0", str(2 ** 64 - 1)], 3)
    _maybe(draw, args, "--steps", ["1", "100000"], 3)
    _maybe(draw, args, "--symprec", ["1e-4", "0.01"], 4)
    if draw(st.integers(0, 2)) == 0:
        args += ["--parent", draw(st.sampled_from([str(ROOT / "examples/order_params/BaTiO3_cubic.cif"), "",
                                                   str(folder / "missing.cif"), str(folder)]))]
    if draw(st.integers(0, 3)) == 0:
        args += ["--write-mcif", draw(st.sampled_from([str(folder / "out.mcif"), "", str(folder),
                                                       str(folder / "no/such/dir/x.mcif")]))]
    for flag in ("--no-discovery", "--json"):
        if draw(st.booleans()):
            args.append(flag)
    return args


@_settings(25)
@given(st.data())
def test_order_params_options(data: st.DataObject) -> None:
    folder = Path(tempfile.mkdtemp(prefix="symcompile-fuzz-"))
    try:
        args = data.draw(order_params_args(folder))
        check_contract(args, *invoke(args))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
