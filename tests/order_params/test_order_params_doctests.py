"""The >>> examples in symcompile.order_params run and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["carriers", "glazer", "local", "parent"]


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str) -> None:
    module = importlib.import_module(f"symcompile.order_params.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
