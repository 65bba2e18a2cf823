"""``Adagrad``: per-element learning rates from the running sum of squared gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamGroup, Params, check_non_negative


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    Per step ``t`` (1, 2, ...), with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g * g                       (sum starts at initial_accumulator_value)
        p = p - lr_t * g / (sqrt(sum) + eps)

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of ``sum`` (default 0).
        eps: added to the denominator for stability (default 1e-10).
        maximize: ascend the objective instead of descending.

    State per parameter (created at construction, as in PyTorch): ``step`` (int) and
    ``sum`` (an array shaped like the parameter).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("Adagrad", "lr", lr, "learning rate")
        check_non_negative("Adagrad", "lr_decay", lr_decay)
        check_non_negative("Adagrad", "weight_decay", weight_decay)
        check_non_negative("Adagrad", "initial_accumulator_value", initial_accumulator_value)
        check_non_negative("Adagrad", "eps", eps, "epsilon value")
        defaults = dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self.state[param] = self._init_state(param.array, group)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        weight_decay = group["weight_decay"]
        state["step"] = step = state["step"] + 1
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        step_lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        squared_sum = state["sum"]
        scratch = np.multiply(grad, grad, out=np.empty_like(squared_sum))  # the one temporary array of the step
        squared_sum += scratch
        denominator = np.sqrt(squared_sum, out=scratch)
        denominator += group["eps"]
        np.divide(grad, denominator, out=scratch)
        scratch *= -step_lr
        param += scratch
