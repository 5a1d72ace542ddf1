"""`--timeout SECONDS`: one pathological input cannot stall a batch (issue 14).

An input that takes longer is given up (status ``error``, "timed out after N s") and the batch goes
on, with --jobs 1, --jobs N and on a Dask cluster; a worker that crashes costs only its input.
The slow inputs here sleep or block for much longer than the timeout (no wall-clock assertions:
the test only needs the timeout to fire before a 60 s sleep ends).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import invoke

from symcompile.batch import EXIT_CODES, run_tasks, worst_exit_code

RUTILE = Path(__file__).resolve().parents[1] / "examples" / "structures" / "TiO2_rutile.cif"


@dataclass(frozen=True)
class Pathological:
    """A task whose inputs sleep ('slow'), crash the process ('crash'), warn ('warn') or just work."""

    def __call__(self, path: str) -> dict:
        if "slow" in path:
            time.sleep(60)
        if "crash" in path:
            os.kill(os.getpid(), 11)
        if "warn" in path:
            import numpy as np

            np.array([1e308]) * 10
        return {"length": len(path)}


PATHS = ["a", "slow-1", "crash", "warn", "bb", "slow-2", "ccc"]


def _check(records: list[dict], timeout: float) -> None:
    assert [r["file"] for r in records] == PATHS
    by_file = {r["file"]: r for r in records}
    for name in ("a", "bb", "ccc"):
        assert by_file[name] == {"file": name, "status": "ok", "length": len(name)}
    for name in ("slow-1", "slow-2"):
        assert by_file[name]["status"] == "error" and by_file[name]["error"] == f"timed out after {timeout:g} s"
        assert not by_file[name].get("internal")
    assert by_file["crash"]["internal"] and "SIGSEGV" in by_file["crash"]["error"]
    assert by_file["warn"]["status"] == "ok" and any("overflowed" in n for n in by_file["warn"]["notes"])
    assert worst_exit_code(records) == EXIT_CODES["internal"]  # the crash; the batch still went on


@pytest.mark.parametrize("jobs", [1, 2])
def test_slow_and_crashing_inputs_cost_only_themselves(jobs: int) -> None:
    _check(list(run_tasks(Pathological(), PATHS, jobs=jobs, timeout=1.0)), 1.0)


@pytest.mark.slow
def test_timeout_on_a_dask_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        _check(list(run_tasks(Pathological(), PATHS, scheduler=cluster.scheduler_address, timeout=1.5)), 1.5)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_timeout_gives_up_on_a_file_that_never_ends(tmp_path: Path, jobs: str) -> None:
    """A named pipe nobody writes to blocks its reader forever: the worker reading it is stopped."""
    fifo = tmp_path / "never.cif"
    os.mkfifo(fifo)
    args = ["symmetry", str(RUTILE), str(fifo), str(RUTILE.with_name("SrTiO3_cubic.cif")), "--json", "--jobs", jobs,
            "--timeout", "1"]
    code, out, err = invoke(args)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [r["status"] for r in records] == ["ok", "error", "ok"]
    assert records[1]["error"] == "timed out after 1 s"
    assert err == f"error: {fifo}: timed out after 1 s\n"
    assert records[0]["space_group"]["number"] == 136 and records[2]["space_group"]["number"] == 221


def test_cli_timeout_gives_the_same_records_as_without() -> None:
    files = [str(p) for p in sorted(RUTILE.parent.glob("*.cif"))]
    plain = invoke(["symmetry", *files, "--json"])
    timed = invoke(["symmetry", *files, "--json", "--timeout", "600", "--jobs", "2"])
    strip = [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in plain[1].splitlines()]
    assert plain[0] == timed[0] == 0
    assert strip == [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in timed[1].splitlines()]
