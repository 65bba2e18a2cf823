"""``Adadelta``: per-element steps from running averages of squared gradients and squared updates."""
from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_number
from .optimizer import Optimizer, ParamGroup, Params, check_non_negative, decayed_gradient


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    Per step, with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: scales the update (default 1.0).
        rho: decay of the running averages (default 0.9), in [0, 1].
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``square_avg`` (v) and ``acc_delta`` (u), arrays.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("Adadelta", "lr", lr, "learning rate")
        if not 0.0 <= check_number("Adadelta", "rho", rho) <= 1.0:
            raise ValueError(f"Invalid rho value: {rho} (Adadelta: rho must be in [0, 1]).")
        check_non_negative("Adadelta", "eps", eps, "epsilon value")
        check_non_negative("Adadelta", "weight_decay", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "square_avg": np.zeros_like(param), "acc_delta": np.zeros_like(param)}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        grad = decayed_gradient(param, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = np.sqrt(acc_delta + eps)
        delta /= np.sqrt(square_avg + eps)
        delta *= grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        delta *= group["lr"]
        param -= delta
