"""The ``order-params`` command's work for one child file (picklable, for --jobs and Dask)."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symcompile.order_params.parent import DEFAULT_MAX_DISPLACEMENT


@dataclass(frozen=True)
class OrderParamsTask:
    parent: str | None = None
    max_displacement: float = DEFAULT_MAX_DISPLACEMENT
    lmax: int = 2
    seed: int = 0
    steps: int = 200
    symprec: float = 1e-3
    angle_tol: float | None = None
    discover: bool = True
    write_mcif: str | None = None
    many: bool = False  # several children: --write-mcif gets the child's name appended
    show_progress: bool = False

    def mcif_path(self, child: str) -> str | None:
        if not self.write_mcif:
            return None
        if "{name}" in self.write_mcif:
            return self.write_mcif.replace("{name}", Path(child).stem)
        if not self.many:
            return self.write_mcif
        out = Path(self.write_mcif)
        return os.fspath(out.with_name(f"{out.stem}_{Path(child).stem}{out.suffix or '.mcif'}"))

    def __call__(self, path: str) -> dict[str, Any]:
        from symcompile.order_params.result import order_parameters
        from symcompile.progress import progress_bar

        if multiprocessing.current_process().name != "MainProcess":
            import torch

            torch.set_num_threads(1)  # worker processes share the cores
        with progress_bar(f"order-params {Path(path).name}", enabled=self.show_progress) as progress:
            record = order_parameters(
                path, self.parent, max_displacement=self.max_displacement, lmax=self.lmax, seed=self.seed,
                steps=self.steps, symprec=self.symprec, angle_tol=self.angle_tol, discover=self.discover,
                write_mcif=self.mcif_path(path), progress=progress if self.show_progress else None)
        if self.parent is not None:
            record["parent"]["file"] = self.parent
        return record
