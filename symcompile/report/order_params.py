"""The ``order-params`` command's record (one per child) and its human rendering; the per-file task.

Record: ``formula``, ``space_group``/``point_group`` (the child's), ``child``, ``parent``,
``primary_carrier``, ``carriers``, ``other_blocks``; trained runs also ``order_parameters``,
``decorated_space_group``, ``verified``, ``loss``, ``discovery``, ``spglib_check``...; then
``tolerances``, ``seconds``, ``notes``. With ``--no-train`` (``trained: false``) the parent and
carriers come from group theory alone and ``verified`` is null.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symcompile.report import Record, finish

from symcompile.order_params.parent import DEFAULT_MAX_DISPLACEMENT

COMMAND = "order-params"
SUMMARY_HEADING = "summary"


def summary_label(record: Record) -> str | None:
    return record.get("summary")


@dataclass(frozen=True)
class OrderParamsTask:
    """Picklable per-child task (for --jobs and Dask)."""

    parent: str | None = None
    max_displacement: float = DEFAULT_MAX_DISPLACEMENT
    lmax: int = 2
    seed: int = 0
    steps: int = 200
    symprec: float = 1e-3
    angle_tol: float | None = None
    discover: bool = True
    train: bool = True
    write_mcif: str | None = None
    many: bool = False  # several children: --write-mcif gets the child's name appended
    show_progress: bool = False

    def mcif_path(self, child: str) -> str | None:
        if not self.write_mcif:
            return None
        from symcompile.report.plotting import path_for_input

        return path_for_input(self.write_mcif, child, self.many, ".mcif")

    def __call__(self, path: str) -> Record:
        from symcompile.order_params.result import order_parameters
        from symcompile.progress import progress_bar

        if self.train and multiprocessing.current_process().name != "MainProcess":
            import torch

            torch.set_num_threads(1)  # worker processes share the cores
        show = self.show_progress and self.train
        with progress_bar(f"order-params {Path(path).name}", enabled=show) as progress:
            record = order_parameters(
                path, self.parent, max_displacement=self.max_displacement, lmax=self.lmax, seed=self.seed,
                steps=self.steps, symprec=self.symprec, angle_tol=self.angle_tol, discover=self.discover,
                write_mcif=self.mcif_path(path) if self.train else None, progress=progress if show else None,
                train=self.train)
        if self.parent is not None:
            record["parent"]["file"] = self.parent
        if self.write_mcif and not self.train:
            record.setdefault("notes", []).append("no magnetic CIF written: --write-mcif draws learned features, "
                                                  "and --no-train learns none")
        return finish(record, COMMAND)


def _op_group(group: Any) -> str:
    group = group or {}
    return f"{group.get('symbol')} ({group.get('number')})" if group.get("number") else "none"


def _op_site(entry: Record) -> str:
    return f"{entry['species']} {entry['wyckoff']} ({entry.get('site_symmetry', '')})"


def _op_kpoints(kps: Sequence[Record], weights: bool = False) -> str:
    out = []
    for kp in kps:
        text = kp["label"]  # a high-symmetry label, or the coordinates themselves
        if weights and "free_parameters" in kp:
            text += f":{kp['free_parameters']}"
        out.append(text)
    return ", ".join(out)


def render(record: Record, console: Any) -> None:
    """Parent -> child, the verified order parameter, and every carrier allowed by symmetry."""
    from rich.table import Table

    verified = bool(record.get("verified"))
    trained = record.get("trained", True)
    verdict = "[green]VERIFIED[/]" if verified else "[red]NOT VERIFIED[/]" if trained else "(group theory only)"
    tol = record.get("tolerances") or {}
    parent, child = record.get("parent") or {}, record.get("child") or {}
    name = record.get("file") or ""
    console.print(f"[bold]{name}[/]  {record.get('formula', '')}: {_op_group(parent.get('space_group'))} -> "
                  f"{_op_group(child.get('space_group'))}  {verdict}")
    info = Table(show_header=False, box=None, padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    how = "given" if parent.get("given") else "found"
    info.add_row("parent", f"{_op_group(parent.get('space_group'))}, {how} at spglib tolerance "
                           f"{parent.get('found_at_tolerance')} Å; largest displacement {parent.get('max_displacement')} Å; "
                           f"{parent.get('cells_in_child')} parent cells in the child's primitive cell")
    info.add_row("sites", ", ".join(f"{s['species']} {s['wyckoff']} ({s['site_symmetry']})"
                                    for s in parent.get("sites") or []))
    primary = record.get("primary_carrier")
    if primary:
        info.add_row("primary carrier", f"{primary['irrep']} on {primary['species']} {primary['wyckoff']}")
    if record.get("glazer"):
        info.add_row("tilt system", f"{record['glazer']} (Glazer, parent axes)")
    style = "green" if verified else "red"
    if not trained:
        info.add_row("network", "not trained (--no-train): parent and carriers by group theory")
    else:
        info.add_row("decorated parent", f"[{style}]{_op_group(record.get('decorated_space_group'))}[/] "
                                         f"(child {_op_group(child.get('space_group'))}, spglib, "
                                         f"symprec {tol.get('symprec')} Å)")
        loss = record.get("loss") or {}
        info.add_row("training", f"relative loss {loss.get('initial', float('nan')):.3g} -> "
                                 f"{loss.get('final', float('nan')):.3g} in {record.get('steps')} steps "
                                 f"(seed {record.get('seed')}, lmax {record.get('lmax')})")
    disc = record.get("discovery")
    if disc:
        found = sorted({f"{e['irrep']} on {e['species']} {e['wyckoff']}" for e in disc.get("order_parameters") or []
                        if e.get("primary")})
        info.add_row("discovery", f"features on every atom: {_op_group(disc.get('decorated_space_group'))} in "
                                  f"{disc.get('steps')} steps, loss {disc['loss']['final']:.3g}; primary parts "
                                  f"grew on {', '.join(found) or 'none'}; gradient at zero "
                                  f"{_op_group(disc.get('gradient_space_group'))}")
    checks = record.get("spglib_check") or []
    if checks:
        info.add_row("spglib moments", "; ".join(
            f"{c['irrep']}{' (discovery)' if c.get('decoration') else ''}: "
            f"{'agree' if c.get('agree') else '[red]disagree[/]'} ({c.get('spglib_operations')} operations)"
            for c in checks))
    if record.get("mcif"):
        info.add_row("mcif", str(record["mcif"]))
    for note in record.get("notes") or []:
        info.add_row("note", note)
    console.print(info)

    entries = record.get("order_parameters") or []
    if entries:
        table = Table(title="order parameter (directions along the parent's axes)", show_header=True, header_style="bold", padding=(0, 1))
        for column in ("site", "irrep", "k", "amplitude", "direction", "role"):
            table.add_column(column, justify="right" if column == "amplitude" else "left")
        for e in entries:
            direction = "(" + ",".join(f"{x:+.2f}" for x in e["direction"]) + ")" if e.get("direction") else ""
            table.add_row(_op_site(e), e["irrep"], _op_kpoints(e["k_points"]), f"{e['amplitude']:.3g}", direction,
                          "[bold]primary[/]" if e.get("primary") else "secondary")
        console.print(table)
    carriers = record.get("carriers") or []
    if carriers:
        table = Table(title="carriers: blocks that give the child's group alone (by symmetry)", show_header=True,
                      header_style="bold", padding=(0, 1))
        with_gradient = any("in_gradient" in c for c in carriers)
        columns = ("site", "irrep", "free", "k-point:free") + (("in gradient",) if with_gradient else ()) + ("",)
        for column in columns:
            table.add_column(column)
        for c in carriers:
            row = [_op_site(c), c["irrep"], str(c["free_parameters"]), _op_kpoints(c["k_points"], True)]
            if with_gradient:
                row.append("" if "in_gradient" not in c else ("yes" if c["in_gradient"] else "[red]no[/]"))
            table.add_row(*row, "[bold]primary[/]" if c.get("primary") else "")
        console.print(table)
    console.print()
