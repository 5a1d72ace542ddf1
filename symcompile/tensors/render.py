"""Human rendering of ``tensor`` records (rich tables): irreps, counts, Voigt matrices, relations.

Registered with :func:`symcompile.report.renderer` on import (the CLI imports it).
"""

from __future__ import annotations

from typing import Any

from symcompile.report import renderer

#: Longest list of components printed for people (everything is in ``--json``).
MAX_LISTED = 60


def _matrix_table(voigt: dict[str, Any], title: str) -> Any:
    from rich.table import Table

    table = Table(title=title, show_header=True, header_style="bold", title_justify="left", padding=(0, 1))
    table.add_column("", style="bold")
    for label in voigt["col_labels"]:
        table.add_column(label, justify="center")
    for label, row in zip(voigt["row_labels"], voigt["rows"]):
        table.add_row(label, *[("[dim]0[/]" if e == "0" else e) for e in row])
    return table


def _form(console: Any, form: dict[str, Any], heading: str) -> None:
    console.print(f"[bold]{heading}[/]: {form['independent_components']} independent component(s)"
                  + ("" if form.get("exact", True) else " [yellow](coefficients rounded: not exact numbers)[/]"))
    if form.get("voigt"):
        v = form["voigt"]
        note = {1: "", 2: " (Voigt value = tensor component x 2 per shear index)"}.get(v.get("shear_factor", 1), "")
        console.print(_matrix_table(v, f"{v['symbol']} (Voigt/Nye notation){note}"))
    if form["free"]:
        console.print("  free: " + ", ".join(form["free"]))
    if form["relations"] and form.get("voigt"):
        console.print("  relations: " + "; ".join(form["relations"]))
    if not form.get("voigt"):
        items = list(form["components"].items())
        dependent = [(n, e) for n, e in items if n != e]
        if dependent:
            console.print("  other nonzero components (index-symmetry representatives):")
        for name, expr in dependent[:MAX_LISTED]:
            console.print(f"    {name} = {expr}")
        if len(dependent) > MAX_LISTED:
            console.print(f"    ... {len(dependent) - MAX_LISTED} more (see --json)")
        if not items:
            console.print("  all components vanish")


@renderer("tensor")
def render_tensor(record: dict[str, Any], console: Any) -> None:
    """One tensor: irreps and dimension; with a group, the count and the allowed forms."""
    from rich.table import Table

    title = f"[bold]{record['formula']}[/]"
    if record.get("name"):
        title += f"  ({record['name']}: {record.get('description') or ''})"
    console.print(title)
    info = Table(show_header=False, box=None, padding=(0, 2))
    info.add_column(style="bold", no_wrap=True)
    info.add_column(overflow="fold")
    info.add_row("rank", str(record["rank"]))
    if record.get("index_types"):
        info.add_row("index types", ", ".join(f"{k}={v}" for k, v in record["index_types"].items()))
    if record.get("axial"):
        info.add_row("axial", "yes (extra det(R))")
    if record.get("time_parity") == "odd" or record.get("magnetic_point_group"):
        info.add_row("time reversal", str(record.get("time_parity", "even")))
    info.add_row("irreps", record["irreps"] or "(none: the formula forces the tensor to vanish)")
    info.add_row("dimension", str(record["dim"]))
    structure = record.get("structure")
    if structure:
        if structure.get("kind") == "crystal":
            info.add_row("structure", f"crystal, space group {structure['space_group_symbol']} "
                                      f"({structure['space_group']})")
        else:
            info.add_row("structure", f"molecule, point group {structure.get('molecule_point_group')}")
    elif record.get("space_group") is not None:
        info.add_row("space group", str(record["space_group"]))
    if record.get("point_group") is not None:
        order = record.get("point_group_order")
        info.add_row("point group", f"{record['point_group']} ({record.get('point_group_schoenflies')}, "
                                    f"order {order if order is not None else '∞'})")
        info.add_row("setting", str(record.get("point_group_setting", "")))
        info.add_row("independent components", f"[bold green]{record['independent_components']}[/]")
        by_irrep = record.get("invariants_by_irrep") or {}
        if by_irrep:
            info.add_row("from irreps", " + ".join(f"{v} ({k})" for k, v in by_irrep.items()))
    console.print(info)
    if record.get("allowed_form"):
        _form(console, record["allowed_form"], "allowed form, standard (IEEE/Nye) orientation")
    if record.get("allowed_form_structure_frame"):
        _form(console, record["allowed_form_structure_frame"], "allowed form, the structure's own Cartesian frame")
    if record.get("allowed_form_note"):
        console.print(f"[dim]{record['allowed_form_note']}[/]")
    basis = record.get("symbolic_basis")
    if basis:
        console.print("[bold]exact basis of each isotypic component[/] (integer tensors, indices 1-based):")
        for irrep, tensors in basis.items():
            console.print(f"  {irrep}: {len(tensors)} tensor(s)")
            for entries in tensors[:12]:
                terms = " ".join(f"{'+' if v > 0 else '-'}{'' if abs(v) == 1 else abs(v)}e{k}"
                                 for k, v in entries.items())
                console.print(f"    {terms}")
            if len(tensors) > 12:
                console.print(f"    ... {len(tensors) - 12} more (see --json)")
    console.print()
