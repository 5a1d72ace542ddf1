"""Wall time of `symcompile order-params` per child, start-up included, as a user runs it.

Every published example (tests/order_params/op_data.py) and every Glazer tilt system (built
as in tests/order_params/glazer_systems.py) is run as a fresh process
(`python -m symcompile order-params CHILD --json --quiet`); prints each wall time, the
verdict, the primary carrier and the labels, then the median and the worst against the target
(median under 5 s on 2 cores), and the same with --no-train (group theory only, no torch).

    python tests/benchmarks/bench_order_params.py [--repeat 1] [--only NAME] [--no-train]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "order_params"))

from glazer_systems import GLAZER_SYSTEMS, build
from op_data import FAMILIES

TARGET_MEDIAN = 5.0


def children(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """name: (file, extra options)."""
    out: dict[str, tuple[Path, list[str]]] = {}
    for name, (path, options, *_rest) in FAMILIES.items():
        extra = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
        out[name] = (path, extra)
    for symbol in GLAZER_SYSTEMS[:-1]:
        path = folder / f"glazer_{symbol.replace('+', 'p').replace('-', 'm')}.vasp"
        s = build(symbol)
        kinds = list(dict.fromkeys(s.species))
        order = sorted(range(s.num_atoms), key=lambda i: kinds.index(s.species[i]))
        lines = [symbol, "1.0", *(" ".join(f"{x:.10f}" for x in row) for row in s.lattice), " ".join(kinds),
                 " ".join(str(s.species.count(k)) for k in kinds), "Direct",
                 *(" ".join(f"{x:.10f}" for x in s.frac_coords[i]) for i in order)]
        path.write_text("\n".join(lines) + "\n")
        out[f"Glazer {symbol}"] = (path, [])
    return out


def run(path: Path, extra: list[str]) -> tuple[float, float, dict]:
    """Wall time, CPU time (user + system, all threads) and the record of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "symcompile", "order-params", str(path), *extra, "--json", "--quiet"],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{path}: exit {proc.returncode}: {proc.stderr.strip()}")
    return wall, cpu, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per child (the median is kept)")
    parser.add_argument("--only", default=None, help="only children whose name contains this")
    parser.add_argument("--no-train", action="store_true", help="group theory only")
    ns = parser.parse_args()
    extra_all = ["--no-train"] if ns.no_train else []
    with tempfile.TemporaryDirectory() as tmp:
        todo = {k: v for k, v in children(Path(tmp)).items() if ns.only is None or ns.only in k}
        print(f"{'child':22s} {'wall s':>7s} {'cpu s':>6s} {'in-run s':>9s}  verified  primary carrier     "
              "primary irreps")
        walls, cpus = {}, {}
        for name, (path, extra) in todo.items():
            times, record = [], {}
            for _ in range(ns.repeat):
                wall, cpu, record = run(path, extra + extra_all)
                times.append((wall, cpu))
            walls[name] = statistics.median(t[0] for t in times)
            cpus[name] = statistics.median(t[1] for t in times)
            carrier = record.get("primary_carrier") or {}
            text = f"{carrier.get('irrep', '')} on {carrier.get('species', '')} {carrier.get('wyckoff', '')}"
            print(f"{name:22s} {walls[name]:7.2f} {cpus[name]:6.2f} {record['seconds']['total']:9.2f}  "
                  f"{record.get('verified')!s:8s}  "
                  f"{text:18s}  {' + '.join(record.get('primary_irreps') or [])}", flush=True)
    values = sorted(walls.values())
    worst = max(walls, key=walls.__getitem__)
    median = statistics.median(values)
    print(f"\n{len(values)} children: median {median:.2f} s, worst {walls[worst]:.2f} s ({worst}); "
          f"target median < {TARGET_MEDIAN:.0f} s: {'met' if median < TARGET_MEDIAN else 'NOT met'}")
    print(f"CPU (user + system, both threads): median {statistics.median(cpus.values()):.2f} s, worst "
          f"{max(cpus.values()):.2f} s; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall times are only meaningful on an otherwise idle machine)")


if __name__ == "__main__":
    main()
