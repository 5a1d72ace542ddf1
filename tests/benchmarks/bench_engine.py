"""Benchmarks of the equivariant engine against e3nn 0.6 on the same work (2 CPU threads).

Run: ``python tests/benchmarks/bench_engine.py``. Prints, for each benchmark, our time, e3nn's time and
the ratio ours / e3nn (< 1 means we are faster). Timings run round-robin over all cases and both
implementations and keep the best of several repeats, the least noisy statistic on a shared machine. Not part of the test suite.
"""

from __future__ import annotations

import time
from typing import Callable, Dict, List

import torch

N_THREADS = 2
REPEATS = 15


def _time_once(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def compare(cases: Dict[str, Dict[str, Callable[[], object]]], repeats: int = REPEATS, warmup: int = 3) -> List[dict]:
    """``cases[case_name][impl_name] = thunk``; impl names are 'ours' and 'e3nn'. Returns rows of best times."""
    rows = []
    # Warm up every case before timing any: the first large allocations of a process (allocator
    # thresholds, fresh pages) would otherwise be charged to whichever case runs first.
    for _ in range(warmup):
        for impls in cases.values():
            for fn in impls.values():
                fn()
    times: Dict[str, Dict[str, List[float]]] = {case: {k: [] for k in impls} for case, impls in cases.items()}
    for _ in range(repeats):  # round-robin over cases and implementations: load changes hit all alike
        for case, impls in cases.items():
            for k, fn in impls.items():
                times[case][k].append(_time_once(fn))
    for case in cases:
        best = {k: min(v) for k, v in times[case].items()}
        rows.append({"case": case, **{f"{k}_ms": 1e3 * t for k, t in best.items()}, "ratio": best["ours"] / best["e3nn"]})
    return rows


def print_rows(title: str, rows: List[dict]) -> None:
    print(f"\n== {title}")
    print(f"{'case':44s} {'ours [ms]':>10s} {'e3nn [ms]':>10s} {'ours/e3nn':>10s}")
    for r in rows:
        print(f"{r['case']:44s} {r['ours_ms']:10.2f} {r['e3nn_ms']:10.2f} {r['ratio']:10.2f}")


def bench_spherical_harmonics(lmax: int = 8, n: int = 100_000) -> List[dict]:
    """Y^0..Y^lmax of n random vectors (normalize=True, component normalisation), forward and forward+backward."""
    from e3nn import o3 as e3

    from symcompile.o3.spherical_harmonics import spherical_harmonics

    e3nn_sh = e3.SphericalHarmonics(list(range(lmax + 1)), True, normalization="component")
    ls = list(range(lmax + 1))
    cases: Dict[str, Dict[str, Callable[[], object]]] = {}
    for dtype in (torch.float64, torch.float32):
        x = torch.randn(n, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64).to(dtype)
        xg = x.clone().requires_grad_()
        w = torch.randn((lmax + 1) ** 2, dtype=dtype)
        ours = spherical_harmonics(ls, x)
        ref = e3nn_sh(x)
        err = float((ours - ref).abs().max())
        assert err < (1e-10 if dtype == torch.float64 else 1e-4), err
        name = str(dtype).replace("torch.", "")

        def fwd_bwd(f: Callable[[torch.Tensor], torch.Tensor], xg: torch.Tensor = xg, w: torch.Tensor = w) -> None:
            xg.grad = None
            (f(xg) * w).sum().backward()

        cases[f"SH lmax={lmax} N={n} {name} forward"] = {
            "ours": lambda x=x: spherical_harmonics(ls, x),
            "e3nn": lambda x=x: e3nn_sh(x),
        }
        cases[f"SH lmax={lmax} N={n} {name} forward+backward"] = {
            "ours": lambda: fwd_bwd(lambda t: spherical_harmonics(ls, t)),
            "e3nn": lambda: fwd_bwd(e3nn_sh),
        }
    rows = compare(cases)
    print_rows("spherical harmonics", rows)
    return rows


def bench_tensor_product(n: int = 10_000) -> List[dict]:
    """FullyConnectedTensorProduct 16x0e+16x1o+16x2e x 0e+1o+2e -> 16x0e+16x1o+16x2e on n rows, same weights."""
    from e3nn import o3 as e3

    from symcompile.nn import FullyConnectedTensorProduct

    irreps = ("16x0e+16x1o+16x2e", "0e+1o+2e", "16x0e+16x1o+16x2e")
    cases: Dict[str, Dict[str, Callable[[], object]]] = {}
    old = torch.get_default_dtype()
    for dtype in (torch.float64, torch.float32):
        torch.set_default_dtype(dtype)
        try:
            theirs = e3.FullyConnectedTensorProduct(*irreps)
            ours = FullyConnectedTensorProduct(*irreps)
        finally:
            torch.set_default_dtype(old)
        with torch.no_grad():
            ours.weight.copy_(theirs.weight)
        g = torch.Generator().manual_seed(0)
        x1 = torch.randn(n, ours.irreps_in1.dim, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
        x2 = torch.randn(n, ours.irreps_in2.dim, generator=g, dtype=torch.float64).to(dtype).requires_grad_()
        with torch.no_grad():
            err = float((ours(x1, x2) - theirs(x1, x2)).abs().max())
        assert err < (1e-10 if dtype == torch.float64 else 1e-3), err
        name = str(dtype).replace("torch.", "")

        def fwd(tp: torch.nn.Module, x1: torch.Tensor = x1, x2: torch.Tensor = x2) -> None:
            with torch.no_grad():
                tp(x1, x2)

        def fwd_bwd(tp: torch.nn.Module, x1: torch.Tensor = x1, x2: torch.Tensor = x2) -> None:
            x1.grad = x2.grad = tp.weight.grad = None
            tp(x1, x2).pow(2).sum().backward()

        label = f"16x[0e+1o+2e] x [0e+1o+2e] {name}"
        cases[f"{label} forward"] = {"ours": lambda t=ours, f=fwd: f(t), "e3nn": lambda t=theirs, f=fwd: f(t)}
        cases[f"{label} fwd+bwd"] = {
            "ours": lambda t=ours, f=fwd_bwd: f(t),
            "e3nn": lambda t=theirs, f=fwd_bwd: f(t),
        }
    rows = compare(cases)
    print_rows(f"fully connected tensor product -> 16x0e+16x1o+16x2e, {n} rows, same weights", rows)
    return rows


def _perovskite_supercell(seed: int = 0):
    """2x2x2 supercell of cubic ABO3 (a = 3.9 A, 40 atoms) with random displacements; one-hot species."""
    import numpy as np

    rng = np.random.default_rng(seed)
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    kinds = [0, 1, 2, 2, 2]
    cells = np.array([[i, j, k] for i in range(2) for j in range(2) for k in range(2)])
    frac = ((basis[None] + cells[:, None]) / 2).reshape(-1, 3)
    lattice = np.eye(3) * 7.8
    pos = frac @ lattice + 0.05 * rng.normal(size=(40, 3))
    z = np.eye(3)[np.tile(kinds, 8)]
    return (torch.tensor(pos), torch.tensor(lattice), torch.tensor(z))


def bench_network() -> List[dict]:
    """gate_points_2101-style network, forward+backward (weights and input features) on a 40-atom periodic cell.

    Same configuration for both; e3nn's Network (which has no periodic graph) gets our periodic graph. Both
    reuse the precomputed graph, as a training loop on a fixed geometry does.
    """
    from e3nn import o3 as e3
    from e3nn.math import soft_one_hot_linspace
    from e3nn.nn.models.gate_points_2101 import Network as E3Network
    from e3nn.nn.models.gate_points_2101 import smooth_cutoff

    from symcompile.nn import Network, periodic_radius_graph

    class E3OnGraph(E3Network):
        def forward(self, data: Dict[str, torch.Tensor]) -> torch.Tensor:  # type: ignore[override]
            src, dst = data["edge_src"], data["edge_dst"]
            vec = data["pos"][dst] - data["pos"][src] + data["edge_shift"]
            sh = e3.spherical_harmonics(self.irreps_edge_attr, vec, True, normalization="component")
            length = vec.norm(dim=1)
            emb = soft_one_hot_linspace(length, 0.0, self.max_radius, self.number_of_basis, basis="gaussian",
                                        cutoff=False).mul(self.number_of_basis**0.5)
            attr = smooth_cutoff(length / self.max_radius)[:, None] * sh
            x = data["x"]
            for lay in self.layers:
                x = lay(x, data["z"], src, dst, attr, emb)
            return x.sum(0, keepdim=True)

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    rows: List[dict] = []
    try:
        pos, lattice, z = _perovskite_supercell()
        configs = {  # label: (hidden irreps, cutoff radius in A)
            "8x0e+8x0o+4x1o+4x1e+2x2e+2x2o r2.4": ("8x0e+8x0o+4x1o+4x1e+2x2e+2x2o", 2.4),
            "8x0e+8x0o+4x1o+4x1e r4.5": ("8x0e+8x0o+4x1o+4x1e", 4.5),
            "16x0e+16x0o+8x1o+8x1e+4x2e+4x2o r4.5": ("16x0e+16x0o+8x1o+8x1e+4x2e+4x2o", 4.5),
        }
        cases: Dict[str, Dict[str, Callable[[], object]]] = {}
        for label, (hidden, r_max) in configs.items():
            kw = {"layers": 2, "max_radius": r_max, "number_of_basis": 10, "radial_neurons": 16, "num_neighbors": 10.0}
            torch.manual_seed(0)
            ours = Network("1x0e+1x1o+1x1e", hidden, "1x0e", irreps_node_attr="3x0e", lmax=2, pool_nodes=True, **kw)
            theirs = E3OnGraph("1x0e+1x1o+1x1e", hidden, "1x0e", "3x0e", "0e+1o+2e", radial_layers=1, num_nodes=1.0,
                               **kw)
            x = torch.randn(40, 7, requires_grad=True)
            data = {"pos": pos, "lattice": lattice, "x": x, "z": z}
            data.update(ours.precompute(data))
            n_edges = len(data["edge_src"])

            def step(net: torch.nn.Module, data: Dict[str, torch.Tensor] = data, x: torch.Tensor = x) -> None:
                for p in net.parameters():
                    p.grad = None
                x.grad = None
                net(data).pow(2).sum().backward()

            cases[f"{label} E={n_edges}"] = {
                "ours": lambda n=ours, f=step: f(n),
                "e3nn": lambda n=theirs, f=step: f(n),
            }
        rows = compare(cases)
        print_rows("network fwd+bwd, 40-atom periodic perovskite, lmax 2, 2 layers, cached graph", rows)
        # our periodic neighbour list (e3nn has none): build time for the same cell
        t = min(_time_once(lambda: periodic_radius_graph(pos, lattice, 4.5)) for _ in range(REPEATS))
        print(f"periodic_radius_graph, 40 atoms, r_max 4.5 A: {1e3 * t:.2f} ms (ours only)")
    finally:
        torch.set_default_dtype(old)
    return rows


BENCHMARKS: List[Callable[[], List[dict]]] = [bench_spherical_harmonics, bench_tensor_product, bench_network]


def main() -> None:
    torch.set_num_threads(N_THREADS)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for bench in BENCHMARKS:
        bench()


if __name__ == "__main__":
    main()
