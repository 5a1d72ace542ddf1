"""The order-parameter analysis of one child, assembled into a JSON-ready record.

child -> canonical cell -> parent (found or given) -> carriers by symmetry -> training
(discovery with features on every atom, then the primary carrier alone) -> verification
(the decorated parent has exactly the child's space group) -> description.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.order_params.carriers import Block, analyse_blocks, primary_carrier
from symcompile.order_params.decorate import (
    decorated_group,
    feature_irreps,
    invariant_mask,
    magnetic_cross_check,
    representation,
)
from symcompile.order_params.describe import describe, glazer, site_label
from symcompile.order_params.kpoints import Translations
from symcompile.order_params.parent import (
    DEFAULT_MAX_DISPLACEMENT,
    ParentMatch,
    check_sane,
    find_parent,
    match_parent,
    standard_primitive,
)
from symcompile.structures.structure import Structure

COMMAND = "order-params"
MAX_LMAX = 4


def load_crystal(obj: Any, what: str) -> Structure:
    """An ordered crystal (species = elements) from a path (any format symcompile reads) or a structure.

    Disordered (partially occupied) sites and molecules are bad input: an order parameter lives
    on the atoms of an ordered periodic crystal; oxidation states do not change the structure.
    """
    from symcompile.structures.reading import as_structure_or_file

    try:
        structure = as_structure_or_file(obj)
    except TypeError:
        raise InputError(f"cannot use {type(obj).__name__} as a crystal") from None
    if structure.lattice is None:
        raise InputError(f"the {what} is a molecule: order-params needs a periodic crystal")
    if not structure.ordered or any(":" in s or "," in s for s in structure.species):
        raise InputError(f"the {what} is disordered (partial occupancies): order-params needs an ordered crystal")
    return structure.replace(species=structure.elements)


def _sg(group: dict[str, Any]) -> dict[str, Any]:
    return {"number": group.get("number"), "symbol": group.get("symbol")}


def _block_dict(block: Block, primary: Block | None, gradient: np.ndarray | None, match: ParentMatch,
                D: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {
        "irrep": str(block.irrep), "species": block.species, "wyckoff": site_label(block),
        "site_symmetry": block.site_symmetry, "atoms_per_parent_cell": block.multiplicity,
        "free_parameters": block.free_parameters, "k_points": block.k_points, "primary": block is primary,
    }
    if gradient is not None:
        sub = np.zeros_like(gradient)
        sub[block.atoms, block.columns] = gradient[block.atoms, block.columns]
        out["in_gradient"] = bool(np.any(sub)) and bool(
            np.array_equal(invariant_mask(sub, D, match.ops), match.child_mask))
    if block.coverage is not None:
        out["coverage"] = round(block.coverage, 6)
    return out


def order_parameters(child: Any, parent: Any = None, *, max_displacement: float = DEFAULT_MAX_DISPLACEMENT,
                     lmax: int = 2, seed: int = 0, steps: int = 200, symprec: float = 1e-3,
                     angle_tol: float | None = None, discover: bool = True, write_mcif: str | None = None,
                     progress: Callable[[int, int], None] | None = None, train: bool = True) -> dict[str, Any]:
    """Find and verify the symmetry-breaking order parameter of ``child`` relative to its parent.

    ``child``/``parent``: paths or structures (:class:`~symcompile.structures.Structure`, pymatgen).
    Returns the record documented in the README (``status`` "failed" if verification fails).
    ``train=False``: group theory only (parent and carriers; no network, torch not imported).
    """
    start = time.perf_counter()
    if not 0 <= lmax <= MAX_LMAX:
        raise InputError(f"--lmax must be between 0 and {MAX_LMAX}, got {lmax}")
    if not max_displacement > 0:
        raise InputError(f"--max-displacement must be positive, got {max_displacement}")
    if steps < 1:
        raise InputError(f"--steps must be at least 1, got {steps}")
    given = load_crystal(child, "child")
    check_sane(given, "child")
    canonical = standard_primitive(given, symprec, angle_tol)
    if parent is not None:
        parent_crystal = load_crystal(parent, "parent")
        check_sane(parent_crystal, "parent")
        match = match_parent(canonical, parent_crystal, symprec, angle_tol, max_displacement)
    else:
        match = find_parent(canonical, symprec, angle_tol, max_displacement)
    t_parent = time.perf_counter()

    irreps = feature_irreps(lmax)
    D = representation(irreps, match.ops)
    translations = Translations(match)
    blocks = analyse_blocks(match, irreps, D, translations, symprec)
    primary = primary_carrier(blocks, match, D)
    t_symmetry = time.perf_counter()
    if not train:
        record = _group_theory_record(given, canonical, match, blocks, primary, D)
        record["seconds"] = {"parent": round(t_parent - start, 3), "symmetry": round(t_symmetry - t_parent, 3),
                             "total": round(time.perf_counter() - start, 3)}
        record.update({"lmax": lmax, "max_displacement": max_displacement,
                       "tolerances": {"symprec": symprec, "angle_tol": angle_tol}})
        return record

    from symcompile.order_params.training import (  # torch from here on
        TrainSettings,
        build_model,
        train,
    )

    settings = TrainSettings(steps=steps, seed=seed)
    model = build_model(match, irreps, settings)
    phases = 2 if discover and primary is not None else 1

    def phase_progress(phase: int) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda step, total: progress(phase * steps + step, phases * steps)

    discovery = None
    gradient = None
    if discover or primary is None:
        run = train(model, match, irreps, D, settings, free=None, progress=phase_progress(0))
        gradient = run.gradient_at_zero
        group = decorated_group(match, run.features, irreps, symprec, D)
        discovery = {"run": run, "group": group, "entries": describe(match, run.features, irreps, blocks,
                                                                     translations, D)}
    final_run = discovery["run"] if primary is None and discovery else None
    if primary is not None:
        free = np.zeros((match.child.num_atoms, irreps.dim), dtype=bool)
        free[np.ix_(primary.atoms, np.arange(irreps.dim)[primary.columns])] = True
        final_run = train(model, match, irreps, D, settings, free=free, progress=phase_progress(phases - 1))
    assert final_run is not None
    final_group = decorated_group(match, final_run.features, irreps, symprec, D)
    entries = describe(match, final_run.features, irreps, blocks, translations, D)
    t_train = time.perf_counter()

    cross = [c for c in (magnetic_cross_check(match, final_run.features, irreps, ir, symprec) for ir in ("1e", "1o"))
             if c is not None]
    if discovery is not None:
        cross += [dict(c, decoration="discovery") for c in
                  (magnetic_cross_check(match, discovery["run"].features, irreps, ir, symprec) for ir in ("1e", "1o"))
                  if c is not None]
    # verified: the reported decoration (and the discovered one) has exactly the child's operations, and
    # spglib's own search on the l = 1 parts agrees with our Wigner-D check
    verified = (bool(final_group["equals_child"]) and all(c["agree"] for c in cross)
                and (discovery is None or bool(discovery["group"]["equals_child"])))
    notes: list[str] = []
    if primary is None:
        notes.append(f"no single (site, irrep) block up to lmax {lmax} carries the child's group alone; "
                     "the order parameter shown is the discovered combination")
    if not final_run.converged:
        notes.append(f"the fit did not reach relative loss {settings.fit_tolerance:g} with exactly the child's "
                     f"group within {steps} steps")
    mcif_path = None
    if write_mcif:
        from symcompile.order_params.mcif import write_mcif as _write

        mcif_path = _write(write_mcif, match, final_run.features, irreps,
                           title=f"{match.parent_group['symbol']} parent of {given.formula()} "
                                 f"({match.child_group['symbol']})")

    carriers = [b for b in blocks if b.carrier]
    record: dict[str, Any] = _common(given, canonical, match)
    record.update({
        "trained": True,
        "order_parameters": entries,
        "glazer": glazer(entries, match),
        "primary_carrier": None if primary is None else {
            "irrep": str(primary.irrep), "species": primary.species, "wyckoff": site_label(primary)},
        "carriers": [_block_dict(b, primary, gradient, match, D) for b in carriers],
        "other_blocks": [{"irrep": str(b.irrep), "species": b.species, "wyckoff": site_label(b),
                          "space_group_alone": _sg(b.group or {})}
                         for b in blocks if b.free_parameters and not b.carrier],
        "decorated_space_group": _sg(final_group),
        "verified": verified,
        "loss": {"initial": final_run.loss_initial, "final": final_run.loss_final},
        "steps": final_run.steps,
        "discovery": None if discovery is None else {
            "order_parameters": discovery["entries"],
            "decorated_space_group": _sg(discovery["group"]),
            "verified": bool(discovery["group"]["equals_child"]),
            "loss": {"initial": discovery["run"].loss_initial, "final": discovery["run"].loss_final},
            "steps": discovery["run"].steps,
            "gradient_space_group": None if gradient is None else _sg(
                decorated_group(match, gradient, irreps, symprec, D)),
        },
        "spglib_check": cross,
        "seed": seed,
        "tolerances": {"symprec": symprec, "angle_tol": angle_tol},
        "lmax": lmax,
        "max_displacement": max_displacement,
        "network": {"radius": round(final_run.radius, 4), "hidden": settings.hidden, "layers": settings.layers,
                    "fit_tolerance": settings.fit_tolerance},
        "seconds": {"parent": round(t_parent - start, 3), "symmetry": round(t_symmetry - t_parent, 3),
                    "training": round(t_train - t_symmetry, 3), "total": round(time.perf_counter() - start, 3)},
        "notes": notes,
        "summary": (f"{primary.irrep} on {primary.species} {site_label(primary)}" if primary is not None
                    else "combination") + f": {match.parent_group['symbol']} -> {match.child_group['symbol']}",
        "status": "ok" if verified else "failed",
    })
    if mcif_path:
        record["mcif"] = mcif_path
    return record


def _common(given: Structure, canonical: Structure, match: ParentMatch) -> dict[str, Any]:
    """What every order-params record says: the child, its groups, the parent and its sites."""
    from symcompile.structures.naming import crystal_point_group_entry

    number = match.child_group.get("number")
    return {
        "command": COMMAND,
        "formula": given.formula(),
        "space_group": _sg(match.child_group),
        "point_group": crystal_point_group_entry(number) if number else None,
        "child": {"space_group": _sg(match.child_group), "atoms": given.num_atoms,
                  "atoms_primitive": canonical.num_atoms},
        "parent": {
            "space_group": _sg(match.parent_group), "given": match.given,
            "found_at_tolerance": round(match.found_at, 4),
            "max_displacement": round(match.max_displacement, 4),
            "cells_in_child": match.parent_cells,
            "sites": _sites(match),
        },
    }


def _group_theory_record(given: Structure, canonical: Structure, match: ParentMatch, blocks: list[Block],
                         primary: Block | None, D: np.ndarray) -> dict[str, Any]:
    """The record without training: parent and carriers, decided by group theory alone."""
    record = _common(given, canonical, match)
    record.update({
        "trained": False,
        "primary_carrier": None if primary is None else {
            "irrep": str(primary.irrep), "species": primary.species, "wyckoff": site_label(primary)},
        "carriers": [_block_dict(b, primary, None, match, D) for b in blocks if b.carrier],
        "other_blocks": [{"irrep": str(b.irrep), "species": b.species, "wyckoff": site_label(b),
                          "space_group_alone": _sg(b.group or {})}
                         for b in blocks if b.free_parameters and not b.carrier],
        "verified": None,
        "notes": [] if primary is not None else [
            "no single (site, irrep) block carries the child's group alone; training finds a combination"],
        "summary": (f"{primary.irrep} on {primary.species} {site_label(primary)}" if primary is not None
                    else "combination") + f": {match.parent_group['symbol']} -> {match.child_group['symbol']}",
        "status": "ok",
    })
    return record


def _sites(match: ParentMatch) -> list[dict[str, Any]]:
    out = []
    for o in sorted(set(match.orbit.tolist()), key=lambda o: (match.child.species[o], match.wyckoffs[o])):
        out.append({"species": match.child.species[o], "wyckoff": f"{match.multiplicity(o)}{match.wyckoffs[o]}",
                    "site_symmetry": match.site_symmetry[o]})
    return out
