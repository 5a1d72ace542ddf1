"""vasprun.xml: the final structure of a VASP run (the last complete one if the run did not finish).

VASP writes the species once (``<atominfo>``) and a ``<structure>`` (lattice ``basis`` rows
in Å, fractional ``positions``) at the start, after every ionic step and at the end
(``finalpos``). The file is read as a stream, so a run of thousands of steps, or one cut
short while still running, costs no more memory than one structure.

>>> text = ('<modeling><atominfo><array name="atoms"><set><rc><c>Si</c><c>1</c></rc><rc><c>Si</c><c>1</c></rc>'
...         '</set></array></atominfo><structure name="finalpos"><crystal><varray name="basis">'
...         '<v>0 2.7 2.7</v><v>2.7 0 2.7</v><v>2.7 2.7 0</v></varray></crystal><varray name="positions">'
...         '<v>0 0 0</v><v>0.25 0.25 0.25</v></varray></structure></modeling>')
>>> read_vasprun(text).formula()
'Si'
"""

from __future__ import annotations

import copy
import io
import xml.etree.ElementTree as ET

import numpy as np

from symcompile.errors import InputError
from symcompile.structures.structure import ATOMIC_NUMBER, Structure


def _rows(varray: ET.Element | None, what: str) -> np.ndarray:
    if varray is None:
        raise InputError(f"vasprun.xml structure without {what}")
    try:
        return np.array([[float(x) for x in (v.text or "").split()] for v in varray.findall("v")], dtype=np.float64)
    except ValueError:
        raise InputError(f"vasprun.xml: {what} are not numbers") from None


def _species(atominfo: ET.Element) -> list[str]:
    array = next((a for a in atominfo.findall("array") if a.get("name") == "atoms"), None)
    if array is None:
        raise InputError("vasprun.xml without the list of atoms (<atominfo>)")
    names = []
    for rc in array.iter("rc"):
        cells = rc.findall("c")
        name = (cells[0].text or "").strip() if cells else ""
        name = name[:1].upper() + name[1:].lower()
        if name not in ATOMIC_NUMBER:
            raise InputError(f"vasprun.xml: unknown element {name[:10]!r}")
        names.append(name)
    return names


def read_vasprun(text: str, source: str = "") -> Structure:
    """The final (or last complete) structure of a vasprun.xml text."""
    species: list[str] | None = None
    last: ET.Element | None = None
    final = False
    try:
        for _, element in ET.iterparse(io.StringIO(text), events=("end",)):
            if element.tag == "atominfo":
                species = _species(element)
            elif element.tag == "structure":
                last, final = copy.deepcopy(element), element.get("name") == "finalpos"
            elif element.tag in ("calculation", "eigenvalues", "dos", "projected"):
                element.clear()  # bounded memory: only the last structure is kept
    except ET.ParseError as exc:
        if last is None:
            raise InputError(f"not a readable vasprun.xml ({exc})") from None
        final = False
    if species is None or last is None:
        raise InputError("vasprun.xml without atoms or without a structure")
    crystal = last.find("crystal")
    lattice = _rows(crystal.find("varray[@name='basis']") if crystal is not None else None, "lattice vectors")
    positions = _rows(last.find("varray[@name='positions']"), "positions")
    if lattice.shape != (3, 3) or positions.shape != (len(species), 3):
        raise InputError("vasprun.xml structure does not match its list of atoms")
    note = ("vasprun.xml: the final structure of the run is analysed" if final else
            "vasprun.xml: the run did not finish; its last complete structure is analysed")
    return Structure(lattice, positions, species, source=source, notes=(note,))
