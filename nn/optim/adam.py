"""``Adam`` and ``AdamW``: adaptive moment estimation, with L2 or decoupled weight decay."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .checks import check_pair
from .optimizer import Optimizer, ParamGroup, Params, check_non_negative, decayed_gradient


def check_betas(name: str, betas: Any) -> tuple[float, float]:
    """``betas`` as a pair in [0, 1), or PyTorch's ValueError naming the bad index."""
    betas = check_pair(name, "betas", betas)
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {index}: {beta} ({name}: each of betas must be in [0, 1))."
            )
    return tuple(betas)


def check_adam_options(name: str, lr: Any, betas: Any, eps: Any, weight_decay: Any) -> tuple[float, float]:
    """The options the Adam family shares (lr, eps, weight_decay >= 0, betas in [0, 1)); returns the betas."""
    check_non_negative(name, "lr", lr, "learning rate")
    check_non_negative(name, "eps", eps, "epsilon value")
    betas = check_betas(name, betas)
    check_non_negative(name, "weight_decay", weight_decay)
    return betas


def update_moments(
    exp_avg: np.ndarray, exp_avg_sq: np.ndarray, grad: np.ndarray, beta1: float, beta2: float
) -> np.ndarray:
    """``m <- m + (1 - beta1)(g - m)`` and ``v <- beta2 v + (1 - beta2) g^2`` in place (PyTorch's
    lerp and addcmul); returns a scratch array shaped like them, for the rest of the step."""
    scratch = np.subtract(grad, exp_avg, out=np.empty_like(exp_avg))  # the one temporary array of the step
    scratch *= 1 - beta1
    exp_avg += scratch
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - beta2
    exp_avg_sq *= beta2
    exp_avg_sq += scratch
    return scratch


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), as ``torch.optim.Adam``.

    Per step ``t`` (1, 2, ...), with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p            (Adam; AdamW instead does p = p * (1 - lr * weight_decay))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)               (amsgrad; v_max replaces v below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moment averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the running maximum of the second moment (AMSGrad).
        maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``exp_avg``, ``exp_avg_sq`` and, with amsgrad,
    ``max_exp_avg_sq`` (arrays shaped like the parameter).
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        betas = check_adam_options(type(self).__name__, lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        state: dict[str, Any] = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        state["step"] = step = state["step"] + 1
        grad = decayed_gradient(param, grad, group, self.decoupled_weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        scratch = update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        if group["amsgrad"]:
            second_moment = np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
        else:
            second_moment = exp_avg_sq
        step_size = lr / (1 - beta1**step)
        denominator = np.sqrt(second_moment, out=scratch)
        denominator /= math.sqrt(1 - beta2**step)
        denominator += group["eps"]
        np.divide(exp_avg, denominator, out=scratch)
        scratch *= -step_size
        param += scratch


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    Same as ``Adam`` except that weight decay shrinks the parameter directly,
    ``p = p * (1 - lr * weight_decay)``, before the Adam step, instead of being added
    to the gradient. Default ``weight_decay`` is 1e-2, as in PyTorch.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
