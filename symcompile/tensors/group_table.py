"""Which point groups allow a tensor: its independent components under every crystal class (32)
or every magnetic point group (122), exact by characters (Neumann's principle with time reversal).

>>> rows = all_groups_table("magnetization", magnetic=True)
>>> len(rows), sum(r["allowed"] for r in rows)
(122, 31)
"""

from __future__ import annotations

from typing import Any

from symcompile.tensors.characters import multiplicities, tensor_irreps
from symcompile.tensors.formula import parse_formula

__all__ = ["all_groups_table"]


def all_groups_table(formula: str, magnetic: bool = False, index_types: dict[str, str] | None = None,
                     axial: bool | None = None, time_odd: bool | None = None) -> list[dict[str, Any]]:
    """One record per point group (International Tables order; Litvin's order for magnetic groups).

    Each record: ``command`` (``tensor``), ``status``, ``mode`` (``all-groups``), the tensor
    (``formula``, ``name``, ``parity``, ``time_parity``, ``irreps``, ``dim``), the group
    (``point_group``, ``point_group_schoenflies``, ``point_group_order``, ``crystal_system``; with
    ``magnetic``: ``magnetic_kind``, ``magnetic_number``), ``independent_components``,
    ``invariants_by_irrep``, ``allowed`` (components > 0), and ``index`` / ``groups`` (position
    in the table, its length).
    """
    from symcompile.o3.magnetic_point_groups import magnetic_point_groups
    from symcompile.o3.point_groups import crystallographic_point_groups

    f = parse_formula(formula, index_types=index_types, axial=axial, time_odd=time_odd)
    mults = multiplicities(f)
    irreps = tensor_irreps(f)
    p = "e" if f.parity == 1 else "o"
    groups: list[Any] = magnetic_point_groups() if magnetic else crystallographic_point_groups()
    records = []
    for index, g in enumerate(groups, start=1):
        by_irrep = {f"{l}{p}": m * g.invariants_of_irrep(l, f.parity, f.time_parity) for l, m in sorted(mults.items())}
        count = sum(by_irrep.values())
        record: dict[str, Any] = {
            "command": "tensor",
            "status": "ok",
            "mode": "all-groups",
            "formula": f.text,
            "name": f.name,
            "parity": p,
            "time_parity": "odd" if f.time_odd else "even",
            "irreps": str(irreps),
            "dim": int(irreps.dim),
            "index": index,
            "groups": len(groups),
            "point_group": g.name,
            "point_group_schoenflies": g.schoenflies,
            "point_group_order": g.order,
            "crystal_system": g.crystal_system,
        }
        if magnetic:
            record["magnetic_kind"] = g.kind
            record["magnetic_number"] = g.number
        record["independent_components"] = count
        record["invariants_by_irrep"] = {k: v for k, v in by_irrep.items() if v}
        record["allowed"] = count > 0
        records.append(record)
    return records
