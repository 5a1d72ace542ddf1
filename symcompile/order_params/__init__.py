"""Symmetry-breaking order parameters by input gradients (Smidt, Geiger & Miller, PRR 3, L012002, 2021).

A distorted crystal (the child) has lower symmetry than its parent; an equivariant network that
maps the parent to the child can only fit if its per-atom input features break the symmetry,
and the features it learns are the order parameter. ``order_parameters(child)`` finds the
parent, decomposes the child's distortion into the parent's space-group irreps (modes in Å,
strain), finds by group theory the site x irrep blocks that can carry the primary irreps with
exactly the child's group, trains the network on the best of them until it fits, and verifies
with spglib that the decorated parent has exactly the child's space group. Importing this
package does not import torch; only training does.

Modules: ``parent`` (the candidates as reported),
``problem`` (child and parent set up once), ``local`` (coordination-shell deformations),
``carriers``, ``training``, ``decorate`` (symmetry of a decoration), ``glazer``, ``mcif``,
``drawing`` (what a picture needs), ``result`` (the record).
"""

from __future__ import annotations

from typing import Any

__all__ = ["order_parameters"]


def order_parameters(child: Any, parent: Any = None, **options: Any) -> dict[str, Any]:
    """See :func:`symcompile.order_params.result.order_parameters`."""
    from symcompile.order_params.result import order_parameters as run

    return run(child, parent, **options)
