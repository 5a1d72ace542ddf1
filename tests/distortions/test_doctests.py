"""The >>> examples in symcompile.distortions run and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["tables", "lattice", "setting", "correspondence", "group", "irreps", "direction", "modes", "strain",
           "decomposition", "holohedry", "pseudosymmetry", "subgroups", "spread", "parents", "assignment"]


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str) -> None:
    module = importlib.import_module(f"symcompile.distortions.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
