"""The curie command's two questions as records: can IN become OUT, can IN carry a property?

Group theory decides (exact, numpy only); the network, when trained, is an independent second
opinion: it can only reach the group average of the target, so it fits feasible targets and stays
on the symmetry floor of infeasible ones. Infeasible maps also get their unblocking irreps,
confirmed by retraining with a learnable input of those irreps.

A crystal with magnetic moments carries a property under its magnetic space group: operations
followed by time reversal flip time-odd properties (magnetisation, anomalous Hall), and the
network gets the moments as time-odd per-atom inputs (``1e'``), so it can reach a time-odd
output only through them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from symcompile.curie.feasibility import MapTarget, group_average, map_target, residuals, symmetry_floor
from symcompile.curie.properties import invariant_counts, invariant_projector, resolve_property
from symcompile.curie.unblock import Unblocking, stabiliser, unblocking_irreps
from symcompile.o3 import Irreps
from symcompile.structures.naming import point_group_entry, rotation_axis, schoenflies_symbol
from symcompile.structures.operations import Operations, symmetry_operations, unique_rotations
from symcompile.structures.reading import read_structure
from symcompile.structures.spacegroup import primitive_cell
from symcompile.structures.structure import Structure

__all__ = ["CurieOptions", "curie_check", "property_check", "map_record", "property_record"]

#: A property value is "non-zero" above this fraction of the target's norm (round-off is ~1e-15).
PROPERTY_ZERO = 1e-6


@dataclass(frozen=True)
class CurieOptions:
    """Everything the curie command can be told (tolerances are recorded in every result)."""

    symprec: float = 1e-3
    angle_tol: float | None = None
    train: bool = True
    seed: int = 0
    steps: int = 200
    lmax: int | None = None
    unblock_lmax: int = 4
    confirm_unblocking: bool = True  # retrain with the unblocking irreps as a learnable input
    progress: Any = None  # callable(done, total) or None
    magnetic: bool = True  # use magnetic moments (magnetic space group) when the input has them
    mag_symprec: float | None = None  # tolerance on moments (μB); None: symprec


def _subgroup(ops: Operations, mask: np.ndarray) -> dict[str, Any] | None:
    """The point group ``{hm, schoenflies, order}`` of the operations in ``mask`` (their rotation parts;
    for a space group, the point group of the subgroup); None if a continuous group loses some."""
    if not ops.finite:
        return point_group_entry(ops.name, None) if mask.all() else None
    if ops.time_reversal is not None:
        from symcompile.o3.magnetic_point_groups import magnetic_point_group_from_operations

        g = magnetic_point_group_from_operations(ops.rotations[mask], ops.time_reversal[mask])
        return {"hm": g.name, "schoenflies": g.schoenflies, "order": g.order}
    rots = unique_rotations(ops.rotations[mask])
    name = schoenflies_symbol(rots)
    n = ops.approximates
    if n is not None and name[1:].startswith(str(n)):  # all of C_n kept: it stands for all rotations
        return point_group_entry(name[0] + "∞" + name[1 + len(str(n)):], None)
    return point_group_entry(name, len(rots))


def _no_graph(inp: Structure, record: dict[str, Any]) -> bool:
    """A single point has no edges: nothing for a point-convolution network to learn from."""
    if inp.periodic or len(inp) > 1:
        return False
    record["network_note"] = "not trained: a single point has no neighbours (no edges for the network)"
    return True


def _family_kept(ops: Operations, kept: np.ndarray, res: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Continuous groups are listed by families of operations (all rotations about the axis, all mirrors
    containing it...): a family blocks when any member does, whatever generator represents it."""
    if ops.finite:
        return kept, res
    out, worst = kept.copy(), res.copy()
    if ops.name in ("C∞v", "D∞h"):  # generators: identity, rotation by 1 rad, one mirror, (inversion)
        out[2] = kept[1] and kept[2]  # a transverse displacement is moved by every mirror but one
        worst[2] = max(res[1], res[2])
    elif ops.name == "Kh":  # identity, rotations by 1 rad about z and about x, inversion
        out[1] = out[2] = kept[1] and kept[2]
        worst[1] = worst[2] = max(res[1], res[2])
    return out, worst


def _trainer() -> Any:
    from symcompile.curie import training  # torch is imported here, and only here

    return training


def _train_config(opts: CurieOptions, lmax: int) -> Any:
    return _trainer().TrainConfig(seed=opts.seed, steps=opts.steps, lmax=lmax)


def _network_targets(target: MapTarget) -> tuple[np.ndarray, str]:
    """Per-point network target (displacements, plus species one-hot when they change) and its irreps."""
    if target.species is None:
        return target.displacements, "1x1o"
    return np.concatenate([target.displacements, target.species], axis=1), f"1x1o+{target.species.shape[1]}x0e"


def _timed(out: dict[str, Any], key: str, start: float) -> None:
    out.setdefault("seconds", {})[key] = round(time.perf_counter() - start, 4)


# --------------------------------------------------------------------------- IN -> OUT
def map_record(inp: Structure, out: Structure, opts: CurieOptions) -> dict[str, Any]:
    """Feasibility of the map IN -> OUT, with network and unblocking when asked."""
    t0 = time.perf_counter()
    ops = symmetry_operations(inp, opts.symprec, opts.angle_tol)
    out_ops = symmetry_operations(out, opts.symprec, opts.angle_tol)
    target = map_target(inp, out, ops.symmetrized)
    res = residuals(ops, target)
    kept = res <= opts.symprec
    feasible = bool(kept.all())
    names = ops.names()
    blocking: dict[str, float] = {}  # name -> how far the operation moves the target (Å)
    for n, k, r in zip(names, *_family_kept(ops, kept, res)):
        if not k:
            blocking[n] = max(blocking.get(n, 0.0), float(r))
    average = group_average(ops, target)
    floor = symmetry_floor(target, average)
    record: dict[str, Any] = {
        "command": "curie",
        "mode": "map",
        "status": "ok" if feasible else "failed",
        "feasible": feasible,
        "space_group": ops.space_group,
        "point_group": ops.point_group,
        "output_groups": {"space_group": out_ops.space_group, "point_group": out_ops.point_group},
        "map_group": _subgroup(ops, kept),
        "input_operations": len(ops) if ops.finite else None,
        "kept_operations": int(kept.sum()) if ops.finite else None,
        "blocking_operations": list(blocking),
        "blocking_residuals": list(blocking.values()),
        "points": len(inp),
        "species_change": target.species is not None,
        "cell_deformation": None if target.deformation is None else target.deformation,
        "input_symmetrized_shift": float(np.linalg.norm(ops.symmetrized - inp.cart_coords, axis=1).max()),
        "max_displacement": float(np.linalg.norm(target.displacements, axis=1).max(initial=0.0)),
        "target_displacements": target.displacements,
        "group_average": {
            "displacements": average.displacements,
            "positions": ops.symmetrized + average.displacements,  # OUT averaged over IN's group
            "distance_to_target": float(np.linalg.norm(average.displacements - target.displacements, axis=1).max()),
            "symmetry_floor": floor,
        },
        "thresholds": {"network_fit": opts.symprec},
        "tolerances": {"symprec": opts.symprec, "angle_tol": opts.angle_tol},
    }
    _timed(record, "group_theory", t0)
    unblock = None
    finite_ops, finite_kept = ops, kept
    if not feasible:
        finite_ops, finite_kept, note = _finite_for_unblocking(ops, kept, target, opts)
        unblock = unblocking_irreps(finite_ops, finite_kept, opts.unblock_lmax)
        if note:
            unblock.reason = note
        record["unblocking_irreps"] = unblock.irreps
        record["unblocking"] = _unblocking_summary(unblock)
        if finite_ops is not ops:
            record["map_group"] = _subgroup(finite_ops, finite_kept) if unblock.irreps else None
    if not opts.train or _no_graph(inp, record):
        record["network"] = None
        return record
    lmax = opts.lmax if opts.lmax is not None else 2
    t1 = time.perf_counter()
    _trainer()
    _timed(record, "import_torch", t1)
    t1 = time.perf_counter()
    net = _train_map(ops, inp, target, average, lmax, opts)
    net["agrees_with_group_theory"] = net["feasible"] == feasible
    record["network"] = net
    record["verdicts_agree"] = net["agrees_with_group_theory"]
    _timed(record, "training", t1)
    if unblock is not None and unblock.irreps is not None and opts.confirm_unblocking:
        t2 = time.perf_counter()
        record["unblocking"]["network"] = _train_map(finite_ops, inp, target, average, lmax, opts, unblock,
                                                     finite_kept)
        _timed(record, "unblocking", t2)
    return record


def _unblocking_order(lmax: int) -> int:
    """n of the finite C_nv / D_nh standing for C∞v / D∞h: a multiple of 1..lmax (and at least 12)."""
    n = 1
    for k in range(1, max(lmax, 2) + 1):
        n = math.lcm(n, k)
    return max(n, 12)


def _finite_for_unblocking(ops: Operations, kept: np.ndarray, target: MapTarget, opts: CurieOptions
                           ) -> tuple[Operations, np.ndarray, str | None]:
    """The group in which to look for unblocking irreps: IN's own, or a finite subgroup for linear IN."""
    if ops.finite or ops.name not in ("C∞v", "D∞h"):
        return ops, kept, None
    axis = rotation_axis(ops.rotations[1])
    transverse = target.displacements - np.outer(target.displacements @ axis, axis)
    big = transverse[np.linalg.norm(transverse, axis=1) > opts.symprec]
    u = big[np.argmax(np.linalg.norm(big, axis=1))] if len(big) else None
    if u is not None and np.abs(big @ np.cross(axis, u / np.linalg.norm(u))).max() > opts.symprec:
        return ops, kept, "not computed: the transverse displacements of the linear input are not in one plane"
    approx = ops.finite_approximant(_unblocking_order(opts.unblock_lmax), u)
    return approx, residuals(approx, target) <= opts.symprec, None


def _deformation_fit(pred: np.ndarray, target: MapTarget) -> float:
    """Largest change of a cell vector (Å) between predicted and target deformations."""
    return float(np.linalg.norm((pred - target.deformation) @ target.lattice.T, axis=0).max())


def _train_map(ops: Operations, inp: Structure, target: MapTarget, average: MapTarget, lmax: int,
               opts: CurieOptions, unblock: Unblocking | None = None, kept: np.ndarray | None = None
               ) -> dict[str, Any]:
    """Train on the displacements (and new species) per point, and on the cell deformation pooled (crystals).

    With ``unblock``, the network also gets a learnable global input of the unblocking irreps,
    starting at zero (symmetric), and the report says which subgroup the learned input keeps.
    """
    trainer = _trainer()
    learn = None if unblock is None else Irreps(unblock.irreps)
    lm = lmax if learn is None else max(lmax, learn.lmax)
    config = _train_config(opts, lm)
    y, irreps_out = _network_targets(target)
    net = trainer.train_pair(ops.symmetrized, inp.species, y, Irreps(irreps_out), lattice=inp.lattice,
                             learnable_input=learn, config=config, progress=opts.progress)
    pred = net.pop("prediction")
    pd = pred[:, :3]
    fit = float(np.linalg.norm(pd - target.displacements, axis=1).max())
    net.update({
        "prediction": pd,
        "symmetry_floor": float(np.mean((y - _network_targets(average)[0]) ** 2)),
        "max_error": fit,
        "prediction_distance_to_group_average": float(np.linalg.norm(pd - average.displacements, axis=1).max()),
    })
    feasible = fit <= opts.symprec
    if target.species is not None:
        net["predicted_species"] = [target.species_names[int(k)] for k in pred[:, 3:].argmax(1)]
    if target.deformation is not None:
        from symcompile.tensors.cartesian_tensor import CartesianTensor

        cart = CartesianTensor("ij")
        cell = trainer.train_pair(ops.symmetrized, inp.species, cart.from_cartesian(target.deformation), cart.irreps,
                                  lattice=inp.lattice, pooled=True, learnable_input=learn, config=config,
                                  progress=opts.progress)
        F = cart.to_cartesian(cell.pop("prediction").reshape(-1))
        cell_fit = _deformation_fit(F, target)
        cell.update({"prediction": F, "max_error": cell_fit,
                     "prediction_distance_to_group_average": _deformation_fit(F, average) if average.deformation
                     is not None else None})
        net["cell_deformation"] = cell
        feasible = feasible and cell_fit <= opts.symprec
    net["feasible"] = feasible
    if learn is not None and kept is not None:
        extra = [net["cell_deformation"]["learned_input"]] if "cell_deformation" in net else []
        _describe_learned_input(net, ops, kept, learn, extra)
    return net


def _describe_learned_input(net: dict[str, Any], ops: Operations, kept: np.ndarray, irreps: Irreps,
                            others: list[np.ndarray] | None = None) -> None:
    """The subgroup of IN's group that keeps the learned input(s) (of every network trained)."""
    D = irreps.D_from_matrix(ops.rotations, ops.time_reversal)
    stab = np.ones(len(ops), dtype=bool)
    for v in [net["learned_input"], *(others or [])]:
        if np.abs(v).max() > 0:
            stab &= stabiliser(D, v)
    net["learned_input_group"] = _subgroup(ops, stab)
    net["learned_input_keeps_exactly_the_map_group"] = bool((stab == kept).all())


def _unblocking_summary(u: Unblocking) -> dict[str, Any]:
    out: dict[str, Any] = {"irreps": u.irreps, "alternatives": u.alternatives, "checked": u.checked}
    if u.direction is not None:
        out["direction"] = u.direction
    if u.reason:
        out["reason"] = u.reason
    return out


def _confirm_property_unblocking(ops: Operations, kept: np.ndarray, u: Unblocking, inp: Structure, t: np.ndarray,
                                 irreps_out: Irreps, lmax: int, opts: CurieOptions,
                                 node_features: tuple[np.ndarray, Irreps] | None = None) -> dict[str, Any]:
    """Retrain the pooled property network with a learnable global input of the unblocking irreps."""
    irreps = Irreps(u.irreps)
    net = _trainer().train_pair(ops.symmetrized, inp.species, t, irreps_out, lattice=inp.lattice, pooled=True,
                                learnable_input=irreps, config=_train_config(opts, max(lmax, irreps.lmax)),
                                progress=opts.progress, node_features=node_features)
    pred = net.pop("prediction").reshape(-1)
    net["prediction"] = pred
    net["max_error"] = float(np.abs(pred - t).max())
    net["feasible"] = float(np.linalg.norm(pred)) > PROPERTY_ZERO * float(np.linalg.norm(t))
    _describe_learned_input(net, ops, kept, irreps)
    return net


def curie_check(input_path: str, output_path: str, options: CurieOptions | None = None) -> dict[str, Any]:
    """Library entry point: ``symcompile curie IN OUT`` as a record."""
    opts = options or CurieOptions()
    inp = read_structure(input_path)
    out = read_structure(output_path)
    record = map_record(inp, out, opts)
    notes = _notes(inp, out)
    if inp.magmoms is not None:
        notes.append("IN's magnetic moments are not used in map mode (the map moves atoms; use --property for "
                     "magnetic properties)")
    return {"file": input_path, "output": output_path, **record, "notes": notes}


# --------------------------------------------------------------------------- IN --property
#: The per-atom input a magnetic crystal gives the network: its moments, axial and odd under time reversal.
MOMENTS = Irreps("1x1e'")


def _property_groups(inp: Structure, spec: Any, opts: CurieOptions
                     ) -> tuple[Any, Operations, Irreps, Any, list[str], Structure]:
    """(magnetic symmetry or None, the operations, the property's irreps, the moments input, notes,
    the structure the operations act on).

    With moments (and ``opts.magnetic``): the magnetic space group on the primitive magnetic cell,
    time-odd irreps as they are, the moments as the network's per-atom input. Without: the
    ordinary group, which has no time reversal, so the time parity plays no part (a note says so),
    on a primitive cell: a property belongs to the infinite crystal, and a supercell can hide
    operations (rutile's 4-fold axis does not map a 2a x a x c cell onto itself).
    """
    from symcompile.structures.analysis import magnetic_analysis

    found, notes = magnetic_analysis(inp, opts.symprec, opts.angle_tol, opts.mag_symprec, opts.magnetic)
    if found is not None:
        from symcompile.structures.magnetic import symmetrized_moments

        moments = symmetrized_moments(found.operations, found.moments)
        largest = float(np.linalg.norm(moments, axis=1).max(initial=0.0))
        if largest > 0:  # the network sees the moments' pattern (largest = 1): symmetry ignores their size
            moments = moments / largest
        return found, found.operations, spec.irreps, (moments, MOMENTS), notes, found.structure
    if inp.lattice is not None:  # a property of the infinite crystal: a supercell can hide operations
        inp = primitive_cell(inp, opts.symprec, opts.angle_tol)
    ops = symmetry_operations(inp, opts.symprec, opts.angle_tol)
    if spec.time_odd:
        notes.append("the input carries no magnetic moments: time reversal is not considered (with time reversal as "
                     "a symmetry, as in a non-magnetic crystal, every time-odd property vanishes)")
    return None, ops, spec.time_even_irreps, None, notes, inp


def property_record(inp: Structure, prop: str, opts: CurieOptions) -> dict[str, Any]:
    """Can IN carry the property? Independent components, network on a random target, unblocking."""
    t0 = time.perf_counter()
    spec = resolve_property(prop)
    magnetic, ops, irreps, moments, notes, cell = _property_groups(inp, spec, opts)
    nuclear = ops if magnetic is None else symmetry_operations(inp, opts.symprec, opts.angle_tol)
    counts = invariant_counts(ops, irreps)
    allowed = int(sum(counts.values()))
    feasible = allowed > 0
    rng = np.random.default_rng(opts.seed)
    t = rng.normal(size=irreps.dim)
    P = invariant_projector(ops, irreps)
    average = P @ t
    names = ops.names()
    D = irreps.D_from_matrix(ops.rotations, ops.time_reversal)
    # the group in which the target's stabiliser and the unblocking irreps are looked for (finite)
    group = ops
    if not ops.finite and ops.name in ("C∞v", "D∞h"):
        group = ops.finite_approximant(_unblocking_order(max(opts.unblock_lmax, irreps.lmax)))
    keeps_target = stabiliser(irreps.D_from_matrix(group.rotations, group.time_reversal), t)
    acts = np.abs(D - np.eye(irreps.dim)[None]).max(axis=(1, 2)) > 1e-8
    alone = list(dict.fromkeys(names[g] for g in range(len(ops))
                               if np.linalg.matrix_rank(D[g] - np.eye(irreps.dim), tol=1e-8) == irreps.dim))
    record: dict[str, Any] = {
        "command": "curie",
        "mode": "property",
        "status": "ok" if feasible else "failed",
        "feasible": feasible,
        "property": spec.name,
        "formula": spec.formula,
        "description": spec.description,
        "irreps": str(spec.irreps),
        "components": irreps.dim,
        "independent_components": allowed,
        "components_by_irrep": counts,
        "space_group": nuclear.space_group,
        "point_group": nuclear.point_group,
        "property_group": _subgroup(group, keeps_target),
        "input_operations": len(ops) if ops.finite else None,
        "blocking_operations": [] if feasible else list(dict.fromkeys(n for n, a in zip(names, acts) if a)),
        "forbidding_operations": alone,
        "group_average": {"target": t, "average": average, "norm": float(np.linalg.norm(average))},
        "thresholds": {"property_zero": PROPERTY_ZERO},
        "tolerances": {"symprec": opts.symprec, "angle_tol": opts.angle_tol},
        "notes": notes,
    }
    if magnetic is not None:
        record["magnetic"] = magnetic.to_dict()
        record["tolerances"]["mag_symprec"] = magnetic.mag_symprec
    _timed(record, "group_theory", t0)
    unblock = None if feasible else unblocking_irreps(group, keeps_target, opts.unblock_lmax,
                                                      prefer_time_odd=spec.time_odd)
    if unblock is not None:
        record["unblocking_irreps"] = unblock.irreps
        record["unblocking"] = _unblocking_summary(unblock)
    if not opts.train or _no_graph(cell, record):
        record["network"] = None
        return record
    lmax = opts.lmax if opts.lmax is not None else max(2, irreps.lmax)
    t1 = time.perf_counter()
    trainer = _trainer()
    _timed(record, "import_torch", t1)
    t1 = time.perf_counter()
    net = trainer.train_pair(ops.symmetrized, cell.species, t, irreps, lattice=cell.lattice, pooled=True,
                             config=_train_config(opts, lmax), progress=opts.progress, node_features=moments)
    pred = net.pop("prediction").reshape(-1)
    norm = float(np.linalg.norm(pred))
    net.update({
        "prediction": pred,
        "prediction_norm": norm,
        "symmetry_floor": float(np.mean((t - average) ** 2)),
        "prediction_distance_to_group_average": float(np.abs(pred - average).max()),
        "feasible": norm > PROPERTY_ZERO * float(np.linalg.norm(t)),
    })
    net["agrees_with_group_theory"] = net["feasible"] == feasible
    record["network"] = net
    record["verdicts_agree"] = net["agrees_with_group_theory"]
    _timed(record, "training", t1)
    if unblock is not None and unblock.irreps is not None and opts.confirm_unblocking:
        t2 = time.perf_counter()
        record["unblocking"]["network"] = _confirm_property_unblocking(group, keeps_target, unblock, cell, t,
                                                                       irreps, lmax, opts, moments)
        _timed(record, "unblocking", t2)
    return record


def property_check(input_path: str, prop: str, options: CurieOptions | None = None) -> dict[str, Any]:
    """Library entry point: ``symcompile curie IN --property NAME`` as a record."""
    opts = options or CurieOptions()
    inp = read_structure(input_path)
    record = property_record(inp, prop, opts)
    return {"file": input_path, **record, "notes": _notes(inp) + record.get("notes", [])}


def _notes(*structures: Structure) -> list[str]:
    """The reading notes of IN (and OUT), each prefixed with the file it is about when there are two."""
    if len(structures) == 1:
        return list(structures[0].notes)
    return [f"{label}: {note}" for label, s in zip(("IN", "OUT"), structures) for note in s.notes]
