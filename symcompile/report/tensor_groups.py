"""Human rendering of ``tensor NAME --all-groups [--magnetic]``: one table, a row per point group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["render_tensor_groups"]

_KIND_STYLE = {"ordinary": "", "grey": "dim", "black-white": "magenta"}


def render_tensor_groups(records: Sequence[dict[str, Any]], console: Any) -> None:
    """The number of independent components under each group, with a count of the groups allowing it."""
    from rich.markup import escape
    from rich.table import Table

    if not records:
        return
    first = records[0]
    magnetic = "magnetic_kind" in first
    allowing = sum(1 for r in records if r["allowed"])
    what = first["name"] or first["formula"]
    time = f", time-{first['time_parity']}" if magnetic or first["time_parity"] == "odd" else ""
    title = (f"{escape(what)} ({escape(first['irreps'] or 'vanishes')}{time}): allowed by {allowing} of "
             f"{len(records)} {'magnetic ' if magnetic else ''}point groups")
    table = Table(title=title, title_justify="left", show_header=True, header_style="bold", padding=(0, 1))
    if magnetic:
        table.add_column("number", justify="right", no_wrap=True)
    table.add_column("group", no_wrap=True)
    table.add_column("Schoenflies", no_wrap=True)
    if magnetic:
        table.add_column("kind", no_wrap=True)
    table.add_column("order", justify="right", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("by irrep")
    system = None
    for r in records:
        if system is not None and r["crystal_system"] != system:
            table.add_section()
        system = r["crystal_system"]
        count = r["independent_components"]
        shown = f"[bold green]{count}[/]" if count else "[dim]0[/]"
        irreps = " ".join(f"{k}:{v}" for k, v in r["invariants_by_irrep"].items())
        row = [escape(r["point_group"]), escape(r["point_group_schoenflies"])]
        if magnetic:
            kind = r["magnetic_kind"]
            style = _KIND_STYLE.get(kind, "")
            row = [r["magnetic_number"], *row, f"[{style}]{kind}[/]" if style else kind]
        table.add_row(*row, str(r["point_group_order"]), shown, escape(irreps))
    console.print(table)
