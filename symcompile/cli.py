"""The command-line skin: parse options, call the library, render the records.

No science here. Every command shares one contract (DESIGN.md): ``--json``, ``--quiet``,
``--debug``, ``--symprec``, ``--angle-tol``; exit codes 0 ok / 1 check failed / 2 bad
input / 3 internal error; one-line ``error: ...`` messages; progress on stderr.

Adding a command: a module ``symcompile/report/<command>.py`` with a picklable task
``f(path) -> record`` (or a function returning one record) and its renderer ``render``,
and a click command here that calls :func:`run_files` or :func:`run_one`.
"""

from __future__ import annotations

import functools
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import click

from symcompile._version import __version__
from symcompile.errors import InputError

DEFAULT_SYMPREC = 1e-3
#: Tolerances beyond these are absurd for atomic structures (Å, degrees); below MIN_SYMPREC round-off decides.
MIN_SYMPREC = 1e-8
MAX_SYMPREC = 1.0
MAX_ANGLE_TOL = 45.0
#: Seeds are unsigned 64-bit integers (what torch and numpy take).
MAX_SEED = 2 ** 64 - 1
#: --max-displacement of order-params: beyond 1 Å a "parent" is another structure (and the parent search's
#: tolerance scan, 2.5 times this, merges bonded atoms).
MAX_DISPLACEMENT = 3.0
#: --timeout: seconds per input, at most a week.
MAX_TIMEOUT = 7 * 24 * 3600.0


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
    timeout: float | None = None

    @property
    def tolerances(self) -> dict[str, float | None]:
        return {"symprec": self.symprec, "angle_tol": self.angle_tol}

    @property
    def show_progress(self) -> bool:
        from symcompile.progress import progress_enabled

        return progress_enabled(self.quiet)


def _bounded(low: float, high: float, unit: str, low_open: bool = True) -> Callable[..., Any]:
    """A click callback accepting a finite float in (low, high] (or [low, high]); NaN and inf are refused."""
    def check(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
        if value is None:
            return value
        inside = (low < value if low_open else low <= value) and value <= high  # False for NaN
        if not inside:
            raise click.BadParameter(f"must be in {'(' if low_open else '['}{low:g}, {high:g}] {unit}, got {value}")
        return value

    return check


def _check_plot(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--plot FILE: refuse a bad suffix or a missing folder before any work (matplotlib not imported)."""
    if value is not None:
        from symcompile.report.plotting import check_plot_path

        check_plot_path(value)
    return value


def _not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A file name option given as '' (an unset shell variable) is an error, never the working directory."""
    if value is not None and not value:
        from symcompile.structures.files import EMPTY_PATH

        raise click.BadParameter(EMPTY_PATH)
    return value


def _not_empty_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--scheduler '' (an unset shell variable) is an error, not a silent local run."""
    if value is not None and not value.strip():
        raise click.BadParameter("empty scheduler address (an unset shell variable?)")
    return value


def seed_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--seed for every command that trains: an unsigned 64-bit integer."""
    return click.option("--seed", type=click.IntRange(0, MAX_SEED), default=0, show_default=True,
                        help="Seed of the network and of training (0 to 2^64 - 1).")(func)


def _plot_path_for(template: str, source: str, many: bool = False) -> str:
    """The --plot path of one input ({name} replaced by its name), checked before any work."""
    from symcompile.report.plotting import check_plot_path, path_for_input

    path = path_for_input(template, source, many)
    check_plot_path(path)
    return path


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json --quiet --debug --symprec --angle-tol, collected into ``opts: Options``."""

    @click.option("--json", "json_output", is_flag=True, help="JSON Lines on stdout: one compact object per input.")
    @click.option("--quiet", "-q", is_flag=True, help="No progress bars or summaries on stderr.")
    @click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
    @click.option("--symprec", type=float, default=DEFAULT_SYMPREC, show_default=True,
                  callback=_bounded(MIN_SYMPREC, MAX_SYMPREC, "Å", low_open=False),
                  help="Distance tolerance of symmetry finding, in Å.")
    @click.option("--angle-tol", type=float, default=None, callback=_bounded(0, MAX_ANGLE_TOL, "degrees"),
                  help="Angle tolerance of symmetry finding, in degrees (default: spglib's automatic choice).")
    @functools.wraps(func)
    def wrapper(*args: Any, json_output: bool, quiet: bool, debug: bool, symprec: float,
                angle_tol: float | None, jobs: int = 1, glob: str | None = None,
                scheduler: str | None = None, timeout: float | None = None, **kwargs: Any) -> Any:
        opts = Options(json=json_output, quiet=quiet, debug=debug, symprec=symprec, angle_tol=angle_tol,
                       jobs=jobs, glob=glob, scheduler=scheduler, timeout=timeout)
        return func(*args, opts=opts, **kwargs)

    return wrapper


def magnetic_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--no-magnetic --mag-symprec for commands that read structures with magnetic moments."""
    func = click.option("--mag-symprec", "mag_symprec", type=float, default=None, callback=_bounded(0, 10.0, "μB"),
                        help="Tolerance on magnetic moments, in μB (default: the value of --symprec, as spglib).")(func)
    func = click.option("--no-magnetic", "no_magnetic", is_flag=True,
                        help="Ignore magnetic moments: the groups of the atoms alone.")(func)
    return func


def batch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--jobs --glob --scheduler --timeout for commands over many structure files."""
    func = click.option("--timeout", type=float, default=None, callback=_bounded(0, MAX_TIMEOUT, "s"),
                        metavar="SECONDS",
                        help="Give up on an input after this many seconds (status error, 'timed out'); the others "
                             "go on. Each input then runs in a worker process that can be stopped.")(func)
    func = click.option("--scheduler", default=None, metavar="ADDRESS", callback=_not_empty_address,
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


def emit(records: Iterable[dict[str, Any]], opts: Options, total: int, command: str,
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
            record = report.finish(record, command)
            done.append(record)
            progress(len(done), total)
            if opts.json:
                click.echo(report.to_json(record))
            elif record["status"] != "error":
                report.render(record, out)
            if record["status"] == "error":
                err.print(report.error_line(record, with_file=bool(record.get("file"))), markup=False,
                          highlight=False, soft_wrap=True)
                if record.get("internal") and opts.debug and record.get("traceback"):
                    err.print(record["traceback"], markup=False, highlight=False)
    if many and not opts.json and not opts.quiet:
        report.render_summary(done, err)
    return worst_exit_code(done)


def run_files(task: Callable[[str], dict[str, Any]], items: tuple[str, ...], opts: Options, command: str,
              description: str = "analysing",
              tap: Callable[[Iterable[dict[str, Any]]], Iterable[dict[str, Any]]] | None = None) -> int:
    """Run a per-file task over every input (files, directories, globs, '-'); ``tap`` sees the records on
    their way to the output (to collect them for a summary figure)."""
    from symcompile.batch import run_tasks
    from symcompile.inputs import expand_inputs

    paths = expand_inputs(items, opts.glob)
    if not paths:
        raise InputError("no input files given")
    records = run_tasks(task, paths, jobs=opts.jobs, scheduler=opts.scheduler, timeout=opts.timeout)
    return emit(records if tap is None else tap(records), opts, len(paths), command, description)


def run_one(func: Callable[[], dict[str, Any]], opts: Options, command: str) -> int:
    """Run a command that produces one record (its input files, if any, are named in the record)."""
    from symcompile.batch import guarded

    record = guarded(lambda _: func(), "")
    if not record.get("file"):
        record.pop("file", None)
    if record["status"] == "error" and not record.get("internal"):
        raise InputError(record["error"])
    return emit([record], opts, 1, command)


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
              help="Compare with the space group (and the BNS number of a magnetic CIF) the file declares; exit 1 "
                   "on any mismatch.")
@click.option("--plot", "plot", metavar="FILE", default=None, callback=_check_plot,
              help="Draw one summary figure of all inputs (space groups, crystal systems, molecule point groups; "
                   "with --check-declared the mismatches) to FILE (.png, .svg or .pdf).")
@magnetic_options
@batch_options
@common_options
def symmetry(files: tuple[str, ...], check_declared: bool, plot: str | None, no_magnetic: bool,
             mag_symprec: float | None, opts: Options) -> int:
    """Space group / point group report of crystals and molecules.

    FILES are structure files (CIF, POSCAR, pymatgen JSON, xyz, ...), directories, globs,
    or '-' to read a list of paths from stdin. Crystals with magnetic moments (magnetic CIF,
    pymatgen JSON, extended XYZ) also get their magnetic space group (BNS and OG) and
    magnetic point group.
    """
    from symcompile.report.symmetry import SymmetryTask

    if plot and "{name}" in plot:
        raise click.BadParameter("symmetry draws one summary figure of all inputs: {name} has no meaning here",
                                 param_hint="--plot")
    task = SymmetryTask(symprec=opts.symprec, angle_tol=opts.angle_tol, check_declared=check_declared,
                        magnetic=not no_magnetic, mag_symprec=mag_symprec)
    drawn: list[dict[str, Any]] = []
    code = run_files(task, files, opts, "symmetry", description="symmetry",
                     tap=functools.partial(_naming_plot, plot, drawn) if plot else None)
    if plot:
        from symcompile.report.symmetry_plot import plot_symmetry

        plot_symmetry(drawn, plot, check_declared=check_declared)
        if not opts.quiet:
            click.echo(f"wrote {plot}", err=True)
    return code


def _naming_plot(plot: str, drawn: list[dict[str, Any]], records: Iterable[dict[str, Any]]
                 ) -> Iterator[dict[str, Any]]:
    """Records as they come, each analysed one naming the summary figure it is drawn in (``plot``)."""
    for record in records:
        if record.get("status") != "error":
            record["plot"] = plot
        drawn.append(record)
        yield record


@cli.command("order-params")
@click.argument("children", nargs=-1, required=True, metavar="CHILD...")
@click.option("--parent", "parent", metavar="FILE", default=None, callback=_not_empty,
              help="The parent structure, used as given (its lattice and setting); default: the highest-symmetry "
                   "structure within --max-displacement.")
@click.option("--parent-group", metavar="N|SYMBOL", default=None,
              help="Take the candidate parent of this space group (number or symbol, e.g. 167 or R-3c; "
                   "R-3c#2 for the second candidate of that group).")
@click.option("--origin", metavar="SPECIES", default=None,
              help="Put this species at the parent's origin (labels at k != 0 depend on it).")
@click.option("--max-displacement", type=float, default=1.0, callback=_bounded(0, MAX_DISPLACEMENT, "Å"),
              show_default=True, help=f"Largest atomic displacement between parent and child, in Å (at most "
                                      f"{MAX_DISPLACEMENT:g}).")
@click.option("--lmax", type=click.IntRange(0, 4), default=2, show_default=True,
              help="Learnable features: every irrep up to this L, both parities (0e 0o 1o 1e 2e 2o for 2).")
@seed_option
@click.option("--steps", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Largest number of training steps per carrier (training stops once the fit is good and the "
                   "group holds).")
@click.option("--no-train", is_flag=True,
              help="Group theory only: parent, candidates, modes, strain and carriers (no network, torch not "
                   "imported, nothing verified by training).")
@click.option("--write-mcif", "write_mcif", metavar="PATH", default=None, callback=_not_empty,
              help="Write the decorated parent as a magnetic CIF with the child's operations ({name} is replaced "
                   "by the child's name; with several children the name is appended).")
@click.option("--plot", "plot", metavar="FILE", default=None, callback=_check_plot,
              help="Draw the order parameter on the parent cell and the mode amplitudes (.png, .svg, .pdf; "
                   "{name} as for --write-mcif).")
@batch_options
@common_options
def order_params(children: tuple[str, ...], parent: str | None, parent_group: str | None, origin: str | None,
                 max_displacement: float, lmax: int, seed: int, steps: int, no_train: bool, write_mcif: str | None,
                 plot: str | None, opts: Options) -> int:
    """Symmetry-breaking order parameters of distorted crystals, found by input gradients.

    For each CHILD (structure file, directory or glob): the high-symmetry parent (given, or
    the highest of the candidates within --max-displacement), the child's distortion in the
    parent's irreps (modes in Å, strain), the sites x irreps that can carry it by group theory,
    an equivariant network trained from the parent to the child with learnable features on the
    best carrier, and the check that the decorated parent has exactly the child's space group
    (ours and spglib's). Exit 0 verified (or no symmetry breaking), 1 not verified.
    """
    from pathlib import Path

    from symcompile.report.order_params import OrderParamsTask

    if parent is not None and parent_group is not None:
        raise click.BadParameter("give either --parent or --parent-group", param_hint="--parent-group")
    single = len(children) == 1 and children[0] != "-" and Path(children[0]).is_file()
    task = OrderParamsTask(parent=parent, parent_group=parent_group, origin=origin,
                           max_displacement=max_displacement, lmax=lmax, seed=seed, steps=steps,
                           symprec=opts.symprec, angle_tol=opts.angle_tol, train=not no_train,
                           write_mcif=write_mcif, plot=plot, many=not single,
                           show_progress=single and opts.show_progress)
    return run_files(task, children, opts, "order-params", description="order-params")


@cli.command()
@click.argument("input_file", metavar="IN")
@click.argument("output_file", metavar="[OUT]", required=False)
@click.option("--property", "prop", metavar="NAME_OR_FORMULA",
              help="Instead of OUT: can IN carry this property? A name (dipole, polarizability, "
                   "polarizability_anisotropy, piezoelectric, elastic, magnetization, anomalous_hall, ...), a "
                   "formula (ijk=ikj) or irreps (2e, or 1e' for a time-odd one).")
@click.option("--no-train", is_flag=True, help="Group theory only (fast; no network, torch not imported).")
@seed_option
@click.option("--steps", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Largest number of L-BFGS iterations per training run.")
@click.option("--lmax", type=click.IntRange(1, 8), default=None,
              help="Degree of the network's spherical harmonics (default 2, or the property's largest l).")
@click.option("--plot", "plot", metavar="FILE", default=None, callback=_check_plot,
              help="Draw IN, OUT and the symmetry-averaged prediction (or IN with the property's verdict) to FILE "
                   "(.png, .svg or .pdf; {name} becomes IN's name).")
@magnetic_options
@common_options
def curie(input_file: str, output_file: str | None, prop: str | None, no_train: bool, seed: int, steps: int,
          lmax: int | None, plot: str | None, no_magnetic: bool, mag_symprec: float | None, opts: Options) -> int:
    """Curie's principle: can an equivariant map turn IN into OUT? Can IN carry a property?

    IN and OUT are geometries (xyz, CIF, POSCAR, ...) in one Cartesian frame, point k of IN
    mapping to point k of OUT. The verdict comes from group theory (every symmetry of IN must
    be kept) and, unless --no-train, from an equivariant network trained on the pair. A crystal
    with magnetic moments carries --property P under its magnetic space group (time-odd
    properties: magnetization, anomalous_hall, magnetoelectric, irreps like 1e'). Exit 0
    feasible, 1 infeasible.
    """
    if (output_file is None) == (prop is None):
        raise click.UsageError("give either OUT or --property (one of the two)")
    from symcompile.progress import progress_bar

    def run() -> dict[str, Any]:
        from symcompile.curie.check import CurieOptions
        from symcompile.report.curie import curie_record

        with progress_bar("training", enabled=opts.show_progress and not no_train) as progress:
            options = CurieOptions(symprec=opts.symprec, angle_tol=opts.angle_tol, train=not no_train, seed=seed,
                                   steps=steps, lmax=lmax, progress=progress, magnetic=not no_magnetic,
                                   mag_symprec=mag_symprec)
            record = curie_record(input_file, output_file, prop, options)
        if plot:
            from symcompile.report.curie_plot import plot_curie

            record["plot"] = plot_curie(record, plot_path)
            if not opts.quiet:
                click.echo(f"wrote {record['plot']}", err=True)
        return record

    plot_path = _plot_path_for(plot, input_file) if plot else None
    return run_one(run, opts, "curie")


@cli.command()
@click.argument("formula")
@click.option("--point-group", "-g", "point_group", metavar="PG",
              help="Point group: Hermann-Mauguin (4/mmm, -42m, -4m2, 321, 31m...), Schoenflies (D4h, C3v...), "
                   "continuous (SO3, O3, Cinf, Cinfv, Cinfh, Dinf, Dinfh), or magnetic with primes (4'/m'm'm, "
                   "m'm'm, -1', grey 4/mmm1' or 11'; D4h(D2d), D4h1').")
@click.option("--space-group", "space_group", type=int, metavar="N",
              help="Space group number 1-230: its point group, in the setting of its standard symbol.")
@click.option("--structure", "structure", metavar="FILE",
              help="Crystal or molecule file: its point group (spglib / molecule analysis), with the allowed "
                   "form in the standard orientation and in the structure's own Cartesian frame.")
@click.option("--index", "index_types", multiple=True, metavar="LETTER=TYPE",
              help="Index type: 1o (vector, default) or 1e (pseudovector), e.g. --index i=1e. Repeatable.")
@click.option("--axial", is_flag=True, default=None, help="Axial (pseudo) tensor: an extra det(R).")
@click.option("--time-odd/--time-even", "time_odd", default=None,
              help="Parity under time reversal (default: the named tensor's, else even); it matters under "
                   "magnetic point groups.")
@click.option("--all-groups", "all_groups", is_flag=True,
              help="The number of independent components under every crystal class (one record per group).")
@click.option("--magnetic", is_flag=True, help="With --all-groups: every one of the 122 magnetic point groups.")
@click.option("--symbol", default=None, metavar="NAME",
              help="Symbol of the components in the allowed form (default: the named tensor's, or T).")
@click.option("--symbolic", is_flag=True, help="Also give an exact integer basis of each isotypic component.")
@click.option("--save-basis", "save_basis", metavar="PATH.npy", default=None,
              help="Write the change of basis (float64, shape [dim, 3, ..., 3], rows in irreps order) to this "
                   ".npy file (the name must end in .npy; only a previous .npy file is overwritten).")
@click.option("--plot", "plot", metavar="FILE", default=None, callback=_check_plot,
              help="Draw the allowed form as a Nye diagram with its directional surface (or the irreps chart "
                   "without a group) to FILE (.png, .svg or .pdf).")
@magnetic_options
@common_options
def tensor(formula: str, point_group: str | None, space_group: int | None, structure: str | None,
           index_types: tuple[str, ...], axial: bool | None, time_odd: bool | None, all_groups: bool, magnetic: bool,
           symbol: str | None, symbolic: bool, save_basis: str | None, plot: str | None, no_magnetic: bool,
           mag_symprec: float | None, opts: Options) -> int:
    """Cartesian tensor -> O(3) irreps, exact degrees of freedom, and the form a symmetry allows.

    FORMULA is an index-symmetry formula in e3nn syntax (ij=ji, ijk=-jik=-ikj, ijkl=jikl=klij;
    at most 12 indices) or a name: elastic, compliance, piezoelectric (d), piezoelectric_e,
    dielectric, polarizability, conductivity, thermal_expansion, pyroelectric, dipole, gyration,
    shg, electrooptic, photoelastic, hall, quadrupole, seebeck; time-odd (magnetic):
    magnetization, magnetoelectric, piezomagnetic, anomalous_hall, magnetooptic. A bare word
    close to a name (elastc) is an error, not a formula.
    With a point group (magnetic ones included), space group or structure: the number of
    independent components (Neumann's principle, exact by characters) and the allowed form
    (Voigt matrix as in Nye's tables for rank <= 4); a structure with magnetic moments gives its
    magnetic point group (--no-magnetic: the atoms' group). With --all-groups [--magnetic]:
    that number under every point group.
    """
    if magnetic and not all_groups:
        raise click.UsageError("--magnetic goes with --all-groups")
    if all_groups:
        given = [name for name, value in (("--point-group", point_group), ("--space-group", space_group),
                                          ("--structure", structure), ("--symbol", symbol),
                                          ("--save-basis", save_basis), ("--plot", plot)) if value is not None]
        if symbolic:
            given.append("--symbolic")
        if given:
            raise click.UsageError(f"--all-groups lists counts for every group: it does not combine with "
                                   f"{', '.join(given)}")
        return _tensor_all_groups(formula, index_types, axial, time_odd, magnetic, opts)

    def run() -> dict[str, Any]:
        from symcompile.report.tensor import tensor_record
        from symcompile.tensors import CartesianTensor, parse_index_assignments, tensor_report

        types = parse_index_assignments(index_types)
        forms: dict[str, Any] = {}
        start = time.perf_counter()
        raw = tensor_report(formula, point_group=point_group, space_group=space_group, structure=structure,
                            index_types=types, axial=axial, time_odd=time_odd, symbolic=symbolic,
                            symbol=symbol, symprec=opts.symprec, angle_tol=opts.angle_tol, forms=forms,
                            magnetic=not no_magnetic, mag_symprec=mag_symprec)
        if plot:
            from symcompile.report.tensor_plot import plot_tensor

            raw["plot"] = plot_tensor(raw, plot, forms.get("standard") or forms.get("structure"))
            if not opts.quiet:
                click.echo(f"wrote {raw['plot']}", err=True)
        record = tensor_record(raw, opts.symprec, opts.angle_tol, time.perf_counter() - start, mag_symprec)
        if save_basis is not None:
            from symcompile.tensors.basis_file import write_npy

            Q = CartesianTensor(formula, index_types=types, axial=axial).change_of_basis
            record["change_of_basis_file"] = write_npy(save_basis, Q)
            record["change_of_basis_shape"] = list(Q.shape)
        return record

    return run_one(run, opts, "tensor")


def _tensor_all_groups(formula: str, index_types: tuple[str, ...], axial: bool | None, time_odd: bool | None,
                       magnetic: bool, opts: Options) -> int:
    """``tensor FORMULA --all-groups``: JSON Lines (one record per group) or one table."""
    from symcompile.tensors import parse_index_assignments
    from symcompile.tensors.group_table import all_groups_table

    records = all_groups_table(formula, magnetic=magnetic, index_types=parse_index_assignments(index_types),
                               axial=axial, time_odd=time_odd)
    if opts.json:
        from symcompile import report
        from symcompile.report.tensor import group_table_record

        for record in records:
            click.echo(report.to_json(group_table_record(record)))
        return 0
    from symcompile.report.tensor_groups import render_tensor_groups

    render_tensor_groups(records, _stdout_console())
    return 0


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
        click.echo(f"error: {exc.located()}", err=True)
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
