"""Batch throughput of `symcompile symmetry` against a pymatgen loop on the same files, per core.

Two sets, written into a temporary directory:

  molecules  the 162 molecules of the G2 set (ASE's ``ase.collections.g2``) as XYZ files, each in
             --copies random orientations, positions and atom orders (default 8: 1296 files;
             every copy must get the same group)
  crystals   N (default 1000) 40-atom perovskite supercells (2x2x2 ABO3: cubic, polar, tilted,
             randomly perturbed) as P1 CIFs

and, on each, in separate processes (start-up included, best of --repeat runs):

  symcompile symmetry DIR --json -q --jobs 1 / --jobs 2
  a pymatgen loop in one process: Molecule.from_file + PointGroupAnalyzer (molecules),
  CifParser + SpacegroupAnalyzer (crystals), at the same tolerance

It prints wall and CPU time, structures per CPU-second (throughput per core) and the ratios
(ours / pymatgen per core; --jobs 2 / --jobs 1 in wall time), and whether the groups agree.
Run: python tests/benchmarks/bench_batch.py [--copies 8] [--crystals 1000] [--repeat 3]
Start-up (imports, ~0.5 s) is paid once per run, so --jobs 2 can only approach 2x when the work
dominates it: keep the sets large. Wall-clock numbers depend on the machine and its load (say so
when quoting them); CI never asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

A_SITES = ("Sr", "Ba", "Ca")
B_SITES = ("Ti", "Zr")
KINDS = ("cubic", "polar", "tilted", "tilted+noise", "noise")
SYMPREC = 0.01

PYMATGEN_LOOP = """
import json, sys, warnings
warnings.simplefilter("ignore")
kind, symprec, paths = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
out = {}
if kind == "molecules":
    from pymatgen.core import Molecule
    from pymatgen.symmetry.analyzer import PointGroupAnalyzer
    for path in paths:
        out[path] = PointGroupAnalyzer(Molecule.from_file(path), tolerance=symprec).sch_symbol
else:
    from pymatgen.io.cif import CifParser
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer
    for path in paths:
        structure = CifParser(path).parse_structures(primitive=False)[0]
        out[path] = SpacegroupAnalyzer(structure, symprec=symprec).get_space_group_number()
print(json.dumps(out))
"""


def write_g2(directory: Path, copies: int = 1, seed: int = 0) -> list[Path]:
    """The G2 molecules (Curtiss et al., J. Chem. Phys. 106, 1063 (1997)) as XYZ files, from ASE; copy 0
    as given, the others rotated (proper or improper), translated and with their atoms shuffled."""
    from ase.collections import g2

    rng = np.random.default_rng(seed)
    paths = []
    for name in g2.names:
        atoms = g2[name]
        symbols, positions = np.array(atoms.get_chemical_symbols()), atoms.positions
        stem = name.replace("(", "_").replace(")", "_").replace(",", "_")
        for copy in range(copies):
            if copy:
                q, r = np.linalg.qr(rng.normal(size=(3, 3)))
                order = rng.permutation(len(symbols))
                symbols, positions = symbols[order], (positions @ (q * np.sign(np.diag(r))).T + rng.normal(size=3))[order]
            lines = [str(len(atoms)), f"{name} (G2 set, ASE), copy {copy}"]
            lines += [f"{s} {x:.8f} {y:.8f} {z:.8f}" for s, (x, y, z) in zip(symbols, positions)]
            path = directory / f"{stem}__{copy}.xyz"
            path.write_text("\n".join(lines) + "\n")
            paths.append(path)
    return paths


def perovskite_supercell(rng: np.random.Generator, kind: str) -> tuple[float, list[str], np.ndarray]:
    """A 2x2x2 ABO3 supercell (40 atoms): lattice constant, species, fractional coordinates."""
    a_site, b_site = rng.choice(A_SITES), rng.choice(B_SITES)
    base = [(a_site, (0, 0, 0)), (b_site, (0.5, 0.5, 0.5)), ("O", (0.5, 0.5, 0)), ("O", (0.5, 0, 0.5)),
            ("O", (0, 0.5, 0.5))]
    species, coords = [], []
    for i in range(2):
        for j in range(2):
            for k in range(2):
                sign = (-1) ** (i + j + k)  # R-point pattern for antiphase tilts
                for element, (x, y, z) in base:
                    point = np.array([x + i, y + j, z + k], dtype=float) / 2
                    if kind == "polar" and element == b_site:
                        point[2] += 0.01
                    if kind.startswith("tilted") and element == "O" and z == 0.5:
                        # turn the equatorial O about z around their B atom by +-phi (a0a0c-)
                        dx, dy = (x - 0.5) / 2, (y - 0.5) / 2
                        phi = 0.05 * sign
                        point[0] += -np.sin(phi) * dy
                        point[1] += np.sin(phi) * dx
                    species.append(element)
                    coords.append(point)
    frac = np.array(coords)
    if "noise" in kind:
        frac += rng.normal(scale=0.003 if kind == "noise" else 0.00002, size=frac.shape)
    return 2 * float(rng.uniform(3.85, 4.15)), species, frac % 1.0


def write_crystals(directory: Path, n: int, seed: int = 0) -> list[Path]:
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(n):
        a, species, frac = perovskite_supercell(rng, KINDS[index % len(KINDS)])
        lines = [f"data_p{index}", f"_cell_length_a {a:.6f}", f"_cell_length_b {a:.6f}", f"_cell_length_c {a:.6f}",
                 "_cell_angle_alpha 90", "_cell_angle_beta 90", "_cell_angle_gamma 90",
                 "_symmetry_space_group_name_H-M 'P 1'", "_symmetry_Int_Tables_number 1",
                 "loop_", "_symmetry_equiv_pos_as_xyz", "'x, y, z'",
                 "loop_", "_atom_site_type_symbol", "_atom_site_label", "_atom_site_fract_x", "_atom_site_fract_y",
                 "_atom_site_fract_z", "_atom_site_occupancy"]
        lines += [f"{s} {s}{i} {x:.6f} {y:.6f} {z:.6f} 1" for i, (s, (x, y, z)) in enumerate(zip(species, frac))]
        path = directory / f"perovskite_{index:05d}.cif"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def timed(command: list[str], repeat: int) -> tuple[float, float, str]:
    """Best wall time, best CPU time (user + sys of the process tree) of ``repeat`` runs, and stdout."""
    best_wall, best_cpu, out = float("inf"), float("inf"), ""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        best_wall = min(best_wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if result.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(command[:4])}... failed ({result.returncode}): {result.stderr[-500:]}")
        out = result.stdout
    return best_wall, best_cpu, out


def symcompile_command() -> list[str]:
    exe = shutil.which("symcompile")
    return [exe] if exe and not os.environ.get("PYTHONPATH") else [sys.executable, "-m", "symcompile"]


def _groups(kind: str, output: str) -> dict[str, object]:
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    key = (lambda r: r["point_group"]["schoenflies"]) if kind == "molecules" else (
        lambda r: r["space_group"]["number"])
    return {Path(r["file"]).name: key(r) for r in records if r["status"] == "ok"}


def _pymatgen_name(symbol: object) -> object:
    """pymatgen's spellings of the infinite groups and of S6."""
    return {"D*h": "D∞h", "C*v": "C∞v", "S6": "C3i", "Kh": "Kh"}.get(symbol, symbol)  # type: ignore[arg-type]


def bench(kind: str, directory: Path, files: list[Path], repeat: int) -> dict[str, float]:
    command = [*symcompile_command(), "symmetry", str(directory), "--json", "-q", "--symprec", str(SYMPREC)]
    t1, c1, out1 = timed([*command, "--jobs", "1"], repeat)
    t2, c2, out2 = timed([*command, "--jobs", "2"], repeat)
    tp, cp, outp = timed([sys.executable, "-c", PYMATGEN_LOOP, kind, str(SYMPREC), *map(str, files)], repeat)
    ours = _groups(kind, out1)
    assert ours == _groups(kind, out2), "--jobs 1 and --jobs 2 disagree"
    theirs = {Path(p).name: _pymatgen_name(g) for p, g in json.loads(outp).items()}
    agree = sum(ours.get(name) == group for name, group in theirs.items())
    n = len(files)
    print(f"\n{kind}: {n} files, best of {repeat} runs, symprec {SYMPREC} Å")
    print(f"  {'':<34} {'wall s':>8} {'CPU s':>8} {'files/CPU-s':>12}")
    for name, wall, cpu in (("symcompile symmetry --jobs 1", t1, c1), ("symcompile symmetry --jobs 2", t2, c2),
                            ("pymatgen loop (one process)", tp, cp)):
        print(f"  {name:<34} {wall:8.2f} {cpu:8.2f} {n / cpu:12.1f}")
    print(f"  throughput per core, symcompile / pymatgen: {cp / c1:.2f}x")
    print(f"  --jobs 2 / --jobs 1 (wall): {t1 / t2:.2f}x (ideal 2.00x on 2 free cores)")
    if kind == "molecules":
        by_molecule: dict[str, set[object]] = {}
        for name, group in ours.items():
            by_molecule.setdefault(name.split("__")[0], set()).add(group)
        moved = sorted(m for m, groups in by_molecule.items() if len(groups) > 1)
        print(f"  same group in every orientation/order for {len(by_molecule) - len(moved)}/{len(by_molecule)} "
              f"molecules" + (f"; not for {', '.join(moved)}" if moved else ""))
    differ = sorted((name, ours.get(name), group) for name, group in theirs.items() if ours.get(name) != group)
    listed = "; ".join(f"{a} ours {b} pymatgen {c}" for a, b, c in differ[:8])
    if len(differ) > 8:
        listed += f" and {len(differ) - 8} more; molecules: {sorted({a.split('__')[0] for a, _, _ in differ})}"
    print(f"  groups agree with pymatgen on {agree}/{len(theirs)} files" + (f"; differ: {listed}" if differ else ""))
    return {"per_core_ratio": cp / c1, "jobs_speedup": t1 / t2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="orientations of each G2 molecule")
    parser.add_argument("--crystals", type=int, default=1000, help="number of generated crystals")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the best is kept")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start "
          "(timings on a shared machine vary: compare the ratios)")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("molecules", "crystals"):
            directory = Path(tmp) / kind
            directory.mkdir()
            files = write_g2(directory, args.copies) if kind == "molecules" else write_crystals(directory,
                                                                                                 args.crystals)
            bench(kind, directory, files, args.repeat)


if __name__ == "__main__":
    main()
