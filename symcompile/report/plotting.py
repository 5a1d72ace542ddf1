"""The shared look of every ``--plot`` figure: headless matplotlib, one palette, atomic saving.

matplotlib is imported only inside these functions, so that commands run without ``--plot``
never load it. Figures are built as :class:`matplotlib.figure.Figure` objects (no pyplot
state); the ``Agg`` backend is selected before pyplot could ever be imported. Colours are the
Okabe–Ito palette (safe for the common colour-vision deficiencies); SVG text stays text.

>>> check_plot_path("forms.svg").suffix
'.svg'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from symcompile.errors import InputError

__all__ = ["SUFFIXES", "PALETTE", "INK", "MUTED", "STYLE", "check_plot_path", "path_for_input", "typeset_symbol",
           "plot_style", "new_figure", "save_figure"]

#: The file formats a plot can be written in (chosen by the suffix of the path).
SUFFIXES = (".png", ".svg", ".pdf")

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: Colours of marks and text, and of secondary elements (grids, zero marks).
INK = "#1a1a1a"
MUTED = "#8c8c8c"

#: matplotlib rcParams of every figure: sizes for a one- or two-column paper figure.
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "figure.titlesize": 11.0,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "mathtext.default": "regular",
    "svg.fonttype": "none",  # text stays text in SVG (searchable, editable)
    "svg.hashsalt": "symcompile",  # the same figure gives the same SVG bytes
    "pdf.fonttype": 42,  # TrueType in PDF (editable text)
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
}

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
#: Creation dates left out so the same figure gives the same bytes.
_METADATA: dict[str, dict[str, Any]] = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


def check_plot_path(path: str | os.PathLike[str]) -> Path:
    """The plot path if its suffix is .png/.svg/.pdf and its folder exists; else an InputError.

    >>> check_plot_path("out.jpg")
    Traceback (most recent call last):
    ...
    symcompile.errors.InputError: cannot plot to out.jpg: the file name must end in .png, .svg or .pdf
    """
    p = Path(path)
    if p.suffix.lower() not in _FORMATS:
        raise InputError(f"cannot plot to {path}: the file name must end in .png, .svg or .pdf")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot plot to {path}: no folder {folder}")
    if p.is_dir():
        raise InputError(f"cannot plot to {path}: it is a folder")
    return p


def path_for_input(template: str, source: str, many: bool, default_suffix: str = "") -> str:
    """The output path of one input from a user's ``template``: ``{name}`` becomes the input's stem;
    without ``{name}``, one input writes ``template`` itself and several append ``_<stem>``.

    >>> path_for_input("figs/{name}.png", "data/water.xyz", many=True)
    'figs/water.png'
    >>> path_for_input("out.mcif", "a/CaTiO3.cif", many=True)
    'out_CaTiO3.mcif'
    >>> path_for_input("out.png", "a/CaTiO3.cif", many=False)
    'out.png'
    """
    stem = Path(source).stem
    if "{name}" in template:
        return template.replace("{name}", stem)
    if not many:
        return template
    out = Path(template)
    return os.fspath(out.with_name(f"{out.stem}_{stem}{out.suffix or default_suffix}"))


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def typeset_symbol(symbol: str) -> str:
    """A Hermann–Mauguin symbol as printed (Unicode, searchable SVG text): ``-3`` with an overbar,
    ``4_2`` with a subscript screw part; other text unchanged.

    >>> typeset_symbol("P4_2/mnm"), typeset_symbol("Pm-3m"), typeset_symbol("-43m")
    ('P4₂/mnm', 'Pm3\u0305m', '4\u03053m')
    """
    import re

    text = re.sub(r"_(\d)", lambda m: m.group(1).translate(_SUBSCRIPTS), symbol)
    return re.sub(r"-(\d)", "\\1\u0305", text)


def _matplotlib() -> Any:
    """matplotlib, with the headless Agg backend unless pyplot is already in use."""
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    return matplotlib


@contextmanager
def plot_style() -> Iterator[None]:
    """Draw (and save) inside this block to get the shared fonts, sizes and SVG settings."""
    with _matplotlib().rc_context(STYLE):
        yield


def new_figure(width: float, height: float) -> Any:
    """A pyplot-free Figure of ``width`` x ``height`` inches with constrained layout."""
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_figure(fig: Any, path: str | os.PathLike[str]) -> str:
    """Write ``fig`` to ``path`` (.png, .svg or .pdf, by suffix) atomically; returns the path.

    The figure goes to a temporary file in the same folder first and is renamed over ``path``
    only when complete, so a failure leaves an existing file untouched.
    """
    target = check_plot_path(path)
    fmt = _FORMATS[target.suffix.lower()]
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle, plot_style():
            fig.savefig(handle, format=fmt, metadata=_METADATA[fmt])
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return str(path)
