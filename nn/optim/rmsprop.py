"""``RMSprop``: gradients divided by a running root-mean-square, optionally centred and with momentum."""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamGroup, Params, check_non_negative


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes), as ``torch.optim.RMSprop``.

    Per step, with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - m * m) + eps, with m = alpha * m + (1 - alpha) * g   (centered)
        avg = sqrt(v) + eps                                                (otherwise)
        buf = momentum * buf + g / avg;  p = p - lr * buf                  (momentum > 0)
        p = p - lr * g / avg                                               (otherwise)

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the squared-gradient average (default 0.99).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by the estimated variance instead of the raw second moment.
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``square_avg``, and ``momentum_buffer`` (momentum > 0)
    and ``grad_avg`` (centered), arrays shaped like the parameter.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("RMSprop", "lr", lr, "learning rate")
        check_non_negative("RMSprop", "eps", eps, "epsilon value")
        check_non_negative("RMSprop", "momentum", momentum)
        check_non_negative("RMSprop", "weight_decay", weight_decay)
        check_non_negative("RMSprop", "alpha", alpha)
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, maximize=maximize,
        )
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        state: dict[str, Any] = {"step": 0, "square_avg": np.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        alpha, weight_decay, momentum = group["alpha"], group["weight_decay"], group["momentum"]
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg = state["square_avg"]
        scratch = np.multiply(grad, grad, out=np.empty_like(square_avg))  # the one temporary array of the step
        scratch *= 1 - alpha
        square_avg *= alpha
        square_avg += scratch  # v <- alpha v + (1 - alpha) g^2
        if group["centered"]:
            grad_avg = state["grad_avg"]
            np.subtract(grad, grad_avg, out=scratch)
            scratch *= 1 - alpha
            grad_avg += scratch  # m <- m + (1 - alpha) (g - m)
            np.multiply(grad_avg, grad_avg, out=scratch)
            np.subtract(square_avg, scratch, out=scratch)
            average = np.sqrt(scratch, out=scratch)
        else:
            average = np.sqrt(square_avg, out=scratch)
        average += group["eps"]
        np.divide(grad, average, out=scratch)
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += scratch
            np.multiply(buffer, group["lr"], out=scratch)
        else:
            scratch *= group["lr"]
        param -= scratch
