"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.kernels.sgd import sgd_step, sgd_update

from .checks import check_flag, check_number
from .optimizer import Optimizer, ParamGroup, Params, check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    Per step, with ``g`` the gradient (negated when ``maximize``)::

        g = g + weight_decay * p
        buf = g                                   (first step)
        buf = momentum * buf + (1 - dampening) * g (later steps)
        g = g + momentum * buf if nesterov else buf   (when momentum > 0)
        p = p - lr * g

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate (default 1e-3, as PyTorch).
        momentum: momentum factor (default 0).
        dampening: dampening of the momentum (default 0).
        weight_decay: L2 penalty coefficient (default 0).
        nesterov: Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend the objective instead of descending.

    State per parameter: ``momentum_buffer`` (an array, once momentum > 0 has been used).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("SGD", "lr", lr, "learning rate")
        momentum = check_non_negative("SGD", "momentum", momentum)
        check_non_negative("SGD", "weight_decay", weight_decay)
        dampening = check_number("SGD", "dampening", dampening, "0.0")
        if check_flag("SGD", "nesterov", nesterov) and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"Nesterov momentum requires a momentum and zero dampening (SGD got momentum={momentum}, "
                f"dampening={dampening}); set momentum > 0 and dampening=0, or nesterov=False."
            )
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize,
        )
        super().__init__(params, defaults)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {}  # the momentum buffer starts as the first gradient

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        contiguous = param.flags.c_contiguous and grad.flags.c_contiguous
        if param.dtype == grad.dtype and param.dtype.char in "fd" and contiguous:
            self._update_fused(param, grad, state, group)
        else:
            sgd_reference(param, grad, state, group)

    @staticmethod
    def _update_fused(param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        """The whole update in one pass over memory (a Numba kernel), for contiguous arrays."""
        momentum = group["momentum"]
        number = param.dtype.type  # scalars in the parameter's precision, as PyTorch computes
        if momentum == 0 and group["weight_decay"] == 0:  # plain SGD: the kernel of three arguments
            lr = number(group["lr"])
            sgd_step(param.reshape(-1), grad.reshape(-1), lr if group["maximize"] else -lr)
            return
        buffer = param  # a placeholder the kernel does not touch without momentum
        first_step = False
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            first_step = buffer is None
            if first_step:
                buffer = state["momentum_buffer"] = np.empty_like(param)
        sgd_update(
            param.reshape(-1), grad.reshape(-1), buffer.reshape(-1), number(group["lr"]), number(momentum),
            number(1 - group["dampening"]), number(group["weight_decay"]), bool(group["nesterov"]),
            bool(group["maximize"]), first_step,
        )


def sgd_reference(param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
    """The SGD update with NumPy operations: any layout; the oracle of the fused kernel."""
    weight_decay, momentum = group["weight_decay"], group["momentum"]
    if group["maximize"]:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param  # d(wd/2 * p^2)/dp = wd * p
    if momentum != 0:
        buffer = state.get("momentum_buffer")
        if buffer is None:
            buffer = state["momentum_buffer"] = np.array(grad, copy=True)
        else:
            buffer *= momentum
            dampening = group["dampening"]
            buffer += grad if dampening == 0 else (1 - dampening) * grad
        grad = grad + momentum * buffer if group["nesterov"] else buffer
    param -= group["lr"] * grad
