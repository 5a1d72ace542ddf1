"""Cartesian tensors: formula parser, exact irreps and counts, change of basis, allowed forms.

``CartesianTensor("ijkl=jikl=klji")`` -> irreps ``2x0e+2x2e+1x4e``, 21 degrees of freedom;
``tensor_report("elastic", point_group="6/mmm")`` -> 5 independent constants and the Voigt
matrix with ``C66 = (C11 - C12)/2`` (Neumann's principle). numpy only: no torch here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from symcompile.errors import InputError
from symcompile.tensors.cartesian_tensor import CartesianTensor
from symcompile.tensors.characters import count_invariants, multiplicities, tensor_dim, tensor_irreps
from symcompile.tensors.formula import MAX_RANK, SHORTCUTS, TensorFormula, parse_formula, parse_index_assignments
from symcompile.tensors.group_table import all_groups_table

__all__ = [
    "CartesianTensor",
    "TensorFormula",
    "parse_formula",
    "parse_index_assignments",
    "tensor_irreps",
    "tensor_dim",
    "multiplicities",
    "count_invariants",
    "allowed_form",
    "invariant_tensors",
    "tensor_report",
    "all_groups_table",
    "SHORTCUTS",
    "MAX_RANK",
    "clear_caches",
]


def clear_caches() -> None:
    """Forget cached orbit counts, coupling bases and changes of basis (for benchmarks, memory)."""
    from symcompile.tensors import cartesian_tensor, characters

    for fn in (characters._orbit_data, characters._weight_counts_cached, cartesian_tensor._change_of_basis,
               cartesian_tensor._full_basis, cartesian_tensor._coupler):
        fn.cache_clear()


def allowed_form(*args: Any, **kwargs: Any) -> Any:
    """See :func:`symcompile.tensors.allowed.allowed_form` (sympy is imported on first use)."""
    from symcompile.tensors.allowed import allowed_form as _allowed_form

    return _allowed_form(*args, **kwargs)


def invariant_tensors(*args: Any, **kwargs: Any) -> np.ndarray:
    """See :func:`symcompile.tensors.allowed.invariant_tensors`."""
    from symcompile.tensors.allowed import invariant_tensors as _invariant_tensors

    return _invariant_tensors(*args, **kwargs)


def tensor_report(
    formula: str | TensorFormula,
    point_group: Any = None,
    group_matrices: np.ndarray | None = None,
    index_types: dict[str, str] | None = None,
    axial: bool | None = None,
    time_odd: bool | None = None,
    space_group: int | None = None,
    symbolic: bool = False,
    form: bool = True,
    max_form_rank: int | None = None,
    symbol: str | None = None,
    structure: Any = None,
    symprec: float = 1e-3,
    angle_tol: float | None = None,
    forms: dict[str, Any] | None = None,
    magnetic: bool = True,
    mag_symprec: float | None = None,
) -> dict[str, Any]:
    """Everything the ``tensor`` command shows, as a JSON-ready dict.

    Keys: ``formula``, ``irreps`` (str), ``dim`` (int), ``rank``, ``parity``, ``time_parity``
    (``even``/``odd``), ``multiplicities``; with a group (``point_group`` name, PointGroup or
    MagneticPointGroup (``"4'/m'm'm"``: then also ``magnetic_point_group``), ``space_group`` number, ``structure`` (a file
    path or loaded structure), or ``group_matrices`` in the structure's own Cartesian frame):
    ``point_group``, ``independent_components`` (exact), ``invariants_by_irrep``,
    ``allowed_form`` (standard orientation; Voigt matrix when rank <= 4 allows it) and, with
    a structure or ``group_matrices``, ``allowed_form_structure_frame``. A crystal structure with
    magnetic moments gives its magnetic point group (``magnetic=False``: the group of the atoms;
    ``mag_symprec`` in μB) and ``structure["magnetic"]``. ``symbol`` names the
    components (default: the named tensor's, e.g. ``C`` for elastic, else ``T``). A ``forms`` dict,
    if given, receives the :class:`AllowedForm` objects under ``"standard"`` / ``"structure"``
    (with their invariant bases, for pictures).
    """
    from symcompile.o3.magnetic_point_groups import MagneticPointGroup, any_point_group
    from symcompile.o3.point_groups import point_group as lookup
    from symcompile.o3.point_groups import point_group_from_matrices
    from symcompile.structures.spacegroup import point_group_from_space_group
    from symcompile.tensors.allowed import MAX_FORM_RANK

    f = parse_formula(formula, index_types=index_types, axial=axial, time_odd=time_odd)
    if symbol is not None:
        if not (symbol.isascii() and symbol.isidentifier()) or len(symbol) > 12:
            raise InputError(f"tensor symbol must be a short name like C or eps, got {symbol!r}")
        f = replace(f, symbol=symbol)
    given = [x is not None for x in (point_group, space_group, structure)]
    if sum(given) > 1:
        raise InputError("give at most one of point group, space group and structure")
    limit = MAX_FORM_RANK if max_form_rank is None else max_form_rank
    mults = multiplicities(f)
    p = "e" if f.parity == 1 else "o"
    irreps = tensor_irreps(f)
    out: dict[str, Any] = {
        "command": "tensor",
        "formula": f.text,
        "name": f.name,
        "description": f.description or None,
        "rank": f.rank,
        "index_types": {c: t for c, t in zip(f.indices, f.index_types) if t != "1o"},
        "axial": f.axial,
        "parity": p,
        "time_parity": "odd" if f.time_odd else "even",
        "irreps": str(irreps),
        "dim": int(irreps.dim),
        "multiplicities": {f"{l}{p}": m for l, m in sorted(mults.items())},
    }
    std = None
    frame_group = None
    exact_below = None
    if point_group is not None:
        std = any_point_group(point_group)
    elif space_group is not None:
        std = point_group_from_space_group(space_group)
        out["space_group"] = int(space_group)
    elif structure is not None:
        from symcompile.tensors.structure_groups import structure_point_groups

        groups = structure_point_groups(structure, symprec, angle_tol, magnetic, mag_symprec)
        std, frame_group, exact_below = groups.standard, groups.frame, groups.exact_below
        out["structure"] = groups.info
    if group_matrices is not None:
        frame_group = point_group_from_matrices(group_matrices)
        if std is None:
            std = lookup(frame_group.name)
    if (std is not None and frame_group is not None and not std.is_continuous
            and frame_group.crystal_system != "non-crystallographic" and std.schoenflies != frame_group.schoenflies):
        raise InputError(f"the group matrices form {frame_group.name} ({frame_group.schoenflies}), "
                         f"not {std.name} ({std.schoenflies})")
    counting = std if std is not None else frame_group
    if counting is not None:
        out["point_group"] = counting.name
        out["point_group_schoenflies"] = counting.schoenflies
        out["point_group_order"] = counting.order
        out["point_group_setting"] = counting.setting if std is not None else "the structure's own frame only"
        if isinstance(counting, MagneticPointGroup):
            out["magnetic_point_group"] = counting.to_dict()
        inv = {f"{l}{p}": m * counting.invariants_of_irrep(l, f.parity, f.time_parity)
               for l, m in sorted(mults.items())}
        out["independent_components"] = sum(inv.values())
        out["invariants_by_irrep"] = {k: v for k, v in inv.items() if v}
        if form and f.rank > limit:
            out["allowed_form_note"] = f"allowed forms are listed up to rank {limit}; counts are exact at any rank"
        elif form:
            kept = {} if forms is None else forms
            if std is not None:
                kept["standard"] = allowed_form(f, std, frame="standard", max_rank=limit)
                out["allowed_form"] = kept["standard"].to_dict()
            if frame_group is not None:
                if exact_below is not None and f.rank >= exact_below:
                    out["allowed_form_note"] = (f"{counting.name} is represented in the structure's frame by a "
                                                f"finite subgroup exact below l = {exact_below}: "
                                                f"no frame form at rank {f.rank}")
                else:
                    kept["structure"] = allowed_form(f, frame_group, frame="structure", max_rank=limit)
                    out["allowed_form_structure_frame"] = kept["structure"].to_dict()
    if symbolic:
        from symcompile.tensors.symbolic import isotypic_basis_json

        out["symbolic_basis"] = isotypic_basis_json(f)
    return out
