"""Symmetry-breaking order parameters by input gradients (Smidt, Geiger & Miller, PRR 3, L012002, 2021).

A distorted crystal (the child) has lower symmetry than its parent; an equivariant network that
maps the parent to the child can only fit if its per-atom input features break the symmetry,
and the features it learns are the order parameter. ``order_parameters(child)`` finds the
parent, the carriers allowed by symmetry, trains, and verifies with spglib that the decorated
parent has exactly the child's space group. Importing this package does not import torch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OrderParamsTask", "order_parameters"]


def order_parameters(child: Any, parent: Any = None, **options: Any) -> dict[str, Any]:
    """See :func:`symcompile.order_params.result.order_parameters`."""
    from symcompile.order_params.result import order_parameters as run

    return run(child, parent, **options)


def __getattr__(name: str) -> Any:
    if name == "OrderParamsTask":
        from symcompile.order_params.task import OrderParamsTask

        return OrderParamsTask
    raise AttributeError(f"module 'symcompile.order_params' has no attribute {name!r}")
