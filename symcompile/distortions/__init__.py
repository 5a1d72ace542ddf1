"""A distorted child crystal against its parent: correspondence, space-group irreps, modes, strain.

Group theory only (numpy, spglib, spgrep and Bilbao's labelled character tables from
``irreptables``); no torch. The entry point is :func:`decompose`:

>>> import numpy as np
>>> from symcompile.structures import Structure
>>> from symcompile.distortions import decompose
>>> cubic = Structure(np.eye(3) * 4.0, [[0, 0, 0], [.5, .5, .5], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]],
...                   ("Ba", "Ti", "O", "O", "O"))
>>> polar = Structure(np.diag([4.0, 4.0, 4.04]), [[0, 0, 0], [.5, .5, .52], [.5, .5, 0], [.5, 0, .49],
...                   [0, .5, .49]], ("Ba", "Ti", "O", "O", "O"))
>>> result = decompose(polar, cubic, origin="Ti")
>>> [(m.irrep, m.direction, round(m.amplitude, 4), m.primary) for m in result.modes]  # Å
[('GM4-', '(a,0,0)', 0.0983, True)]
>>> [(s["irrep"], round(s["amplitude"], 4)) for s in result.to_record()["strain"]]  # tetragonal c/a
[('GM1+', 0.0058), ('GM3+', 0.0082), ('GM5+', 0.0)]

Parents of a child found by pseudo-symmetry (no parent given): :func:`find_parents` lists every
supergroup within a displacement bound, highest symmetry first; :func:`select_parent` picks one.

Modules: ``tables`` (Bilbao's tables), ``setting`` (the parent in the tables' setting, its
origin and Wyckoff sites), ``correspondence`` (child and parent atom for atom), ``group``
(the parent's group on a supercell), ``irreps`` (physically irreducible representations and
their labels), ``direction`` (order-parameter directions), ``modes`` (the decomposition of
any per-atom field), ``strain``, ``decomposition`` (the one call: :func:`decompose`);
``holohedry`` (near-isometries of a strained lattice), ``pseudosymmetry`` (the operations that map
the child onto itself within a distance), ``subgroups`` (groups between two groups), ``spread``
(largest displacement free of the uniform translation), ``parents`` (:func:`find_parents`).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "decompose": "symcompile.distortions.decomposition",
    "Decomposition": "symcompile.distortions.decomposition",
    "mode_analysis": "symcompile.distortions.decomposition",
    "displacements": "symcompile.distortions.decomposition",
    "correspond": "symcompile.distortions.correspondence",
    "Correspondence": "symcompile.distortions.correspondence",
    "DEFAULT_MAX_DISPLACEMENT": "symcompile.distortions.correspondence",
    "DEFAULT_MAX_STRAIN": "symcompile.distortions.correspondence",
    "parent_setting": "symcompile.distortions.setting",
    "ParentSetting": "symcompile.distortions.setting",
    "ParentSite": "symcompile.distortions.setting",
    "Mode": "symcompile.distortions.modes",
    "SiteAmplitude": "symcompile.distortions.modes",
    "ArmAmplitude": "symcompile.distortions.modes",
    "ModeAnalysis": "symcompile.distortions.modes",
    "FieldDecomposition": "symcompile.distortions.modes",
    "rotation_rep": "symcompile.distortions.modes",
    "StrainMode": "symcompile.distortions.strain",
    "strain_tensor": "symcompile.distortions.strain",
    "strain_modes": "symcompile.distortions.strain",
    "load_table": "symcompile.distortions.tables",
    "SupercellGroup": "symcompile.distortions.group",
    "stars": "symcompile.distortions.irreps",
    "physical_irreps": "symcompile.distortions.irreps",
    "PhysicalIrrep": "symcompile.distortions.irreps",
    "find_parents": "symcompile.distortions.parents",
    "select_parent": "symcompile.distortions.parents",
    "ParentCandidate": "symcompile.distortions.parents",
    "ParentCandidates": "symcompile.distortions.parents",
    "smallest_ball": "symcompile.distortions.spread",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'symcompile.distortions' has no attribute {name!r}")
