"""The order-parameter analysis of one child, assembled into a JSON-ready record.

child -> parent (found, or given and used as given) -> modes and strain of the child's
distortion (labels, Å) -> carriers by group theory (blocks whose child-symmetric features
carry the primary irreps and give exactly the child's group), ranked -> training, carrier by
carrier in that order until the network fits -> verification (the decorated parent has
exactly the child's group by our check and by spglib's) -> the learned order parameter in
the parent's space-group irreps, side by side with the child's modes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from symcompile.distortions.correspondence import DEFAULT_MAX_DISPLACEMENT
from symcompile.distortions.modes import Mode, group_type
from symcompile.errors import InputError
from symcompile.order_params.carriers import (
    Block,
    analyse_blocks,
    decompose_field,
    feature_irreps,
    ranked,
)
from symcompile.order_params.drawing import displacement_fields, drawing
from symcompile.order_params.glazer import glazer_symbol
from symcompile.order_params.local import shell_deformations
from symcompile.order_params.parent import candidate_record
from symcompile.order_params.problem import NoParent, Problem, set_up
from symcompile.structures.spacegroup import space_group_name

COMMAND = "order-params"
MAX_LMAX = 4
#: At most this many carriers are trained (in rank order) before giving up.
MAX_TRAINED = 4


def _sg(group: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if group is None else {"number": group.get("number"), "symbol": group.get("symbol")}


def _point_group(number: int | None) -> dict[str, Any] | None:
    from symcompile.structures.naming import crystal_point_group_entry

    return crystal_point_group_entry(number) if number else None


def _check_options(lmax: int, max_displacement: float, steps: int) -> None:
    if not 0 <= lmax <= MAX_LMAX:
        raise InputError(f"--lmax must be between 0 and {MAX_LMAX}, got {lmax}")
    if not max_displacement > 0:
        raise InputError(f"--max-displacement must be positive, got {max_displacement}")
    if steps < 1:
        raise InputError(f"--steps must be at least 1, got {steps}")


def _undistorted(found: NoParent, max_displacement: float, symprec: float) -> dict[str, Any]:
    from symcompile.structures.spacegroup import dataset

    number = int(dataset(found.primitive, symprec).number)
    notes = [f"no symmetry breaking within the bound: no higher-symmetry parent within {max_displacement:g} Å"]
    if found.nearest_beyond is not None:
        notes.append(f"the nearest higher-symmetry structure needs {found.nearest_beyond:.2f} Å "
                     "(raise --max-displacement to analyse it)")
    return {"command": COMMAND, "formula": found.given.formula(), "space_group": space_group_name(number),
            "point_group": _point_group(number), "symmetry_breaking": False,
            "child": {"space_group": space_group_name(number), "atoms": found.given.num_atoms,
                      "atoms_primitive": found.primitive.num_atoms},
            "parent": None, "candidates": [], "modes": [], "strain": [], "total_displacement": 0.0,
            "primary_irreps": [], "glazer": None, "primary_carrier": None, "carriers": [], "order_parameter": [],
            "verified": None, "status": "ok", "notes": notes,
            "summary": "no symmetry breaking within the bound"}


def _common(problem: Problem, blocks: list[Block], order: list[Block]) -> dict[str, Any]:
    """Parent, candidates, modes, strain and carriers: everything group theory says."""
    dec = problem.decomposition
    child_group = group_type(problem.group, problem.child_mask)
    match = problem.match
    parent = dec.parent.to_record()
    parent.update({"space_group": space_group_name(dec.parent.number), "given": bool(match.given),
                   # the candidates' measure (smallest ball: the best uniform translation), not the mean-free one
                   "max_displacement": round(match.max_displacement, 4), "cells_in_child": int(match.cells),
                   "supercell": dec.to_record()["supercell"]})
    modes = [m.to_record() for m in dec.modes]
    for record, mode in zip(modes, dec.modes):
        record["arms"] = [{"k": arm.k_text, "amplitude": float(arm.amplitude)} for arm in mode.arms]
        record["primary"] = mode.irrep in problem.primary_modes
    strain = [{**s.to_record(), "primary": s.irrep in problem.primary_strain} for s in dec.strain]
    chosen = problem.chosen
    return {
        "command": COMMAND,
        "formula": problem.given.formula(),
        "space_group": _sg(child_group),
        "point_group": _point_group(child_group.get("number")),
        "symmetry_breaking": True,
        "child": {"space_group": _sg(child_group), "atoms": problem.given.num_atoms,
                  "atoms_primitive": problem.n_atoms},
        "parent": parent,
        "candidates": [candidate_record(list(problem.options), i, o is chosen,
                                        [f"{s.species} {s.wyckoff}" for s in problem.setting.sites] if o is chosen
                                        else None)
                       for i, o in enumerate(problem.options)],
        "modes": modes,
        "strain": strain,
        "total_displacement": float(dec.total_displacement),
        "primary_irreps": problem.primary_irreps,
        "glazer": glazer_symbol(problem),
        "carriers": [b.to_record() for b in order],
        "other_blocks": [{**b.to_record(), "why_not": _why_not(b)} for b in blocks
                         if b.free_parameters and not b.qualifies],
    }


def _why_not(block: Block) -> str:
    if not block.exact:
        return f"alone it gives {block.group['symbol'] if block.group else 'no group'}, not the child's group"
    return "does not carry the primary irreps"


def _carrier_entry(block: Block) -> dict[str, Any]:
    return {"irrep": str(block.irrep), "species": block.species, "wyckoff": block.wyckoff,
            "site_symmetry": block.site_symmetry}


def learned_order_parameter(problem: Problem, block: Block, features: np.ndarray
                            ) -> tuple[list[dict[str, Any]], tuple[Mode, ...]]:
    """The learned features in the parent's space-group irreps: one entry per irrep (mode of the
    field), and those modes."""
    primary = set(problem.primary_irreps)
    found = decompose_field(problem, features, block.rho)
    out = []
    for mode in found.modes:
        out.append({"species": block.species, "wyckoff": block.wyckoff, "irrep": str(block.irrep),
                    "label": mode.irrep, "k": [x for x in mode.to_record()["k"]], "k_label": mode.k_label,
                    "arms": [arm.k_text for arm in mode.arms], "direction": mode.direction,
                    "isotropy_subgroup": dict(mode.isotropy_subgroup), "amplitude": float(mode.amplitude),
                    "primary": bool(mode.primary), "primary_in_modes": mode.irrep in primary})
    return out, found.modes


def order_parameters(child: Any, parent: Any = None, *, parent_group: str | int | None = None,
                     origin: str | None = None, max_displacement: float = DEFAULT_MAX_DISPLACEMENT,
                     lmax: int = 2, seed: int = 0, steps: int = 200, symprec: float = 1e-3,
                     angle_tol: float | None = None, write_mcif: str | None = None,
                     progress: Callable[[int, int], None] | None = None, train: bool = True,
                     draw: bool = False) -> dict[str, Any]:
    """Find and verify the symmetry-breaking order parameter of ``child`` relative to its parent.

    ``child``/``parent``: paths or structures. ``parent`` is used as given; without it the
    highest-symmetry parent within ``max_displacement`` Å is taken, or the candidate of group
    ``parent_group``. ``origin``: the species at the parent's origin (labels at k != 0 depend
    on it). ``train=False``: group theory only (torch is not imported). Returns the record
    documented in the README (``status`` "failed" when not verified). ``draw``: add ``drawing``,
    the cells, atoms and vector fields a picture needs (see :mod:`symcompile.order_params.drawing`).
    """
    start = time.perf_counter()
    _check_options(lmax, max_displacement, steps)
    problem = set_up(child, parent, parent_group=parent_group, origin=origin, max_displacement=max_displacement,
                     symprec=symprec, angle_tol=angle_tol)
    settings_record = {"lmax": lmax, "max_displacement": max_displacement,
                       "tolerances": {"symprec": symprec, "angle_tol": angle_tol}}
    if isinstance(problem, NoParent):
        record = _undistorted(problem, max_displacement, symprec)
        record.update(settings_record)
        record["seconds"] = {"total": round(time.perf_counter() - start, 3)}
        return record
    t_parent = time.perf_counter()
    local = shell_deformations(problem.parent, problem.child_frac, problem.child_lattice)
    blocks = analyse_blocks(problem, feature_irreps(lmax), local)
    order = ranked(blocks)
    record = _common(problem, blocks, order)
    record.update(settings_record)
    notes = list(problem.decomposition.notes)
    t_symmetry = time.perf_counter()
    if not order:
        notes.append(f"no single site x irrep block up to lmax {lmax} carries the primary irreps "
                     f"({', '.join(record['primary_irreps'])}) with exactly the child's group")
    if not train:
        record.update({"trained": False, "verified": None, "order_parameter": [],
                       "primary_carrier": _carrier_entry(order[0]) if order else None,
                       "status": "ok", "notes": notes})
        if draw:
            record["drawing"] = drawing(problem, *displacement_fields(problem))
        record["summary"] = _summary(record, problem)
        record["seconds"] = {"parent": round(t_parent - start, 3), "symmetry": round(t_symmetry - t_parent, 3),
                             "total": round(time.perf_counter() - start, 3)}
        return record
    record.update(_train_and_verify(problem, order, lmax, seed, steps, symprec, write_mcif, progress, notes, draw))
    t_train = time.perf_counter()
    record["carriers"] = [b.to_record() for b in order]
    record["notes"] = notes
    record["summary"] = _summary(record, problem)
    record["seconds"] = {"parent": round(t_parent - start, 3), "symmetry": round(t_symmetry - t_parent, 3),
                         "training": round(t_train - t_symmetry, 3), "total": round(time.perf_counter() - start, 3)}
    return record


def _train_and_verify(problem: Problem, order: list[Block], lmax: int, seed: int, steps: int, symprec: float,
                      write_mcif: str | None, progress: Callable[[int, int], None] | None,
                      notes: list[str], draw: bool) -> dict[str, Any]:
    from symcompile.order_params.decorate import (
        decorated_group,
        has_child_symmetry,
        spglib_checks,
        stabiliser,
    )
    from symcompile.order_params.training import (  # torch from here on
        TrainSettings,
        fit,
    )

    settings = TrainSettings(steps=steps, seed=seed)
    tried = order[:MAX_TRAINED]
    out: dict[str, Any] = {"trained": True, "seed": seed, "verified": False, "order_parameter": [],
                           "primary_carrier": None, "decorated_space_group": None, "spglib_check": []}
    if problem.pure_strain:
        out.update({"status": "failed", "reason": "the symmetry is broken by the strain alone ("
                    + ", ".join(problem.primary_strain) + "): there are no displacements for the network to fit",
                    "primary_carrier": _carrier_entry(order[0]) if order else None})
        if draw:
            out["drawing"] = drawing(problem, *displacement_fields(problem))
        return out
    chosen, run = None, None
    for n, block in enumerate(tried):
        def step(i: int, total: int, n: int = n) -> None:
            if progress is not None:
                progress(n * total + i, len(tried) * total)

        run = fit(problem.parent, problem.displacements, block.irrep, block.atoms, settings,
                  lambda f, b=block: has_child_symmetry(problem, f, b.rho), step)
        block.fits, block.loss = run.fitted, run.loss_final
        if run.fitted:
            chosen = block
            break
    out["network"] = {"radius": round(run.radius, 4) if run else None, "hidden": settings.hidden,
                      "layers": settings.layers, "fit_tolerance": settings.fit_tolerance}
    if chosen is None or run is None:
        reason = (f"the network fits the child with none of the {len(tried)} best carriers "
                  f"(relative loss above {settings.fit_tolerance:g} in {steps} steps)" if tried else
                  "no carrier: no single block carries the primary irreps with exactly the child's group")
        out.update({"status": "failed", "reason": reason})
        if run is not None:
            out.update({"loss": {"initial": run.loss_initial, "final": run.loss_final}, "steps": run.steps})
        if draw:
            out["drawing"] = drawing(problem, *displacement_fields(problem))
        return out
    features = run.features
    mask = stabiliser(problem, features, chosen.rho)
    group = decorated_group(problem, mask)
    checks = spglib_checks(problem, features, chosen.irrep, mask, symprec)
    learned, learned_modes = learned_order_parameter(problem, chosen, features)
    primary_labels = set(problem.primary_irreps)
    learned_primary = {e["label"] for e in learned if e["primary"]}
    verified = bool(run.fitted and group["equals_child"] and all(c["agree"] for c in checks))
    reasons = []
    if not group["equals_child"]:
        reasons.append(f"the decorated parent has {group['symbol']}, not the child's group")
    reasons += [f"spglib disagrees ({c['check']}: {c['spglib_operations']} operations, ours {c['operations']})"
                for c in checks if not c["agree"]]
    if learned_primary != primary_labels:
        notes.append(f"the learned order parameter's primary irreps ({', '.join(sorted(learned_primary))}) differ "
                     f"from the child's primary modes ({', '.join(sorted(primary_labels))})")
    out.update({
        "primary_carrier": _carrier_entry(chosen), "order_parameter": learned,
        "agrees_with_modes": learned_primary == primary_labels,
        "decorated_space_group": _sg(group), "verified": verified, "spglib_check": checks,
        "loss": {"initial": run.loss_initial, "final": run.loss_final}, "steps": run.steps,
        "status": "ok" if verified else "failed",
    })
    if reasons:
        out["reason"] = "; ".join(reasons)
    if draw:
        if chosen.irrep.l == 1:
            kind = "axial" if chosen.irrep.p == 1 else "polar"
            fields = [{"label": m.irrep, "kind": kind, "source": f"learned {chosen.name}", "primary": bool(m.primary),
                       "values": m.values} for m in learned_modes]
            out["drawing"] = drawing(problem, fields, list(learned_modes))
        else:
            out["drawing"] = drawing(problem, *displacement_fields(problem))
    if write_mcif:
        from symcompile.order_params.mcif import write_mcif as write

        dec = problem.decomposition
        parent_symbol = space_group_name(dec.parent.number)["symbol"]
        out["mcif"] = write(write_mcif, problem, features, chosen.irrep, group,
                            title=f"{parent_symbol} parent of {problem.given.formula()} ({group['symbol']})")
    return out


def _summary(record: dict[str, Any], problem: Problem) -> str:
    carrier = record.get("primary_carrier")
    irreps = " + ".join(record.get("primary_irreps") or []) or "none"
    what = f"{carrier['irrep']} on {carrier['species']} {carrier['wyckoff']}" if carrier else "no carrier"
    return f"{what} ({irreps}): {record['parent']['space_group']['symbol']} -> {record['space_group']['symbol']}"
