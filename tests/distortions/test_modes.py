"""Order-parameter directions written as ISOTROPY writes them, the decomposition of any
per-atom field (here the octahedral-rotation pseudovectors on Ti, what order-params learns),
and no torch anywhere in the package."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from distortion_data import PEROVSKITES, ROOT, read

from symcompile.distortions import decompose, rotation_rep
from symcompile.distortions.direction import (
    canonical_direction,
    fixed_subspace,
    pattern,
)


def test_patterns() -> None:
    assert pattern(np.array([[1.0], [0.0], [0.0]])) == "(a,0,0)"
    assert pattern(np.array([[1.0], [-1.0], [0.0]]) / np.sqrt(2)) == "(a,-a,0)"
    assert pattern(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])) == "(a,b,0)"
    assert pattern(np.array([[0.5], [np.sqrt(3) / 2]])) == "(a,1.732a)"
    assert pattern(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]) / np.array([np.sqrt(2), 1.0])) == "(a,a,b)"


def test_canonical_direction_picks_the_simplest_domain() -> None:
    perms = [np.eye(3)[list(p)] for p in ((0, 1, 2), (1, 2, 0), (2, 0, 1), (1, 0, 2), (0, 2, 1), (2, 1, 0))]
    signs = [np.diag(s) for s in ((1, 1, 1), (-1, 1, 1), (1, -1, 1), (1, 1, -1))]
    group = [s @ p for p in perms for s in signs]
    assert canonical_direction(np.array([[0.0], [1.0], [1.0]]) / np.sqrt(2), group) == "(a,a,0)"
    assert canonical_direction(np.array([[0.0], [-1.0], [1.0]]) / np.sqrt(2), group) == "(a,a,0)"
    assert canonical_direction(np.array([[1.0], [1.0], [1.0]]) / np.sqrt(3), group) == "(a,a,a)"
    assert canonical_direction(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), group) == "(a,b,0)"
    assert fixed_subspace(np.array([np.eye(3), np.diag([1.0, -1.0, -1.0])])).shape == (3, 1)


def test_octahedral_rotations_on_ti_transform_as_r4_plus_and_m3_plus() -> None:
    """Pseudovectors ω_Ti = Σ_O d × u_O (d: Ti-O bond in the parent, u: O displacement) carry the
    tilt pattern of CaTiO3; with Ti at the origin they are R4+ (a,a,0) and M3+ (a,0,0)."""
    child, parent = (read(p) for p in PEROVSKITES["CaTiO3"])
    result = decompose(child, parent, origin="Ti")
    match, analysis = result.correspondence, result.analysis
    group = analysis.group
    cart_ideal = (match.ideal @ match.to_conv.T + match.shift) @ group.basis.T
    u = np.vstack([m.values for m in result.modes]).reshape(len(result.modes), -1, 3).sum(axis=0)
    cell_cart = (group.basis @ match.to_conv).T
    species = np.array(match.child.species)
    omega = np.zeros_like(u)
    for i in np.flatnonzero(species == "Ti"):
        for j in np.flatnonzero(species == "O"):
            d = cart_ideal[j] - cart_ideal[i]
            frac = np.linalg.solve(cell_cart.T, d)
            d = (frac - np.round(frac)) @ cell_cart
            if np.linalg.norm(d) < 2.2:
                omega[i] += np.cross(d, u[j])
    field = analysis.decompose(omega, rotation_rep(group.cart, "1e"), tol=1e-6)
    assert field.child_group["symbol"] == "Pnma"
    assert {(m.irrep, m.direction) for m in field.modes if m.primary} == {("R4+", "(a,a,0)"), ("M3+", "(a,0,0)")}
    assert all(s.species == "Ti" for m in field.modes for s in m.sites)


def test_no_torch_import() -> None:
    code = ("import sys, numpy as np\n"
            "from symcompile.structures.cell import Cell\n"
            "from symcompile.distortions import decompose\n"
            "p = Cell(np.eye(3)*4, [[0,0,0],[.5,.5,.5]], ('Cs','Cl'))\n"
            "c = Cell(np.diag([4,4,8.]), [[0,0,0],[.5,.5,.26],[0,0,.5],[.5,.5,.75]], ('Cs','Cl','Cs','Cl'))\n"
            "print(decompose(c, p).modes[0].irrep)\n"
            "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, 'heavy import'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         check=False)
    assert out.returncode == 0, out.stderr
    # Cl at 1b moving along z at X = (0,0,1/2): every operation of the little co-group 4/mmm keeps the
    # pattern (a 2-fold or the inversion flips z but moves Cl by a lattice vector t with e^{2πi k·t} = -1): X1+
    assert out.stdout.strip() == "X1+"


def test_k_vectors_outside_the_tables_get_coordinates_not_invented_names() -> None:
    """A Ti wave along z with k = (1/3,0,0) (the Δ line: no entry in Bilbao's point tables)."""
    from symcompile.structures.cell import Cell

    base = [("Sr", (0, 0, 0)), ("Ti", (.5, .5, .5)), ("O", (.5, .5, 0)), ("O", (.5, 0, .5)), ("O", (0, .5, .5))]
    frac, species = [], []
    for j in range(3):
        for s, p in base:
            dz = 0.02 * np.cos(2 * np.pi * j / 3) if s == "Ti" else 0.0
            frac.append(((p[0] + j) / 3, p[1], p[2] + dz))
            species.append(s)
    child = Cell(np.diag([3 * 3.9, 3.9, 3.9]), frac, species)
    parent = Cell(np.eye(3) * 3.9, [p for _, p in base], [s for s, _ in base])
    result = decompose(child, parent, origin="Ti")
    (mode,) = result.modes
    assert mode.k_label == "(1/3,0,0)" and mode.irrep.startswith("(1/3,0,0)#") and not mode.in_tables
    assert any("not in Bilbao's tables" in note for note in result.notes)
    assert mode.dim == 12  # 6 arms (±k along three axes) x a 1-dim little-group irrep, made real
