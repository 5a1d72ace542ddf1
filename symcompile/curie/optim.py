"""L-BFGS whose every update commutes with orthogonal transformations of the parameters.

The network's weights are invariant and a learnable global input transforms orthogonally under
the input's group, so an optimiser keeps the input's symmetry (never breaks what the target
keeps) iff its update commutes with orthogonal maps of the parameter vector. L-BFGS does: its
direction is the gradient corrected by past steps with coefficients made of Euclidean inner
products, and the strong-Wolfe line search only uses losses and directional derivatives. We
only replace what torch's L-BFGS does differently: its first step length 1/|g|_1 (an L1 norm,
not invariant) becomes 1/|g|_2, and every stopping test uses Euclidean norms.
(Per-component Adam divides by sqrt of per-component second moments: not invariant.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["InvariantLBFGS"]


def _strong_wolfe(*args: object, **kwargs: object) -> tuple[float, torch.Tensor, float, int]:
    from torch.optim.lbfgs import _strong_wolfe as torch_strong_wolfe  # torch's line search (uses g.d only)

    return torch_strong_wolfe(*args, **kwargs)  # type: ignore[return-value]


class InvariantLBFGS:
    """Minimal L-BFGS (two-loop recursion, strong-Wolfe line search) over a list of tensors."""

    def __init__(self, params: list[torch.Tensor], history_size: int = 50, lr: float = 1.0,
                 tolerance_grad: float = 1e-15) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.history_size = history_size
        self.lr = lr
        self.tolerance_grad = tolerance_grad
        self.s: list[torch.Tensor] = []
        self.y: list[torch.Tensor] = []
        self.loss: float | None = None
        self.grad: torch.Tensor | None = None
        self.iterations = 0
        self.evaluations = 0
        self.converged = False

    # ---------------------------------------------------------------- flat views
    def _flat_grad(self) -> torch.Tensor:
        return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in self.params])

    def _add(self, t: float, d: torch.Tensor) -> None:
        offset = 0
        with torch.no_grad():
            for p in self.params:
                n = p.numel()
                p.add_(d[offset : offset + n].view_as(p), alpha=t)
                offset += n

    def _set(self, values: list[torch.Tensor]) -> None:
        with torch.no_grad():
            for p, v in zip(self.params, values):
                p.copy_(v)

    def _evaluate(self, closure: Callable[[], torch.Tensor]) -> tuple[float, torch.Tensor]:
        for p in self.params:
            p.grad = None
        with torch.enable_grad():
            loss = closure()
            loss.backward()
        self.evaluations += 1
        return float(loss.detach()), self._flat_grad()

    # ---------------------------------------------------------------- iterations
    def _direction(self, g: torch.Tensor) -> torch.Tensor:
        q = -g.clone()
        alphas = []
        for s, y in zip(reversed(self.s), reversed(self.y)):
            a = float(s @ q) / float(y @ s)
            alphas.append(a)
            q.add_(y, alpha=-a)
        if self.s:
            q.mul_(float(self.s[-1] @ self.y[-1]) / float(self.y[-1] @ self.y[-1]))
        for (s, y), a in zip(zip(self.s, self.y), reversed(alphas)):
            b = float(y @ q) / float(y @ s)
            q.add_(s, alpha=a - b)
        return q

    def run(self, closure: Callable[[], torch.Tensor], iterations: int) -> float:
        """Up to ``iterations`` iterations; returns the current loss. Sets ``converged`` when it cannot move."""
        if self.grad is None:
            self.loss, self.grad = self._evaluate(closure)
        for _ in range(iterations):
            g = self.grad
            assert g is not None and self.loss is not None
            if float(g.norm()) <= self.tolerance_grad:
                self.converged = True
                break
            d = self._direction(g)
            gtd = float(g @ d)
            if not gtd < 0:
                self.converged = True
                break
            t = self.lr * min(1.0, 1.0 / float(g.norm())) if not self.s else self.lr
            x0 = [p.detach().clone() for p in self.params]

            def obj(x: list[torch.Tensor], step: float, direction: torch.Tensor) -> tuple[float, torch.Tensor]:
                self._add(step, direction)
                out = self._evaluate(closure)
                self._set(x)
                return out

            loss, g_new, t, _ = _strong_wolfe(obj, x0, t, d, self.loss, g, gtd, tolerance_change=0.0)
            self._add(t, d)
            s, y = d * t, g_new - g
            if float(y @ s) > 1e-300:
                self.s.append(s)
                self.y.append(y)
                if len(self.s) > self.history_size:
                    self.s.pop(0)
                    self.y.pop(0)
            self.iterations += 1
            if loss == self.loss and torch.equal(g_new, g):
                self.loss, self.grad = loss, g_new
                self.converged = True
                break
            self.loss, self.grad = loss, g_new
        return float(self.loss)
