"""``Rprop``: resilient backpropagation (Riedmiller & Braun, 1993), a step size per weight driven by gradient signs."""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamGroup, Params, check_non_negative


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop`` (full-batch training: only the gradient's sign is used).

    Per step, with ``g`` the gradient (negated when ``maximize``) and ``g_prev`` the last one kept::

        s = g * g_prev
        step_size = clamp(step_size * (eta_plus if s > 0, eta_minus if s < 0, 1 if s == 0),
                          step_size_min, step_size_max)
        g = 0 where s < 0            (the sign flipped: skip this weight's step, forget g)
        p = p - sign(g) * step_size
        g_prev = g

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: the initial step size of every weight (default 1e-2).
        etas: (eta_minus, eta_plus), the factors a step size shrinks and grows by,
            0 < eta_minus < 1 < eta_plus (default (0.5, 1.2)).
        step_sizes: (min, max) the step sizes are clamped to (default (1e-6, 50)).
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``prev`` and ``step_size`` (arrays shaped like the parameter).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("Rprop", "lr", lr, "learning rate")
        eta_minus, eta_plus = etas
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(
                f"Invalid eta values: {eta_minus}, {eta_plus} (Rprop: etas must satisfy 0 < eta_minus < 1 < eta_plus)"
            )
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "prev": np.zeros_like(param), "step_size": np.full_like(param, group["lr"])}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        (eta_minus, eta_plus), (smallest, largest) = group["etas"], group["step_sizes"]
        state["step"] += 1
        grad = np.array(-grad if group["maximize"] else grad, dtype=param.dtype)  # a copy, 0-d included
        agreement = np.sign(grad * state["prev"])
        factor = np.where(agreement > 0, eta_plus, np.where(agreement < 0, eta_minus, 1.0)).astype(param.dtype)
        step_size = state["step_size"]
        step_size *= factor
        np.clip(step_size, smallest, largest, out=step_size)
        grad[agreement < 0] = 0  # a sign change: no step now, and no comparison next time
        param -= np.sign(grad) * step_size
        state["prev"][...] = grad
