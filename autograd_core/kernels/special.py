"""Special functions NumPy lacks (erf), as Numba kernels with NumPy-shaped wrappers."""
from __future__ import annotations

import math

import numpy as np

from .jit import lazy_njit


@lazy_njit()
def _erf_flat(values: np.ndarray, out: np.ndarray) -> None:
    for i in range(values.size):
        out[i] = math.erf(values[i])


def erf(values: np.ndarray) -> np.ndarray:
    """Elementwise error function, float32 or float64, any shape."""
    flat = np.ascontiguousarray(values).reshape(-1)
    if flat.dtype not in (np.float32, np.float64):
        flat = flat.astype(np.float32)
    out = np.empty_like(flat)
    _erf_flat(flat, out)
    return out.reshape(np.shape(values))


def erf_reference(values: np.ndarray) -> np.ndarray:
    """Plain-Python oracle for tests."""
    return np.vectorize(math.erf, otypes=[np.asarray(values).dtype])(values)
