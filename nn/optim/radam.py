"""``RAdam``: Adam with the variance of its adaptive learning rate rectified (Liu et al., 2019)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .adam import check_adam_options, update_moments
from .optimizer import Optimizer, ParamGroup, Params, decayed_gradient


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``.

    Per step ``t`` (1, 2, ...), with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p       (decoupled_weight_decay: p = p * (1 - lr * weight_decay) instead)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1;    rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    p = p - lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
        otherwise:  p = p - lr * m / (1 - beta1^t)      (SGD with momentum while v is unreliable)

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 1e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        decoupled_weight_decay: shrink the parameter directly, as AdamW.
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``exp_avg`` and ``exp_avg_sq`` (arrays).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        betas = check_adam_options("RAdam", lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        state["step"] = step = state["step"] + 1
        grad = decayed_gradient(param, grad, group, group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        scratch = update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
        step_direction = exp_avg / bias_correction1 * lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        if rho_t > 5.0:
            rectification = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = np.sqrt(exp_avg_sq, out=scratch)
            adaptive += group["eps"]
            np.divide(bias_correction2**0.5, adaptive, out=adaptive)
            step_direction *= adaptive
            step_direction *= rectification
        param -= step_direction
