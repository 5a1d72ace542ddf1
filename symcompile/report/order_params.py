"""The ``order-params`` command's record (one per child) and its human rendering; the per-file task.

Record: ``formula``, ``space_group``/``point_group`` (the child's), ``child``, ``parent`` (group,
origin, Wyckoff sites), ``candidates``, ``modes`` and ``strain`` (the child's distortion in the
parent's irreps, Å), ``glazer``, ``primary_carrier``, ``carriers``, ``other_blocks``; trained
runs also ``order_parameter`` (the learned features in the same irreps), ``verified``,
``decorated_space_group``, ``spglib_check``, ``loss``...; then ``tolerances``, ``seconds``,
``notes``. With ``--no-train`` (``trained: false``) the carriers come from group theory alone
and ``verified`` is null.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symcompile.distortions.correspondence import DEFAULT_MAX_DISPLACEMENT
from symcompile.report import Record, finish

COMMAND = "order-params"


def summary_label(record: Record) -> str | None:
    return record.get("summary")


def output_path(template: str | None, child: str, many: bool, suffix: str) -> str | None:
    """The file one child writes (see :func:`symcompile.report.plotting.path_for_input`), or None."""
    if not template:
        return None
    from symcompile.report.plotting import path_for_input

    return path_for_input(template, child, many, suffix)


@dataclass(frozen=True)
class OrderParamsTask:
    """Picklable per-child task (for --jobs and Dask)."""

    parent: str | None = None
    parent_group: str | None = None
    origin: str | None = None
    max_displacement: float = DEFAULT_MAX_DISPLACEMENT
    lmax: int = 2
    seed: int = 0
    steps: int = 200
    symprec: float = 1e-3
    angle_tol: float | None = None
    train: bool = True
    write_mcif: str | None = None
    plot: str | None = None
    many: bool = False  # several children: output paths get the child's name
    show_progress: bool = False

    def __call__(self, path: str) -> Record:
        from symcompile.order_params.result import order_parameters
        from symcompile.progress import progress_bar

        if self.train and multiprocessing.current_process().name != "MainProcess":
            import torch

            torch.set_num_threads(1)  # worker processes share the cores
        show = self.show_progress and self.train
        with progress_bar(f"order-params {Path(path).name}", enabled=show) as progress:
            record = order_parameters(
                path, self.parent, parent_group=self.parent_group, origin=self.origin,
                max_displacement=self.max_displacement, lmax=self.lmax, seed=self.seed, steps=self.steps,
                symprec=self.symprec, angle_tol=self.angle_tol,
                write_mcif=output_path(self.write_mcif, path, self.many, ".mcif") if self.train else None,
                progress=progress if show else None, train=self.train, draw=self.plot is not None)
        if self.parent is not None and record.get("parent"):
            record["parent"]["file"] = self.parent
        if self.write_mcif and not self.train:
            record.setdefault("notes", []).append("no magnetic CIF written: --write-mcif draws learned features, "
                                                  "and --no-train learns none")
        plot = output_path(self.plot, path, self.many, ".png")
        picture = record.pop("drawing", None)
        if plot and picture is not None:
            from symcompile.report.order_params_plot import plot_order_parameters

            record["plot"] = plot_order_parameters(record, picture, plot)
        return finish(record, COMMAND)


# --------------------------------------------------------------------------- human output
def _group(group: Any) -> str:
    group = group or {}
    return f"{group.get('symbol')} ({group.get('number')})" if group.get("number") else "none"


def _k(mode: Record) -> str:
    arms = mode.get("arms") or []
    coords = [f"({','.join(a['k'] if isinstance(a, dict) else a)})" for a in arms] or \
        [f"({','.join(mode.get('k') or [])})"]
    return f"{mode.get('k_label')} " + " ".join(coords)


def _learned_by_label(record: Record) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for entry in record.get("order_parameter") or []:
        out.setdefault(entry["label"], []).append(entry)
    return out


def _candidate_text(candidate: Record, candidates: list[Record]) -> str:
    """Group, largest displacement, and the sites where another parent of the group has other sites."""
    text = f"{_group(candidate['space_group'])} {candidate['max_displacement']} Å"
    alike = {tuple(c.get("sites") or ()) for c in candidates if c["space_group"] == candidate["space_group"]}
    if candidate.get("sites") and len(alike) > 1:
        text += " [" + ", ".join(candidate["sites"]) + "]"
    return text + (" (chosen)" if candidate.get("chosen") else "")


def _info_rows(record: Record) -> list[tuple[str, str]]:
    parent = record.get("parent") or {}
    rows: list[tuple[str, str]] = []
    how = "given" if parent.get("given") else "found"
    rows.append(("parent", f"{_group(parent.get('space_group'))}, {how}; largest displacement "
                           f"{parent.get('max_displacement')} Å; {parent.get('cells_in_child')} parent cells "
                           "in the child's primitive cell"))
    origin = parent.get("origin") or "no atom"
    rows.append(("setting", f"{origin} at the origin ({parent.get('origin_rule')}); sites "
                            + ", ".join(f"{s['species']} {s['wyckoff']} ({s['site_symmetry']})"
                                        for s in parent.get("sites") or [])))
    candidates = record.get("candidates") or []
    if candidates:
        rows.append(("candidates", ", ".join(_candidate_text(c, candidates) for c in candidates)))
    primary = record.get("primary_carrier")
    if primary:
        loss = record.get("loss") or {}
        how = (f"fits: relative loss {loss.get('initial', float('nan')):.3g} -> {loss.get('final', float('nan')):.3g} "
               f"in {record.get('steps')} steps (seed {record.get('seed')})" if record.get("steps") is not None
               else "by group theory (not trained)" if not record.get("trained")
               else "by group theory (nothing to fit)")
        rows.append(("primary carrier", f"{primary['irrep']} on {primary['species']} {primary['wyckoff']} "
                                        f"({primary['site_symmetry']}), {how}"))
    if record.get("glazer"):
        rows.append(("tilt system", f"{record['glazer']} (Glazer)"))
    if record.get("trained"):
        checks = "; ".join(f"{c['check']}: {'agrees' if c['agree'] else '[red]disagrees[/]'}"
                           for c in record.get("spglib_check") or [])
        rows.append(("decorated parent", f"{_group(record.get('decorated_space_group'))}"
                                         + (f"; spglib {checks}" if checks else "")))
    strain = record.get("strain") or []
    if strain:
        rows.append(("strain", ", ".join(f"{s['irrep']} {s['amplitude']:.4f}" for s in strain)))
    rows.append(("displacement", f"{record.get('total_displacement', 0.0):.4f} Å in all (per child primitive cell)"))
    if record.get("mcif"):
        rows.append(("mcif", str(record["mcif"])))
    if record.get("plot"):
        rows.append(("plot", str(record["plot"])))
    if record.get("reason"):
        rows.append(("not verified", f"[red]{record['reason']}[/]"))
    rows += [("note", note) for note in record.get("notes") or []]
    return rows


def _modes_table(record: Record) -> Any:
    from rich.table import Table

    learned = _learned_by_label(record)
    trained = bool(record.get("trained"))
    table = Table(title="the child's modes (Å) and the learned order parameter, side by side", header_style="bold",
                  padding=(0, 1))
    for column in ("irrep", "k", "direction", "isotropy subgroup", "Å", "role"):
        table.add_column(column, justify="right" if column == "Å" else "left")
    if trained:
        table.add_column("learned order parameter")
    labels = [m["irrep"] for m in record.get("modes") or []]
    for mode in record.get("modes") or []:
        row = [mode["irrep"], _k(mode), mode["direction"], _group(mode["isotropy_subgroup"]),
               f"{mode['amplitude']:.4f}", "[bold]primary[/]" if mode["primary"] else "secondary"]
        if trained:
            row.append(_learned_text(learned.get(mode["irrep"], [])))
        table.add_row(*row)
    for label, entries in learned.items():  # learned irreps the child's displacements do not have
        if label not in labels:
            e = entries[0]
            table.add_row(label, _k(e), e["direction"], _group(e["isotropy_subgroup"]), "0", "", _learned_text(entries))
    return table


def _learned_text(entries: Sequence[Record]) -> str:
    if not entries:
        return ""
    return ", ".join(f"{e['irrep']} on {e['species']} {e['wyckoff']} {e['direction']}"
                     + (" [bold]primary[/]" if e["primary"] else "") for e in entries)


def _carriers_table(record: Record) -> Any:
    from rich.table import Table

    table = Table(title="carriers: site x irrep blocks that carry the primary irreps with exactly the child's group",
                  header_style="bold", padding=(0, 1))
    for column in ("site", "irrep", "free", "space-group irreps", "shell", "fits"):
        table.add_column(column)
    primary = record.get("primary_carrier") or {}
    for c in record.get("carriers") or []:
        fits = {True: "yes", False: "[red]no[/]", None: "not trained"}[c.get("fits")]
        is_primary = (c["irrep"], c["species"], c["wyckoff"]) == (primary.get("irrep"), primary.get("species"),
                                                                  primary.get("wyckoff"))
        local = c.get("local_deformation")
        table.add_row(f"{c['species']} {c['wyckoff']} ({c['site_symmetry']})",
                      c["irrep"] + (" [bold](primary)[/]" if is_primary else ""), str(c["free_parameters"]),
                      " ".join(sorted({m["irrep"] for m in c["space_group_irreps"]})),
                      "" if local is None else f"{local:.3f}", fits)
    return table


def render(record: Record, console: Any) -> None:
    """Parent -> child, the verdict, the modes and the learned order parameter side by side, the carriers."""
    from rich.table import Table

    trained = record.get("trained", True)
    if record.get("symmetry_breaking") is False:
        verdict = "[green]no symmetry breaking within the bound[/]"
    elif not trained:
        verdict = "(group theory only)"
    else:
        verdict = "[green]VERIFIED[/]" if record.get("verified") else "[red]NOT VERIFIED[/]"
    parent = record.get("parent") or {}
    console.print(f"[bold]{record.get('file') or ''}[/]  {record.get('formula', '')}: "
                  f"{_group(parent.get('space_group')) if parent else '-'} -> {_group(record.get('space_group'))}  "
                  f"{verdict}")
    info = Table(show_header=False, box=None, padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    for key, value in (_info_rows(record) if parent else [("note", n) for n in record.get("notes") or []]):
        info.add_row(key, value)
    console.print(info)
    if record.get("modes"):
        console.print(_modes_table(record))
    if record.get("carriers"):
        console.print(_carriers_table(record))
    console.print()
