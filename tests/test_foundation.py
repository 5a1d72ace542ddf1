"""The shared CLI contract: exit codes, one-line errors, JSON encoding, input expansion."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from symcompile import report
from symcompile.batch import guarded, run_tasks, worst_exit_code
from symcompile.errors import InputError
from symcompile.inputs import expand_inputs


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symcompile", *args], capture_output=True, text=True,
                          input=stdin, timeout=120)


def test_version_and_help_do_not_import_torch() -> None:
    code = ("import sys\nfrom symcompile.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
            "assert 'torch' not in sys.modules, 'torch imported by --version'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "symcompile, version" in result.stdout


@pytest.mark.parametrize("args", [
    ["no-such-command"],
    ["symmetry"],  # missing argument
    ["symmetry", "--symprec", "-1", "x.cif"],
    ["symmetry", "--symprec", "5", "x.cif"],
    ["symmetry", "--angle-tol", "0", "x.cif"],
    ["symmetry", "--jobs", "0", "x.cif"],
])
def test_bad_usage_is_one_line_error_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def _ok(path: str) -> dict:
    return {"command": "x", "value": len(path)}


def _fail(path: str) -> dict:
    return {"command": "x", "status": "failed"}


def _bad(path: str) -> dict:
    raise InputError(f"cannot read {path}")


def _crash(path: str) -> dict:
    raise ZeroDivisionError("boom")


def test_guarded_maps_outcomes_to_statuses() -> None:
    assert guarded(_ok, "a")["status"] == "ok"
    assert guarded(_fail, "a")["status"] == "failed"
    bad = guarded(_bad, "a")
    assert bad["status"] == "error" and bad["error"] == "cannot read a" and not bad.get("internal")
    crash = guarded(_crash, "a")
    assert crash["status"] == "error" and crash["internal"] and "ZeroDivisionError" in crash["traceback"]


def test_worst_exit_code() -> None:
    ok, failed, error, crash = (guarded(f, "a") for f in (_ok, _fail, _bad, _crash))
    assert worst_exit_code([]) == 0
    assert worst_exit_code([ok, ok]) == 0
    assert worst_exit_code([ok, failed]) == 1
    assert worst_exit_code([failed, error, ok]) == 2
    assert worst_exit_code([error, crash]) == 3


def test_parallel_results_come_back_in_input_order() -> None:
    paths = [f"file{i}" * (i % 7 + 1) for i in range(40)]
    serial = list(run_tasks(_ok, paths, jobs=1))
    parallel = list(run_tasks(_ok, paths, jobs=2))
    assert serial == parallel
    assert [r["file"] for r in parallel] == paths


def test_jsonable_handles_numpy_fractions_and_nan() -> None:
    record = {"a": np.float64(1.5), "b": np.arange(3), "c": Fraction(3, 1), "d": float("nan"), "e": (1, 2),
              "traceback": "hidden"}
    assert json.loads(report.to_json(record)) == {"a": 1.5, "b": [0, 1, 2], "c": 3, "d": None, "e": [1, 2]}


def test_expand_inputs(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.cif", "sub/b.cif", "sub/c.xyz", "notes.txt"):
        (tmp_path / name).write_text("x")
    found = expand_inputs([str(tmp_path)])
    assert [Path(p).name for p in found] == ["a.cif", "b.cif", "c.xyz"]
    assert [Path(p).name for p in expand_inputs([str(tmp_path)], glob="*.xyz")] == ["c.xyz"]
    assert [Path(p).name for p in expand_inputs([str(tmp_path / "*.cif")])] == ["a.cif"]
    listed = io.StringIO(f"{tmp_path / 'a.cif'}\n\n{tmp_path / 'sub'}\n")
    assert [Path(p).name for p in expand_inputs(["-"], stdin=listed)] == ["a.cif", "b.cif", "c.xyz"]
    # duplicates dropped, missing names kept for a per-file error
    assert expand_inputs([str(tmp_path / "a.cif"), str(tmp_path / "a.cif"), "missing.cif"]) == [
        str(tmp_path / "a.cif"), "missing.cif"]
    with pytest.raises(InputError):
        expand_inputs([str(tmp_path / "*.nothing")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        expand_inputs([str(tmp_path / "empty")])
