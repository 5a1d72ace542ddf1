"""One place for output formats: result records -> JSON, and -> rich tables for people.

A command's result is a plain dict (a *record*) with a ``command`` key; records are
JSON-ready after :func:`jsonable`. Human rendering is looked up by command name.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

Record = dict[str, Any]

#: Keys that stay out of human tables and out of JSON (internal details).
_PRIVATE_KEYS = ("traceback",)


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


def to_json(record: Record, pretty: bool = False) -> str:
    """One JSON document for ``record``; compact (one line) unless ``pretty``."""
    if pretty:
        return json.dumps(jsonable(record), indent=2, ensure_ascii=False)
    return json.dumps(jsonable(record), separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- human output
Renderer = Callable[[Record, Any], None]
RENDERERS: dict[str, Renderer] = {}


def renderer(command: str) -> Callable[[Renderer], Renderer]:
    """Register the human renderer of one command's records."""

    def register(func: Renderer) -> Renderer:
        RENDERERS[command] = func
        return func

    return register


def render(record: Record, console: Any) -> None:
    """Print one record for a person (rich console on stdout)."""
    func = RENDERERS.get(record.get("command", ""), render_generic)
    func(record, console)


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


def render_summary(records: Sequence[Record], console: Any, group_key: str | None = None) -> None:
    """Counts per status and, where it applies, per group (space group, verdict...)."""
    from rich.table import Table

    status = Counter(r["status"] for r in records)
    table = Table(title=f"summary of {len(records)} inputs", show_header=True)
    table.add_column("status")
    table.add_column("count", justify="right")
    for name in ("ok", "failed", "error"):
        if status.get(name):
            table.add_row(name, str(status[name]))
    console.print(table)
    if group_key:
        groups = Counter(str(r[group_key]) for r in records if r.get(group_key) is not None)
        if groups:
            by_group = Table(show_header=True)
            by_group.add_column(group_key)
            by_group.add_column("count", justify="right")
            for name, count in groups.most_common():
                by_group.add_row(name, str(count))
            console.print(by_group)


# Each command registers its renderer below, in its own section.
