"""``ASGD``: averaged stochastic gradient descent (Polyak & Juditsky, 1992), as PyTorch's."""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamGroup, Params, check_non_negative, decayed_gradient


class ASGD(Optimizer):
    """Averaged SGD, as ``torch.optim.ASGD``: SGD with a decaying rate, plus a running average
    ``ax`` of the iterates (the averaged parameters, in ``optimizer.state[p]["ax"]``).

    Per step ``t`` (1, 2, ...), with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        p = p * (1 - lambd * eta) - eta * g
        ax = p if mu == 1 else ax + mu * (p - ax)
        eta = lr / (1 + lambd * lr * t)^alpha
        mu = 1 / max(1, t - t0)

    ``eta`` and ``mu`` are rounded to float32 as PyTorch stores them (its default scalar dtype).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 1e-2). lambd: decay term (default 1e-4).
        alpha: power of the eta update (default 0.75). t0: the step averaging starts at (default 1e6).
        weight_decay: L2 penalty (default 0). maximize: ascend the objective instead of descending.

    State per parameter: ``step`` (int), ``eta`` and ``mu`` (floats), ``ax`` (an array shaped like the parameter).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("ASGD", "lr", lr, "learning rate")
        check_non_negative("ASGD", "weight_decay", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "eta": float(np.float32(group["lr"])), "mu": 1.0, "ax": np.zeros_like(param)}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        lr, lambd = group["lr"], group["lambd"]
        state["step"] = step = state["step"] + 1
        grad = decayed_gradient(param, grad, group)
        eta = state["eta"]
        param *= 1 - lambd * eta  # the decay term
        param -= eta * grad
        if state["mu"] != 1:
            state["ax"] += (param - state["ax"]) * state["mu"]
        else:
            state["ax"][...] = param
        state["eta"] = float(np.float32(lr / ((1 + lambd * lr * step) ** group["alpha"])))
        state["mu"] = float(np.float32(1 / max(1, step - group["t0"])))
