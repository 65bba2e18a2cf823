"""``Adamax``: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2014, sec. 7)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .adam import check_adam_options
from .optimizer import Optimizer, ParamGroup, Params, decayed_gradient


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``.

    Per step ``t`` (1, 2, ...), with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)          (the exponentially weighted infinity norm)
        p = p - lr / (1 - beta1^t) * m / u

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 2e-3).
        betas: decay rates of the first moment and of the infinity norm (default (0.9, 0.999)).
        eps: added to |g| so that u stays positive (default 1e-8).
        weight_decay: L2 penalty (default 0).
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``exp_avg`` and ``exp_inf`` (arrays shaped like the parameter).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        betas = check_adam_options("Adamax", lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        state["step"] = step = state["step"] + 1
        grad = decayed_gradient(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg += (grad - exp_avg) * (1 - beta1)  # PyTorch's lerp
        exp_inf *= beta2
        np.maximum(exp_inf, np.abs(grad) + group["eps"], out=exp_inf)
        param += (-lr / (1 - beta1**step)) * exp_avg / exp_inf
