"""Records and their renderers: one module per command, plus the shape every record shares.

A command's result is a plain dict (a *record*). Every record starts with ``file``,
``status``, ``command``, ``schema_version`` and carries, where they apply, ``space_group:
{number, symbol}``, ``point_group: {hm, schoenflies, order}``, ``tolerances: {symprec,
angle_tol}``, ``seconds: {total, ...}`` and ``notes`` (plain words). ``--json`` prints one
compact JSON object per input (JSON Lines). The module ``symcompile.report.<command>``
(``-`` written ``_``) holds a command's record helpers and its human renderer ``render``
(and, optionally, ``summary_label`` for the batch summary): adding a command adds a module.
"""

from __future__ import annotations

import importlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

Record = dict[str, Any]

#: Version of the JSON records; bumped on every incompatible change (see CHANGELOG.md).
SCHEMA_VERSION = 2

#: Keys that stay out of human tables and out of JSON (internal details).
_PRIVATE_KEYS = ("traceback",)
_HEAD = ("file", "status", "command", "schema_version")
_TAIL = ("tolerances", "seconds", "notes")


def jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, tuples, sets and fractions into plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items() if k not in _PRIVATE_KEYS}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return int(obj) if obj.denominator == 1 else float(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy arrays and scalars, torch tensors
        return jsonable(obj.tolist())
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


def to_json(record: Record) -> str:
    """One compact JSON object on one line (a JSON Lines entry)."""
    return json.dumps(jsonable(record), separators=(",", ":"), ensure_ascii=False)


def tolerances(symprec: float, angle_tol: float | None, **extra: float) -> dict[str, Any]:
    """``{"symprec", "angle_tol", ...}``: the tolerances a result was computed with."""
    return {"symprec": symprec, "angle_tol": angle_tol, **extra}


def finish(record: Record, command: str) -> Record:
    """The record in the shared shape: head keys first, ``tolerances``/``seconds``/``notes`` last."""
    out = dict(record)
    out.setdefault("command", command)
    out["schema_version"] = SCHEMA_VERSION
    if out.get("status") != "error":
        out.setdefault("notes", [])
    ordered = {k: out[k] for k in _HEAD if k in out}
    ordered.update({k: v for k, v in out.items() if k not in _HEAD and k not in _TAIL})
    ordered.update({k: out[k] for k in _TAIL if k in out})
    return ordered


def _module(command: str) -> Any:
    try:
        return importlib.import_module(f"symcompile.report.{command.replace('-', '_')}")
    except ImportError:
        return None


# --------------------------------------------------------------------------- human output
def render(record: Record, console: Any) -> None:
    """Print one record for a person (rich console on stdout), with its command's renderer."""
    module = _module(str(record.get("command", "")))
    (getattr(module, "render", None) or render_generic)(record, console)


def render_generic(record: Record, console: Any) -> None:
    """Fallback: a two-column key/value table."""
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in jsonable(record).items():
        table.add_row(f"[bold]{key}[/]", json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
    console.print(table)


def error_line(record: Record, with_file: bool = True) -> str:
    """The one-line message for an input that could not be analysed."""
    message = str(record.get("error", "unknown error")).splitlines()[0] if record.get("error") else "unknown error"
    prefix = f"{record['file']}: " if with_file and record.get("file") else ""
    return f"error: {prefix}{message}"


def group_label(record: Record) -> str | None:
    """``"Pnma (62)"`` for a crystal, ``"C2v (point group)"`` for a molecule, from the shared keys."""
    space_group = record.get("space_group")
    if isinstance(space_group, dict) and space_group.get("number"):
        return f"{space_group['symbol']} ({space_group['number']})"
    point_group = record.get("point_group")
    if isinstance(point_group, dict) and point_group.get("schoenflies"):
        return f"{point_group['schoenflies']} (point group)"
    return None


def render_summary(records: Sequence[Record], console: Any) -> None:
    """Counts per status and, where the command says how, per group (space group, verdict...)."""
    from rich.table import Table

    status = Counter(r["status"] for r in records)
    title = f"summary of {len(records)} inputs"
    table = Table(title=title, show_header=True, min_width=len(title) + 4)
    table.add_column("status")
    table.add_column("count", justify="right")
    for name in ("ok", "failed", "error"):
        if status.get(name):
            table.add_row(name, str(status[name]))
    console.print(table)
    labels: Counter[str] = Counter()
    heading = "group"
    for record in records:
        if record["status"] == "error":
            continue
        module = _module(str(record.get("command", "")))
        label_of = getattr(module, "summary_label", group_label)
        heading = getattr(module, "SUMMARY_HEADING", heading)
        label = label_of(record)
        if label is not None:
            labels[label] += 1
    if labels:
        by_group = Table(show_header=True)
        by_group.add_column(heading)
        by_group.add_column("count", justify="right")
        for name, count in labels.most_common():
            by_group.add_row(name, str(count))
        console.print(by_group)
