"""The command-line skin: parse options, call the library, render the records.

No science here. Every command shares one contract (DESIGN.md): ``--json``, ``--quiet``,
``--debug``, ``--symprec``, ``--angle-tol``; exit codes 0 ok / 1 check failed / 2 bad
input / 3 internal error; one-line ``error: ...`` messages; progress on stderr.

Adding a command: write a picklable task ``f(path, **options) -> record`` (or a
function returning one record) in the library, a renderer in report.py, and a click
command here that calls :func:`run_files` or :func:`run_one`.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click

from symcompile._version import __version__
from symcompile.errors import InputError

DEFAULT_SYMPREC = 1e-3
#: Tolerances beyond these are absurd for atomic structures (Å, degrees).
MAX_SYMPREC = 1.0
MAX_ANGLE_TOL = 45.0


@dataclass(frozen=True)
class Options:
    """The options every command shares."""

    json: bool = False
    quiet: bool = False
    debug: bool = False
    symprec: float = DEFAULT_SYMPREC
    angle_tol: float | None = None
    jobs: int = 1
    glob: str | None = None
    scheduler: str | None = None

    @property
    def tolerances(self) -> dict[str, float | None]:
        return {"symprec": self.symprec, "angle_tol": self.angle_tol}

    @property
    def show_progress(self) -> bool:
        from symcompile.progress import progress_enabled

        return progress_enabled(self.quiet)


def _check_symprec(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value is None:
        return value
    if not (0.0 < value <= MAX_SYMPREC):
        raise click.BadParameter(f"must be in (0, {MAX_SYMPREC}] Å, got {value}")
    return value


def _check_angle_tol(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (0.0 < value <= MAX_ANGLE_TOL):
        raise click.BadParameter(f"must be in (0, {MAX_ANGLE_TOL}] degrees, got {value}")
    return value


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json --quiet --debug --symprec --angle-tol, collected into ``opts: Options``."""

    @click.option("--json", "json_output", is_flag=True, help="JSON on stdout (JSON Lines with several inputs).")
    @click.option("--quiet", "-q", is_flag=True, help="No progress bars or summaries on stderr.")
    @click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
    @click.option("--symprec", type=float, default=DEFAULT_SYMPREC, show_default=True, callback=_check_symprec,
                  help="Distance tolerance of symmetry finding, in Å.")
    @click.option("--angle-tol", type=float, default=None, callback=_check_angle_tol,
                  help="Angle tolerance of symmetry finding, in degrees (default: spglib's automatic choice).")
    @functools.wraps(func)
    def wrapper(*args: Any, json_output: bool, quiet: bool, debug: bool, symprec: float,
                angle_tol: float | None, jobs: int = 1, glob: str | None = None,
                scheduler: str | None = None, **kwargs: Any) -> Any:
        opts = Options(json=json_output, quiet=quiet, debug=debug, symprec=symprec, angle_tol=angle_tol,
                       jobs=jobs, glob=glob, scheduler=scheduler)
        return func(*args, opts=opts, **kwargs)

    return wrapper


def batch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--jobs --glob --scheduler for commands over many structure files."""
    func = click.option("--scheduler", default=None, metavar="ADDRESS",
                        help="Send the work to a Dask distributed scheduler (needs the dask extra).")(func)
    func = click.option("--glob", default=None, metavar="PATTERN",
                        help="File pattern inside directories (default: common structure files).")(func)
    func = click.option("--jobs", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
                        help="Parallel worker processes.")(func)
    return func


# --------------------------------------------------------------------------- running and rendering
def _stdout_console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def emit(records: Iterable[dict[str, Any]], opts: Options, total: int, group_key: str | None = None,
         description: str = "analysing") -> int:
    """Print records as they come (JSON Lines or tables), then a summary; return the exit code."""
    from symcompile import report
    from symcompile.batch import worst_exit_code
    from symcompile.progress import progress_bar

    many = total > 1
    out = _stdout_console() if not opts.json else None
    err = _stderr_console()
    done: list[dict[str, Any]] = []
    with progress_bar(description, enabled=many and opts.show_progress) as progress:
        for record in records:
            done.append(record)
            progress(len(done), total)
            if opts.json:
                click.echo(report.to_json(record, pretty=not many))
            elif record["status"] != "error":
                report.render(record, out)
            if record["status"] == "error":
                err.print(report.error_line(record, with_file=bool(record.get("file"))), markup=False,
                          highlight=False, soft_wrap=True)
                if record.get("internal") and opts.debug and record.get("traceback"):
                    err.print(record["traceback"], markup=False, highlight=False)
    if many and not opts.json and not opts.quiet:
        report.render_summary(done, err, group_key)
    return worst_exit_code(done)


def run_files(task: Callable[[str], dict[str, Any]], items: tuple[str, ...], opts: Options,
              group_key: str | None = None, description: str = "analysing") -> int:
    """Run a per-file task over every input (files, directories, globs, '-')."""
    from symcompile.batch import run_tasks
    from symcompile.inputs import expand_inputs

    paths = expand_inputs(items, opts.glob)
    if not paths:
        raise InputError("no input files given")
    records = run_tasks(task, paths, jobs=opts.jobs, scheduler=opts.scheduler)
    return emit(records, opts, len(paths), group_key, description)


def run_one(func: Callable[[], dict[str, Any]], opts: Options) -> int:
    """Run a command that produces one record (no input files of its own)."""
    from symcompile.batch import guarded

    record = guarded(lambda _: func(), "")
    record.pop("file", None)
    if record["status"] == "error" and not record.get("internal"):
        raise InputError(record["error"])
    return emit([record], opts, 1)


# --------------------------------------------------------------------------- commands
@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="symcompile")
def cli() -> None:
    """symcompile: what does symmetry allow here?

    A symmetry compiler for crystals and molecules: Cartesian tensors and their
    symmetry-allowed forms, Curie-principle feasibility of input -> output maps, and
    symmetry-breaking order parameters found by E(3)-equivariant networks.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--check-declared", is_flag=True,
              help="Compare with the space group the CIF declares; exit 1 on any mismatch.")
@batch_options
@common_options
def symmetry(files: tuple[str, ...], check_declared: bool, opts: Options) -> int:
    """Space group / point group report of crystals and molecules.

    FILES are structure files (CIF, POSCAR, pymatgen JSON, xyz, ...), directories, globs,
    or '-' to read a list of paths from stdin.
    """
    from symcompile.structures.task import SymmetryTask

    task = SymmetryTask(symprec=opts.symprec, angle_tol=opts.angle_tol, check_declared=check_declared)
    return run_files(task, files, opts, group_key="space_group_label", description="symmetry")


# --------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps every outcome onto the documented exit codes."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="symcompile", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        code = 130
    except click.ClickException as exc:
        hint = " (see --help)" if isinstance(exc, click.UsageError) else ""
        click.echo(f"error: {exc.format_message().splitlines()[0]}{hint}", err=True)
        code = 2
    except InputError as exc:
        click.echo(f"error: {str(exc).splitlines()[0] if str(exc) else 'bad input'}", err=True)
        code = 2
    except (BrokenPipeError, KeyboardInterrupt):
        code = 130
    except Exception as exc:  # noqa: BLE001 - the contract: exit 3, traceback only with --debug
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
                   + ("" if debug else " (run with --debug for a traceback)"), err=True)
        code = 3
    sys.exit(code if isinstance(code, int) else 0)
