"""Time and peak memory of whole commands against the number of atoms, with fitted exponents (issue 14).

Run: ``python tests/benchmarks/bench_scale.py [--quick] [--commands symmetry,order-params]``. Not part of
the test suite. Every point is a fresh ``python -m symcompile ...`` process: its wall time (start-up and
imports included), the time the record reports (``seconds.total``, the analysis alone) and its peak
resident set size (``ru_maxrss`` of that child, from ``wait4``). Memory above a tiny input's run is the
part that grows with the structure.

- Crystals: supercells of tetragonal BaTiO3 (P4mm, 5 atoms; Buttner & Maslen, Acta Cryst. B48, 764 (1992),
  examples/structures/BaTiO3_tetragonal.cif) of 40, 320, 2,560 and 10,140 atoms (13 x 13 x 12), written as
  P1 CIFs: ``symmetry`` and ``order-params --no-train`` (a distorted perovskite: the parent is Pm-3m).
- Molecules of 100 to 10,000 atoms: a 1.6 Å grid with random moves up to 0.3 Å (no symmetry, the worst
  case of the candidate search) and complete-shell fcc clusters (Oh): ``symmetry``.

Targets (issue 14): memory at most linear, a 10,000-atom crystal within 4 GiB, a 10,000-atom molecule's
point group in under 10 s. A point that exceeds ``--timeout`` or the address-space cap ``--memory-gib``
(so that a runaway run cannot take the shared machine down) is reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from bench_graph import crystal, exponent  # noqa: E402  (the graph benchmark's supercells and fit)
from test_scale_limits import fcc_cluster, jittered_molecule  # noqa: E402  (the scale tests' molecules)

PEROVSKITE = "examples/structures/BaTiO3_tetragonal.cif"
SUPERCELLS = [(2, 2, 2), (4, 4, 4), (8, 8, 8), (13, 13, 12)]
MOLECULES = [100, 300, 1000, 3000, 10000]


def write_p1_cif(path: Path, cart: np.ndarray, lattice: np.ndarray, species: list[str]) -> None:
    """A P1 CIF of the cell (pymatgen's lattice convention, so the cell is written by its parameters)."""
    lengths = np.linalg.norm(lattice, axis=1)
    angles = [np.degrees(np.arccos(lattice[j] @ lattice[k] / (lengths[j] * lengths[k])))
              for j, k in ((1, 2), (0, 2), (0, 1))]
    frac = np.linalg.solve(lattice.T, cart.T).T % 1.0
    lines = ["data_supercell", *(f"_cell_length_{a} {v:.8f}" for a, v in zip("abc", lengths)),
             *(f"_cell_angle_{a} {v:.8f}" for a, v in zip(("alpha", "beta", "gamma"), angles)),
             "_symmetry_space_group_name_H-M 'P 1'", "loop_", "_symmetry_equiv_pos_as_xyz", "'x, y, z'",
             "loop_", "_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x", "_atom_site_fract_y",
             "_atom_site_fract_z"]
    lines += [f"{s}{i + 1} {s} {x:.8f} {y:.8f} {z:.8f}" for i, (s, (x, y, z)) in enumerate(zip(species, frac))]
    path.write_text("\n".join(lines) + "\n")


def write_xyz(path: Path, species: tuple[str, ...], cart: np.ndarray) -> None:
    body = "\n".join(f"{s} {x:.8f} {y:.8f} {z:.8f}" for s, (x, y, z) in zip(species, cart))
    path.write_text(f"{len(species)}\nbench molecule\n{body}\n")


def perovskite_supercell(folder: Path, reps: tuple[int, int, int]) -> tuple[Path, int]:
    import warnings

    from pymatgen.core import Structure

    cart, lattice = crystal(PEROVSKITE, reps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = Structure.from_file(str(ROOT / PEROVSKITE)).get_primitive_structure()
    # pymatgen's make_supercell lists the images of each site together (the group column checks: P4mm)
    species = [site.specie.symbol for site in base for _ in range(int(np.prod(reps)))]
    path = folder / f"BaTiO3_{'x'.join(map(str, reps))}.cif"
    write_p1_cif(path, cart, lattice, species)
    return path, len(cart)


def run_point(args: list[str], timeout: float, memory_gib: float) -> dict:
    """One fresh process: exit code, wall seconds, the record's seconds.total, peak RSS (MiB)."""
    def cap() -> None:
        limit = int(memory_gib * 2 ** 30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "symcompile", *args, "--json"], stdout=out,
                                 stderr=subprocess.DEVNULL, env=env, preexec_fn=cap)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    record = json.loads(text.splitlines()[0]) if text.strip() else {}
    timed_out = wall > timeout
    return {"exit": "timeout" if timed_out else child.returncode, "wall": wall,
            "analysis": (record.get("seconds") or {}).get("total"), "peak_mib": usage.ru_maxrss / 1024,
            "status": record.get("status"), "error": record.get("error"),
            "group": (record.get("space_group") or {}).get("symbol") or (record.get("point_group") or {}).get("schoenflies")}


def print_series(title: str, rows: list[dict], baseline_mib: float) -> None:
    print(f"\n== {title}")
    print(f"{'atoms':>7s} {'exit':>7s} {'wall [s]':>9s} {'analysis [s]':>13s} {'peak [MiB]':>11s} "
          f"{'above base':>11s}  group / error")
    for r in rows:
        analysis = f"{r['analysis']:13.3f}" if r["analysis"] is not None else f"{'-':>13s}"
        note = r["group"] or (r["error"] or "")[:70]
        print(f"{r['n']:7d} {str(r['exit']):>7s} {r['wall']:9.2f} {analysis} {r['peak_mib']:11.0f} "
              f"{r['peak_mib'] - baseline_mib:11.0f}  {note}")
    good = [r for r in rows if r["exit"] in (0, 1) and r["n"] >= 300 and r["analysis"]]
    if len(good) >= 2:
        ns = [r["n"] for r in good]
        above = [max(r["peak_mib"] - baseline_mib, 1.0) for r in good]
        print(f"fitted exponent (N >= 300): analysis time N^{exponent(ns, [r['analysis'] for r in good]):.2f}, "
              f"wall N^{exponent(ns, [r['wall'] for r in good]):.2f}, memory above baseline N^{exponent(ns, above):.2f}")


def target(what: str, measured: str, met: bool) -> None:
    print(f"target: {what}: {measured} ({'met' if met else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smallest sizes of each series")
    parser.add_argument("--commands", default="symmetry,order-params")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per point")
    parser.add_argument("--memory-gib", type=float, default=8.0, help="address-space cap per point")
    opts = parser.parse_args()
    commands = opts.commands.split(",")
    cut = 2 if opts.quick else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tiny = folder / "water.xyz"
        write_xyz(tiny, ("O", "H", "H"), np.array([[0, 0, 0.12], [0.76, 0, -0.47], [-0.76, 0, -0.47]]))
        baseline = run_point(["symmetry", str(tiny)], opts.timeout, opts.memory_gib)["peak_mib"]
        print(f"baseline: `symcompile symmetry water.xyz` peaks at {baseline:.0f} MiB (interpreter, numpy, spglib)")
        crystals = [perovskite_supercell(folder, reps) for reps in SUPERCELLS[:cut]]
        for command in commands:
            extra = ["--no-train"] if command == "order-params" else []
            rows = [{"n": n, **run_point([command, str(path), *extra], opts.timeout, opts.memory_gib)}
                    for path, n in crystals]
            print_series(f"{command} {' '.join(extra)} on BaTiO3 P4mm supercells (P1 CIF)", rows, baseline)
            for r in (r for r in rows if r["n"] >= 10_000):
                target(f"a {r['n']:,}-atom crystal within 4 GiB", f"peak {r['peak_mib'] / 1024:.2f} GiB",
                       r["exit"] in (0, 1) and r["peak_mib"] <= 4096)
        if "symmetry" in commands:
            for label, make in (("random (C1)", lambda n: jittered_molecule(n, n)),
                                ("fcc cluster (Oh)", fcc_cluster)):
                rows = []
                for n in MOLECULES[:cut]:
                    molecule = make(n)
                    path = folder / f"molecule_{n}.xyz"
                    write_xyz(path, molecule.species, molecule.cart_coords)
                    rows.append({"n": molecule.num_atoms, **run_point(["symmetry", str(path)], opts.timeout,
                                                                      opts.memory_gib)})
                print_series(f"symmetry on molecules: {label}", rows, baseline)
                for r in (r for r in rows if r["n"] >= 9000):
                    target(f"the point group of a {r['n']:,}-atom molecule in < 10 s", f"{r['wall']:.2f} s wall",
                           r["exit"] == 0 and r["wall"] < 10)


if __name__ == "__main__":
    main()
