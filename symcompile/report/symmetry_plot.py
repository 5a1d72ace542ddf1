"""``symcompile symmetry --plot``: one summary figure for a batch of structures.

Crystals by space group (bars coloured by crystal system) and by crystal system, molecules by
point group; with ``--check-declared`` the files whose detected group differs from the declared
one are hatched in the bars and listed (declared -> detected, and whether the structure has the
same, higher, lower or a different symmetry than declared).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Any

from symcompile.report.plotting import INK, MUTED, PALETTE, new_figure, plot_style, save_figure, typeset_symbol

__all__ = ["plot_symmetry", "CRYSTAL_SYSTEMS", "summarise"]

#: The seven crystal systems in order of increasing symmetry, with their colours.
CRYSTAL_SYSTEMS = {
    "triclinic": PALETTE["purple"],
    "monoclinic": PALETTE["sky"],
    "orthorhombic": PALETTE["green"],
    "tetragonal": PALETTE["blue"],
    "trigonal": PALETTE["orange"],
    "hexagonal": PALETTE["yellow"],
    "cubic": PALETTE["vermillion"],
}
#: Declared-vs-detected outcomes in the order they are listed (see structures/declared.py).
RELATIONS = ("same", "higher", "lower", "different", "none declared")
_MISMATCH = PALETTE["vermillion"]
_LINE = 10.5  # points between the lines of the mismatch list
#: At most this many bars; the rarest groups beyond it share one bar.
MAX_BARS = 40
#: At most this many mismatches listed by name.
MAX_LISTED = 12


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of a batch: space groups (with crystal system and mismatches), crystal systems, molecule
    point groups, declared-vs-detected relations, the mismatches and the inputs that could not be read.

    >>> s = summarise([{"status": "ok", "kind": "molecule", "point_group": {"hm": "mm2", "schoenflies": "C2v"}},
    ...                {"status": "error", "file": "x.cif", "error": "unreadable"}])
    >>> s["molecules"], s["errors"]
    (Counter({('C2v', 'mm2'): 1}), 1)
    """
    space_groups: Counter[tuple[int, str, str]] = Counter()
    mismatched: Counter[tuple[int, str, str]] = Counter()
    systems: Counter[str] = Counter()
    molecules: Counter[tuple[str, str]] = Counter()
    relations: Counter[str] = Counter()
    mismatches: list[dict[str, Any]] = []
    errors = 0
    for record in records:
        if record.get("status") == "error":
            errors += 1
            continue
        if "declared_match" in record:
            relations[record["declared_match"]] += 1
        if record.get("kind") == "crystal" and record.get("space_group"):
            sg = record["space_group"]
            key = (int(sg["number"]), str(sg["symbol"]), str(record.get("crystal_system")))
            space_groups[key] += 1
            systems[key[2]] += 1
            if record.get("declared_match") not in (None, "same", "none declared"):
                mismatched[key] += 1
                mismatches.append(record)
        else:
            pg = record.get("point_group") or {}
            molecules[(str(pg.get("schoenflies")), str(pg.get("hm")))] += 1
    return {"space_groups": space_groups, "mismatched": mismatched, "systems": systems, "molecules": molecules,
            "relations": relations, "mismatches": mismatches, "errors": errors}


def _bars(counts: Counter[Any], key: Any) -> tuple[list[Any], int]:
    """The entries to draw (sorted by ``key``) and how many rarer ones share the last 'other' bar."""
    items = list(counts)
    if len(items) <= MAX_BARS:
        return sorted(items, key=key), 0
    kept = sorted(counts, key=lambda k: (-counts[k], key(k)))[: MAX_BARS - 1]
    return sorted(kept, key=key), len(items) - len(kept)


def _count_labels(ax: Any, xs: list[float], heights: list[int], horizontal: bool = False) -> None:
    for x, h in zip(xs, heights):
        if horizontal:
            ax.annotate(str(h), (h, x), xytext=(3, 0), textcoords="offset points", ha="left", va="center",
                        fontsize=7.5, color=INK if h else MUTED)
        else:
            ax.annotate(str(h), (x, h), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7.5)


def _integer_axis(axis: Any, top: int) -> None:
    """Counts: every integer up to 6, else about six integer ticks."""
    from matplotlib.ticker import MaxNLocator, MultipleLocator

    axis.set_major_locator(MultipleLocator(1) if top <= 6 else MaxNLocator(integer=True, nbins=6))


def _needs_rotation(labels: list[str], ax: Any, size: float = 7.0) -> bool:
    """Would two neighbouring tick labels (about 0.62 em a character) come closer than 1 em?"""
    if len(labels) < 2:
        return False
    spacing = ax.get_figure().get_figwidth() * 72.0 * 0.88 / len(labels)
    widths = [0.62 * size * len(label.replace("\u0305", "")) for label in labels]
    return any((a + b) / 2.0 + size > spacing for a, b in zip(widths, widths[1:]))


def _draw_space_groups(ax: Any, summary: dict[str, Any], check_declared: bool) -> None:
    """Crystals per space group, coloured by crystal system; the mismatched part of a bar hatched."""
    counts, mismatched = summary["space_groups"], summary["mismatched"]
    entries, others = _bars(counts, key=lambda k: k[0])
    heights = [counts[k] for k in entries]
    rotate = _needs_rotation([typeset_symbol(symbol) for _, symbol, _ in entries], ax)
    joint = " " if rotate else "\n"
    labels = [f"{typeset_symbol(symbol)}{joint}({number})" for number, symbol, _ in entries]
    colours = [CRYSTAL_SYSTEMS.get(system, MUTED) for _, _, system in entries]
    xs = list(range(len(heights)))
    ax.bar(xs, heights, width=0.7, color=colours, edgecolor=INK, linewidth=0.4, zorder=2)
    if check_declared:
        bad = [mismatched.get(k, 0) for k in entries]
        if any(bad):
            ax.bar(xs, bad, width=0.7, color="white", edgecolor=_MISMATCH, hatch="////", linewidth=1.0, zorder=3,
                   alpha=0.9)
    _count_labels(ax, xs, heights)
    ax.set_xticks(xs, labels, rotation=90 if rotate else 0, fontsize=7)
    ax.set_xlim(-0.7, len(xs) - 0.3)
    ax.set_ylim(0, max(heights) * 1.45 + 0.3)  # the key sits above the bars
    _integer_axis(ax.yaxis, max(heights))
    ax.set_ylabel("structures")
    title = f"crystals by space group ({len(counts)} group{'s' if len(counts) != 1 else ''}"
    if others:
        rest = sum(counts.values()) - sum(heights)
        title += f"; the {MAX_BARS - 1} most frequent shown, {others} rarer ones hold {rest} crystals"
    ax.set_title(title + ")", loc="left")
    ax.grid(axis="y", color=(0.92, 0.92, 0.92), lw=0.5, zorder=0)


def _draw_systems(ax: Any, summary: dict[str, Any]) -> None:
    """Crystals per crystal system: all seven listed, from triclinic (bottom) to cubic (top)."""
    systems = summary["systems"]
    names = list(CRYSTAL_SYSTEMS)
    values = [systems.get(name, 0) for name in names]
    ys = list(range(len(names)))
    ax.barh(ys, values, height=0.65, color=[CRYSTAL_SYSTEMS[n] for n in names], edgecolor=INK, linewidth=0.4,
            zorder=2)
    _count_labels(ax, ys, values, horizontal=True)
    ax.set_yticks(ys, names)
    ax.set_xlim(0, max(values + [1]) * 1.25 + 0.2)
    _integer_axis(ax.xaxis, max(values + [1]))
    ax.set_xlabel("crystals")
    ax.set_title("crystal systems", loc="left")
    ax.grid(axis="x", color=(0.92, 0.92, 0.92), lw=0.5, zorder=0)


def _draw_molecules(ax: Any, summary: dict[str, Any]) -> None:
    """Molecules per point group (Schoenflies and Hermann–Mauguin), most frequent on top."""
    counts = summary["molecules"]
    entries, others = _bars(counts, key=lambda k: (-counts[k], k[0]))
    entries = entries[::-1]
    values = [counts[k] for k in entries]
    labels = [f"{schoenflies} ({typeset_symbol(hm)})" for schoenflies, hm in entries]
    ys = list(range(len(values)))
    ax.barh(ys, values, height=0.65, color=PALETTE["blue"], edgecolor=INK, linewidth=0.4, zorder=2)
    _count_labels(ax, ys, values, horizontal=True)
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, max(values) * 1.25 + 0.2)
    _integer_axis(ax.xaxis, max(values))
    ax.set_xlabel("molecules")
    title = "molecules by point group"
    if others:
        title += f" ({others} rarer groups hold {sum(counts.values()) - sum(values)})"
    ax.set_title(title, loc="left")
    ax.grid(axis="x", color=(0.92, 0.92, 0.92), lw=0.5, zorder=0)


def _short(path: str, width: int = 44) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


def _mismatch_line(record: dict[str, Any]) -> str:
    declared = record.get("declared") or {}
    detected = record["space_group"]
    symbol = str(declared.get("symbol") or "").replace(" ", "")
    return (f"{_short(str(record.get('file', '')))}: declared {typeset_symbol(symbol)} ({declared.get('number')}), "
            f"detected {typeset_symbol(detected['symbol'])} ({detected['number']}): {record['declared_match']}")


def _draw_declared(ax: Any, summary: dict[str, Any]) -> None:
    """Declared vs detected: a count per relation, then the mismatched files by name."""
    relations = summary["relations"]
    ax.axis("off")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("declared vs detected space group (--check-declared)", loc="left")
    parts = [f"{name}: {relations.get(name, 0)}" for name in RELATIONS]
    lines = ["   ".join(parts)]
    mismatches = summary["mismatches"]
    if mismatches:
        lines += [_mismatch_line(r) for r in mismatches[:MAX_LISTED]]
        if len(mismatches) > MAX_LISTED:
            lines.append(f"… and {len(mismatches) - MAX_LISTED} more (see --json)")
    else:
        lines.append("no mismatch: every declared group is the one detected")
    for k, line in enumerate(lines):
        colour = INK if k == 0 else (_MISMATCH if mismatches and k <= MAX_LISTED else MUTED)
        ax.annotate(line, (0.0, 1.0), xycoords="axes fraction", xytext=(0.0, -(k + 0.8) * _LINE),
                    textcoords="offset points", ha="left", va="baseline", fontsize=7.5, color=colour,
                    fontweight="bold" if k == 0 else "normal")


def _legend(ax: Any, summary: dict[str, Any], check_declared: bool) -> None:
    """The key to the colours (crystal systems present) and to the hatching, above the bars."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=c, edgecolor=INK, linewidth=0.4, label=name) for name, c in CRYSTAL_SYSTEMS.items()
               if summary["systems"].get(name)]
    if check_declared and summary["mismatched"]:
        handles.append(Patch(facecolor="white", edgecolor=_MISMATCH, hatch="////", label="differs from declared"))
    ax.legend(handles=handles, loc="upper left", ncol=min(len(handles), 4), fontsize=7.5, handlelength=1.4,
              columnspacing=1.2, borderaxespad=0.2)


def _title(summary: dict[str, Any], check_declared: bool) -> str:
    crystals, molecules = sum(summary["systems"].values()), sum(summary["molecules"].values())
    total = crystals + molecules + summary["errors"]
    parts = [f"{crystals} crystal{'s' if crystals != 1 else ''}", f"{molecules} molecule{'s' if molecules != 1 else ''}"]
    if summary["errors"]:
        parts.append(f"{summary['errors']} not read")
    if check_declared:
        parts.append(f"{len(summary['mismatches'])} differ from the declared group")
    return f"{total} structure file{'s' if total != 1 else ''}: " + ", ".join(parts)


def plot_symmetry(records: list[dict[str, Any]], path: str, check_declared: bool = False) -> str:
    """Draw the summary of a batch of ``symmetry`` records to ``path`` (.png/.svg/.pdf); returns the path.

    >>> import tempfile
    >>> from pathlib import Path
    >>> records = [{"status": "ok", "kind": "crystal", "space_group": {"number": 62, "symbol": "Pnma"},
    ...             "crystal_system": "orthorhombic", "point_group": {"hm": "mmm", "schoenflies": "D2h"}}]
    >>> target = Path(tempfile.mkdtemp()) / "batch.svg"
    >>> plot_symmetry(records, str(target)) == str(target) and "Pnma" in target.read_text()
    True
    """
    summary = summarise(records)
    crystals, molecules = bool(summary["space_groups"]), bool(summary["molecules"])
    declared = check_declared and any("declared_match" in r for r in records if r.get("status") != "error")
    listed = min(len(summary["mismatches"]), MAX_LISTED + 1) if declared else 0
    rows: list[tuple[str, float]] = []
    if crystals:
        rows.append(("space_groups", 2.6))
    if crystals or molecules:
        rows.append(("systems", 1.9))
    if declared:
        rows.append(("declared", 0.3 + (2 + listed) * _LINE / 72.0))
    with plot_style():
        fig = new_figure(7.2, sum(h for _, h in rows) + 0.9 if rows else 2.0)
        fig.suptitle("\n".join(textwrap.wrap(_title(summary, check_declared), 80)), fontweight="bold")
        if not rows:
            ax = fig.add_subplot(1, 1, 1)
            ax.axis("off")
            ax.text(0.5, 0.5, "no structure could be analysed", ha="center", va="center", color=MUTED,
                    transform=ax.transAxes)
            return save_figure(fig, path)
        grid = fig.add_gridspec(len(rows), 2, height_ratios=[h for _, h in rows])
        for k, (kind, _) in enumerate(rows):
            if kind == "space_groups":
                ax = fig.add_subplot(grid[k, :])
                _draw_space_groups(ax, summary, declared)
                _legend(ax, summary, declared)
            elif kind == "systems":
                if crystals and molecules:
                    _draw_systems(fig.add_subplot(grid[k, 0]), summary)
                    _draw_molecules(fig.add_subplot(grid[k, 1]), summary)
                elif crystals:
                    _draw_systems(fig.add_subplot(grid[k, :]), summary)
                else:
                    _draw_molecules(fig.add_subplot(grid[k, :]), summary)
            else:
                _draw_declared(fig.add_subplot(grid[k, :]), summary)
        return save_figure(fig, path)

