"""Errors that the CLI maps to exit codes: bad input is the user's to fix (exit 2).

Everything else that escapes a command is an internal error (exit 3). A failed check
(infeasible map, verification mismatch) is not an exception: results carry a status.
"""

from __future__ import annotations


class SymcompileError(Exception):
    """Base class of the errors symcompile raises on purpose."""


class InputError(SymcompileError):
    """Bad usage or bad input: unreadable file, malformed formula, absurd tolerance.

    The message is one line, shown to the user as ``error: <message>`` with exit code 2.
    ``path`` names the file the problem is in (set by the readers), so that a command reading
    several files says which one: ``error: OUT.xyz: <message>``.

    >>> InputError("Lattice= holds nan", path="a.xyz").located()
    'a.xyz: Lattice= holds nan'
    """

    def __init__(self, message: str = "", *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path

    def located(self, known_path: str | None = None) -> str:
        """The message, prefixed with the file it is about unless that file is ``known_path`` already."""
        first = str(self).splitlines()[0] if str(self).strip() else "bad input"
        return f"{self.path}: {first}" if self.path and self.path != known_path else first
