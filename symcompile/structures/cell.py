"""The import path of the structure model's first version (``Cell``); new code imports from
:mod:`symcompile.structures` (``Structure``, ``as_structure``, ``from_pymatgen``)."""

from symcompile.structures.structure import ATOMIC_NUMBER, ELEMENTS, Cell, as_cell, cell_from_structure, element_of

__all__ = ["ATOMIC_NUMBER", "ELEMENTS", "Cell", "as_cell", "cell_from_structure", "element_of"]
