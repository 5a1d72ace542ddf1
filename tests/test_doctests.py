"""Every >>> example in the package runs and says what it shows (one test per module)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import symcompile

MODULES = sorted(info.name for info in pkgutil.walk_packages(symcompile.__path__, "symcompile.")
                 if not info.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
    source = importlib.util.find_spec(name).origin  # type: ignore[union-attr]
    with open(source, encoding="utf-8") as handle:
        written = ">>> " in handle.read()
    assert tried > 0 or not written  # an example that is written is also run


def test_the_package_has_examples() -> None:
    assert sum(doctest.DocTestFinder().find(importlib.import_module(n)) != [] for n in MODULES) > 50
