"""Order parameters of four distorted perovskites, each against its cubic parent.

    python examples/order_params/perovskites.py

CaTiO3 Pnma (a-b+a-: M3+ + R4+ tilts), SrTiO3 I4/mcm (a0a0c-: R4+), LaAlO3 R-3c (a-a-a-: R4+)
and BaTiO3 P4mm (polar Ti displacement, Gamma4-). The children are in examples/structures/, the
parents here (SrTiO3's in examples/structures/). The same as

    symcompile order-params examples/structures/CaTiO3_Pnma.cif --parent examples/order_params/CaTiO3_cubic.cif
"""

from __future__ import annotations

from pathlib import Path

from symcompile import order_parameters

HERE = Path(__file__).resolve().parent
STRUCTURES = HERE.parent / "structures"
PAIRS = [
    (STRUCTURES / "CaTiO3_Pnma.cif", HERE / "CaTiO3_cubic.cif"),
    (STRUCTURES / "SrTiO3_I4mcm.cif", STRUCTURES / "SrTiO3_cubic.cif"),
    (STRUCTURES / "LaAlO3_R-3c.cif", HERE / "LaAlO3_cubic.cif"),
    (STRUCTURES / "BaTiO3_tetragonal.cif", HERE / "BaTiO3_cubic.cif"),
]


def main() -> None:
    for child, parent in PAIRS:
        r = order_parameters(str(child), str(parent), seed=0)
        parts = ", ".join(f"{e['irrep']} {e['species']} {e['wyckoff']} @ {e['label']}"
                          for e in r["order_parameters"] if e["primary"])
        print(f"{r['formula']:7s} {r['parent']['space_group']['symbol']} -> {r['child']['space_group']['symbol']:7s}"
              f" decorated {r['decorated_space_group']['symbol']:7s} verified={r['verified']}  primary: {parts}"
              + (f"  ({r['glazer']})" if r["glazer"] else ""))


if __name__ == "__main__":
    main()
