"""Benchmark: symcompile's CartesianTensor against e3nn's on the same formulas (not a test).

For ranks 2..7 (formula: first two indices symmetric, e.g. ``ijklm=jiklm``) it prints our time
for irreps + degrees of freedom (exact, characters), our time for the full change of basis,
e3nn's construction time (``e3nn.io.CartesianTensor``, which builds its change of basis) and the
ratio e3nn / ours (full). Rank 8 (``ijklmnop=jiklmnop``) runs for us alone unless
``--e3nn-max-rank 8``. Peak memory: tracemalloc peak of our run and the process's max RSS.

    python tests/benchmarks/bench_tensor.py [--e3nn-max-rank 6] [--no-e3nn] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import string
import sys
import time
import tracemalloc


def formula_for(rank: int) -> str:
    f0 = string.ascii_lowercase[8:8 + rank]  # i j k l m n o p ...
    return f"{f0}={f0[1]}{f0[0]}{f0[2:]}"


HARD = [  # every index moved by the permutations: the full coupling basis of rank n-1 is needed
    "ijklmn=jklmni", "ijklmno=jiklmno=ijklmon=jklmnoi", "ijklmnop=jklmnopi", "ijklmnop=jiklmnop=ijklmnpo=jklmnopi",
]


def ours(formula: str, repeat: int) -> tuple[float, float, float, str, int, float]:
    from symcompile.tensors import CartesianTensor, clear_caches

    best_counts, best_full, peak, cpu = float("inf"), float("inf"), 0.0, float("inf")
    irreps, dim = "", 0
    for _ in range(repeat):
        clear_caches()
        gc.collect()
        tracemalloc.start()
        c0 = time.process_time()
        t0 = time.perf_counter()
        t = CartesianTensor(formula)
        irreps, dim = str(t.irreps), t.dim
        t1 = time.perf_counter()
        Q = t.change_of_basis
        t2 = time.perf_counter()
        cpu = min(cpu, time.process_time() - c0)
        peak = max(peak, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        assert Q.shape[0] == dim
        del Q, t
        best_counts, best_full = min(best_counts, t1 - t0), min(best_full, t2 - t0)
    return best_counts, best_full, peak, irreps, dim, cpu


def e3nn_time(formula: str) -> tuple[float, str]:
    import torch
    from e3nn.io import CartesianTensor

    torch.set_default_dtype(torch.float64)
    t0 = time.perf_counter()
    c = CartesianTensor(formula)
    return time.perf_counter() - t0, str(c)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--e3nn-max-rank", type=int, default=6, help="largest rank to also run e3nn on")
    parser.add_argument("--no-e3nn", action="store_true", help="our timings only")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for our timings")
    parser.add_argument("--max-rank", type=int, default=8)
    args = parser.parse_args(argv)

    if not args.no_e3nn:
        try:
            import e3nn  # noqa: F401
            e3nn_time("ij=ji")  # warm-up: torch import and e3nn's first-call caches are not charged
        except ImportError:
            print("e3nn not installed: our timings only", file=sys.stderr)
            args.no_e3nn = True
    from symcompile.tensors import CartesianTensor

    assert CartesianTensor("ij=ji").change_of_basis.shape == (6, 3, 3)  # warm-up of our imports

    header = f"{'rank':>4} {'formula':<36} {'dim':>5} {'ours irreps+dof':>16} " \
             f"{'ours full':>10} {'(cpu)':>8} {'e3nn':>9} {'e3nn/ours':>9} {'peak MiB':>9}  irreps"
    print(header)
    print("-" * len(header))
    rows = [(rank, formula_for(rank)) for rank in range(2, args.max_rank + 1)]
    rows += [(len(f.split("=")[0]), f) for f in HARD if len(f.split("=")[0]) <= args.max_rank]
    for rank, formula in rows:
        counts, full, peak, irreps, dim, cpu = ours(formula, args.repeat)
        e3 = ratio = "-"
        if not args.no_e3nn and rank <= args.e3nn_max_rank:
            te, e3_irreps = e3nn_time(formula)
            assert e3_irreps == irreps, (e3_irreps, irreps)
            e3, ratio = f"{te:.3f}s", f"{te / full:.0f}x"
        short = irreps if len(irreps) <= 40 else irreps[:37] + "..."
        print(f"{rank:>4} {formula:<36} {dim:>5} {counts * 1e3:>14.1f}ms {full:>9.3f}s {cpu:>7.2f}s {e3:>9} "
              f"{ratio:>9} {peak:>9.0f}  {short}", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB (includes torch/e3nn when they ran)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
