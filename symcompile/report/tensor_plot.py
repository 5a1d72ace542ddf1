"""``symcompile tensor --plot``: the allowed form as a Nye diagram, its directional surface, irreps charts.

With a group and a Voigt matrix: Nye's dot diagram (see :mod:`symcompile.report.nye`) and, for
ranks 2-4, the longitudinal quantity T(n, n, ..., n) (n_i n_j C_ij, n_i n_j n_k d_ijk,
n_i n_j n_k n_l C_ijkl) of one random allowed tensor as a surface r(n) = |T(n, ..., n)| with its
cuts in the three coordinate planes: its shape has exactly the symmetry the form allows.
Without a group: the O(3) irreps of the tensor space as a chart (copies x dimension).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symcompile.report.nye import NyeCell, NyeDiagram, factor_text, nye_diagram
from symcompile.report.plotting import INK, MUTED, PALETTE, new_figure, plot_style, save_figure

__all__ = ["plot_tensor", "allowed_instance", "longitudinal", "draw_nye", "draw_irreps_chart"]

#: The seed of the random allowed tensor drawn as a surface (the same picture every run).
SEED = 0
_POSITIVE, _NEGATIVE = PALETTE["blue"], PALETTE["vermillion"]


# --------------------------------------------------------------------------- the random instance
def _positive_seed(rank: int, rng: np.random.Generator) -> np.ndarray:
    """A random tensor whose longitudinal part is positive (rank 2: A A^T; rank 4: a positive
    6x6 matrix on orthonormal symmetric pairs, like a stiffness); other ranks: Gaussian."""
    if rank == 2:
        a = np.eye(3) + 0.6 * rng.standard_normal((3, 3))
        return a @ a.T
    if rank == 4:
        pairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]
        e = np.zeros((6, 3, 3))
        for k, (i, j) in enumerate(pairs):
            w = 1.0 if i == j else 1.0 / math.sqrt(2.0)
            e[k, i, j] += w
            e[k, j, i] += w if i != j else 0.0
        a = np.eye(6) + 0.6 * rng.standard_normal((6, 6))
        return np.einsum("ab,aij,bkl->ijkl", a @ a.T, e, e)
    return rng.standard_normal((3,) * rank)


def _isotropic_part(tensor: np.ndarray) -> np.ndarray:
    """The rotation average of ``tensor`` (projection onto the SO(3)-invariant tensors: products of
    Kronecker deltas, and the Levi-Civita symbol at rank 3). It is allowed by every group."""
    d = np.eye(3)
    rank = tensor.ndim
    if rank == 2:
        spans = [d]
    elif rank == 3:
        eps = np.zeros((3, 3, 3))
        for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
            eps[i, j, k], eps[j, i, k] = 1.0, -1.0
        spans = [eps]
    elif rank == 4:
        spans = [np.einsum("ij,kl->ijkl", d, d), np.einsum("ik,jl->ijkl", d, d), np.einsum("il,jk->ijkl", d, d)]
    else:
        return np.zeros_like(tensor)
    q, _ = np.linalg.qr(np.stack([t.ravel() for t in spans], axis=1))
    return (q @ (q.T @ tensor.ravel())).reshape(tensor.shape)


def allowed_instance(form: Any, seed: int = SEED, contrast: float = 0.45) -> np.ndarray:
    """One random tensor of the allowed form, for drawing: isotropic part + generic anisotropic part.

    The isotropic part is the rotation average of a positive random tensor projected onto the
    allowed space (ranks 2 and 4: a positive longitudinal mean). The anisotropic part has random
    coefficients of random sign and magnitude in [1/2, 1] on an orthonormal basis of the allowed
    tensors orthogonal to the isotropic ones, so no allowed direction is accidentally small. With
    a positive mean, it is scaled so that min T(n, ..., n) = ``contrast`` x max T(n, ..., n).

    >>> from symcompile.tensors.allowed import allowed_form
    >>> C = allowed_instance(allowed_form("elastic", "m-3m"))
    >>> bool(np.isclose(C[0, 0, 0, 0], C[2, 2, 2, 2]) and abs(C[0, 0, 0, 1]) < 1e-12)
    True
    """
    basis = np.asarray(form.basis)
    if basis.ndim < 2 or len(basis) == 0:
        raise ValueError("the allowed form has no nonzero tensor")
    rank = basis.ndim - 1
    shape = (3,) * rank
    flat = basis.reshape(len(basis), -1)
    rng = np.random.default_rng(seed)
    iso = _isotropic_part(((flat @ _positive_seed(rank, rng).ravel()) @ flat).reshape(shape))
    residual = np.stack([b.ravel() - _isotropic_part(b).ravel() for b in basis])
    _, sv, vt = np.linalg.svd(residual, full_matrices=False)
    directions = vt[sv > 1e-8 * max(1.0, float(sv.max(initial=0.0)))]
    coeffs = rng.choice([-1.0, 1.0], len(directions)) * rng.uniform(0.5, 1.0, len(directions))
    aniso = (coeffs @ directions).reshape(shape) if len(directions) else np.zeros(shape)
    n = _sphere(37, 73)
    mean = float(longitudinal(iso, n).mean())
    values = longitudinal(aniso, n)
    lo, hi = float(values.min()), float(values.max())
    if mean > 1e-9 and hi - lo > 1e-9 * mean:
        return iso + mean * (1.0 - contrast) / (contrast * hi - lo) * aniso
    return iso + aniso


def longitudinal(tensor: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """T(n, ..., n) for unit vectors ``directions`` [..., 3]: the longitudinal quantity.

    >>> round(float(longitudinal(np.diag([1.0, 2.0, 3.0]), np.array([0.6, 0.8, 0.0]))), 12)
    1.64
    """
    t = np.asarray(tensor, dtype=np.float64)
    n = np.asarray(directions, dtype=np.float64)
    flat = n.reshape(-1, 3)
    value = np.broadcast_to(t.reshape(1, -1), (len(flat), t.size))
    for _ in range(t.ndim):
        value = np.einsum("pi,pij->pj", flat, value.reshape(len(flat), 3, -1))
    return value.reshape(n.shape[:-1])


# --------------------------------------------------------------------------- Nye diagram
def _pretty(expression: str) -> str:
    """``2*(s11 - s12)`` -> ``2(s11 − s12)``, ``-C15`` -> ``−C15``: the way it is printed in papers."""
    return expression.replace("*(", "(").replace("*", "").replace(" - ", " − ").replace("-", "−")


_DOT, _SMALL, _RING = 9.0, 2.6, 13.0  # marker sizes (points)
_MIRROR = "#9a9a9a"  # the lower triangle of a symmetric matrix, which repeats the upper one


def _mark_artists(ax: Any, cell: NyeCell, ink: str = INK) -> None:
    """Draw one cell's mark: the shape says what the value is (dot, ×, ◆), the fill its factor to the
    joined heavy dot. Each artist carries the SVG id ``nye-<kind>-<row>-<col>`` (1-based)."""
    x, y, factor = cell.col, -cell.row, cell.factor
    gid = f"nye-{cell.kind}-{cell.row + 1}-{cell.col + 1}"
    kw: dict[str, Any] = {"linestyle": "none", "zorder": 3}
    shape = {"cross": "x", "combination": "D"}.get(cell.mark, "o")
    size = _DOT * 0.8 if cell.mark == "combination" else _DOT
    drawn: list[Any] = []
    if cell.mark == "zero":
        drawn += ax.plot(x, y, marker="o", ms=_SMALL, color=ink, mew=0, **kw)
    elif cell.mark == "cross":
        drawn += ax.plot(x, y, marker="o", ms=_DOT + 2, color="white", mew=0, **kw)  # clears the lines under ×
        drawn += ax.plot(x, y, marker="x", ms=size, mew=2.0, color=ink if factor > 0 else MUTED, **kw)
    elif cell.kind in ("dot", "combination") and factor > 0:
        drawn += ax.plot(x, y, marker=shape, ms=size, color=ink, mew=0, **kw)
    elif cell.kind == "twice":
        drawn += ax.plot(x, y, marker=shape, ms=_RING, mfc="white", mec=ink, mew=1.1, **kw)
        drawn += ax.plot(x, y, marker=shape, ms=size * 0.75, color=ink, mew=0, **kw)
    elif cell.kind == "minus-twice":
        drawn += ax.plot(x, y, marker=shape, ms=_RING, mfc="white", mec=ink, mew=1.1, **kw)
        drawn += ax.plot(x, y, marker=shape, ms=_SMALL + 0.4, color=ink, mew=0, **kw)
    else:  # open (-1), or another factor written beside the mark
        drawn += ax.plot(x, y, marker=shape, ms=size, mfc="white" if factor < 0 else ink, mec=ink, mew=1.3, **kw)
        if abs(abs(factor) - 1.0) > 1e-9:
            ax.annotate(factor_text(factor), (x, y), xytext=(5, 5), textcoords="offset points", fontsize=6.5,
                        color=ink, zorder=4)
    for k, artist in enumerate(drawn):
        artist.set_gid(gid if k == len(drawn) - 1 else f"{gid}-under")


def _blocked(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Does the straight line from cell a to cell b pass over the centre of another cell?"""
    return math.gcd(abs(b[0] - a[0]), abs(b[1] - a[1])) > 1


def draw_nye(ax: Any, diagram: NyeDiagram) -> None:
    """Nye's dot diagram of ``diagram`` on ``ax`` (cells at integer positions, row 1 on top)."""
    from matplotlib.patches import FancyArrowPatch

    rows, cols = diagram.shape
    ax.set_xlim(-0.9, cols - 0.35)
    ax.set_ylim(-rows + 0.45, 0.95)
    ax.set_aspect("equal")
    ax.axis("off")
    # brackets of the matrix
    top, bottom, left, right = 0.5, -rows + 0.5, -0.5, cols - 0.5
    for x, sign in ((left, 1), (right, -1)):
        ax.plot([x + 0.18 * sign, x, x, x + 0.18 * sign], [top, top, bottom, bottom], color=INK, lw=1.0,
                solid_capstyle="butt")
    if rows == cols == 6:  # the blocks of normal and shear pairs
        ax.plot([2.5, 2.5], [top - 0.05, bottom + 0.05], color=MUTED, lw=0.5, ls=(0, (1, 2)))
        ax.plot([left + 0.05, right - 0.05], [-2.5, -2.5], color=MUTED, lw=0.5, ls=(0, (1, 2)))
    for j, label in enumerate(diagram.col_labels):
        ax.text(j, 0.72, label, ha="center", va="center", color=MUTED, fontsize=8)
    for i, label in enumerate(diagram.row_labels):
        if label:
            ax.text(-0.8, -i, label, ha="center", va="center", color=MUTED, fontsize=8)
    ax.text(-0.8, 0.72, diagram.symbol, ha="center", va="center", fontsize=9, fontweight="bold")
    def mirrored(cell: tuple[int, int]) -> bool:
        return diagram.symmetric and cell[0] > cell[1]

    for a, b in diagram.joins:
        start, end = (a[1], -a[0]), (b[1], -b[0])
        rad = 0.35 if _blocked(a, b) else 0.0
        line = FancyArrowPatch(start, end, arrowstyle="-", connectionstyle=f"arc3,rad={rad}",
                               color=_MIRROR if mirrored(a) else INK, lw=1.0, shrinkA=0, shrinkB=0, zorder=2)
        line.set_gid(f"nye-join-{a[0] + 1}-{a[1] + 1}-{b[0] + 1}-{b[1] + 1}")
        ax.add_patch(line)
    for row in diagram.cells:
        for cell in row:
            _mark_artists(ax, cell, _MIRROR if mirrored((cell.row, cell.col)) else INK)
    for group in diagram.groups:  # the name of each heavy component, small, beside its dot
        r, c = group.heavy
        if group.mark == "dot":
            ax.annotate(_pretty(diagram.cell(r, c).value), (c, -r), xytext=(0, -7.5), textcoords="offset points",
                        ha="center", va="top", fontsize=5.5, color=PALETTE["blue"], zorder=4,
                        bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.85})


def _legend(ax: Any, diagram: NyeDiagram) -> None:
    """The key to the marks that occur in this diagram, under it."""
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D

    def m(**kw: Any) -> Any:
        base = {"linestyle": "none", "color": INK, "mew": 0}
        base.update(kw)
        return Line2D([], [], **base)

    factors = {round(c.factor, 9) for row in diagram.cells for c in row if c.mark == "dot"}
    marks = {c.mark for row in diagram.cells for c in row}
    joined = any(len(g.members) > 1 for g in diagram.groups)
    entries: list[tuple[Any, str]] = [(m(marker="o", ms=_SMALL), "zero"), (m(marker="o", ms=_DOT), "non-zero")]
    if joined:
        entries.append((m(marker="o", ms=_DOT * 0.8, linestyle="-", lw=1.0), "joined: equal"))
    if -1.0 in factors:
        entries.append((m(marker="o", ms=_DOT, mfc="white", mec=INK, mew=1.3), "minus the joined ●"))
    if 2.0 in factors:
        entries.append(((m(marker="o", ms=_RING, mfc="white", mec=INK, mew=1.1), m(marker="o", ms=_DOT * 0.75)),
                        "twice the joined ●"))
    if -2.0 in factors:
        entries.append(((m(marker="o", ms=_RING, mfc="white", mec=INK, mew=1.1), m(marker="o", ms=_SMALL + 0.4)),
                        "minus twice the joined ●"))
    if "cross" in marks:
        entries.append((m(marker="x", ms=_DOT, mew=2.0), f"= {_pretty(diagram.cross_value or '')}"))
    combos = diagram.combinations
    if combos:
        text = "; ".join(f"{name} = {_pretty(value)}" for name, value in combos[:3]) + ("; ..." if len(combos) > 3
                                                                                          else "")
        entries.append((m(marker="D", ms=_DOT * 0.8), text))
    if any(c.mark != "zero" and round(c.factor, 9) not in (1.0, -1.0, 2.0, -2.0) for row in diagram.cells
           for c in row):
        entries.append((m(marker="o", ms=_DOT, mfc="white", mec=INK, mew=1.3), "number: factor to the joined ●"))
    handles, labels = zip(*entries)
    from matplotlib.legend_handler import HandlerLine2D

    handler_map: dict[Any, Any] = {tuple: HandlerTuple(ndivide=1)}
    handler_map.update({h: HandlerLine2D(numpoints=2) for h in handles if isinstance(h, Line2D)
                        and h.get_linestyle() not in ("None", "none", " ", "")})
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2 if len(entries) > 3 else 3,
              handler_map=handler_map, handletextpad=0.5, columnspacing=1.4, borderaxespad=0.2, fontsize=7.5,
              handlelength=2.2)


# --------------------------------------------------------------------------- directional surface
def _sphere(n_theta: int = 73, n_phi: int = 145) -> np.ndarray:
    theta = np.linspace(0.0, math.pi, n_theta)
    phi = np.linspace(0.0, 2.0 * math.pi, n_phi)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    return np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1)


def _shaded(xyz: np.ndarray, base: np.ndarray, light: np.ndarray) -> np.ndarray:
    """Lambert shading of the surface points ``xyz`` [a, b, 3] with colours ``base`` [a, b, 3]."""
    du = np.gradient(xyz, axis=0)
    dv = np.gradient(xyz, axis=1)
    normal = np.cross(du, dv)
    length = np.linalg.norm(normal, axis=-1, keepdims=True)
    normal = np.where(length > 1e-12, normal / np.maximum(length, 1e-12), xyz)
    outward = np.sign(np.einsum("...i,...i->...", normal, xyz))[..., None]
    cos = np.clip(np.einsum("...i,i->...", normal * np.where(outward == 0, 1, outward), light), 0.0, 1.0)
    intensity = (0.55 + 0.45 * cos)[..., None]
    return np.clip(base * intensity + 0.08 * (1 - intensity), 0.0, 1.0)


def _draw_surface(ax: Any, tensor: np.ndarray) -> None:
    """r(n) = |T(n, ..., n)| as a shaded surface; blue where T(n...) > 0, vermillion where < 0."""
    from matplotlib.colors import to_rgb

    n = _sphere()
    f = longitudinal(tensor, n)
    scale = float(np.abs(f).max())
    r = np.abs(f) / scale
    xyz = n * r[..., None]
    base = np.where((f >= 0)[..., None], np.array(to_rgb(PALETTE["sky"])), np.array(to_rgb(_NEGATIVE)))
    elev, azim = math.radians(28), math.radians(35)
    light = np.array([math.cos(elev + 0.5) * math.cos(azim - 0.6), math.cos(elev + 0.5) * math.sin(azim - 0.6),
                      math.sin(elev + 0.5)])
    ax.plot_surface(xyz[..., 0], xyz[..., 1], xyz[..., 2], facecolors=_shaded(xyz, base, light), rstride=1,
                    cstride=1, linewidth=0, antialiased=False, shade=False)
    lim = 1.0
    for axis, label in zip("xyz", ("x1", "x2", "x3")):
        getattr(ax, f"set_{axis}lim")(-lim, lim)
        getattr(ax, f"set_{axis}label")(label, labelpad=-12)
    ax.set_box_aspect((1, 1, 1))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_zticks([])
    ax.view_init(elev=28, azim=35)
    for pane in (ax.xaxis.pane, ax.yaxis.pane, ax.zaxis.pane):
        pane.set_facecolor((0.96, 0.96, 0.96, 1.0))
        pane.set_edgecolor((0.85, 0.85, 0.85, 1.0))


def _draw_cut(ax: Any, tensor: np.ndarray, plane: tuple[int, int], scale: float) -> None:
    """The surface cut by the coordinate plane (x_a, x_b): r(psi) in polar coordinates."""
    psi = np.linspace(0.0, 2.0 * math.pi, 721)
    n = np.zeros((len(psi), 3))
    n[:, plane[0]] = np.cos(psi)
    n[:, plane[1]] = np.sin(psi)
    f = longitudinal(tensor, n) / scale
    for sign, colour, style in ((1, _POSITIVE, "-"), (-1, _NEGATIVE, (0, (3, 1.5)))):
        r = np.where(sign * f > 0, np.abs(f), np.nan)
        ax.plot(psi, r, color=colour, lw=1.4, ls=style)
    ax.set_ylim(0, 1.05)
    ax.set_yticks([0.5, 1.0])
    ax.set_yticklabels([])
    ax.set_xticks(np.arange(0, 2 * math.pi, math.pi / 6))
    ax.set_xticklabels([])
    ax.grid(color=(0.85, 0.85, 0.85), lw=0.5)
    ax.spines["polar"].set_color(MUTED)
    ax.spines["polar"].set_linewidth(0.6)
    a, b = (f"x{plane[0] + 1}", f"x{plane[1] + 1}")
    ax.text(0.5, -0.2, f"{a}–{b} plane", transform=ax.transAxes, ha="center", va="center", fontsize=7.5)
    ax.text(0.0, 1.22, a, ha="center", va="center", fontsize=7, color=MUTED)
    ax.text(math.pi / 2, 1.22, b, ha="center", va="center", fontsize=7, color=MUTED)


def _quantity(rank: int, symbol: str) -> str:
    """``n_i n_j C_ij`` in mathtext."""
    letters = "ijkl"[:rank]
    return "$" + r"\,".join(f"n_{c}" for c in letters) + rf"\,{symbol}_{{{letters}}}$"


def _draw_directional(subfig: Any, tensor: np.ndarray, symbol: str) -> None:
    """The 3-D surface on top and its three coordinate-plane cuts below."""
    grid = subfig.add_gridspec(2, 3, height_ratios=[2.3, 1.0])
    ax3 = subfig.add_subplot(grid[0, :], projection="3d")
    _draw_surface(ax3, tensor)
    f = longitudinal(tensor, _sphere())
    scale = float(np.abs(f).max())
    for k, plane in enumerate(((0, 1), (0, 2), (1, 2))):
        _draw_cut(subfig.add_subplot(grid[1, k], projection="polar"), tensor, plane, scale)
    signs = "" if f.min() >= -1e-12 * scale else "\nblue > 0, vermillion (dashed) < 0"
    subfig.suptitle(f"longitudinal {_quantity(tensor.ndim, symbol)}\nof a random allowed {symbol} "
                    f"(seed {SEED}): radius = |value|{signs}", fontsize=8.5)


# --------------------------------------------------------------------------- irreps chart
def draw_irreps_chart(ax: Any, record: dict[str, Any]) -> None:
    """Copies x dimension of each O(3) irrep of the tensor space (stacked blocks of 2l+1), and with a
    group the number of invariant components each contributes."""
    mults: dict[str, int] = record.get("multiplicities") or {}
    invariants: dict[str, int] | None = record.get("invariants_by_irrep") if "independent_components" in record \
        else None
    labels = list(mults)
    x = np.arange(len(labels), dtype=float)
    width = 0.38 if invariants is not None else 0.62
    offset = -width / 2 - 0.02 if invariants is not None else 0.0
    top = 1
    from symcompile.o3.irreps import Irrep

    for k, label in enumerate(labels):
        l, m = Irrep(label).l, mults[label]  # labels like 2e, or 1e' (time-odd)
        d = 2 * l + 1
        for c in range(m):
            ax.bar(x[k] + offset, d, width, bottom=c * d, color=PALETTE["blue"], edgecolor="white", lw=1.0)
        ax.text(x[k] + offset, m * d, f"{m}x{label}\n{m * d}", ha="center", va="bottom", fontsize=7.5)
        top = max(top, m * d)
        if invariants is not None:
            n_inv = int(invariants.get(label, 0))
            if n_inv:
                ax.bar(x[k] - offset, n_inv, width, color=PALETTE["orange"], edgecolor="white", lw=1.0)
            ax.text(x[k] - offset, n_inv, str(n_inv), ha="center", va="bottom", fontsize=7.5,
                    color=INK if n_inv else MUTED)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.6, max(len(labels), 1) - 0.4)
    if not labels:
        ax.text(0.0, 0.5, "the formula forces the tensor to vanish", ha="center", va="center", color=MUTED)
    ax.set_ylim(0, top * 1.22 + 1)
    ax.set_xlabel("O(3) irrep (e3nn notation: l and parity)")
    ax.set_ylabel("components")
    from matplotlib.patches import Patch

    handles = [Patch(color=PALETTE["blue"], label="multiplicity x (2l+1) components")]
    if invariants is not None:
        handles.append(Patch(color=PALETTE["orange"], label=f"invariant under {record.get('point_group')}"))
    ax.legend(handles=handles, loc="upper left", fontsize=7.5)


# --------------------------------------------------------------------------- the figure
def _title(record: dict[str, Any], symbol: str | None) -> str:
    name = record.get("name")
    what = f"{name} {symbol}" if name and symbol else f"{name} ({record['formula']})" if name else record["formula"]
    if record.get("point_group") is not None:
        pg = record["point_group"]
        schoen = record.get("point_group_schoenflies")
        group = f"{pg} ({schoen})" if schoen and schoen != pg else pg
        n = record["independent_components"]
        return f"{what}, point group {group}\n{n} independent component{'s' if n != 1 else ''}"
    dof = record["dim"]
    return f"{what}\n{record['irreps'] or 'no irreps'}: {dof} degree{'s' if dof != 1 else ''} of freedom"


def plot_tensor(record: dict[str, Any], path: str, form: Any = None) -> str:
    """Draw the ``tensor`` record (and its :class:`AllowedForm` ``form``, if any) to ``path``.

    With a form that has a Voigt matrix: the Nye diagram, and the directional surface for ranks
    2-4; with a group but no Voigt matrix: the irreps chart with the invariant counts (and the
    surface); without a group: the irreps chart. Returns the path written.
    """
    voigt = form is not None and form.voigt is not None and form.voigt_terms is not None
    tensor = None
    if form is not None and form.basis is not None and len(form.basis) and 2 <= np.ndim(form.basis) - 1 <= 4:
        candidate = allowed_instance(form)
        if np.abs(longitudinal(candidate, _sphere(19, 37))).max() > 1e-9 * max(1.0, np.abs(candidate).max()):
            tensor = candidate
    symbol = form.voigt["symbol"] if voigt else (record.get("allowed_form", {}) or {}).get("voigt", {}).get("symbol")
    with plot_style():
        if voigt:
            diagram = nye_diagram(form)
            rows, cols = diagram.shape
            left_w = 0.62 * cols + 1.2
            width = left_w + (4.6 if tensor is not None else 0.0)
            fig = new_figure(max(width, 4.2), max(0.62 * rows + 2.6, 4.8 if tensor is not None else 0.0))
        else:
            chart_w = min(2.4 + 0.75 * len(record.get("multiplicities") or {}), 7.0)
            fig = new_figure(chart_w + (4.6 if tensor is not None else 0.0), 4.2)
        fig.suptitle(_title(record, symbol), fontweight="bold")
        if tensor is not None:
            left, right = fig.subfigures(1, 2, width_ratios=[left_w if voigt else chart_w, 4.6], wspace=0.02)
        else:
            left, right = fig, None
        ax = left.add_subplot(1, 1, 1)
        if voigt:
            draw_nye(ax, diagram)
            _legend(ax, diagram)
            free = ", ".join(diagram.free) if diagram.free else "none"
            note = " (symmetric: the grey half mirrors)" if diagram.symmetric else ""
            frame = "standard orientation" if form.frame == "standard" else "the structure's own frame"
            ax.set_title(f"Nye diagram, {frame}{note}\nfree: {free}", fontsize=8.5)
        else:
            draw_irreps_chart(ax, record)
        if right is not None:
            _draw_directional(right, tensor, symbol or "T")
        return save_figure(fig, path)
