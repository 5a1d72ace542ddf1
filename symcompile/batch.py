"""Running one command over many inputs: in this process, in local worker processes
(``--jobs N``), or on a Dask distributed cluster (``--scheduler ADDRESS``).

Every input yields one record ``{"file", "status", ...}`` in input order; a bad input
becomes a record with status ``error`` and the others go on.
"""

from __future__ import annotations

import multiprocessing
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from symcompile.errors import InputError

Record = dict[str, Any]
Task = Callable[[str], Record]

#: Exit code for each status; a batch exits with the worst one.
EXIT_CODES = {"ok": 0, "failed": 1, "error": 2, "internal": 3}


def guarded(task: Task, path: str) -> Record:
    """Run ``task(path)`` and turn any exception into an error record for that input."""
    try:
        result = task(path)
        record: Record = {"file": path, "status": result.pop("status", "ok")}
        record.update(result)
        return record
    except InputError as exc:
        return {"file": path, "status": "error", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one bad input must not stop the others
        return {
            "file": path, "status": "error", "internal": True,
            "error": f"internal error: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }


def _guarded_star(args: tuple[Task, str]) -> Record:
    return guarded(*args)


def _init_worker() -> None:
    """Worker processes share the cores: one torch thread each (if torch is used at all)."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def run_tasks(
    task: Task, paths: Sequence[str], jobs: int = 1, scheduler: str | None = None,
) -> Iterator[Record]:
    """Yield one record per path, in the order of ``paths``."""
    if scheduler:
        yield from _run_dask(task, paths, scheduler)
        return
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield guarded(task, path)
        return
    # fork is cheap and fine before torch is loaded; with torch loaded, use a clean spawn. Before a fork
    # the task may import what it needs once (``prepare``), so that the workers inherit it.
    method = "spawn" if "torch" in sys.modules else "fork"
    if method == "fork" and hasattr(task, "prepare"):
        task.prepare()
    context = multiprocessing.get_context(method)
    chunksize = max(1, min(32, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker) as pool:
        yield from pool.map(_guarded_star, [(task, p) for p in paths], chunksize=chunksize)


def _run_dask(task: Task, paths: Sequence[str], scheduler: str) -> Iterator[Record]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise InputError("--scheduler needs the dask extra: pip install 'symcompile[dask]'") from exc
    try:
        client = Client(scheduler, timeout=10)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        futures = client.map(guarded, [task] * len(paths), list(paths), pure=False)
        for future in futures:
            yield future.result()


def worst_exit_code(records: Sequence[Record]) -> int:
    """The exit code of a batch: the worst status of its records."""
    codes = [EXIT_CODES["internal"] if r.get("internal") else EXIT_CODES.get(r["status"], 3) for r in records]
    return max(codes, default=0)
