"""The ``symmetry`` command's record (one per structure file) and its human rendering.

Record: ``kind``, ``formula``, ``num_atoms``, ``space_group`` (null for molecules),
``point_group``, crystals also ``crystal_system``, ``setting``, ``sites``; crystals with
magnetic moments ``magnetic`` (BNS/OG group, type, magnetic point group); with
``--check-declared`` ``declared``, ``declared_match`` (and ``mismatch`` when it fails); then
``tolerances`` (with ``mag_symprec`` when moments were analysed), ``seconds``, ``notes``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from symcompile.report import Record, finish, group_label, tolerances

COMMAND = "symmetry"
SUMMARY_HEADING = "group"
summary_label = group_label


def symmetry_record(source: Any, symprec: float = 1e-3, angle_tol: float | None = None,
                    check_declared: bool = False, magnetic: bool = True, mag_symprec: float | None = None) -> Record:
    """The record of one structure file (or Structure) in the shared shape."""
    from symcompile.structures.analysis import analyse_symmetry

    start = time.perf_counter()
    result = analyse_symmetry(source, symprec, angle_tol, check_declared, magnetic, mag_symprec)
    result["tolerances"] = tolerances(symprec, angle_tol)
    if "magnetic" in result:
        result["tolerances"]["mag_symprec"] = symprec if mag_symprec is None else mag_symprec
    result["seconds"] = {"total": round(time.perf_counter() - start, 4)}
    return finish(result, COMMAND)


@dataclass(frozen=True)
class SymmetryTask:
    """Picklable per-file task of the ``symmetry`` command (runs in worker processes too)."""

    symprec: float = 1e-3
    angle_tol: float | None = None
    check_declared: bool = False
    magnetic: bool = True
    mag_symprec: float | None = None

    def __call__(self, path: str) -> Record:
        return symmetry_record(path, self.symprec, self.angle_tol, self.check_declared, self.magnetic,
                               self.mag_symprec)

    def prepare(self) -> None:
        """Import and build once what every file needs (forked workers inherit it)."""
        from symcompile.o3.point_groups import point_group
        from symcompile.structures import analysis, cif_reader, molecules  # noqa: F401
        from symcompile.structures.spacegroup import space_group_types

        space_group_types()
        point_group("1")


def render(record: Record, console: Any) -> None:
    """Space group (crystals) or point group (molecules) of one structure, with its setting and sites."""
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
    point_group = record.get("point_group") or {}
    order = point_group.get("order")
    pg = f"{point_group.get('hm')} ({point_group.get('schoenflies')}, order {order if order is not None else '∞'})"
    tol = record.get("tolerances") or {}
    if crystal:
        group = record["space_group"]
        setting = record.get("setting") or {}
        info.add_row("space group", text(f"{group['symbol']} ({group['number']})"))
        info.add_row("point group", text(pg))
        info.add_row("crystal system", text(record.get("crystal_system")))
        info.add_row("Hall symbol", text(setting.get("hall_symbol")))
        info.add_row("setting", text(_setting_words(setting)))
        angle = tol.get("angle_tol")
        info.add_row("tolerances", f"symprec {tol.get('symprec'):g} Å, angle tolerance "
                     + (f"{angle:g}°" if angle is not None else "automatic")
                     + (f", moments {tol['mag_symprec']:g} μB" if tol.get("mag_symprec") is not None else ""))
        for name, value in magnetic_rows(record.get("magnetic")):
            info.add_row(name, text(value))
    else:
        info.add_row("point group", text(pg))
        info.add_row("tolerance", f"symprec {tol.get('symprec'):g} Å")
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
        cell = (record.get("setting") or {}).get("wyckoff_multiplicities", "")
        table = Table(show_header=True, header_style="bold", padding=(0, 1),
                      caption=f"multiplicity: atoms per {cell}" if cell else None)
        for column in ("species", "Wyckoff", "multiplicity", "site symmetry", "atoms in cell"):
            table.add_column(column, justify="right" if column in ("multiplicity", "atoms in cell") else "left")
        for site in sites:
            table.add_row(text(site["species"]), text(site["wyckoff"]), text(site["multiplicity"]),
                          text(site["site_symmetry"]), text(site["count"]))
        console.print(table)
    console.print()


def magnetic_rows(block: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The ``magnetic`` block as (heading, words) rows: group, point group, moments, declared BNS."""
    if not block:
        return []
    bns, og, pg, moments = block["bns"], block["og"], block["point_group"], block["moments"]
    rows = [("magnetic group", f"{bns['symbol']} (BNS {bns['number']}), OG {og['symbol']} ({og['number']}), "
                               f"type {block['type_roman']} ({block['type_words']})")]
    setting = "" if pg["hm_bns_setting"] == pg["hm"] else f"; {pg['hm_bns_setting']} in the BNS setting's axes"
    rows.append(("magnetic point group", f"{pg['hm']} ({pg['schoenflies']}, Litvin {pg['number']}, {pg['kind']}, "
                                         f"order {pg['order']}){setting}"))
    net = " ".join(f"{float(x) + 0.0:.3g}" for x in moments["net"])
    rows.append(("moments", f"{'collinear' if moments['collinear'] else 'non-collinear'}, largest "
                            f"{moments['largest']:.3g} μB; primitive magnetic cell: {block['primitive_atoms']} atoms, "
                            f"{moments['magnetic_atoms']} magnetic, net moment ({net}) μB"))
    if block.get("declared_bns"):
        rows.append(("declared BNS", f"{block['declared_bns']}: {block['declared_match']}"))
    return rows


def _setting_words(setting: dict[str, Any]) -> str:
    """'standard setting' / 'x_std = P x + p, P = [0 1 0; 0 0 1; 1 0 0], p = (0, 0, 0)', origin and axes."""
    parts = []
    if setting.get("origin_choice"):
        parts.append(f"origin choice {setting['origin_choice']}")
    if setting.get("axes"):
        parts.append(f"{setting.get('input_axes')} axes given, {setting['axes']} axes standard")
    if setting.get("standard"):
        parts.append("the given cell is the standard setting")
    else:
        P, p = setting.get("transformation_matrix"), setting.get("origin_shift")
        rows = "; ".join(" ".join(f"{float(x):g}" for x in row) for row in P) if P is not None else ""
        shift = ", ".join(f"{float(x):g}" for x in p) if p is not None else ""
        parts.append(f"to the standard setting: x_std = P x + p, P = [{rows}], p = ({shift})")
    return "; ".join(parts)
