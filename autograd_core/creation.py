"""Creating tensors: ``tensor``, ``zeros``, ``randn`` ... with PyTorch's signatures.

Random functions draw from one generator seeded by ``manual_seed``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DtypeError, ShapeError
from .tensor import Tensor, _check_dtype

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator behind ``randn``, ``rand``, ``randint`` and ``randperm``."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The generator ``manual_seed`` controls (for nn's init, dropout and shuffling)."""
    return _generator


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, an ndarray)."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (same dtype)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "fiub":
        raise DtypeError(
            f"from_numpy: arrays of dtype {array.dtype} are not supported; convert it to a "
            "float, integer or bool dtype first (e.g. array.astype(np.float32))."
        )
    return Tensor._make(array, False, None)


def _shape(op: str, size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if any(not isinstance(s, (int, np.integer)) or s < 0 for s in size):
        raise ShapeError(f"{op}: sizes must be non-negative ints, got {size}")
    return tuple(int(s) for s in size)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    result = Tensor._make(array, False, None)
    return result.requires_grad_(True) if requires_grad else result


def _float_dtype(dtype: Any, op: str = "") -> np.dtype:
    """float32 by default; random floats (``op`` given) refuse integer dtypes, as in PyTorch."""
    dtype = np.dtype(np.float32) if dtype is None else _check_dtype(dtype)
    if op and dtype.kind != "f":
        raise DtypeError(f"{op}: samples are floats, so dtype must be a float dtype, not {dtype}; use randint for integers.")
    return dtype


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_shape("zeros", size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_shape("ones", size), dtype=_float_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:  # PyTorch infers it from the fill value: bool, int64 or float32
        if isinstance(fill_value, (bool, np.bool_)):
            dtype = np.bool_
        elif isinstance(fill_value, (int, np.integer)):
            dtype = np.int64
        else:
            dtype = np.float32
    return _new(np.full(_shape("full", (size,)), fill_value, dtype=_check_dtype(dtype)), requires_grad)


def zeros_like(other: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(other.shape, dtype=other.dtype if dtype is None else _check_dtype(dtype)), requires_grad)


def ones_like(other: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(other.shape, dtype=other.dtype if dtype is None else _check_dtype(dtype)), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int64 for int arguments, float32 otherwise."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: cannot go from {start} to {end} in steps of {step}; the step's sign "
            "must point from start to end."
        )
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if integral else np.float32
    return _new(np.arange(start, end, step).astype(_check_dtype(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype = _float_dtype(dtype, "randn")
    return _new(np.asarray(_generator.standard_normal(_shape("randn", size)), dtype=dtype), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from ``[0, 1)``."""
    dtype = _float_dtype(dtype, "rand")
    return _new(np.asarray(_generator.random(_shape("rand", size)), dtype=dtype), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None) -> Tensor:
    """Integers from ``[low, high)``; ``randint(high, size)`` starts at 0, as in PyTorch."""
    if isinstance(high, (tuple, list)):  # randint(10, (3,))
        high, size = None, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    values = _generator.integers(low, high, size=_shape("randint", (size,)))
    return Tensor._make(np.asarray(values, dtype=np.int64 if dtype is None else _check_dtype(dtype)), False, None)


def randperm(n: int) -> Tensor:
    """A random permutation of ``0..n-1`` (int64)."""
    return Tensor._make(_generator.permutation(n).astype(np.int64), False, None)
