"""Large children: memory stays small (no N x N tables), and beyond the documented limits a clear
one-line error (exit 2), never a MemoryError or an endless run."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
from op_data import STRUCTURES

from symcompile.structures import read_structure
from symcompile.structures.structure import Structure


def supercell(reps: tuple[int, int, int], noise: float = 0.0) -> Structure:
    child = read_structure(STRUCTURES / "CaTiO3_Pnma.cif")
    grid = np.array(list(np.ndindex(*reps)))
    frac = ((child.frac_coords[None] + grid[:, None]) / np.array(reps)).reshape(-1, 3)
    lattice = child.lattice * np.array(reps)[:, None]
    cart = frac @ lattice + np.random.default_rng(0).normal(scale=noise, size=frac.shape)
    return Structure.from_cartesian(lattice, cart, tuple(child.species) * len(grid))


def write_poscar(structure: Structure, path: Path) -> None:
    counts = {s: structure.species.count(s) for s in dict.fromkeys(structure.species)}
    order = np.argsort([list(counts).index(s) for s in structure.species], kind="stable")
    lines = ["supercell", "1.0", *(" ".join(f"{x:.10f}" for x in row) for row in structure.lattice),
             " ".join(counts), " ".join(str(n) for n in counts.values()), "Direct",
             *(" ".join(f"{x:.10f}" for x in structure.frac_coords[i]) for i in order)]
    path.write_text("\n".join(lines) + "\n")


def run(path: Path) -> tuple[subprocess.CompletedProcess, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, "-m", "symcompile", "order-params", str(path), "--no-train", "--json"],
                            check=False, capture_output=True, text=True, timeout=600)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux, of the largest child so far
    return result, max(peak, before) / 2**20


def test_ten_thousand_atom_supercell_within_4_gib(tmp_path: Path) -> None:
    path = tmp_path / "POSCAR"
    write_poscar(supercell((13, 3, 13)), path)  # 10,140 atoms of CaTiO3 Pnma
    result, gib = run(path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["child"]["atoms"] == 10_140 and record["child"]["atoms_primitive"] == 20
    assert set(record["primary_irreps"]) == {"R4+", "M3+"}
    assert gib < 4.0


def test_beyond_the_limits_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "POSCAR"
    write_poscar(supercell((5, 3, 7), noise=0.02), path)  # rattled: its primitive cell is the whole cell
    result, gib = run(path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "2100 atoms" in lines[0] and "up to 2000" in lines[0]
    assert json.loads(result.stdout)["status"] == "error"  # --json: the error as a record too
    assert gib < 4.0
