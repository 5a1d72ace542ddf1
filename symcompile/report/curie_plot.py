"""``symcompile curie --plot``: the map IN -> OUT, or IN with its property verdict, as a picture.

Map mode: IN's points (filled, coloured by species), OUT's points (open) and the symmetry-averaged
prediction (the trained network's, or with ``--no-train`` the group average of group theory: the
best any IN-equivariant map can do), with arrows IN -> OUT and IN -> prediction, projected on the
plane of largest spread; beside it the groups, the symmetry floor and the blocking operations in
words. Crystals: displacements inside IN's cell (their mean, a translation, removed) and the cells
drawn as projected outlines. Property mode: IN, the verdict, the count of independent components
per irrep and the operations that forbid the property.
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symcompile.report.plotting import INK, MUTED, PALETTE, new_figure, plot_style, save_figure, typeset_symbol

__all__ = ["plot_curie", "projection_axes", "axis_words", "arrow_scale"]

#: Species colours in order of first appearance (Okabe–Ito; black is kept for arrows and text).
_SPECIES_COLOURS = ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow")
_PREDICTION = PALETTE["vermillion"]
#: Two spreads closer than this (relative, or absolutely in Å²) are a tie, broken by the next criterion.
_TIE = 1e-6
_TIE_ABS = 1e-10


# --------------------------------------------------------------------------- the projection
def _cartesian_order(q: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the column space of ``q`` made of the Cartesian axes' projections, the
    axis closest to the space first (x before y before z on ties)."""
    p = q @ q.T
    candidates = sorted(range(3), key=lambda i: (-round(float(np.linalg.norm(p[:, i])), 9), i))
    basis: list[np.ndarray] = []
    for i in candidates:
        v = p[:, i].copy()
        for b in basis:
            v -= (b @ v) * b
        if np.linalg.norm(v) > 1e-8:
            basis.append(v / np.linalg.norm(v))
        if len(basis) == q.shape[1]:
            break
    return np.stack(basis, axis=1)


def _ordered_basis(q: np.ndarray, criteria: list[np.ndarray]) -> np.ndarray:
    """The columns of ``q`` rotated so that they follow ``criteria`` (symmetric 3x3 matrices): largest
    eigenvalue of the first criterion first, ties split by the next criteria, then by the x, y, z axes."""
    if q.shape[1] <= 1:
        return q
    if not criteria:
        return _cartesian_order(q)
    w, v = np.linalg.eigh(q.T @ criteria[0] @ q)
    order = np.argsort(-w, kind="stable")
    w, v = w[order], v[:, order]
    gap = max(_TIE * float(np.abs(w).max()), _TIE_ABS)
    parts, start = [], 0
    for i in range(1, len(w) + 1):
        if i == len(w) or w[i - 1] - w[i] > gap:
            parts.append(_ordered_basis(q @ v[:, start:i], criteria[1:]))
            start = i
    return np.concatenate(parts, axis=1)


def projection_axes(points: np.ndarray, tie_breakers: tuple[np.ndarray, ...] = ()) -> np.ndarray:
    """The plane of largest spread of ``points`` [N, 3] (principal component analysis) as two unit rows.

    Equal spreads (a square, a linear molecule, a cubic cell) are split by ``tie_breakers``
    (symmetric 3x3 matrices, e.g. the second moment of the displacements) and then by the nearest
    Cartesian axes, so the picture does not turn with round-off. Each axis points along its largest
    component; two Cartesian axes come in the order x, y, z.

    >>> projection_axes(np.array([[1.25, 1.25, 0], [-1.25, 1.25, 0], [-1.25, -1.25, 0], [1.25, -1.25, 0]]))
    array([[1., 0., 0.],
           [0., 1., 0.]])
    >>> projection_axes(np.array([[0, 0, -1.16], [0, 0, 0], [0, 0, 1.16]]), (np.diag([1e-2, 0, 0]),))
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    centred = pts - pts.mean(axis=0)
    spread = centred.T @ centred / max(len(pts), 1)
    basis = _ordered_basis(np.eye(3), [spread, *tie_breakers])[:, :2].T.copy()
    for row in basis:
        k = int(np.argmax(np.abs(row).round(9)))
        if row[k] < 0:
            row *= -1.0
        row[np.abs(row) < 1e-12] = 0.0
    first, second = (_cartesian_index(row) for row in basis)
    if first is not None and second is not None and first > second:
        basis = basis[::-1].copy()
    return basis


def _cartesian_index(v: np.ndarray) -> int | None:
    k = int(np.argmax(np.abs(v)))
    return k if abs(abs(v[k]) - 1.0) < 1e-9 else None


def axis_words(v: np.ndarray) -> str:
    """``x`` / ``−z`` for a Cartesian axis, else the unit vector ``(0.71, 0.71, 0.00)``.

    >>> axis_words(np.array([0.0, 0.0, 1.0])), axis_words(np.array([1, 1, 0]) / np.sqrt(2))
    ('z', '(0.71, 0.71, 0.00)')
    """
    k = _cartesian_index(v)
    if k is not None:
        return ("−" if v[k] < 0 else "") + "xyz"[k]
    return "(" + ", ".join(f"{float(c) + 0.0:.2f}".replace("-", "−") for c in v) + ")"


def arrow_scale(lengths: np.ndarray, extent: float) -> float:
    """1, or the factor (1, 2 or 5 x 10^n) that makes the longest arrow about a fifth of the picture
    when the true arrows would be shorter than 8 % of it.

    >>> arrow_scale(np.array([0.35]), 3.5), arrow_scale(np.array([0.05]), 1.5), arrow_scale(np.array([0.0]), 1.0)
    (1.0, 5.0, 1.0)
    """
    longest = float(np.max(lengths, initial=0.0))
    if longest <= 1e-9 * max(extent, 1e-9) or longest >= 0.08 * extent:
        return 1.0
    want = 0.2 * extent / longest
    exponent = math.floor(math.log10(want))
    return float(max(f * 10.0 ** exponent for f in (1, 2, 5) if f * 10.0 ** exponent <= want))


# --------------------------------------------------------------------------- what is drawn
def _species_colours(*species_lists: tuple[str, ...] | list[str]) -> dict[str, str]:
    order: list[str] = []
    for species in species_lists:
        for s in species:
            if s not in order:
                order.append(s)
    return {s: PALETTE[_SPECIES_COLOURS[k % len(_SPECIES_COLOURS)]] for k, s in enumerate(order)}


def _cell_edges(lattice: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 12 edges of the cell spanned by the rows of ``lattice``, from the origin."""
    corners = {(i, j, k): np.array([i, j, k], dtype=float) @ lattice for i in (0, 1) for j in (0, 1) for k in (0, 1)}
    edges = []
    for (i, j, k), a in corners.items():
        for d in ((1, 0, 0), (0, 1, 0), (0, 0, 1)):
            end = (i + d[0], j + d[1], k + d[2])
            if end in corners:
                edges.append((a, corners[end]))
    return edges


def _cell_corners(lattice: np.ndarray) -> np.ndarray:
    return np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], dtype=float) @ lattice


def _group_words(record: dict[str, Any]) -> str:
    """'Pm3̄m (221), point group m3̄m' for a crystal, 'D4h (4/mmm)' for a molecule."""
    sg, pg = record.get("space_group"), record.get("point_group") or {}
    point = f"{pg.get('schoenflies')} ({typeset_symbol(str(pg.get('hm')))})" if pg else "none"
    if sg and sg.get("number"):
        return f"{typeset_symbol(sg['symbol'])} ({sg['number']}), point group {point}"
    return point


def _title_name(path: Any) -> str:
    return Path(str(path)).name


class _TextColumn:
    """Lines of text placed top-down in a frameless axes, in points (headings bold, long lines wrapped)."""

    def __init__(self, ax: Any, width: int = 50, size: float = 7.8, below: float = 0.0) -> None:
        self.ax, self.width, self.size = ax, width, size
        self.step = 1.32 * size  # line height, points
        self.y = 0.0  # points below the top of the axes
        ax.axis("off")
        figure = ax.get_figure()
        figure.draw_without_rendering()  # the layout, so that the height of the column is known
        # points available: the column, and ``below`` lines under it (beside the x-axis label of a picture on
        # its left; the lines stay out of the layout, so they never squeeze the picture)
        self.height = ax.get_window_extent().height * 72.0 / figure.dpi + below * self.step

    def _wrap(self, text: str, indent: float) -> list[str]:
        return textwrap.wrap(text, self.width - int(indent * 40), break_on_hyphens=False) or [""]

    def lines_of(self, text: str, indent: float = 0.0) -> int:
        """How many lines ``text`` takes."""
        return len(self._wrap(text, indent))

    def line(self, text: str, bold: bool = False, colour: str = INK, indent: float = 0.0, gap: float = 0.0,
             gid: str | None = None) -> None:
        self.y += gap * self.step
        parts = self._wrap(text, indent)
        for k, part in enumerate(parts):
            artist = self.ax.annotate(part, (indent + (0.04 if k else 0.0), 1.0), xycoords="axes fraction",
                                      xytext=(0.0, -self.y), textcoords="offset points", ha="left", va="top",
                                      fontsize=self.size, fontweight="bold" if bold else "normal", color=colour,
                                      annotation_clip=False)
            artist.set_in_layout(False)
            if gid:
                artist.set_gid(gid)
            self.y += self.step

    def room(self) -> int:
        """How many more lines fit."""
        return max(int((self.height - self.y) / self.step), 0)


def _kind(name: str) -> str:
    """'3-fold rotation about [111] (+120°)' -> '3-fold rotation'; 'inversion' stays."""
    for cut in (" about ", " normal to ", " with translation"):
        name = name.split(cut)[0]
    return name


def _pair_senses(names: list[str]) -> list[str]:
    """'... (+90°)' and '... (-90°)' written once as '... (±90°)' (both senses of a rotation are listed).

    >>> _pair_senses(["4-fold rotation about z (+90°)", "mirror normal to x", "4-fold rotation about z (-90°)"])
    ['4-fold rotation about z (±90°)', 'mirror normal to x']
    """
    out: list[str] = []
    for name in names:
        for sign, other in (("(+", "(-"), ("(-", "(+")):
            if sign in name and name.replace(sign, other) in names:
                name = name.replace(sign, "(±")
        if name not in out:
            out.append(name)
    return out


def _operations_list(column: _TextColumn, heading: str, names: list[str], reserve: int = 0) -> None:
    """A heading and one operation per line; when they do not fit, one line per kind of operation with
    its count (3-fold rotation ×8), shortened to the room left (keeping ``reserve`` lines)."""
    column.line(heading, bold=True, gap=0.5)
    room = max(column.room() - reserve, 2)
    lines = [f"• {name}" for name in names]
    if len(lines) > room:
        lines = [f"• {name}" for name in _pair_senses(names)]
    if len(lines) > room:
        kinds = Counter(_kind(name) for name in names)
        summary = "; ".join((f"{kind}" + (f" ×{n}" if n > 1 else "")).replace(" ", "\u00a0")  # break between kinds
                            for kind, n in kinds.items())
        lines = [f"{part}" for part in textwrap.wrap(summary, column.width - 2, break_on_hyphens=False)]
    shown = lines if len(lines) <= room else lines[: room - 1]
    for text in shown:
        column.line(text, indent=0.02, gid="curie-operation")
    if len(shown) < len(lines):
        column.line(f"… and {len(lines) - len(shown)} more (see --json)", colour=MUTED, indent=0.02)


def _draw_points(ax: Any, xy: np.ndarray, species: list[str], colours: dict[str, str], filled: bool,
                 size: float, zorder: int) -> None:
    for s in dict.fromkeys(species):
        mask = np.array([t == s for t in species])
        if filled:
            ax.plot(xy[mask, 0], xy[mask, 1], "o", ms=size, mfc=colours[s], mec="white", mew=0.8, zorder=zorder)
        else:
            ax.plot(xy[mask, 0], xy[mask, 1], "o", ms=size, mfc="none", mec=colours[s], mew=1.4, zorder=zorder)


def _arrows(ax: Any, start: np.ndarray, end: np.ndarray, colour: str, style: Any, width: float, zorder: int,
            tiny: float) -> None:
    from matplotlib.patches import FancyArrowPatch

    for a, b in zip(start, end):
        if np.linalg.norm(b - a) <= tiny:
            continue
        ax.add_patch(FancyArrowPatch(tuple(a), tuple(b), arrowstyle="-|>", mutation_scale=9, color=colour, lw=width,
                                     linestyle=style, shrinkA=3, shrinkB=3, zorder=zorder))


def _cell_outline(ax: Any, lattice: np.ndarray, origin: np.ndarray, axes: np.ndarray, colour: str, style: Any,
                  width: float) -> None:
    for a, b in _cell_edges(lattice):
        p, q = (a - origin) @ axes.T, (b - origin) @ axes.T
        ax.plot([p[0], q[0]], [p[1], q[1]], color=colour, ls=style, lw=width, zorder=1, solid_capstyle="round")


def _unit_rows(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return np.where(n > 1e-12, v / np.maximum(n, 1e-12), 0.0)


def _frame(ax: Any, xy: np.ndarray, axes: np.ndarray) -> float:
    """Equal aspect, limits with a margin (a flat or linear picture keeps a frame at least 3/4 as wide
    as it is long), axes labelled in Å; returns the extent of the picture."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    extent = float(max((hi - lo).max(), 1.0))
    centre, half = (lo + hi) / 2.0, np.maximum((hi - lo) / 2.0, 0.375 * extent) + 0.14 * extent
    ax.set_xlim(centre[0] - half[0], centre[0] + half[0])
    ax.set_ylim(centre[1] - half[1], centre[1] + half[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"along {axis_words(axes[0])} (Å)")
    ax.set_ylabel(f"along {axis_words(axes[1])} (Å)")
    return extent


def _label_points(ax: Any, xy: np.ndarray, away: np.ndarray | None = None) -> None:
    """Each point's index (its row in IN and OUT), placed opposite its arrows, else away from the centre."""
    if len(xy) > 30:
        return
    centre = xy.mean(axis=0)
    for k, p in enumerate(xy):
        direction = -away[k] if away is not None else np.zeros(2)
        if np.linalg.norm(direction) < 1e-9:
            direction = p - centre
        if np.linalg.norm(direction) < 1e-9:
            direction = np.array([-1.0, 1.0])
        direction = direction / np.linalg.norm(direction)
        ax.annotate(str(k), tuple(p), xytext=tuple(9.0 * direction), textcoords="offset points", fontsize=6.5,
                    color=MUTED, ha="center", va="center", zorder=6)


# --------------------------------------------------------------------------- map mode
def _cell_group_average(record: dict[str, Any], inp: Any, out: Any) -> np.ndarray | None:
    """The group average of the cell deformation F - 1 over IN's group (what a --no-train picture draws)."""
    from symcompile.curie.feasibility import group_average, map_target
    from symcompile.structures.operations import symmetry_operations

    tol = record.get("tolerances") or {}
    ops = symmetry_operations(inp, tol.get("symprec", 1e-3), tol.get("angle_tol"))
    return group_average(ops, map_target(inp, out, ops.symmetrized)).deformation


@dataclass
class _MapScene:
    """Everything the map picture draws, in 3-D (Å): IN's points, the arrows, the cells."""

    x_in: np.ndarray  # [N, 3] IN's points as read
    to_out: np.ndarray  # [N, 3] IN -> OUT (crystals: inside IN's cell, mean removed)
    to_pred: np.ndarray  # [N, 3] IN -> the symmetry-averaged prediction
    species_in: list[str]
    species_out: list[str]
    cells: list[tuple[np.ndarray, str, Any, str]]  # (lattice rows, colour, line style, label)
    periodic: bool
    trained: bool

    @property
    def spread_points(self) -> np.ndarray:
        """What the plane is fitted to: the points of a molecule, the corners of a crystal's cell."""
        return _cell_corners(self.cells[0][0]) if self.periodic else self.x_in


def _map_scene(record: dict[str, Any]) -> _MapScene:
    from symcompile.structures.reading import read_structure

    inp, out = read_structure(str(record["file"])), read_structure(str(record["output"]))
    x_in = np.asarray(inp.cart_coords, dtype=float)
    average = record["group_average"]
    # the target and the average are measured from IN symmetrised by its group (differences ~ symprec)
    symmetrized = np.asarray(average["positions"], dtype=float) - np.asarray(average["displacements"], dtype=float)
    net = record.get("network")
    pred = np.asarray(net["prediction"] if net else average["displacements"], dtype=float)
    if inp.periodic:
        to_out = np.asarray(record["target_displacements"], dtype=float) + (symmetrized - x_in)
    else:
        to_out = np.asarray(out.cart_coords, dtype=float) - x_in
    cells: list[tuple[np.ndarray, str, Any, str]] = []
    if inp.periodic:
        lattice = np.asarray(inp.lattice, dtype=float)
        cells.append((lattice, MUTED, "-", "IN's cell"))
        deformation = record.get("cell_deformation")
        if deformation is not None:
            cells.append((lattice @ (np.eye(3) + np.asarray(deformation, float)).T, INK, (0, (4, 2)), "OUT's cell"))
            if net and net.get("cell_deformation"):
                predicted = np.asarray(net["cell_deformation"]["prediction"], dtype=float)
            else:
                predicted = _cell_group_average(record, inp, out)
                predicted = np.zeros((3, 3)) if predicted is None else predicted
            label = "predicted cell" if net else "group-average cell"
            cells.append((lattice @ (np.eye(3) + predicted).T, _PREDICTION, (0, (1.5, 1.5)), label))
    return _MapScene(x_in, to_out, pred + (symmetrized - x_in), list(inp.species), list(out.species), cells,
                     inp.periodic, bool(net))


def _draw_map(ax: Any, scene: _MapScene, record: dict[str, Any]) -> tuple[np.ndarray, float, list[Any]]:
    """The projected picture on ``ax``; returns the projection axes, the arrow scale and the legend handles."""
    from matplotlib.lines import Line2D

    tie = [scene.to_out.T @ scene.to_out]
    if record.get("cell_deformation") is not None:
        deformation = np.asarray(record["cell_deformation"], dtype=float)
        tie.append(deformation @ deformation.T)
    axes = projection_axes(scene.spread_points, tuple(tie))
    origin = scene.spread_points.mean(axis=0)
    p_in = (scene.x_in - origin) @ axes.T
    cell_corners = [(_cell_corners(c[0]) - origin) @ axes.T for c in scene.cells]
    extent = float(max(np.ptp(np.concatenate([p_in, *cell_corners]), axis=0).max(), 1.0))
    scale = arrow_scale(np.linalg.norm(np.concatenate([scene.to_out, scene.to_pred]) @ axes.T, axis=1), extent)
    p_out = p_in + scale * (scene.to_out @ axes.T)
    p_pred = p_in + scale * (scene.to_pred @ axes.T)
    colours = _species_colours(scene.species_in, scene.species_out)

    for lattice, colour, style, _ in scene.cells:
        _cell_outline(ax, lattice, origin, axes, colour, style, 0.9)
    _frame(ax, np.concatenate([p_in, p_out, p_pred, *cell_corners]), axes)
    tiny = 1e-6 * extent
    _arrows(ax, p_in, p_out, INK, "-", 1.1, 3, tiny)
    _arrows(ax, p_in, p_pred, _PREDICTION, (0, (3, 1.5)), 1.1, 4, tiny)
    _draw_points(ax, p_in, scene.species_in, colours, True, 9.0, 5)
    _draw_points(ax, p_out, scene.species_out, colours, False, 9.0, 5)
    ax.plot(p_pred[:, 0], p_pred[:, 1], "x", ms=6.5, mew=1.6, color=_PREDICTION, zorder=7, linestyle="none")
    _label_points(ax, p_in, _unit_rows(p_out - p_in) + _unit_rows(p_pred - p_in))
    ax.grid(color=(0.92, 0.92, 0.92), lw=0.5, zorder=0)

    what = "network prediction (symmetry-averaged)" if scene.trained else "group average (group theory)"
    handles = [Line2D([], [], marker="o", ls="none", ms=7, mfc=colours[s], mec="white", label=s) for s in colours]
    handles += [
        Line2D([], [], marker="o", ls="none", ms=7, mfc=MUTED, mec="white", label="IN"),
        Line2D([], [], marker="o", ls="none", ms=7, mfc="none", mec=MUTED, mew=1.4, label="OUT"),
        Line2D([], [], marker="x", ls=(0, (3, 1.5)), ms=6, mew=1.6, color=_PREDICTION, label=what),
    ]
    handles += [Line2D([], [], color=c, ls=s, lw=1.0, label=label) for _, c, s, label in scene.cells]
    return axes, scale, handles


def _map_text(column: _TextColumn, record: dict[str, Any]) -> None:
    """Groups, symmetry floor, network, blocking operations in words and the unblocking irreps."""
    feasible = bool(record.get("feasible"))
    count = record.get("input_operations")
    column.line("IN", bold=True)
    column.line(_group_words(record) + (f", {count} operations" if count else ", continuous"), indent=0.02)
    column.line("OUT", bold=True, gap=0.3)
    column.line(_group_words(record.get("output_groups") or {}), indent=0.02)
    if record.get("map_group") is not None:
        kept, group = record.get("kept_operations"), record["map_group"]
        column.line("kept by the map", bold=True, gap=0.3)
        column.line(f"{group['schoenflies']} ({typeset_symbol(str(group['hm']))})"
                    + (f", {kept} of {count} operations" if count else ""), indent=0.02)
    floor = record["group_average"].get("symmetry_floor")
    column.line("symmetry floor", bold=True, gap=0.3)
    if record.get("cell_deformation") is not None:
        column.line(f"{floor:.3g} Å² on the displacements; the cell change is drawn", indent=0.02)
    else:
        column.line(f"{floor:.3g} Å², the least mean squared error of an IN-symmetric output", indent=0.02)
    net = record.get("network")
    column.line("network", bold=True, gap=0.3)
    if net:
        agree = "agrees with" if net.get("agrees_with_group_theory") else "DISAGREES with"
        text = f"loss {net['initial_loss']:.3g} → {net['final_loss']:.3g}"
        if net.get("cell_deformation"):
            text = f"displacements: {text}; cell: off by {net['cell_deformation']['max_error']:.3g} Å"
        column.line(f"{text}; {'feasible' if net['feasible'] else 'infeasible'}, {agree} group theory", indent=0.02)
    else:
        column.line(record.get("network_note") or "not trained (--no-train): group average drawn", indent=0.02)
    unblocking = None
    if not feasible:
        unblock = record.get("unblocking") or {}
        irreps = record.get("unblocking_irreps")
        unblocking = f"a global input {irreps}" if irreps else str(unblock.get("reason") or "no input irreps up to "
                                                                                           "l = 4")
        if irreps and unblock.get("network"):
            unblocking += f" (retrained with it: loss {unblock['network']['final_loss']:.3g})"
    blocking = list(record.get("blocking_operations") or [])
    if blocking:
        reserve = 0 if unblocking is None else 1 + column.lines_of(unblocking, indent=0.02)
        _operations_list(column, f"blocked by {len(blocking)} operation{'s' if len(blocking) != 1 else ''} of IN",
                         blocking, reserve)
    else:
        column.line("blocked by", bold=True, gap=0.5)
        column.line("no operation: every symmetry of IN is kept", indent=0.02)
    if unblocking is not None:
        column.line("unblocked by", bold=True, gap=0.3)
        column.line(unblocking, indent=0.02)


def _map_figure(record: dict[str, Any]) -> Any:
    scene = _map_scene(record)
    height = 4.3
    fig = new_figure(7.2, height)
    verdict = "feasible" if record.get("feasible") else "infeasible"
    fig.suptitle(f"{_title_name(record['file'])} → {_title_name(record['output'])}: {verdict}", fontweight="bold")
    legend_entries = len(set(scene.species_in) | set(scene.species_out)) + 3 + len(scene.cells)
    foot = _footer_height(legend_entries, _caption(scene.periodic, np.eye(3)[:2], 2.0, scene.trained))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.2, 1.0], height_ratios=[height - 0.4 - foot, foot])
    axes, scale, handles = _draw_map(fig.add_subplot(grid[0, 0]), scene, record)
    _footer(fig.add_subplot(grid[1, :]), handles, _caption(scene.periodic, axes, scale, scene.trained))
    _map_text(_TextColumn(fig.add_subplot(grid[0, 1]), below=2.6), record)
    return fig


def _caption(periodic: bool, axes: np.ndarray, scale: float, trained: bool | None) -> str:
    """Which plane is drawn, and how the arrows are scaled."""
    plane = f"horizontal {axis_words(axes[0])}, vertical {axis_words(axes[1])}"
    if periodic:
        where = f"Projection on the plane of largest spread of IN's cell (PCA of its corners): {plane}."
    else:
        where = f"Projection on the plane of largest spread of IN's points (PCA): {plane}."
    parts = [where]
    if trained is not None:
        parts.append(f"Displacements drawn ×{scale:g}." if scale != 1 else "Displacements to scale.")
        if periodic:
            parts.append("Crystal displacements inside IN's cell, their mean (a translation) removed.")
    return " ".join(parts)


def _footer(ax: Any, handles: list[Any], caption: str) -> None:
    """The legend of the picture and the caption, in a frameless strip under the panels."""
    ax.axis("off")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(handles), _LEGEND_COLUMNS),
              fontsize=7, handletextpad=0.4, columnspacing=1.2, borderaxespad=0.0)
    ax.text(0.5, 0.0, "\n".join(textwrap.wrap(caption, _CAPTION_WIDTH)), transform=ax.transAxes, ha="center",
            va="bottom", fontsize=7, color=MUTED)


_LEGEND_COLUMNS, _CAPTION_WIDTH = 5, 125


def _footer_height(handles: int, caption: str) -> float:
    """Inches the footer needs: its legend rows and caption lines."""
    rows = -(-handles // _LEGEND_COLUMNS)
    lines = len(textwrap.wrap(caption, _CAPTION_WIDTH))
    return 0.06 + 0.17 * rows + 0.13 * lines


# --------------------------------------------------------------------------- property mode
def _irreps_counts(record: dict[str, Any]) -> dict[str, Any]:
    """The property's record as the tensor chart reads it: multiplicities and invariants per irrep."""
    from symcompile.o3.irreps import Irreps

    mults: dict[str, int] = {}
    for mul, ir in Irreps(str(record["irreps"])):
        mults[str(ir)] = mults.get(str(ir), 0) + int(mul)
    pg = record.get("point_group") or {}
    group = pg.get("schoenflies")
    if record.get("magnetic"):  # invariant under the magnetic point group, not the atoms' one
        group = record["magnetic"]["point_group"]["hm"]
    return {"multiplicities": mults, "invariants_by_irrep": record.get("components_by_irrep") or {},
            "independent_components": record.get("independent_components"), "point_group": group}


def _draw_structure(ax: Any, inp: Any) -> tuple[np.ndarray, list[Any]]:
    """IN alone, projected (its cell outlined); returns the projection axes and the legend handles."""
    from matplotlib.lines import Line2D

    x_in = np.asarray(inp.cart_coords, dtype=float)
    lattice = np.asarray(inp.lattice, dtype=float) if inp.periodic else None
    spread_points = _cell_corners(lattice) if lattice is not None else x_in
    axes = projection_axes(spread_points)
    origin = spread_points.mean(axis=0)
    p_in = (x_in - origin) @ axes.T
    drawn = [p_in]
    if lattice is not None:
        _cell_outline(ax, lattice, origin, axes, MUTED, "-", 0.9)
        drawn.append((_cell_corners(lattice) - origin) @ axes.T)
    _frame(ax, np.concatenate(drawn), axes)
    colours = _species_colours(inp.species)
    _draw_points(ax, p_in, list(inp.species), colours, True, 9.0, 5)
    _label_points(ax, p_in)
    ax.grid(color=(0.92, 0.92, 0.92), lw=0.5, zorder=0)
    handles = [Line2D([], [], marker="o", ls="none", ms=7, mfc=colours[s], mec="white", label=s) for s in colours]
    if lattice is not None:
        handles.append(Line2D([], [], color=MUTED, lw=1.0, label="IN's cell"))
    return axes, handles


def _property_text(column: _TextColumn, record: dict[str, Any]) -> None:
    """IN's group, the count of independent components and the operations that forbid the property."""
    feasible = bool(record.get("feasible"))
    count = record.get("input_operations")
    column.line("IN", bold=True)
    magnetic = record.get("magnetic")
    if magnetic:  # the magnetic group decides, not the atoms' group
        words = (f"{magnetic['bns']['symbol']} (BNS {magnetic['bns']['number']}), magnetic point group "
                 f"{magnetic['point_group']['hm']}")
        column.line(words + (f", {count} operations" if count else ""), indent=0.02)
    else:
        column.line(_group_words(record) + (f", {count} operations" if count else ", continuous"), indent=0.02)
    n, total = record.get("independent_components"), record.get("components")
    column.line(f"{n} independent component{'s' if n != 1 else ''} of {total}", bold=True, gap=0.3,
                colour=INK if feasible else PALETTE["vermillion"])
    if record.get("description"):
        column.line(str(record["description"]), indent=0.02)
    forbidding = list(record.get("forbidding_operations") or [])
    group = record.get("property_group")
    if feasible:
        column.line("no operation of IN forbids it", indent=0.02)
        if group:
            column.line(f"a generic allowed value keeps {group['schoenflies']} ({typeset_symbol(str(group['hm']))})",
                        indent=0.02)
        return
    irreps = record.get("unblocking_irreps")
    reserve = 3 if irreps else 0
    if forbidding:
        _operations_list(column, "forbidden by each of", forbidding, reserve)
    else:
        _operations_list(column, "forbidden by these operations together (none alone)",
                         list(record.get("blocking_operations") or []), reserve)
    if irreps:
        column.line("unblocked by", bold=True, gap=0.3)
        column.line(f"a global input {irreps}", indent=0.02)


def _property_figure(record: dict[str, Any]) -> Any:
    from symcompile.report.tensor_plot import draw_irreps_chart
    from symcompile.structures.reading import read_structure

    inp = read_structure(str(record["file"]))
    what = str(record.get("property"))
    if what != record.get("irreps"):
        what += f" ({record.get('irreps')})"
    verdict = "allowed" if record.get("feasible") else "forbidden"
    height = 4.3
    fig = new_figure(7.2, height)
    fig.suptitle(f"{_title_name(record['file'])} carries {what}? {verdict}", fontweight="bold")
    foot = _footer_height(len(set(inp.species)) + int(inp.periodic), _caption(inp.periodic, np.eye(3)[:2], 1.0, None))
    rest = height - 0.4 - foot
    grid = fig.add_gridspec(3, 2, width_ratios=[1.0, 1.15], height_ratios=[0.55 * rest, 0.45 * rest, foot])
    axes, handles = _draw_structure(fig.add_subplot(grid[:2, 0]), inp)
    chart = fig.add_subplot(grid[1, 1])
    draw_irreps_chart(chart, _irreps_counts(record))
    bottom, top = chart.get_ylim()
    chart.set_ylim(bottom, bottom + 1.55 * (top - bottom))  # room for the key above the bars
    _footer(fig.add_subplot(grid[2, :]), handles, _caption(inp.periodic, axes, 1.0, None))
    _property_text(_TextColumn(fig.add_subplot(grid[0, 1]), width=52), record)
    return fig


# --------------------------------------------------------------------------- entry point
def plot_curie(record: dict[str, Any], path: str) -> str:
    """Draw the ``curie`` record (map or property mode) to ``path`` (.png/.svg/.pdf); returns the path.

    The record's ``file`` (and ``output``) are read again for the coordinates.

    >>> import tempfile
    >>> from symcompile.curie.check import CurieOptions, curie_check
    >>> examples = Path(__file__).resolve().parents[2] / "examples" / "curie"
    >>> record = curie_check(str(examples / "square.xyz"), str(examples / "rectangle.xyz"), CurieOptions(train=False))
    >>> target = Path(tempfile.mkdtemp()) / "square_rectangle.svg"
    >>> plot_curie(record, str(target)) == str(target) and "4-fold rotation" in target.read_text()
    True
    """
    with plot_style():
        fig = _property_figure(record) if record.get("mode") == "property" else _map_figure(record)
        return save_figure(fig, path)
