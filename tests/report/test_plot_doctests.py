"""The >>> examples of the plotting modules run and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["plotting", "curie_plot", "symmetry_plot"])
def test_examples(name: str) -> None:
    module = importlib.import_module(f"symcompile.report.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
