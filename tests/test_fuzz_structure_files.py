"""Property-based tests of every command on broken structure files (issue 14).

Real files (CIF, POSCAR, xyz, extended xyz) are mutated the way files break in the wild:
truncated, garbage bytes, numbers replaced by huge / NaN / negative / '.' / '?' values, lines
(loop headers, atoms) dropped or repeated, wrong atom counts, byte-order marks, CRLF line ends,
compression. Whatever the file: exit 0, 1 or 2, never 3, no traceback, no library warning on
stderr, and on exit 2 exactly one line ``error: ...``.

Budget: a few hundred in-process runs through the CLI's ``main`` with captured streams, plus a
few subprocess runs (the only way to see a crash of a C library, e.g. the former spglib
segfault on a NaN lattice), each with a timeout; hypothesis' deadline is off and no test looks
at the clock.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_helpers import check_contract, invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]

_POSCAR = """TiO2 rutile
1.0
4.594 0.0 0.0
0.0 4.594 0.0
0.0 0.0 2.959
Ti O
2 4
Direct
0.0 0.0 0.0
0.5 0.5 0.5
0.3053 0.3053 0.0
0.6947 0.6947 0.0
0.8053 0.1947 0.5
0.1947 0.8053 0.5
"""

#: name -> text of the files that are mutated (small, so that each run is quick).
SOURCES: dict[str, str] = {
    "SrTiO3_cubic.cif": (ROOT / "examples/structures/SrTiO3_cubic.cif").read_text(),
    "TiO2_rutile.cif": (ROOT / "examples/structures/TiO2_rutile.cif").read_text(),
    "quartz.cif": (ROOT / "tests/data/SiO2_P3221_alphaQuartz_Levien1980.cif").read_text(),
    "POSCAR": _POSCAR,
    "water.xyz": (ROOT / "examples/curie/water.xyz").read_text(),
    "methane.xyz": (ROOT / "examples/curie/methane.xyz").read_text(),
    "cscl.extxyz": (ROOT / "examples/curie/cscl_tetragonal.xyz").read_text(),
}

_NUMBER = re.compile(r"(?<![\w.])-?\d+\.?\d*(?:[eE][-+]?\d+)?(?![\w.])")
_BAD_NUMBERS = ["nan", "inf", "-inf", "1e200", "1e300", "-4.0", "0", "0.0", ".", "?", "1e-300", "NaN", "99999999",
                "-1e308", "3.9e5", "1/0", "0x10", "1,5"]
_GARBAGE = [b"\x00\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1f\x8b", b"\x89PNG", "é∞′".encode(), b"\t", b"\r", b";",
            b"loop_", b"data_", b"'", b'"', b"#"]


@st.composite
def broken_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes) of a real structure file with 1-3 mutations."""
    name = draw(st.sampled_from(sorted(SOURCES)))
    text = SOURCES[name]
    compress = False
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["number", "number", "drop", "repeat", "truncate", "garbage", "count", "crlf",
                                     "bom", "gzip", "blank"]))
        lines = text.splitlines()
        if kind == "number":
            numbers = list(_NUMBER.finditer(text))
            if numbers:
                match = numbers[draw(st.integers(0, len(numbers) - 1))]
                text = text[:match.start()] + draw(st.sampled_from(_BAD_NUMBERS)) + text[match.end():]
        elif kind in ("drop", "repeat") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines = lines[:i] + lines[i + 1:] if kind == "drop" else lines[:i] + [lines[i]] * 2 + lines[i + 1:]
            text = "\n".join(lines) + "\n"
        elif kind == "truncate":
            text = text[:draw(st.integers(0, len(text)))]
        elif kind == "garbage":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(_GARBAGE)).decode("utf-8", errors="surrogateescape") + text[at:]
        elif kind == "count" and lines and lines[0].strip().isdigit():
            lines[0] = str(draw(st.sampled_from([0, 1, 2, 7, 10 ** 6, -3])))
            text = "\n".join(lines) + "\n"
        elif kind == "crlf":
            text = text.replace("\n", "\r\n")
        elif kind == "bom":
            text = "\ufeff" + text
        elif kind == "blank" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = ""
            text = "\n".join(lines) + "\n"
        elif kind == "gzip":
            compress = True
    data = text.encode("utf-8", errors="surrogateescape")
    if compress:
        return name + ".gz", gzip.compress(data)
    return name, data


def _write(name: str, data: bytes) -> tuple[Path, Path]:
    folder = Path(tempfile.mkdtemp(prefix="symcompile-fuzz-"))
    path = folder / name
    path.write_bytes(data)
    return folder, path


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_settings(150)
@given(broken_files(), st.booleans())
def test_symmetry_on_broken_files(file: tuple[str, bytes], check_declared: bool) -> None:
    folder, path = _write(*file)
    try:
        args = ["symmetry", str(path), "--json"] + (["--check-declared"] if check_declared else [])
        code, out, err = invoke(args)
        check_contract(args, code, out, err)
        record = json.loads(out)
        assert record["status"] in ("ok", "failed", "error") and record["file"] == str(path)
        if code == 2:
            assert err == f"error: {path}: {record['error']}\n"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@_settings(80)
@given(broken_files(), st.sampled_from(["dipole", "polarizability", "piezoelectric", "map"]))
def test_curie_on_broken_files(file: tuple[str, bytes], prop: str) -> None:
    folder, path = _write(*file)
    try:
        args = ["curie", str(path)] + ([str(path)] if prop == "map" else ["--property", prop]) + ["--no-train"]
        code, out, err = invoke(args)
        check_contract(args, code, out, err)
        if code == 2:
            assert out == "" and err.startswith(f"error: {path}: ")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@_settings(25)
@given(broken_files())
def test_tensor_structure_on_broken_files(file: tuple[str, bytes]) -> None:
    folder, path = _write(*file)
    try:
        args = ["tensor", "piezoelectric", "--structure", str(path), "--json"]
        code, out, err = invoke(args)
        check_contract(args, code, out, err)
        assert code in (0, 2)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@_settings(20)
@given(broken_files())
def test_order_params_on_broken_files(file: tuple[str, bytes]) -> None:
    folder, path = _write(*file)
    try:
        args = ["order-params", str(path), "--no-train", "--json"]
        check_contract(args, *invoke(args))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@_settings(3)
@given(st.lists(broken_files(), min_size=4, max_size=8), st.sampled_from(["1", "2"]))
def test_batches_of_broken_files_in_a_subprocess(files: list[tuple[str, bytes]], jobs: str) -> None:
    """A real process: a crash in a C library (exit 139) would show here. One record per file, in order."""
    folder = Path(tempfile.mkdtemp(prefix="symcompile-fuzz-"))
    try:
        paths = []
        for k, (name, data) in enumerate(files):
            path = folder / f"{k}_{name}"
            path.write_bytes(data)
            paths.append(str(path))
        args = ["symmetry", *paths, "--json", "--jobs", jobs]
        run = subprocess.run([sys.executable, "-m", "symcompile", *args], capture_output=True, text=True,
                             timeout=300)
        check_contract(args, run.returncode, run.stdout, run.stderr, inputs=len(paths))
        records = [json.loads(line) for line in run.stdout.splitlines()]
        assert [r["file"] for r in records] == paths
        assert run.stderr.count("\n") == sum(r["status"] == "error" for r in records)
        # curie hands the structure to spglib too (the former segfault on a NaN Lattice= was in curie)
        curie = subprocess.run([sys.executable, "-m", "symcompile", "curie", paths[0], paths[0], "--no-train"],
                               capture_output=True, text=True, timeout=300)
        check_contract(["curie"], curie.returncode, curie.stdout, curie.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
