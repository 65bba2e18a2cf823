"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016), with PyTorch's momentum schedule."""
from __future__ import annotations

from typing import Any

import numpy as np

from .adam import check_adam_options, update_moments
from .optimizer import Optimizer, ParamGroup, Params, check_non_negative, decayed_gradient


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``.

    Per step ``t`` (1, 2, ...), with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p       (decoupled_weight_decay: p = p * (1 - lr * weight_decay) instead)
        mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))          (the momentum schedule)
        prod_t = mu_1 * ... * mu_t
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr * (1 - mu_t) / (1 - prod_t) * g / denom - lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * m / denom

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 2e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        momentum_decay: how fast mu_t rises towards beta1 (default 4e-3).
        decoupled_weight_decay: shrink the parameter directly, as AdamW (NAdamW).
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``mu_product`` (float: prod_t, kept in float32
    precision as PyTorch keeps it), ``exp_avg`` and ``exp_avg_sq`` (arrays).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        betas = check_adam_options("NAdam", lr, betas, eps, weight_decay)
        check_non_negative("NAdam", "momentum_decay", momentum_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
        )
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        lr, (beta1, beta2), momentum_decay = group["lr"], group["betas"], group["momentum_decay"]
        state["step"] = step = state["step"] + 1
        grad = decayed_gradient(param, grad, group, group["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        # PyTorch keeps the product in a float32 scalar tensor: the same rounding here
        state["mu_product"] = mu_product = float(np.float32(state["mu_product"]) * np.float32(mu))
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        denominator = update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        np.divide(exp_avg_sq, 1 - beta2**step, out=denominator)
        np.sqrt(denominator, out=denominator)
        denominator += group["eps"]
        param += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denominator
        param += (-lr * mu_next / (1.0 - mu_product * mu_next)) * exp_avg / denominator
