"""Datasets in CI (issue 7): many files, one corrupt and one wrongly declared, in parallel and on Dask."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symcompile.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "structures"
BUNDLED = ("SrTiO3_cubic.cif", "BaTiO3_tetragonal.cif", "TiO2_rutile.cif", "CaTiO3_Pnma.cif", "SrTiO3_I4mcm.cif",
           "LaAlO3_R-3c.cif", "SiO2_alpha_quartz.cif", "water.xyz", "ammonia.xyz", "methane.xyz", "benzene.xyz",
           "CO2.xyz")


def invoke(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str,
           stdin: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code), out, err


def run_process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symcompile", *args], capture_output=True, text=True,
                          input=stdin, timeout=300)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    """Every example, a nested copy, one corrupt CIF and one CIF whose declared group is wrong."""
    root = tmp_path / "dataset"
    (root / "nested").mkdir(parents=True)
    for name in BUNDLED:
        shutil.copy(EXAMPLES / name, root / name)
    shutil.copy(EXAMPLES / "CaTiO3_Pnma.cif", root / "nested" / "CaTiO3_copy.cif")
    (root / "corrupt.cif").write_bytes(b"data_corrupt\n_cell_length_a 4\nloop_\n_atom_site_label\n\x00\xff\xfe" * 20)
    wrong = (EXAMPLES / "TiO2_rutile.cif").read_text().replace("_space_group_IT_number   136",
                                                               "_space_group_IT_number   123")
    (root / "wrong_declared.cif").write_text(wrong.replace("'P 42/m n m'", "'P 4/m m m'"))
    return root


def _timeless(text: str) -> list[dict]:
    """The records without their wall-clock ``seconds`` (the one field that may differ between runs)."""
    return [{k: v for k, v in r.items() if k != "seconds"} for r in json_lines(text)]


def _by_name(records: list[dict]) -> dict[str, dict]:
    return {Path(r["file"]).name: r for r in records}


def test_batch_statuses_and_worst_exit_code(capsys, monkeypatch, dataset: Path) -> None:
    code, out, err = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--json", "--check-declared")
    records = _by_name(json_lines(out))
    assert len(records) == 15  # 12 examples + nested copy + corrupt + wrong
    assert records["corrupt.cif"]["status"] == "error" and records["corrupt.cif"]["error"]
    assert records["wrong_declared.cif"]["status"] == "failed"
    assert records["wrong_declared.cif"]["declared"]["number"] == 123
    # P4_2/mnm declared as P4/mmm: same crystal class 4/mmm, neither group contains the other
    assert records["wrong_declared.cif"]["declared_match"] == "different"
    ok = [name for name, r in records.items() if r["status"] == "ok"]
    assert len(ok) == 13 and records["CaTiO3_copy.cif"]["space_group"] == {"number": 62, "symbol": "Pnma"}
    assert all(r["command"] == "symmetry" and r["schema_version"] == 2 for r in records.values())
    assert code == 2  # worst status: error
    assert err.startswith("error: ") and "corrupt.cif" in err and len(err.strip().splitlines()) == 1
    (dataset / "corrupt.cif").unlink()
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--json", "--check-declared")
    assert code == 1  # worst status: failed
    (dataset / "wrong_declared.cif").unlink()
    code, _, _ = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--json", "--check-declared")
    assert code == 0


def test_human_summary_counts_statuses_and_space_groups(capsys, monkeypatch, dataset: Path) -> None:
    code, out, err = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--check-declared")
    assert code == 2
    summary = err.split("summary of 15 inputs", 1)[1]
    rows = {tuple(cell.strip() for cell in line.strip("│┃ ").split("│")) for line in summary.splitlines()}
    assert ("ok", "13") in rows and ("failed", "1") in rows and ("error", "1") in rows
    assert ("Pnma (62)", "2") in rows and ("P4_2/mnm (136)", "2") in rows and ("D∞h (point group)", "1") in rows


def test_jobs_1_and_2_give_identical_results_in_input_order(dataset: Path) -> None:
    serial = run_process("symmetry", str(dataset), "--json", "--check-declared", "--jobs", "1")
    parallel = run_process("symmetry", str(dataset), "--json", "--check-declared", "--jobs", "2")
    assert serial.returncode == parallel.returncode == 2
    assert _timeless(serial.stdout) == _timeless(parallel.stdout) and len(json_lines(serial.stdout)) == 15
    assert serial.stderr == parallel.stderr


def test_stdin_list_and_glob_filter(capsys, monkeypatch, dataset: Path) -> None:
    listing = f"{dataset / 'water.xyz'}\n\n{dataset / 'nested'}\n{dataset / 'LaAlO3_R-3c.cif'}\n"
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", "-", "--json", stdin=listing)
    assert code == 0
    assert [Path(r["file"]).name for r in json_lines(out)] == ["water.xyz", "CaTiO3_copy.cif", "LaAlO3_R-3c.cif"]
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--glob", "*.xyz", "--json")
    assert code == 0
    assert sorted(r["point_group"]["schoenflies"] for r in json_lines(out)) == sorted(
        ["C2v", "C3v", "Td", "D6h", "D∞h"])
    code, out, _ = invoke(capsys, monkeypatch, "symmetry", str(dataset / "*.cif"), "--json", "-q")
    assert code == 2 and len(json_lines(out)) == 9  # 7 examples + corrupt + wrong (top level only)


def test_same_results_through_a_dask_cluster(capsys, monkeypatch, dataset: Path) -> None:
    distributed = pytest.importorskip("distributed")
    code, local, _ = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--json", "--check-declared")
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        dask_code, remote, _ = invoke(capsys, monkeypatch, "symmetry", str(dataset), "--json", "--check-declared",
                                      "--scheduler", cluster.scheduler_address)
    assert dask_code == code == 2
    assert _timeless(remote) == _timeless(local)


def test_the_task_is_picklable_for_worker_processes() -> None:
    import pickle

    from symcompile.report.symmetry import SymmetryTask

    task = SymmetryTask(symprec=0.01, angle_tol=3.0, check_declared=True)
    clone = pickle.loads(pickle.dumps(task))
    assert clone == task
    assert clone(str(EXAMPLES / "CaTiO3_Pnma.cif"))["declared_match"] == "same"
