"""Warnings from the libraries we call (numpy, pymatgen, spglib, torch) as notes in plain words.

A warning printed to stderr in the middle of a batch is noise a CI log cannot attribute to an
input; the same warning as a note in that input's record says what happened and where. Any
code that runs user input wraps it in :func:`warnings_as_notes`.

>>> import warnings
>>> notes = []
>>> with warnings_as_notes(notes):
...     warnings.warn("overflow encountered in multiply", RuntimeWarning)
>>> notes
['a calculation overflowed (a number too large for double precision) and was dropped or capped']
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: At most this many notes come from warnings per input.
MAX_WARNING_NOTES = 5

#: numpy's floating-point warnings (regular expression) -> what they mean.
_NUMERICAL: tuple[tuple[str, str], ...] = (
    (r"overflow encountered", "a calculation overflowed (a number too large for double precision) and was "
                              "dropped or capped"),
    (r"invalid value encountered", "a calculation produced an undefined number (NaN) that was dropped"),
    (r"divide by zero encountered", "a calculation divided by zero; the result was dropped"),
    (r"underflow encountered", ""),
    (r"Mean of empty slice|Degrees of freedom <= 0", ""),
)


def _library(filename: str) -> str:
    """The package a warning came from: the folder after site-packages (or 'symcompile')."""
    match = re.search(r"(?:site|dist)-packages[/\\]([A-Za-z0-9_]+)", filename)
    if match:
        return match.group(1)
    return "symcompile" if "symcompile" in filename else "python"


def plain_words(message: str, category: type[Warning], filename: str = "",
                translate: Callable[[str], str] | None = None) -> str:
    """One warning as a short sentence ('' for warnings that say nothing a user can act on).

    numpy's floating-point warnings get fixed wordings; ``translate(message)`` words a library's
    other warnings (returning '' drops one); the rest are quoted with the library's name.
    """
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    if issubclass(category, RuntimeWarning):
        for pattern, plain in _NUMERICAL:
            if re.search(pattern, first):
                return plain
    if translate is not None:
        return translate(message)
    if not first:
        return ""
    return f"{_library(filename)} warning: {first[:160]}"


@contextmanager
def warnings_as_notes(notes: list[str], translate: Callable[[str], str] | None = None) -> Iterator[None]:
    """Collect the warnings raised inside the block as plain notes appended to ``notes`` (never printed).

    ``translate(message)`` may word a library's own warnings (it returns '' to drop one); deprecation
    warnings are dropped (they concern our code, not the input).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    added = 0
    for item in caught:
        if issubclass(item.category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
            continue
        note = plain_words(str(item.message), item.category, item.filename, translate)
        if note and note not in notes and added < MAX_WARNING_NOTES:
            notes.append(note)
            added += 1
