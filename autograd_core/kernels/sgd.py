"""The SGD update (momentum, dampening, Nesterov, weight decay) in one pass over memory.

``sgd_update`` is a Numba loop over flat, contiguous parameter/gradient/buffer arrays
with a NumPy twin that gives the same bits (``jit``'s contract): the scalars arrive in
the parameter's precision, so both compute in it, as PyTorch does. ``nn.optim.SGD`` calls
it for contiguous float arrays and keeps a plain NumPy reference (``sgd_reference``,
any layout) that is also the test oracle. Plain SGD (no momentum, no weight decay) is
``sgd_step``, ``p += scale * g`` with three arguments: Numba's dispatch costs 0.2 us for
these against 1 us for ``sgd_update``'s ten (its NumPy scalars are slow to type), for each
parameter of each step.
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit


@lazy_njit()
def sgd_step(param: np.ndarray, grad: np.ndarray, scale: float) -> None:
    """Plain SGD, ``param += scale * grad`` (scale = -lr, or lr when maximizing, in the param's precision)."""
    for i in range(param.size):
        param[i] += scale * grad[i]


@sgd_step.twin
def _sgd_step_numpy(param: np.ndarray, grad: np.ndarray, scale: float) -> None:
    param += scale * grad


@lazy_njit()
def sgd_update(
    param: np.ndarray, grad: np.ndarray, buffer: np.ndarray, lr: float, momentum: float,
    one_minus_dampening: float, weight_decay: float, nesterov: bool, maximize: bool, first_step: bool,
) -> None:
    if momentum == 0 and weight_decay == 0:  # plain SGD: a loop simple enough to vectorise
        sgd_step(param, grad, lr if maximize else -lr)
        return
    for i in range(param.size):
        step = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            step += weight_decay * param[i]
        if momentum != 0:
            velocity = step if first_step else momentum * buffer[i] + one_minus_dampening * step
            buffer[i] = velocity
            step = step + momentum * velocity if nesterov else velocity
        param[i] -= lr * step


@sgd_update.twin
def _sgd_numpy(
    param: np.ndarray, grad: np.ndarray, buffer: np.ndarray, lr: float, momentum: float,
    one_minus_dampening: float, weight_decay: float, nesterov: bool, maximize: bool, first_step: bool,
) -> None:
    """``sgd_update`` with whole-array NumPy operations: the same operations in the same
    precision (the scalars come in the parameter's), so the same bits."""
    if momentum == 0 and weight_decay == 0:
        _sgd_step_numpy(param, grad, lr if maximize else -lr)
        return
    step = -grad if maximize else grad
    if weight_decay != 0:
        step = step + weight_decay * param
    if momentum != 0:
        if first_step:
            buffer[...] = step
        else:
            buffer[...] = momentum * buffer + one_minus_dampening * step
        step = step + momentum * buffer if nesterov else buffer
    param -= lr * step
