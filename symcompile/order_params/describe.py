"""Describing a learned decoration: which irreps on which parent sites, at which k-points,
with what amplitude and direction, and which parts are primary (needed for the child's group).

Each non-zero (site, irrep) block is split into its parts at each (star of) k-point. The
primary parts are a minimal set that alone lowers the parent to exactly the child's group,
taken in order of how much of the child's distortion lives at their k-point (as in Landau
theory: the strong modes are primary); the others are secondary: allowed by the child's
symmetry, not needed for it.
For a cubic parent the l = 1 pseudovector parts at R and M spell the Glazer tilt system.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcompile.o3 import Irreps
from symcompile.order_params.carriers import Block
from symcompile.order_params.decorate import FEATURE_TOL, invariant_mask
from symcompile.order_params.kpoints import Translations
from symcompile.order_params.parent import ParentMatch


def site_label(block: Block) -> str:
    return f"{block.multiplicity}{block.wyckoff}"


def conventional_axes(match: ParentMatch) -> np.ndarray:
    """Unit vectors (rows) along the parent's conventional axes, in the cell's Cartesian frame."""
    conv = match.conventional
    return conv / np.linalg.norm(conv, axis=1, keepdims=True)


def describe(match: ParentMatch, features: np.ndarray, irreps: Irreps, blocks: list[Block],
             translations: Translations, D: np.ndarray) -> list[dict[str, Any]]:
    """Order-parameter entries of a decoration (N, dim): one per (site, irrep, k-point label)."""
    scale = float(np.linalg.norm(features, axis=1).max()) if features.size else 0.0
    if scale == 0.0:
        return []
    parts = translations.components(features)
    labels = [kp.label for kp in translations.kpoints]
    axes = conventional_axes(match)
    entries: list[dict[str, Any]] = []
    pieces: list[np.ndarray] = []
    for block in blocks:
        if float(np.abs(features[block.atoms, block.columns]).max()) <= FEATURE_TOL * scale:
            continue
        for label in dict.fromkeys(labels):
            idx = [i for i, lab in enumerate(labels) if lab == label]
            comp = np.zeros_like(features)
            comp[block.atoms, block.columns] = np.real(parts[idx].sum(axis=0))[block.atoms, block.columns]
            amp = float(np.sqrt((comp[block.atoms] ** 2).sum(axis=1).mean()))
            if amp <= FEATURE_TOL * scale:
                continue
            kps = [translations.kpoints[i].as_dict() for i in idx
                   if float(np.abs(parts[i][block.atoms][:, block.columns]).max()) > FEATURE_TOL * scale]
            entry: dict[str, Any] = {
                "irrep": str(block.irrep), "species": block.species, "wyckoff": site_label(block),
                "site_symmetry": block.site_symmetry, "label": label, "amplitude": amp, "k_points": kps,
                "primary": False,
            }
            if block.irrep.l == 1:
                vecs = comp[block.atoms, block.columns] @ axes.T  # components along the conventional axes
                entry["axes"] = [round(float(x), 6) + 0.0 for x in np.sqrt((vecs**2).mean(axis=0))]
                big = vecs[int(np.argmax(np.linalg.norm(vecs, axis=1)))]
                entry["direction"] = [round(float(x), 4) + 0.0 for x in big / np.linalg.norm(big)]
            entries.append(entry)
            pieces.append(comp)
    # rank parts by how much of the child's distortion lives at their k-point, then by amplitude
    distortion = {label: float(np.sum(part**2)) for label, part in translations.by_label(match.displacements).items()}
    ranks = [(round(distortion.get(e["label"], 0.0), 9), e["amplitude"]) for e in entries]
    for i in primary_parts(ranks, pieces, match, D):
        entries[i]["primary"] = True
    return entries


def primary_parts(ranks: list[tuple[float, float]], pieces: list[np.ndarray], match: ParentMatch,
                  D: np.ndarray) -> list[int]:
    """A minimal set of parts that alone give exactly the child's group, strongest first.

    Parts are added in decreasing rank (the child's distortion at their k-point, then their own
    amplitude) until the child's group is reached; then any part whose removal keeps that group
    is dropped, weakest first. Empty if even all parts do not reach it.
    """
    def exact(chosen: list[int]) -> bool:
        total = sum((pieces[i] for i in chosen), np.zeros_like(pieces[0]))
        return bool(np.any(total)) and np.array_equal(invariant_mask(total, D, match.ops), match.child_mask)

    order = sorted(range(len(pieces)), key=lambda i: ranks[i], reverse=True)
    chosen: list[int] = []
    for i in order:
        chosen.append(i)
        if exact(chosen):
            break
    else:
        return []
    for i in sorted(chosen, key=lambda i: ranks[i]):
        rest = [j for j in chosen if j != i]
        if rest and exact(rest):
            chosen = rest
    return sorted(chosen)


def glazer(entries: list[dict[str, Any]], match: ParentMatch) -> str | None:
    """Glazer tilt symbol from the primary pseudovector (1e) parts at R (-) and M (+), cubic parent only."""
    if not match.parent_group["symbol"].startswith("P") or match.parent_group["number"] < 195:
        return None
    tilts = [e for e in entries if e["irrep"] == "1e" and e["label"] in ("R", "M") and e["primary"]]
    if not tilts or len({(e["species"], e["wyckoff"]) for e in tilts}) != 1:
        return None
    out_of_phase = np.zeros(3)
    in_phase = np.zeros(3)
    for e in tilts:
        if e["label"] == "R":
            out_of_phase += np.array(e["axes"])
        else:
            in_phase += np.array(e["axes"])
    magnitude = np.maximum(out_of_phase, in_phase)
    top = float(magnitude.max())
    if top == 0:
        return None
    letters: list[str] = []
    symbol = ""
    for axis in range(3):
        m = magnitude[axis]
        sign = "0" if m < 1e-6 * top else ("+" if in_phase[axis] > out_of_phase[axis] else "-")
        letter = "abc"[axis]  # Glazer: a new letter per axis, repeated where the tilts are equal
        for earlier in range(axis):
            if abs(magnitude[earlier] - m) <= 1e-3 * top:
                letter = letters[earlier]
                break
        letters.append(letter)
        symbol += f"{letter}{sign}"
    return symbol
