"""Intra-op thread control for small networks.

A 40-atom network does hundreds of tiny kernels per step; with several OpenMP/BLAS threads every kernel ends
in a barrier, and on a busy machine (other jobs on the same cores) a descheduled thread stalls the whole
step: 10x slowdowns are common.  One thread is then both faster and predictable.  Use
``with torch_threads(1): train(...)``; the previous setting is restored afterwards.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

__all__ = ["torch_threads"]


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Temporarily set ``torch.set_num_threads(n)``."""
    old = torch.get_num_threads()
    torch.set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        torch.set_num_threads(old)
