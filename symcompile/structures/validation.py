"""What an atomic structure must look like before any symmetry is looked for: the documented limits.

Every reader hands its structure to :func:`validate`; the :class:`Structure` constructor
itself runs :func:`check_numbers` (finite, bounded numbers, a cell of non-zero volume). The
limits are loose enough for any real crystal or molecule and tight enough that nothing
downstream overflows, divides by zero or runs out of memory:

- every number finite; every Cartesian coordinate and lattice vector component at most
  :data:`MAX_COORDINATE` Å in size (10 µm: far beyond any simulation cell);
- a cell volume of at least :data:`MIN_VOLUME_PER_ATOM` Å³ per atom (solid hydrogen at
  multi-megabar pressure still has about 1.5 Å³ per atom);
- no two atoms (periodic images included) closer than :data:`MIN_DISTANCE` Å (the H2 bond is
  0.74 Å), except partially occupied sites, whose split positions may lie closer;
- species that are chemical elements; anything else is kept as a species label, with a note.

Errors are :class:`InputError` with one line that names the atoms and the numbers.

>>> import numpy as np
>>> from symcompile.structures.structure import Structure
>>> validate(Structure.molecule(("H", "H"), [[0, 0, 0], [0, 0, 0.1]]))
Traceback (most recent call last):
...
symcompile.errors.InputError: atoms 1 (H) and 2 (H) are 0.1 Å apart, closer than the floor of 0.5 Å (overlapping or duplicated atoms)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symcompile.errors import InputError

#: Largest size (Å) of a Cartesian coordinate or of a lattice vector component.
MAX_COORDINATE = 1e5
#: Smallest distance (Å) between two atoms, periodic images included (partially occupied sites exempt).
MIN_DISTANCE = 0.5
#: Smallest cell volume per atom (Å³).
MIN_VOLUME_PER_ATOM = 0.5
#: A lattice whose volume is below this fraction of |a| |b| |c| is degenerate (flat, numerically singular).
_FLAT = 1e-8
_AXES = "abc"


def _atom(i: int, species: Any) -> str:
    return f"atom {i + 1}" + (f" ({species[i]})" if species is not None else "")


def check_lattice(lattice: np.ndarray) -> None:
    """Finite, bounded lattice vectors (rows a, b, c, Å) spanning a cell of non-zero volume."""
    for k, vector in enumerate(lattice):
        if not np.all(np.isfinite(vector)):
            raise InputError(f"lattice vector {_AXES[k]} is not finite ({' '.join(f'{v:g}' for v in vector)})")
        if np.abs(vector).max() > MAX_COORDINATE:
            raise InputError(f"lattice vector {_AXES[k]} has a component of {np.abs(vector).max():.3g} Å, beyond the "
                             f"limit of {MAX_COORDINATE:g} Å")
    volume = abs(float(np.linalg.det(lattice)))
    if not volume > _FLAT * max(1e-300, float(np.prod(np.linalg.norm(lattice, axis=1)))):
        raise InputError(f"the lattice is degenerate (cell volume {volume:.3g} Å³): its vectors are (nearly) "
                         "linearly dependent")


def check_numbers(lattice: np.ndarray | None, coords: np.ndarray, species: Any = None) -> None:
    """The numbers of a structure: finite, bounded, a non-degenerate cell (cheap; run on every construction).

    ``coords`` are fractional for a crystal, Cartesian (Å) for a molecule.
    """
    bad = np.flatnonzero(~np.all(np.isfinite(coords), axis=1))
    if len(bad):
        values = " ".join(f"{v:g}" for v in coords[bad[0]])
        raise InputError(f"{_atom(int(bad[0]), species)} has a coordinate that is not a finite number ({values})")
    if lattice is not None:
        check_lattice(lattice)
        with np.errstate(all="ignore"):
            cart = coords @ lattice
    else:
        cart = coords
    with np.errstate(all="ignore"):
        size = np.where(np.all(np.isfinite(cart), axis=1), np.abs(cart).max(axis=1, initial=0.0), np.inf)
    far = np.flatnonzero(size > MAX_COORDINATE)
    if len(far):
        i = int(far[0])
        raise InputError(f"{_atom(i, species)} lies {size[i]:.3g} Å from the origin, beyond the limit of "
                         f"{MAX_COORDINATE:g} Å")


def _partial(species: tuple[str, ...]) -> np.ndarray:
    """Sites whose key is a composition (partially occupied: ``"Fe:0.500"``)."""
    return np.array([":" in s for s in species], dtype=bool)


def _closest_pair(structure: Any) -> tuple[int, int, float] | None:
    """The closest two atoms within :data:`MIN_DISTANCE` (periodic images included), pairs of two partially
    occupied sites or of a partial site with anything left out; None if there are none."""
    from symcompile.structures.neighbours import close_pairs

    i, j, d = close_pairs(structure, MIN_DISTANCE)
    partial = _partial(structure.species)
    keep = ~(partial[i] | partial[j])
    i, j, d = i[keep], j[keep], d[keep]
    if len(d) == 0:
        return None
    k = int(np.argmin(d))
    first, second = sorted((int(i[k]), int(j[k])))
    return first, second, float(d[k])


def _labels_note(species: tuple[str, ...]) -> str | None:
    """A note naming the species keys that are not chemical elements (kept as labels)."""
    from symcompile.structures.structure import element_of

    def is_element(key: str) -> bool:
        if ":" in key:
            return all(element_of(part.split(":")[0].strip()) for part in key.split(","))
        return element_of(key) is not None

    labels = sorted({s for s in species if not is_element(s)})
    if not labels:
        return None
    shown = ", ".join(repr(s) for s in labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
    return (f"species {shown} {'is not a chemical element' if len(labels) == 1 else 'are not chemical elements'}: "
            "kept as labels (sites with the same label are alike)")


def validate(structure: Any) -> Any:
    """The structure if it is a plausible atomic structure (see the module's limits), with a note for species
    labels that are not elements; else an :class:`InputError` naming the atoms and the numbers."""
    n = structure.num_atoms
    if structure.lattice is not None:
        from symcompile.structures.neighbours import shortest_lattice_vector

        volume = structure.volume
        if volume < MIN_VOLUME_PER_ATOM * n:
            raise InputError(f"the cell volume is {volume:.3g} Å³ for {n} atom{'s' if n > 1 else ''}, below the "
                             f"floor of {MIN_VOLUME_PER_ATOM:g} Å³ per atom")
        shortest = shortest_lattice_vector(structure.lattice)
        if shortest < MIN_DISTANCE:
            raise InputError(f"the shortest lattice vector is {shortest:.3g} Å long: every atom would be closer than "
                             f"the floor of {MIN_DISTANCE:g} Å to its own periodic image")
    pair = _closest_pair(structure)
    if pair is not None:
        i, j, d = pair
        what = (f"{_atom(i, structure.species)} is {d:.3g} Å from its own periodic image" if i == j else
                f"atoms {i + 1} ({structure.species[i]}) and {j + 1} ({structure.species[j]}) are {d:.3g} Å apart")
        raise InputError(f"{what}, closer than the floor of {MIN_DISTANCE:g} Å (overlapping or duplicated atoms)")
    note = _labels_note(structure.species)
    return structure.with_notes(note) if note else structure
