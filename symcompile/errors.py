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
    """
