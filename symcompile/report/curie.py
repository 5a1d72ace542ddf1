"""The ``curie`` command's record and its human rendering.

Record (map mode, ``IN OUT``): ``file`` (IN), ``output`` (OUT), ``space_group``/``point_group``
of IN, ``output_groups`` {space_group, point_group} of OUT, ``map_group`` (the point group IN
keeps under the map), ``feasible``, blocking operations, the group average, unblocking irreps
and the network. Property mode (``IN --property P``): ``property_group`` instead of
``map_group``/``output_groups``; a crystal with magnetic moments also ``magnetic`` (as in
``symmetry``), and its operations are the magnetic ones. Then ``tolerances``, ``seconds``, ``notes``.
"""

from __future__ import annotations

from typing import Any

from symcompile.report import Record, finish, group_label

COMMAND = "curie"
SUMMARY_HEADING = "verdict"


def summary_label(record: Record) -> str | None:
    return "feasible" if record.get("feasible") else "infeasible"


def curie_record(input_file: str, output_file: str | None, prop: str | None, options: Any) -> Record:
    """``curie IN OUT`` or ``curie IN --property P`` as a record in the shared shape."""
    from symcompile.curie.check import curie_check, property_check

    if prop is not None:
        record = property_check(input_file, prop, options)
    else:
        record = curie_check(input_file, str(output_file), options)
    seconds = record.get("seconds") or {}
    seconds["total"] = round(sum(v for k, v in seconds.items() if k != "total"), 4)
    record["seconds"] = seconds
    return finish(record, COMMAND)


def _vec(v: Any) -> str:
    return " ".join(f"{float(x) + 0.0:+.3f}" for x in v)


def _group(entry: dict[str, Any] | None) -> str:
    """'D4h (4/mmm)' for a point group entry."""
    if not entry:
        return "none"
    return f"{entry.get('schoenflies')} ({entry.get('hm')})"


def render(record: Record, console: Any) -> None:
    """Feasibility verdict, groups, blocking operations, network outcome and unblocking irreps."""
    from rich.table import Table

    feasible = bool(record.get("feasible"))
    verdict = "[green]FEASIBLE[/]" if feasible else "[red]INFEASIBLE[/]"
    if record.get("mode") == "property":
        verdict = "[green]ALLOWED[/]" if feasible else "[red]FORBIDDEN[/]"
        what = str(record.get("property"))
        if what != record.get("irreps"):
            what += f" ({record.get('irreps')})"
        head = f"[bold]{record.get('file', '')}[/] carries {what}? {verdict}"
    else:
        head = f"[bold]{record.get('file', '')} -> {record.get('output', '')}[/]: {verdict}"
    console.print(head)
    info = Table(show_header=False, box=None, padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    count = record.get("input_operations")
    label = group_label(record) if record.get("space_group") else _group(record.get("point_group"))
    magnetic = record.get("magnetic")
    if magnetic:
        info.add_row("atoms' group", label)
        pg = magnetic["point_group"]
        label = (f"{magnetic['bns']['symbol']} (BNS {magnetic['bns']['number']}, type {magnetic['type_roman']}); "
                 f"magnetic point group {pg['hm']} ({pg['schoenflies']})")
        if pg["hm_bns_setting"] != pg["hm"]:
            label += f", {pg['hm_bns_setting']} in the BNS axes"
        count = f"{count} operations in the primitive magnetic cell" if count else None
    elif count:
        count = f"{count} operations"
    info.add_row("input group", f"{label}, " + (count or "continuous"))
    if record.get("mode") == "property":
        info.add_row("independent components",
                     f"{record.get('independent_components')} of {record.get('components')}  "
                     + ", ".join(f"{k}: {v}" for k, v in (record.get("components_by_irrep") or {}).items()))
        if record.get("forbidding_operations") and not feasible:
            info.add_row("forbidding alone", "; ".join(record["forbidding_operations"]))
    else:
        out = record.get("output_groups") or {}
        info.add_row("output group", group_label(out) if out.get("space_group") else _group(out.get("point_group")))
        if record.get("map_group") is not None:
            kept = record.get("kept_operations")
            total = record.get("input_operations")
            info.add_row("kept by the map", _group(record["map_group"]) + (f", {kept} of {total} operations"
                                                                           if total else ""))
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
                         f"{_group(confirm.get('learned_input_group'))}")
            info.add_row("unblocking", text)
        elif unblock.get("reason"):
            info.add_row("unblocking", str(unblock["reason"]))
    for note in record.get("notes") or []:
        info.add_row("note", str(note))
    console.print(info)
    if record.get("mode") == "map" and net and record.get("points", 0) <= 12:
        table = Table(show_header=True, header_style="bold", padding=(0, 1))
        for column in ("point", "target displacement (Å)", "group average", "network prediction"):
            table.add_column(column)
        avg = record["group_average"]["displacements"]
        for k, (d, a, p) in enumerate(zip(record["target_displacements"], avg, net["prediction"])):
            table.add_row(str(k), _vec(d), _vec(a), _vec(p))
        console.print(table)
    console.print()
