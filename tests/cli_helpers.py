"""Running the CLI in this process, as a user would from a shell: exit code, stdout, stderr."""

from __future__ import annotations

import contextlib
import io

from symcompile.cli import main


def invoke(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """``symcompile ARGS`` (with ``stdin`` as standard input): (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    feed = contextlib.nullcontext() if stdin is None else _stdin(stdin)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), feed, _shown_warnings(err):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _shown_warnings(err: io.StringIO):  # type: ignore[no-untyped-def]
    """Warnings that escape the command, written to its stderr as Python would show them in a terminal
    (pytest would otherwise swallow them); deprecation warnings are hidden by Python's defaults too."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.filterwarnings("ignore", category=category)
        yield
    for item in caught:
        err.write(f"{item.filename}:{item.lineno}: {item.category.__name__}: {item.message}\n")


@contextlib.contextmanager
def _stdin(text: str):  # type: ignore[no-untyped-def]
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def check_contract(args: list[str], code: int, out: str, err: str, inputs: int = 1) -> None:
    """The CLI contract whatever the input: exit 0, 1 or 2 (never 3), no traceback, no library warning on
    stderr (they are notes); on exit 2 exactly one line ``error: ...`` for a single input, and only such
    lines (one per bad input) for a batch in --json or --quiet mode."""
    assert code in (0, 1, 2), (args, code, err[-2000:])
    assert "Traceback" not in err and "internal error" not in err, (args, err[-2000:])
    assert "Warning:" not in err, (args, err[-2000:])
    if code == 2:
        lines = err.splitlines()
        if inputs == 1:
            assert len(lines) == 1 and lines[0].startswith("error: "), (args, err)
        elif "--json" in args or "--quiet" in args:
            assert lines and all(line.startswith("error: ") for line in lines), (args, err)

