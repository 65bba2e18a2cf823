"""Special functions NumPy lacks (erf), as Numba kernels with NumPy-shaped wrappers.

The erf kernel's twin calls, per element, the very C functions Numba's ``math.erf``
calls (``erf`` for float64, ``erff`` for float32), so both give the same bits.
"""
from __future__ import annotations

import ctypes
import functools
import math
from typing import Callable

import numpy as np

from .jit import lazy_njit


@lazy_njit()
def _erf_flat(values: np.ndarray, out: np.ndarray) -> None:
    for i in range(values.size):
        out[i] = math.erf(values[i])


@functools.cache
def _c_erff() -> Callable[[float], float] | None:
    """The C library's float32 ``erff``, found as Numba finds it (a symbol of the running
    process), or None where ctypes cannot load it (Windows)."""
    try:
        function = ctypes.CDLL(None).erff
    except (AttributeError, OSError, TypeError):
        return None
    function.restype, function.argtypes = ctypes.c_float, [ctypes.c_float]
    return function


@_erf_flat.twin
def _erf_flat_numpy(values: np.ndarray, out: np.ndarray) -> None:
    """``_erf_flat`` calling the very C functions Numba's math.erf calls, one element at a
    time (NumPy has no erf; ~0.1 us per float64, ~0.4 us per float32 element): ``erf`` for
    float64 (CPython's math.erf is the C library's), ``erff`` for float32 through ctypes
    (float32(erf(x)) is not erff(x) for ~4% of normal float32 draws with glibc 2.36).
    Other dtypes, or no reachable erff, run the Numba code."""
    if values.dtype == np.float64:
        out[...] = np.fromiter(map(math.erf, values.tolist()), np.float64, values.size)
    elif values.dtype == np.float32 and _c_erff() is not None:
        out[...] = np.fromiter(map(_c_erff(), values.tolist()), np.float32, values.size)
    else:
        _erf_flat.compiled(values, out)


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
