"""Timing of the symmetry-mode decomposition (symcompile.distortions.decompose) against child size.

Children: perovskite supercells (2x2x2 = 40 atoms ... 4x4x4 = 320 atoms) of cubic SrTiO3 with
random displacements (0.02 Å rms, so P1: every k of the supercell and every irrep is present,
the worst case), and the same supercells of orthorhombic CaTiO3 (Pnma; the decomposition runs
on the child's primitive cell, 20 atoms). Prints, per size, the wall time of the first call (caches
cold: spgrep's little-group irreps) and of a second one, the time of the stages, and, as a
reference on the same input, spglib's symmetry search. Target (issue 10): under 0.5 s beyond
start-up for 40 atoms.

    python tests/benchmarks/bench_modes.py [--sizes 2 3 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

STAGES = {  # function name in the profile -> stage
    "correspond": "correspondence",
    "mode_analysis": "group on the supercell",
    "physical_irreps": "irreps (spgrep + induction)",
    "project": "projections",
    "stabiliser": "isotropy subgroups",
    "_mode": "real forms, directions, sites",
}


def perovskite(n: int, rng: np.random.Generator):
    from symcompile.structures.cell import Cell

    base = [("Sr", (0, 0, 0)), ("Ti", (.5, .5, .5)), ("O", (.5, .5, 0)), ("O", (.5, 0, .5)), ("O", (0, .5, .5))]
    frac, species = [], []
    for shift in np.ndindex(n, n, n):
        for s, p in base:
            frac.append((np.array(p) + shift) / n)
            species.append(s)
    a = 3.905
    frac = np.array(frac) + rng.normal(scale=0.02 / (a * n), size=(len(frac), 3))
    parent = Cell(np.eye(3) * a, [p for _, p in base], [s for s, _ in base])
    return Cell(np.eye(3) * a * n, frac, species), parent


def catio3(n: int):
    from pymatgen.core import Structure

    from symcompile.structures.cell import as_cell

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = Structure.from_file(str(ROOT / "examples/structures/CaTiO3_Pnma.cif"))
        parent = as_cell(Structure.from_file(str(ROOT / "examples/order_params/CaTiO3_cubic.cif")))
    s.make_supercell({2: [2, 1, 1], 4: [2, 2, 4]}[n])  # 5 n^3 atoms, like the cubic supercells
    return as_cell(s), parent


def stages(child, parent) -> dict[str, float]:
    from symcompile.distortions import decompose

    profile = cProfile.Profile()
    profile.runcall(decompose, child, parent, origin="Ti")
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out = dict.fromkeys(STAGES.values(), 0.0)
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        if name in STAGES and "distortions" in path:
            out[STAGES[name]] += cumulative
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 3, 4], help="supercell edges n (n^3 cells)")
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    start = time.perf_counter()
    import spglib

    from symcompile.distortions import decompose
    print(f"start-up (imports): {time.perf_counter() - start:.2f} s")
    rng = np.random.default_rng(0)
    print(f"{'child':26s} {'atoms':>5s} {'modes':>5s} {'first s':>8s} {'median s':>8s} {'spglib s':>8s} {'ratio':>6s}")
    rows = []
    for n in ns.sizes:
        cases = [(f"SrTiO3 {n}x{n}x{n} random (P1)", perovskite(n, rng))]
        if n in (2, 4):
            cases.append((f"CaTiO3 Pnma, {5 * n ** 3} atoms", catio3(n)))
        for name, (child, parent) in cases:
            t0 = time.perf_counter()
            result = decompose(child, parent, origin="Ti")
            first = time.perf_counter() - t0
            times = []
            for _ in range(ns.repeat):
                t0 = time.perf_counter()
                decompose(child, parent, origin="Ti")
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for _ in range(ns.repeat):
                spglib.get_symmetry_dataset(child.spglib_cell(), symprec=1e-3)
            ref = (time.perf_counter() - t0) / ns.repeat
            median = statistics.median(times)
            print(f"{name:26s} {child.num_atoms:5d} {len(result.modes):5d} {first:8.3f} {median:8.3f} {ref:8.4f}"
                  f" {median / ref:6.0f}x")
            rows.append((name, child, parent, median))
    print("\nwhere the time goes (profiled single call, cumulative s per stage):")
    for name, child, parent, median in rows:
        if "random" not in name:
            continue
        parts = stages(child, parent)
        print(f"  {name:26s} " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()))
    p1 = [(c.num_atoms, m) for name, c, _, m in rows if "random" in name]
    if len(p1) >= 2:
        (n0, t0), (n1, t1) = p1[0], p1[-1]
        print(f"\nP1 growth: {n1 / n0:.0f}x atoms -> {t1 / t0:.1f}x time (exponent {np.log(t1 / t0) / np.log(n1 / n0):.2f});"
              " the group G/T' has |point group| x cells elements and every irrep of every k is present")


if __name__ == "__main__":
    main()
