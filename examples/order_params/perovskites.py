"""Order parameters of distorted perovskites and other published crystals, each against its parent.

    python examples/order_params/perovskites.py

For each child: the parent found within the default bound (LiNbO3: its paraelectric R-3c parent,
asked for), the primary irreps of the child's distortion (Å), the primary carrier the network
fits with, the irreps its learned pattern carries, and the verdict. The same as, e.g.

    symcompile order-params examples/structures/CaTiO3_Pnma.cif
    symcompile order-params examples/order_params/LiNbO3_R3c_Abrahams1966.cif --parent-group R-3c
"""

from __future__ import annotations

from pathlib import Path

from symcompile import order_parameters

HERE = Path(__file__).resolve().parent
STRUCTURES = HERE.parent / "structures"
CHILDREN = [
    (STRUCTURES / "CaTiO3_Pnma.cif", {}),
    (STRUCTURES / "SrTiO3_I4mcm.cif", {}),
    (HERE / "LaAlO3_R-3c_Hayward2005.cif", {}),
    (STRUCTURES / "BaTiO3_tetragonal.cif", {}),
    (HERE / "BiFeO3_R3c_Kubel1990.cif", {}),
    (HERE / "LiNbO3_R3c_Abrahams1966.cif", {"parent_group": "R-3c"}),
    (HERE / "Mn3O4_I41amd_Jarosch1987.cif", {}),
    (HERE / "La2NiO4_P42ncm_LTT_FullProf.cif", {}),
    (HERE / "La2CuO4_Cmca_Chaillout1990.cif", {}),
]


def main() -> None:
    for child, options in CHILDREN:
        r = order_parameters(str(child), seed=0, **options)
        modes = " + ".join(f"{m['irrep']} {m['direction']} {m['amplitude']:.3f} Å" for m in r["modes"] if m["primary"])
        carrier = r["primary_carrier"]
        learned = sorted({e["label"] for e in r["order_parameter"] if e["primary"]})
        print(f"{r['formula']:7s} {r['parent']['space_group']['symbol']:8s} -> {r['space_group']['symbol']:9s} "
              f"modes {modes}; carrier {carrier['irrep']} on {carrier['species']} {carrier['wyckoff']} "
              f"({' + '.join(learned)}); verified={r['verified']}" + (f"  {r['glazer']}" if r["glazer"] else ""))


if __name__ == "__main__":
    main()
