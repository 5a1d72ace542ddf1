"""Progress reporting for long work: a rich bar on stderr, silent when not wanted.

Library code takes an optional ``progress(done, total)`` callback and never prints;
the CLI decides whether a bar is shown (not with --quiet, not when stderr is not a terminal).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

ProgressCallback = Callable[[int, int], None]


def progress_enabled(quiet: bool) -> bool:
    """Bars only for a person watching: stderr is a terminal and --quiet is off."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, enabled: bool) -> Iterator[ProgressCallback]:
    """Yield a ``progress(done, total)`` callback drawing a rich bar with ETA on stderr."""
    if not enabled:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
