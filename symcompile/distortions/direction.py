"""Order-parameter directions written as ISOTROPY writes them: (a,0,0), (a,a,0), (a,b,0), ...

The isotropy subgroup S of a distortion fixes a subspace F of the irrep's carrier space; the
direction is F written with free letters a, b, c, ... (its reduced row-echelon form). Of the
equivalent domains D(g)F, the one shown is the simplest: most zero components, then most
components that are a plain letter, then fewest minus signs, then letters leftmost, as
ISOTROPY lists its OPDs (Pm-3m R4+: (a,0,0) I4/mcm, (a,a,0) Imma, (a,a,a) R-3c).

>>> import numpy as np
>>> pattern(np.array([[1.0], [1.0], [0.0]]) / np.sqrt(2))
'(a,a,0)'
>>> canonical_direction(np.array([[0.0], [0.0], [1.0]]), [np.eye(3), np.eye(3)[[2, 0, 1]]])
'(a,0,0)'
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TOL = 1e-6


def fixed_subspace(matrices: np.ndarray) -> np.ndarray:
    """Orthonormal columns spanning the vectors fixed by every matrix of a group (d, r)."""
    mats = np.asarray(matrices, dtype=float)
    projector = mats.mean(axis=0)
    projector = (projector + projector.T) / 2
    evals, evecs = np.linalg.eigh(projector)
    return evecs[:, evals > 0.5]


def _echelon(basis: np.ndarray) -> np.ndarray:
    """The subspace spanned by the columns (d, r) as r rows of length d that are the unit vectors
    on r pivot components (the first independent ones): component i = Σ_l rows[l, i] * letter_l."""
    d, r = basis.shape
    pivots: list[int] = []
    for i in range(d):
        if len(pivots) == r:
            break
        if np.linalg.matrix_rank(basis[[*pivots, i]], tol=_TOL) > len(pivots):
            pivots.append(i)
    rows = (basis @ np.linalg.inv(basis[pivots])).T
    rows[np.abs(rows) < _TOL] = 0.0
    return rows


def _term(coefficient: float, letter: str, first: bool) -> str:
    sign = "-" if coefficient < 0 else ("" if first else "+")
    size = abs(coefficient)
    number = "" if abs(size - 1) < 1e-4 else f"{size:.3f}".rstrip("0").rstrip(".")
    return f"{sign}{number}{letter}"


def _components(basis: np.ndarray) -> list[str]:
    echelon = _echelon(basis)
    out = []
    for col in echelon.T:
        terms = [(c, _LETTERS[i]) for i, c in enumerate(col) if abs(c) > _TOL]
        out.append("".join(_term(c, name, i == 0) for i, (c, name) in enumerate(terms)) if terms else "0")
    return out


def pattern(basis: np.ndarray) -> str:
    """The direction of the subspace spanned by the columns of ``basis``: '(a,-a,0)', '(a,b,0)'."""
    return "(" + ",".join(_components(basis)) + ")"


def _score(components: list[str]) -> tuple:
    zeros = sum(c == "0" for c in components)
    plain = sum(c.lstrip("-") in _LETTERS for c in components)
    minus = sum(c.count("-") for c in components)
    where = tuple(c == "0" for c in components)
    return (-zeros, -plain, minus, where, components)


def canonical_direction(basis: np.ndarray, matrices: Iterable[np.ndarray]) -> str:
    """The simplest of the equivalent directions D(g) F over the given group matrices."""
    mats = np.asarray(list(matrices) if not isinstance(matrices, np.ndarray) else matrices, dtype=float)
    return simplest(mats @ basis)


def simplest(images: np.ndarray) -> str:
    """The simplest direction among equivalent subspaces (each spanned by the columns of ``images[i]``)."""
    probe = np.random.default_rng(7).normal(size=(images.shape[1], 2))
    keys = np.round(images @ (images.transpose(0, 2, 1) @ probe), 6) + 0.0  # P r: the same for equal subspaces
    _, first = np.unique(keys.reshape(len(images), -1), axis=0, return_index=True)
    best = min(_score(_components(images[i])) for i in sorted(first))
    return "(" + ",".join(best[-1]) + ")"
