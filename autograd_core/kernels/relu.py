"""ReLU's backward: the upstream gradient where the output is not 0, else 0, in one pass.

``Relu.backward`` (``autograd_core/ops/elementwise.py``) runs it for a plain backward over
C-contiguous float32 or float64 arrays: NumPy needed two passes and a mask array (multiply by
``output != 0``, then a check that no inf * 0 made a NaN), ~3x the time of one select loop
over the convnet's (32, 64, 32, 32) activations. The gradient is *selected*, so an infinite or
NaN upstream gradient where the output is 0 gives 0, and the gradient passes where the output
is NaN (as in PyTorch).
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit


@lazy_njit()
def relu_backward(grad: np.ndarray, output: np.ndarray, result: np.ndarray, zero: float) -> None:
    """``result = grad where output != 0, else zero`` over 1-D arrays of one dtype; ``zero`` is
    +0.0 of that dtype (a Python 0.0 would make the select float64)."""
    for k in range(grad.size):
        result[k] = grad[k] if output[k] != 0 else zero


@relu_backward.twin
def _relu_backward_numpy(grad: np.ndarray, output: np.ndarray, result: np.ndarray, zero: float) -> None:
    """``relu_backward`` as one ``np.where``."""
    np.copyto(result, np.where(output != 0, grad, zero))
