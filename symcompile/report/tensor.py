"""The ``tensor`` command's record and its human rendering (irreps, counts, Voigt matrices, relations).

The record is :func:`symcompile.tensors.tensor_report` in the shared shape: ``point_group``
``{hm, schoenflies, order}`` (with ``point_group_setting``), ``space_group`` ``{number,
symbol}`` for ``--space-group`` or a crystal ``--structure``, ``structure`` {file, kind,
space_group, point_group}, ``tolerances`` and ``notes`` when a structure is analysed.
"""

from __future__ import annotations

from typing import Any

from symcompile.report import Record, finish, tolerances

COMMAND = "tensor"

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


def _point_group_entry(name: str, schoenflies: str, order: int | None) -> dict[str, Any]:
    """o3's point group (HM name in its setting, Schoenflies symbol) in the shared shape."""
    from symcompile.structures.naming import point_group_entry

    crystallographic = name != schoenflies and name not in ("O(3)", "SO(3)")
    return point_group_entry(schoenflies, order, name if crystallographic else None)


def tensor_record(report: dict[str, Any], symprec: float, angle_tol: float | None, seconds: float,
                  mag_symprec: float | None = None) -> Record:
    """A :func:`~symcompile.tensors.tensor_report` dict in the shared record shape."""
    from symcompile.structures.spacegroup import space_group_name

    record = dict(report)
    structure = record.get("structure")
    groups: dict[str, Any] = {}
    if isinstance(record.get("space_group"), int):
        groups["space_group"] = space_group_name(record.pop("space_group"))
    elif structure:
        groups["space_group"] = structure.get("space_group")
    if record.get("point_group") is not None:
        groups["point_group"] = _point_group_entry(record.pop("point_group"), record.pop("point_group_schoenflies"),
                                                   record.pop("point_group_order"))
    keys = list(record)
    at = keys.index("multiplicities") + 1 if "multiplicities" in keys else len(keys)
    record = {**{k: record[k] for k in keys[:at]}, **groups, **{k: record[k] for k in keys[at:]}}
    if structure:
        record["file"] = structure.get("file")
        record["notes"] = list(structure.pop("notes", []))
        record["tolerances"] = tolerances(symprec, angle_tol)
        if structure.get("magnetic"):
            record["tolerances"]["mag_symprec"] = symprec if mag_symprec is None else mag_symprec
    record["seconds"] = {"total": round(seconds, 4)}
    return finish(record, COMMAND)


def group_table_record(row: dict[str, Any]) -> Record:
    """One row of ``tensor --all-groups`` (one point group) in the shared record shape."""
    record = dict(row)
    record["point_group"] = _point_group_entry(record.pop("point_group"), record.pop("point_group_schoenflies"),
                                               record.pop("point_group_order"))
    return finish(record, COMMAND)


def render(record: dict[str, Any], console: Any) -> None:
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
    space_group = record.get("space_group")
    if structure:
        if structure.get("kind") == "crystal":
            info.add_row("structure", f"crystal, space group {space_group['symbol']} ({space_group['number']})")
            magnetic = structure.get("magnetic")
            if magnetic:
                info.add_row("magnetic group", f"{magnetic['bns']['symbol']} (BNS {magnetic['bns']['number']}), "
                                               f"type {magnetic['type_roman']}")
        else:
            info.add_row("structure", f"molecule, point group {structure['point_group']['schoenflies']}")
    elif space_group is not None:
        info.add_row("space group", f"{space_group['symbol']} ({space_group['number']})")
    point_group = record.get("point_group")
    if point_group is not None:
        order = point_group.get("order")
        info.add_row("point group", f"{point_group['hm']} ({point_group['schoenflies']}, "
                                    f"order {order if order is not None else '∞'})")
        info.add_row("setting", str(record.get("point_group_setting", "")))
        info.add_row("independent components", f"[bold green]{record['independent_components']}[/]")
        by_irrep = record.get("invariants_by_irrep") or {}
        if by_irrep:
            info.add_row("from irreps", " + ".join(f"{v} ({k})" for k, v in by_irrep.items()))
    for note in record.get("notes") or []:
        info.add_row("note", str(note))
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
