"""Timing of the parent search (symcompile.distortions.find_parents) on published children.

Children: the published structures of tests/distortions/published (5 to 30 atoms), a 40-atom
2 x 1 x 1 cell of LaMnO3 with 0.002 Å random displacements (read at symprec 0.03, above the
noise: the child is Pnma again and the search runs on its 20-atom primitive cell), and a
320-atom 2 x 2 x 4 supercell of LaMnO3, exact and with the same noise. ``--stress`` adds the
noisy 40-atom cell read at symprec 1e-3 (a P1 child with a cubic pseudo-symmetry of 8 cells:
thousands of intermediate groups, the bounded search stops and keeps the highest). For each: the parents found (the highest
and how many), the time of a search (median of --repeat), and, as a reference on the same
input, spglib's symmetry search repeated over the ladder of 40 tolerances that the first
parent finder (the old order_params/parent_scan.py) walked, with the highest group that ladder reports
within the bound and the tolerance it needs. Printed as a table; no assertions.

    python tests/benchmarks/bench_parents.py [--repeat 3] [--bound 1.0] [--stress]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PUBLISHED = ROOT / "tests" / "distortions" / "published"
CHILDREN = [
    "BaTiO3_P4mm_Buttner1992.cif", "CaCl2_Pnnm_vanBever1935.cif", "SiO2_P3221_alphaQuartz_Levien1980.cif",
    "SiO2_P41212_alphaCristobalite_Pluth1985.cif", "LaMnO3_Pbnm_RodriguezCarvajal1998.cif",
    "CaTiO3_Pbnm_Yamanaka2002.cif", "Mn3O4_I41amd_Jarosch1987.cif", "La2NiO4_P42ncm_LTT_FullProf.cif",
    "LaAlO3_R-3c_Hayward2005.cif", "BiFeO3_R3c_Kubel1990.cif", "LiNbO3_R3c_Abrahams1966.cif",
]


def supercell(crystal, n: tuple[int, int, int], noise: float, rng: np.random.Generator):
    from symcompile.structures import Structure

    edges = np.array(n)
    shifts = np.array(list(np.ndindex(*n)), dtype=float)
    frac = ((crystal.frac_coords[None] + shifts[:, None]) / edges).reshape(-1, 3)
    big = Structure(crystal.lattice * edges[:, None], frac, crystal.species * len(shifts))
    if noise:
        big = Structure.from_cartesian(big.lattice, big.cart_coords + rng.normal(scale=noise, size=(len(frac), 3)),
                                       big.species)
    return big


def spglib_ladder(crystal, bound: float) -> tuple[str, float | None]:
    """The old way: spglib on the child at 40 tolerances up to 2.5 x the bound; the highest group seen."""
    import spglib

    from symcompile.structures.spacegroup import quiet_spglib

    best, at = "", None
    order = 0
    with quiet_spglib():
        for tol in np.geomspace(0.005, max(2.5 * bound, 2.0), 40):
            try:
                ds = spglib.get_symmetry_dataset(crystal.spglib_cell(), symprec=float(tol))
            except spglib.SpglibError:
                continue
            if ds is not None and len(ds.rotations) > order:
                order, best, at = len(ds.rotations), str(ds.international), float(tol)
    return best, at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bound", type=float, default=1.0, help="displacement bound (Å)")
    parser.add_argument("--stress", action="store_true", help="add the P1 40-atom child (about a minute)")
    ns = parser.parse_args()
    start = time.perf_counter()
    from symcompile.distortions import find_parents
    from symcompile.structures import read_structure

    print(f"start-up (imports): {time.perf_counter() - start:.2f} s; bound {ns.bound:g} Å")
    rng = np.random.default_rng(0)
    lamno3 = read_structure(PUBLISHED / "LaMnO3_Pbnm_RodriguezCarvajal1998.cif")
    cases = [(name.split("_")[0] + " " + name.split("_")[1], read_structure(PUBLISHED / name), 1e-3)
             for name in CHILDREN]
    noisy = supercell(lamno3, (2, 1, 1), 0.002, rng)
    cases += [("LaMnO3 2x1x1, 0.002 Å noise", noisy, 3e-2),
              ("LaMnO3 2x2x4, exact", supercell(lamno3, (2, 2, 4), 0.0, rng), 1e-3),
              ("LaMnO3 2x2x4, 0.002 Å noise", supercell(lamno3, (2, 2, 4), 0.002, rng), 3e-2)]
    if ns.stress:
        cases.append(("LaMnO3 2x1x1 noise, P1", noisy, 1e-3))
    print(f"{'child':30s} {'atoms':>5s} {'group':>9s} {'highest parent':>16s} {'Å':>6s} {'n':>3s} "
          f"{'median s':>8s} {'ladder s':>8s} {'ratio':>6s}  spglib ladder: highest (at symprec Å)")
    medians = []
    for name, child, symprec in cases:
        times = []
        for _ in range(ns.repeat):
            t0 = time.perf_counter()
            found = find_parents(child, ns.bound, symprec=symprec)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ladder, at = spglib_ladder(child, ns.bound)
        ref = time.perf_counter() - t0
        median = statistics.median(times)
        medians.append(median)
        top = found[0] if found else None
        label = f"{top.symbol} x{top.parent_cells}" if top else "none"
        disp = f"{top.max_displacement:.3f}" if top else "-"
        print(f"{name:30s} {child.num_atoms:5d} {found.child_group['symbol']:>9s} {label:>16s} {disp:>6s} "
              f"{len(found):3d} {median:8.3f} {ref:8.3f} {median / ref:5.1f}x  {ladder} ({at:.3g})"
              + ("  [search cut short]" if found.truncated else ""))
    print(f"\nmedian over the children: {statistics.median(medians):.3f} s, worst {max(medians):.3f} s")


if __name__ == "__main__":
    main()
