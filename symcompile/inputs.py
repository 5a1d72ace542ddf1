"""Expanding what the user names on the command line into a list of input files.

Files, directories (searched recursively, filtered by a glob), shell-style globs, and
``-`` for a list of paths on standard input, one per line. Order is kept, duplicates dropped.
"""

from __future__ import annotations

import glob as globlib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from symcompile.errors import InputError

def _directory_files(directory: Path, pattern: str | None) -> list[Path]:
    """Files under ``directory`` matching ``pattern``, or else every file whose name announces a
    structure format the readers read (:data:`symcompile.structures.files.FORMATS`)."""
    if pattern:
        return sorted(p for p in directory.rglob(pattern) if p.is_file())
    from symcompile.structures.files import is_structure_file

    return sorted(p for p in directory.rglob("*") if is_structure_file(p))


def expand_inputs(items: Iterable[str], glob: str | None = None, stdin: TextIO | None = None) -> list[str]:
    """Return the input files named by ``items`` (files, directories, globs, ``-``).

    A name that matches nothing is kept as it is: reading it reports the error for that
    input alone, so one bad name does not stop the others.
    """
    from symcompile.structures.files import EMPTY_PATH

    out: list[str] = []
    for item in items:
        if not item:
            raise InputError(EMPTY_PATH)
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin
            lines = [line.strip() for line in stream.read().splitlines()]
            out.extend(expand_inputs([x for x in lines if x and x != "-"], glob))
            continue
        path = Path(item)
        if path.is_dir():
            files = _directory_files(path, glob)
            if not files:
                skipped = sum(1 for p in path.rglob("*") if p.is_file())
                hint = (f" ({skipped} file{'s' if skipped != 1 else ''} skipped: "
                        + (f"none matches --glob {glob!r})" if glob else
                           "their names announce no structure format; --glob PATTERN picks files by name)")
                        if skipped else "")
                raise InputError(f"no structure files found in directory {item}{hint}")
            out.extend(str(f) for f in files)
        elif not path.exists() and any(ch in item for ch in "*?["):
            matches = sorted(globlib.glob(item, recursive=True))
            if not matches:
                raise InputError(f"no files match {item!r}")
            out.extend(matches)
        else:
            out.append(item)
    seen: set[str] = set()
    return [x for x in out if not (x in seen or seen.add(x))]
