"""Neighbour lists alone: time and peak memory against the number of atoms, with fitted exponents (1 thread).

Run: ``python tests/benchmarks/bench_graph.py [--quick]``. Not part of the test suite.

- Crossover: testing every pair against cell lists on small systems (how ``ALL_PAIRS_LIMIT_MOLECULES`` and
  ``ALL_PAIRS_LIMIT_CRYSTALS`` of symcompile.nn.graph were chosen).
- Scaling at r_max = 5 Å: supercells of orthorhombic CaTiO3 (Pnma; Yamanaka et al., Am. Mineral. 87, 1183
  (2002), examples/structures/CaTiO3_Pnma.cif) and of the skewed primitive rhombohedral cell of LaAlO3 (R-3c,
  alpha = 60.1 deg, examples/structures/LaAlO3_R-3c.cif) of 40 to 10,240 atoms, and compact random clusters
  ("molecules") of 100 to 10,000 atoms at 0.1 atoms/Å^3.  Every size runs in a fresh process: the peak memory
  is the peak resident set size during one call (VmHWM, reset just before) minus the resident size before it.
  pymatgen's ``get_neighbor_list`` and ASE's ``neighbor_list`` (crystals), scipy's k-d tree ``query_pairs``
  (molecules) do the same work in the same process, and must find the same edges.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
R_MAX = 5.0
CRYSTALS = {  # name: (CIF, supercells giving 40, 320, 2,560 and 10,240 atoms)
    "CaTiO3 Pnma": ("examples/structures/CaTiO3_Pnma.cif", [(2, 1, 1), (4, 2, 2), (4, 8, 4), (8, 8, 8)]),
    "LaAlO3 R-3c (rhombohedral)": ("examples/structures/LaAlO3_R-3c.cif", [(2, 2, 1), (4, 4, 2), (8, 8, 4), (16, 8, 8)]),
}
MOLECULES = [100, 300, 1000, 3000, 10000]


def crystal(cif: str, reps: Tuple[int, int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Positions and lattice (rows) of a supercell of the primitive cell of a CIF."""
    import warnings

    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = Structure.from_file(str(ROOT / cif)).get_primitive_structure()
    s.make_supercell(list(reps))
    return s.cart_coords, s.lattice.matrix


def cluster(n: int, density: float = 0.1, seed: int = 0) -> np.ndarray:
    """n points uniform in a ball at ``density`` atoms per Å^3 (a compact molecule-sized cloud)."""
    rng = np.random.default_rng(seed)
    radius = (3 * n / (4 * math.pi * density)) ** (1 / 3)
    x = rng.normal(size=(n, 3))
    x /= np.linalg.norm(x, axis=1)[:, None]
    return x * radius * rng.uniform(size=(n, 1)) ** (1 / 3)


def best_time(fn: Callable[[], object], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def worker(kind: str, name: str, index: int, repeats: int) -> dict:
    """One size in this (fresh) process: our time, our peak memory, edges, pymatgen's and ASE's times."""
    import torch

    from symcompile.nn import periodic_radius_graph, radius_graph

    torch.set_num_threads(1)
    if kind == "crystal":
        cif, sizes = CRYSTALS[name]
        pos_np, lat_np = crystal(cif, sizes[index])
        pos, lat = torch.tensor(pos_np), torch.tensor(lat_np)
        ours = lambda: periodic_radius_graph(pos, lat, R_MAX)  # noqa: E731
    else:
        pos_np, lat_np = cluster(MOLECULES[index]), None
        pos = torch.tensor(pos_np)
        ours = lambda: radius_graph(pos, R_MAX)  # noqa: E731
    # warm up on a small copy (imports, allocator), then measure the peak RSS during one call
    if kind == "crystal":
        periodic_radius_graph(pos[:5], lat, R_MAX)
    else:
        radius_graph(pos[:50], R_MAX)
    before = reset_peak_rss()
    g = ours()
    peak_kib = peak_rss() - before
    edges = len(g.edge_src)
    del g
    row = {"n": len(pos_np), "edges": edges, "seconds": best_time(ours, repeats), "peak_mib": peak_kib / 1024}
    if kind == "crystal":
        from ase import Atoms
        from ase.neighborlist import neighbor_list
        from pymatgen.core import Lattice, Structure

        s = Structure(Lattice(lat_np), ["H"] * len(pos_np), pos_np, coords_are_cartesian=True)
        assert len(s.get_neighbor_list(R_MAX)[0]) == edges, "pymatgen finds other edges"
        row["pymatgen"] = best_time(lambda: s.get_neighbor_list(R_MAX), repeats)
        atoms = Atoms(positions=pos_np, cell=lat_np, pbc=True)
        assert len(neighbor_list("i", atoms, R_MAX)) == edges, "ASE finds other edges"
        row["ase"] = best_time(lambda: neighbor_list("ijS", atoms, R_MAX), repeats)
    else:
        from scipy.spatial import cKDTree

        assert 2 * len(cKDTree(pos_np).query_pairs(R_MAX)) == edges, "scipy finds other edges"
        row["scipy"] = best_time(lambda: cKDTree(pos_np).query_pairs(R_MAX, output_type="ndarray"), repeats)
    return row


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> int:
    """Reset the peak resident set size (Linux) and return the current one (KiB)."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS")
    except OSError:  # no reset possible: the growth of the lifetime peak is a lower bound
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss() -> int:
    try:
        return _status_kib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_worker(kind: str, name: str, index: int, repeats: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, name, str(index), str(repeats)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def exponent(ns: List[float], ys: List[float]) -> float:
    """Least-squares slope of log y against log n."""
    return float(np.polyfit(np.log(ns), np.log(ys), 1)[0])


def print_scaling(title: str, rows: List[dict]) -> None:
    print(f"\n== {title}, r_max = {R_MAX} Å")
    others = [k for k in ("pymatgen", "ase", "scipy") if k in rows[0]]
    print(f"{'atoms':>7s} {'edges':>9s} {'ours [ms]':>10s} {'us/atom':>8s} {'peak [MiB]':>10s} {'B/edge':>7s} "
          + " ".join(f"{'ours/' + k:>13s}" for k in others))
    for r in rows:
        print(f"{r['n']:7d} {r['edges']:9d} {1e3 * r['seconds']:10.1f} {1e6 * r['seconds'] / r['n']:8.1f} "
              f"{r['peak_mib']:10.1f} {2**20 * r['peak_mib'] / max(1, r['edges']):7.0f} "
              + " ".join(f"{r['seconds'] / r[k]:13.2f}" for k in others))
    big = [r for r in rows if r["n"] >= 300]
    for label, part in (("N >= 300", big), ("two largest", rows[-2:])):
        ns = [r["n"] for r in part]
        print(f"fitted exponent ({label}): time N^{exponent(ns, [r['seconds'] for r in part]):.2f}, "
              f"peak memory N^{exponent(ns, [max(r['peak_mib'], 0.1) for r in part]):.2f}, "
              f"edges N^{exponent(ns, [r['edges'] for r in part]):.2f}")


def crossover(repeats: int) -> None:
    """Every pair against cell lists, in one process, for small crystals and molecules."""
    import torch

    import symcompile.nn.graph as graph

    torch.set_num_threads(1)
    limits = {"molecule": graph.ALL_PAIRS_LIMIT_MOLECULES, "crystal": graph.ALL_PAIRS_LIMIT_CRYSTALS}
    cases: Dict[str, Tuple[torch.Tensor, Optional[torch.Tensor]]] = {}
    pos, lat = crystal("examples/structures/SrTiO3_cubic.cif", (1, 1, 1))
    cases["SrTiO3 5 atoms"] = (torch.tensor(pos), torch.tensor(lat))
    for reps in [(1, 1, 1), (2, 1, 1), (2, 2, 1), (2, 2, 2), (3, 3, 2)]:
        pos, lat = crystal(CRYSTALS["CaTiO3 Pnma"][0], reps)
        cases[f"CaTiO3 {len(pos)} atoms"] = (torch.tensor(pos), torch.tensor(lat))
    for n in [100, 300, 500, 700, 1000, 1500]:
        cases[f"cluster {n} atoms"] = (torch.tensor(cluster(n)), None)
    print(f"\n== crossover, r_max = {R_MAX} Å (every pair up to {limits['molecule']:,} pairs in molecules, "
          f"{limits['crystal']:,} pair-images in crystals)")
    print(f"{'case':22s} {'pair-images':>12s} {'every pair [ms]':>16s} {'cell list [ms]':>15s} {'chosen':>10s}")
    try:
        for name, (pos, lat) in cases.items():
            if lat is None:
                pairs = len(pos) ** 2
                call = lambda p=pos: graph.radius_graph(p, R_MAX)  # noqa: E731
            else:
                pairs = len(pos) ** 2 * math.prod(2 * m + 1 for m in graph.image_range(pos, lat, R_MAX))
                call = lambda p=pos, c=lat: graph.periodic_radius_graph(p, c, R_MAX)  # noqa: E731
            times = []
            for forced in (10**18, 0):  # every pair, then cell lists
                graph.ALL_PAIRS_LIMIT_MOLECULES = graph.ALL_PAIRS_LIMIT_CRYSTALS = forced
                call()
                times.append(best_time(call, repeats))
            chosen = "every pair" if pairs <= limits["crystal" if lat is not None else "molecule"] else "cell list"
            print(f"{name:22s} {pairs:12,d} {1e3 * times[0]:16.2f} {1e3 * times[1]:15.2f} {chosen:>10s}")
    finally:
        graph.ALL_PAIRS_LIMIT_MOLECULES, graph.ALL_PAIRS_LIMIT_CRYSTALS = limits["molecule"], limits["crystal"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, sizes up to 2,560 atoms")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, name, index, repeats = args.worker
        print(json.dumps(worker(kind, name, int(index), int(repeats))))
        return
    repeats = 2 if args.quick else 5
    crossover(repeats)
    last = 3 if args.quick else 4
    for name in CRYSTALS:
        print_scaling(name, [run_worker("crystal", name, i, repeats) for i in range(last)])
    print_scaling("random clusters (molecules)",
                  [run_worker("molecule", "", i, repeats) for i in range(len(MOLECULES) - (4 - last))])


if __name__ == "__main__":
    main()
