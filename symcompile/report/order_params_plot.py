"""``symcompile order-params --plot``: the order parameter on the parent's cell, and the mode amplitudes.

Left: projections of the parent's conventional cells along a, b and c (one cell thick), atoms by
site, the order parameter on them coloured by space-group irrep: polar vectors (1o features,
or the child's primary displacements when the carrier is not a vector) as straight arrows,
axial vectors (1e features: tilts) as a curved arrow for the rotation about the viewing axis
plus an open-headed arrow for the part in the plane. Right: the child's mode amplitudes in Å
(AMPLIMODES' bar chart), primary modes marked, in the same colours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcompile.report.plotting import (
    INK,
    MUTED,
    PALETTE,
    new_figure,
    plot_style,
    save_figure,
    typeset_symbol,
)

__all__ = ["plot_order_parameters"]

_IRREP_COLOURS = [PALETTE[c] for c in ("blue", "vermillion", "green", "purple", "orange", "sky", "black")]
_SITE_GREYS = ["#bdbdbd", "#7f7f7f", "#e0e0e0", "#525252", "#a6a6a6", "#d0d0d0"]


def _colours(record: dict[str, Any], picture: dict[str, Any]) -> dict[str, str]:
    labels = [m["irrep"] for m in record.get("modes") or []]
    labels += [f["label"] for f in picture["fields"] if f["label"] not in labels]
    return {label: _IRREP_COLOURS[i % len(_IRREP_COLOURS)] for i, label in enumerate(labels)}


def _frame(cell: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthonormal in-plane axes (e1, e2) and the viewing direction n for a projection along ``axis``."""
    n = cell[axis] / np.linalg.norm(cell[axis])
    first = cell[(axis + 1) % 3]
    e1 = first - (first @ n) * n
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(n, e1), n


def _bond(cart: np.ndarray) -> float:
    """The shortest distance between two drawn atoms (the scale of the arrows)."""
    d = np.linalg.norm(cart[:, None, :] - cart[None, :, :], axis=-1)  # a drawing holds at most a few hundred atoms
    d[d < 1e-6] = np.inf
    return float(d.min()) if np.isfinite(d).any() else 1.0


def _draw_projection(ax: Any, picture: dict[str, Any], axis: int, colours: dict[str, str],
                     sites: dict[str, str]) -> None:
    from matplotlib.patches import FancyArrowPatch

    cell = np.asarray(picture["cell"], dtype=float)
    repeat = picture["repeat"]
    conv = np.array([a["conventional"] for a in picture["atoms"]])
    layer = (conv[:, axis] >= -1e-6) & (conv[:, axis] < 1 - 1e-6)
    cart = conv @ cell
    e1, e2, n = _frame(cell, axis)
    xy = np.stack([cart @ e1, cart @ e2], axis=1)
    # cell outlines
    others = [(axis + 1) % 3, (axis + 2) % 3]
    for i in range(repeat[others[0]] + 1):
        for j in range(repeat[others[1]] + 1):
            for step in (0, 1):
                a0 = np.zeros(3)
                a0[others[0]], a0[others[1]] = i, j
                a1 = a0.copy()
                a1[others[step]] += 1
                if a1[others[0]] > repeat[others[0]] or a1[others[1]] > repeat[others[1]]:
                    continue
                p0, p1 = a0 @ cell, a1 @ cell
                ax.plot([p0 @ e1, p1 @ e1], [p0 @ e2, p1 @ e2], color=MUTED, lw=0.5, zorder=0)
    for atom, point, keep in zip(picture["atoms"], xy, layer):
        if keep:
            site = f"{atom['species']} {atom['wyckoff']}"
            ax.scatter(*point, s=60 if atom["species"] != "O" else 25, color=sites[site], edgecolors=INK,
                       linewidths=0.4, zorder=2)
    longest = max((float(np.linalg.norm(v)) for f in picture["fields"] for v in f["vectors"]), default=0.0)
    if longest == 0.0:
        return
    spacing = _bond(cart)
    scale = 0.45 * spacing / longest
    for field in picture["fields"]:
        colour = colours.get(field["label"], INK)
        vectors = np.asarray(field["vectors"], dtype=float)
        axial = field["kind"] == "axial"
        for point, vector, keep in zip(xy, vectors, layer):
            if not keep or np.linalg.norm(vector) < 1e-6 * longest:
                continue
            d = scale * np.array([vector @ e1, vector @ e2])
            if np.linalg.norm(d) > 1e-3 * spacing:
                ax.add_patch(FancyArrowPatch(point - d / 2 if axial else point, point + d / 2 if axial else point + d,
                                             arrowstyle="-|>,head_width=2.5,head_length=4" if not axial else
                                             "->,head_width=2.5,head_length=4", color=colour, lw=1.1, zorder=3,
                                             mutation_scale=1.0))
            turn = scale * float(vector @ n)
            if axial and abs(turn) > 1e-3 * spacing:  # rotation about the viewing axis: a curved arrow
                radius = min(abs(turn), 0.3 * spacing)
                start, end = (point + [radius, 0], point + [0, radius]) if turn > 0 else \
                    (point + [0, radius], point + [radius, 0])
                ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={0.5 if turn > 0 else -0.5}",
                                             arrowstyle="->,head_width=2.5,head_length=4", color=colour, lw=1.1,
                                             zorder=3, mutation_scale=1.0))
    ax.set_aspect("equal")
    ax.set_title(f"along {'abc'[axis]}")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def _draw_amplitudes(ax: Any, record: dict[str, Any], colours: dict[str, str]) -> None:
    modes = record.get("modes") or []
    labels = [m["irrep"] for m in modes]
    values = [m["amplitude"] for m in modes]
    bars = ax.bar(range(len(modes)), values, color=[colours.get(label, INK) for label in labels], edgecolor=INK,
                  linewidth=0.5)
    for bar, mode in zip(bars, modes):
        if mode["primary"]:
            bar.set_hatch("///")
            ax.annotate("primary", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(modes)), labels)
    ax.set_ylabel("amplitude (Å)")
    ax.set_title("modes of the child")
    if values:
        ax.set_ylim(0, 1.18 * max(values))


def _title(record: dict[str, Any]) -> str:
    parent = (record.get("parent") or {}).get("space_group") or {}
    child = record.get("space_group") or {}
    carrier = record.get("primary_carrier")
    what = f"; order parameter {carrier['irrep']} on {carrier['species']} {carrier['wyckoff']}" if carrier else ""
    glazer = f" ({record['glazer']})" if record.get("glazer") else ""
    return (f"{record.get('formula', '')}: {typeset_symbol(str(parent.get('symbol')))} → "
            f"{typeset_symbol(str(child.get('symbol')))}{what}{glazer}")


def plot_order_parameters(record: dict[str, Any], picture: dict[str, Any], path: str) -> str:
    """Draw the order parameter and the mode amplitudes of one ``order-params`` record; returns the path."""
    from matplotlib.lines import Line2D

    colours = _colours(record, picture)
    site_names = list(dict.fromkeys(f"{a['species']} {a['wyckoff']}" for a in picture["atoms"]))
    sites = {name: _SITE_GREYS[i % len(_SITE_GREYS)] for i, name in enumerate(site_names)}
    with plot_style():
        fig = new_figure(10.5, 3.6)
        grid = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.1])
        for axis in range(3):
            _draw_projection(fig.add_subplot(grid[0, axis]), picture, axis, colours, sites)
        _draw_amplitudes(fig.add_subplot(grid[0, 3]), record, colours)
        handles = [Line2D([], [], marker="o", ls="", color=sites[name], markeredgecolor=INK, label=name)
                   for name in site_names]
        for field in picture["fields"]:
            kind = "tilt (axial)" if field["kind"] == "axial" else "displacement (polar)"
            handles.append(Line2D([], [], color=colours.get(field["label"], INK),
                                  label=f"{field['label']}: {kind}, {field['source']}"))
        fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)))
        fig.suptitle(_title(record))
    return save_figure(fig, path)
