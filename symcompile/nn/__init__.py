"""Equivariant neural-network layers and models built on ``symcompile.o3`` (torch).

Tensor products, equivariant linear maps, gates, radial filters, neighbour lists (molecules and periodic
crystals) and the point-convolution ``Network``.  Importing this package imports torch.
"""

from .activations import NormalizedActivation, normalize2mom
from .gate import Activation, Gate
from .graph import Graph, periodic_radius_graph, radius_graph
from .linear import Linear
from .network import Convolution, Network, scatter_sum
from .radial import (
    RadialBasis,
    RadialMLP,
    bessel_basis,
    polynomial_cutoff,
    smooth_cutoff,
    soft_one_hot_linspace,
)
from .tensor_product import FullyConnectedTensorProduct, Instruction, TensorProduct
from .threads import torch_threads

__all__ = [
    "Activation",
    "Convolution",
    "FullyConnectedTensorProduct",
    "Gate",
    "Graph",
    "Instruction",
    "Linear",
    "Network",
    "NormalizedActivation",
    "RadialBasis",
    "RadialMLP",
    "TensorProduct",
    "bessel_basis",
    "normalize2mom",
    "periodic_radius_graph",
    "polynomial_cutoff",
    "radius_graph",
    "scatter_sum",
    "smooth_cutoff",
    "soft_one_hot_linspace",
    "torch_threads",
]
