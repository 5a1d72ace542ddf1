"""One place for output formats: result records -> JSON, and -> rich tables for people.

A command's result is a plain dict (a *record*) with a ``command`` key; records are
JSON-ready after :func:`jsonable`. Human rendering is looked up by command name.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

Record = dict[str, Any]

#: Keys that stay out of human tables and out of JSON (internal details).
_PRIVATE_KEYS = ("traceback",)


def jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, tuples, sets and fractions into plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items() if k not in _PRIVATE_KEYS}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return int(obj) if obj.denominator == 1 else float(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy arrays and scalars, torch tensors
        return jsonable(obj.tolist())
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


def to_json(record: Record, pretty: bool = False) -> str:
    """One JSON document for ``record``; compact (one line) unless ``pretty``."""
    if pretty:
        return json.dumps(jsonable(record), indent=2, ensure_ascii=False)
    return json.dumps(jsonable(record), separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- human output
Renderer = Callable[[Record, Any], None]
RENDERERS: dict[str, Renderer] = {}


def renderer(command: str) -> Callable[[Renderer], Renderer]:
    """Register the human renderer of one command's records."""

    def register(func: Renderer) -> Renderer:
        RENDERERS[command] = func
        return func

    return register


def render(record: Record, console: Any) -> None:
    """Print one record for a person (rich console on stdout)."""
    func = RENDERERS.get(record.get("command", ""), render_generic)
    func(record, console)


def render_generic(record: Record, console: Any) -> None:
    """Fallback: a two-column key/value table."""
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in jsonable(record).items():
        table.add_row(f"[bold]{key}[/]", json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
    console.print(table)


def error_line(record: Record, with_file: bool = True) -> str:
    """The one-line message for an input that could not be analysed."""
    message = str(record.get("error", "unknown error")).splitlines()[0] if record.get("error") else "unknown error"
    prefix = f"{record['file']}: " if with_file and record.get("file") else ""
    return f"error: {prefix}{message}"


def render_summary(records: Sequence[Record], console: Any, group_key: str | None = None) -> None:
    """Counts per status and, where it applies, per group (space group, verdict...)."""
    from rich.table import Table

    status = Counter(r["status"] for r in records)
    title = f"summary of {len(records)} inputs"
    table = Table(title=title, show_header=True, min_width=len(title) + 4)
    table.add_column("status")
    table.add_column("count", justify="right")
    for name in ("ok", "failed", "error"):
        if status.get(name):
            table.add_row(name, str(status[name]))
    console.print(table)
    if group_key:
        groups = Counter(str(r[group_key]) for r in records if r.get(group_key) is not None)
        if groups:
            by_group = Table(show_header=True)
            by_group.add_column(group_key.removesuffix("_label").replace("_", " "))
            by_group.add_column("count", justify="right")
            for name, count in groups.most_common():
                by_group.add_row(name, str(count))
            console.print(by_group)


# Each command registers its renderer below, in its own section.


# --- symmetry
@renderer("symmetry")
def render_symmetry(record: Record, console: Any) -> None:
    """Space group (crystals) or point group (molecules) of one structure, with its Wyckoff sites."""
    from rich.markup import escape
    from rich.table import Table

    def text(value: Any) -> str:
        return escape(str(value if value is not None else ""))

    crystal = record.get("kind") == "crystal"
    console.print(f"[bold]{text(record.get('file'))}[/]  {text(record.get('formula'))} "
                  f"({text(record.get('kind'))}, {text(record.get('num_atoms'))} atoms)")
    info = Table(show_header=False, box=None, padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    if crystal:
        group = record["space_group"]
        info.add_row("space group", text(f"{group['symbol']} ({group['number']})"))
        info.add_row("Hall symbol", text(record.get("hall_symbol")))
        order = record.get("point_group_order")
        info.add_row("point group", text(record["point_group"]) + (f" (order {order})" if order else ""))
        info.add_row("crystal system", text(record.get("crystal_system")))
        angle = record.get("angle_tol")
        info.add_row("tolerances", f"symprec {record.get('symprec'):g} Å, angle tolerance "
                     + (f"{angle:g}°" if angle is not None else "automatic"))
    else:
        order = record.get("order")
        info.add_row("point group", f"{text(record['point_group'])} (order {order if order is not None else '∞'})")
        info.add_row("tolerance", f"symprec {record.get('symprec'):g} Å")
    if "declared_match" in record:
        declared = record.get("declared") or {}
        match = text(record["declared_match"])
        if declared:
            match = f"{text(declared.get('symbol'))} ({text(declared.get('number'))}): {match}"
        style = "red" if record.get("status") == "failed" else "green"
        info.add_row("declared", f"[{style}]{match}[/]")
    if record.get("mismatch"):
        info.add_row("mismatch", f"[red]{text(record['mismatch'])}[/]")
    for note in record.get("notes") or []:
        info.add_row("note", text(note))
    console.print(info)
    sites = record.get("sites")
    if sites:
        table = Table(show_header=True, header_style="bold", padding=(0, 1))
        for column in ("species", "Wyckoff", "multiplicity", "site symmetry", "atoms in cell"):
            table.add_column(column, justify="right" if column in ("multiplicity", "atoms in cell") else "left")
        for site in sites:
            table.add_row(text(site["species"]), text(site["wyckoff"]), text(site["multiplicity"]),
                          text(site["site_symmetry"]), text(site["count"]))
        console.print(table)
    console.print()


# --- curie
def _curie_vec(v: Any) -> str:
    return " ".join(f"{float(x) + 0.0:+.3f}" for x in v)


@renderer("curie")
def render_curie(record: Record, console: Any) -> None:
    """Feasibility verdict, groups, blocking operations, network outcome and unblocking irreps."""
    from rich.table import Table

    feasible = bool(record.get("feasible"))
    verdict = "[green]FEASIBLE[/]" if feasible else "[red]INFEASIBLE[/]"
    if record.get("mode") == "property":
        verdict = "[green]ALLOWED[/]" if feasible else "[red]FORBIDDEN[/]"
        what = str(record.get("property"))
        if what != record.get("irreps"):
            what += f" ({record.get('irreps')})"
        head = f"[bold]{record.get('input', '')}[/] carries {what}? {verdict}"
    else:
        head = f"[bold]{record.get('input', '')} -> {record.get('output', '')}[/]: {verdict}"
    console.print(head)
    info = Table(show_header=False, box=None, padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    order = record.get("input_group_order")
    info.add_row("input group", f"{record.get('input_group')} ({order if order else '∞'} operations)")
    if record.get("mode") == "property":
        info.add_row("independent components",
                     f"{record.get('independent_components')} of {record.get('components')}  "
                     + ", ".join(f"{k}: {v}" for k, v in (record.get("components_by_irrep") or {}).items()))
        if record.get("forbidding_operations") and not feasible:
            info.add_row("forbidding alone", "; ".join(record["forbidding_operations"]))
    else:
        info.add_row("output group", str(record.get("output_group")))
        if record.get("map_group") is not None:
            kept = record.get("kept_operations")
            total = record.get("input_operations")
            info.add_row("kept by the map", f"{record['map_group']}" + (f" ({kept} of {total})" if total else ""))
        floor = (record.get("group_average") or {}).get("symmetry_floor")
        if floor is not None:
            info.add_row("symmetry floor", f"{floor:.4g} Å² (mean squared error of the group average)")
    blocking = record.get("blocking_operations") or []
    if blocking:
        shown = blocking if len(blocking) <= 12 else blocking[:12] + [f"... {len(blocking) - 12} more"]
        info.add_row("blocking", "\n".join(shown))
    net = record.get("network")
    if net:
        agree = "agrees" if net.get("agrees_with_group_theory") else "[red]DISAGREES[/]"
        text = (f"loss {net['initial_loss']:.3g} -> {net['final_loss']:.3g} in {net['steps']} L-BFGS steps "
                f"({net['seconds']:.2f} s); distance to the group average "
                f"{net['prediction_distance_to_group_average']:.2g}; verdict "
                f"{'feasible' if net['feasible'] else 'infeasible'} ({agree})")
        info.add_row("network", text)
    elif record.get("network", "absent") is None:
        info.add_row("network", record.get("network_note") or "not trained (--no-train)")
    if not feasible:
        unblock = record.get("unblocking") or {}
        if record.get("unblocking_irreps"):
            text = f"a global input {record['unblocking_irreps']}"
            if unblock.get("alternatives"):
                text += f" (or {', '.join(unblock['alternatives'])})"
            confirm = unblock.get("network")
            if confirm:
                text += (f"; retrained with it: loss {confirm['final_loss']:.3g}, learned input keeps "
                         f"{confirm.get('learned_input_group')}")
            info.add_row("unblocking", text)
        elif unblock.get("reason"):
            info.add_row("unblocking", str(unblock["reason"]))
    console.print(info)
    if record.get("mode") == "map" and net and record.get("points", 0) <= 12:
        table = Table(show_header=True, header_style="bold", padding=(0, 1))
        for column in ("point", "target displacement (Å)", "group average", "network prediction"):
            table.add_column(column)
        avg = record["group_average"]["displacements"]
        for k, (d, a, p) in enumerate(zip(record["target_displacements"], avg, net["prediction"])):
            table.add_row(str(k), _curie_vec(d), _curie_vec(a), _curie_vec(p))
        console.print(table)
    console.print()


# --- order-params
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


@renderer("order-params")
def render_order_params(record: Record, console: Any) -> None:
    """Parent -> child, the verified order parameter, and every carrier allowed by symmetry."""
    from rich.table import Table

    verified = bool(record.get("verified"))
    verdict = "[green]VERIFIED[/]" if verified else "[red]NOT VERIFIED[/]"
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
    info.add_row("decorated parent", f"[{style}]{_op_group(record.get('decorated_space_group'))}[/] "
                                     f"(child {_op_group(child.get('space_group'))}, spglib, symprec {record.get('symprec')} Å)")
    loss = record.get("loss") or {}
    info.add_row("training", f"relative loss {loss.get('initial', float('nan')):.3g} -> {loss.get('final', float('nan')):.3g} "
                             f"in {record.get('steps')} steps (seed {record.get('seed')}, lmax {record.get('lmax')})")
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
