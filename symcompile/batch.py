"""Running one command over many inputs: in this process, in local worker processes
(``--jobs N``), or on a Dask distributed cluster (``--scheduler ADDRESS``).

Every input yields one record ``{"file", "status", ...}`` in input order; a bad input
becomes a record with status ``error`` and the others go on. Warnings raised while an input
is analysed become notes of its record (:mod:`symcompile.notes`), never stderr output.

With a per-input ``timeout`` every input runs in a :class:`Worker`, a child process that is
killed when its input takes longer (the record says ``timed out after N s``) and replaced for
the next input; a worker that crashes (a segfault in a C library) costs only its input. This
works the same with ``--jobs 1``, ``--jobs N`` (one worker per job) and on Dask (one worker per
Dask thread, started with ``subprocess`` because Dask's worker processes are daemons).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from symcompile.errors import InputError
from symcompile.notes import warnings_as_notes

Record = dict[str, Any]
Task = Callable[[str], Record]

#: Exit code for each status; a batch exits with the worst one.
EXIT_CODES = {"ok": 0, "failed": 1, "error": 2, "internal": 3}


def guarded(task: Task, path: str) -> Record:
    """Run ``task(path)`` and turn any exception into an error record for that input, its warnings into notes."""
    warned: list[str] = []
    try:
        with warnings_as_notes(warned):
            result = task(path)
        record: Record = {"file": path, "status": result.pop("status", "ok")}
        record.update(result)
        if warned:
            notes = list(record.get("notes") or [])
            record["notes"] = notes + [note for note in warned if note not in notes]
        return record
    except InputError as exc:
        return {"file": path, "status": "error", "error": exc.located(path)}
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
    task: Task, paths: Sequence[str], jobs: int = 1, scheduler: str | None = None, timeout: float | None = None,
) -> Iterator[Record]:
    """Yield one record per path, in the order of ``paths`` (``timeout``: seconds per input, in workers)."""
    if scheduler:
        yield from _run_dask(task, paths, scheduler, timeout)
        return
    if timeout is not None:
        yield from _run_workers(task, paths, jobs, timeout)
        return
    jobs = min(jobs, len(paths))
    if jobs <= 1:
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


def _run_dask(task: Task, paths: Sequence[str], scheduler: str, timeout: float | None = None) -> Iterator[Record]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise InputError("--scheduler needs the dask extra: pip install 'symcompile[dask]'") from exc
    try:
        client = Client(scheduler, timeout=10)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        if timeout is None:
            futures = client.map(guarded, [task] * len(paths), list(paths), pure=False)
        else:
            futures = client.map(run_in_worker, [task] * len(paths), list(paths), [timeout] * len(paths), pure=False)
        for future in futures:
            yield future.result()


def worst_exit_code(records: Sequence[Record]) -> int:
    """The exit code of a batch: the worst status of its records."""
    codes = [EXIT_CODES["internal"] if r.get("internal") else EXIT_CODES.get(r["status"], 3) for r in records]
    return max(codes, default=0)


# --------------------------------------------------------------------------- workers that can be stopped
def timed_out(path: str, timeout: float) -> Record:
    """The record of an input given up after ``timeout`` seconds."""
    return {"file": path, "status": "error", "error": f"timed out after {timeout:g} s"}


def _crashed(path: str, returncode: int | None) -> Record:
    if returncode is not None and returncode < 0:
        try:
            how = f"signal {-returncode} ({signal.Signals(-returncode).name})"
        except ValueError:
            how = f"signal {-returncode}"
    else:
        how = f"exit code {returncode}"
    return {"file": path, "status": "error", "internal": True,
            "error": f"internal error: the worker process analysing this input died ({how})"}


class Worker:
    """A child Python process that runs ``task(path)`` for one path at a time and can be stopped mid-task.

    Messages are pickles over the child's stdin/stdout: first the task (the child imports what
    it needs and answers ``"ready"``), then one path per input, answered by its record. The
    clock of an input starts when its path is sent, so start-up never counts against it.
    """

    def __init__(self, task: Task, single_thread: bool = False) -> None:
        self.task = task
        self.single_thread = single_thread
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # the child imports what we import
        if self.single_thread:
            env["OMP_NUM_THREADS"] = "1"
        self._process = subprocess.Popen([sys.executable, "-c", "from symcompile.batch import serve; serve()"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert self._process.stdin is not None and self._process.stdout is not None
        pickle.dump((self.task, self.single_thread), self._process.stdin)
        self._process.stdin.flush()
        if pickle.load(self._process.stdout) != "ready":
            raise RuntimeError("the worker process did not start")

    def run(self, path: str, timeout: float) -> Record:
        """``guarded(task, path)`` in the child; the record of a timeout or a crash if it comes to that."""
        if self._process is None or self._process.poll() is not None:
            try:
                self._start()
            except (EOFError, OSError, pickle.UnpicklingError, RuntimeError):
                code = self._process.poll() if self._process is not None else None
                self.stop()
                return _crashed(path, code)
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            pickle.dump(path, process.stdin)
            process.stdin.flush()
        except OSError:
            self.stop()
            return _crashed(path, process.poll())
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                return timed_out(path, timeout)
            ready, _, _ = select.select([process.stdout], [], [], remaining)
            if ready:
                break
        try:
            return pickle.load(process.stdout)  # type: ignore[no-any-return]
        except (EOFError, OSError, pickle.UnpicklingError):
            code = process.wait()
            self._process = None
            return _crashed(path, code)

    def stop(self) -> None:
        """Kill the child (if any); the next :meth:`run` starts a fresh one."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


def serve() -> None:
    """The child side of :class:`Worker`: read the task, then answer each path with its record."""
    inbox = sys.stdin.buffer
    outbox = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # a stray print can never corrupt the channel
    task, single_thread = pickle.load(inbox)
    if hasattr(task, "prepare"):
        task.prepare()
    if single_thread:
        _init_worker()
    pickle.dump("ready", outbox)
    outbox.flush()
    while True:
        try:
            path = pickle.load(inbox)
        except EOFError:
            return
        pickle.dump(guarded(task, path), outbox)
        outbox.flush()


_local = threading.local()


def run_in_worker(task: Task, path: str, timeout: float) -> Record:
    """``guarded(task, path)`` in this thread's :class:`Worker`, given up after ``timeout`` seconds.

    One worker per thread, kept between calls (Dask runs this in its worker threads)."""
    worker = getattr(_local, "worker", None)
    if worker is None or worker.task != task:
        if worker is not None:
            worker.stop()
        worker = _local.worker = Worker(task, single_thread=True)
    return worker.run(path, timeout)


def _run_workers(task: Task, paths: Sequence[str], jobs: int, timeout: float) -> Iterator[Record]:
    """Local runs with a timeout: ``jobs`` threads, each driving its own :class:`Worker`."""
    workers: list[Worker] = []
    lock = threading.Lock()
    slot = threading.local()

    def one(path: str) -> Record:
        worker = getattr(slot, "worker", None)
        if worker is None:
            worker = slot.worker = Worker(task, single_thread=jobs > 1)
            with lock:
                workers.append(worker)
        return worker.run(path, timeout)

    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(paths))))
    try:
        yield from pool.map(one, paths)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        with lock:
            for worker in workers:
                worker.stop()
