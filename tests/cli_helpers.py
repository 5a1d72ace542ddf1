"""Running the CLI in this process, as a user would from a shell: exit code, stdout, stderr."""

from __future__ import annotations

import contextlib
import io

from symcompile.cli import main


def invoke(args: list[str]) -> tuple[int, str, str]:
    """``symcompile ARGS``: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()
