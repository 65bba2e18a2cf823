"""Creating tensors: ``tensor``, ``zeros``, ``arange``, ``linspace``, ``eye`` ... with PyTorch's signatures.

Every function takes ``device=`` (the CPU: ``"cpu"``, ``device("cpu")`` or None) and
``requires_grad=``; float results without ``dtype=`` get the default dtype (float32
unless ``set_default_dtype`` changed it). The random ones are in ``sampling.py``.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import dtypes
from .devices import DeviceLike, check_device
from .errors import DtypeError, ShapeError
from .random import default_generator
from .random import manual_seed as manual_seed  # noqa: F401  (its old home; nn imports it from here)
from .tensor import Tensor, _check_dtype


def generator() -> np.random.Generator:
    """The default generator's ``np.random.Generator`` (for nn's init, dropout and shuffling).

    The same object for the whole process: ``manual_seed`` reseeds it in place.
    """
    return default_generator.numpy


def tensor(
    data: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, an ndarray, a tensor)."""
    check_device(device, "tensor")
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can (a tensor or an ndarray of that dtype)."""
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or _check_dtype(dtype) == data.dtype):
        return from_numpy(data)
    return Tensor(data, dtype=dtype)


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
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(map(operator.index, size))  # ints, NumPy ints, integer 0-d tensors
    except TypeError:
        shape = (-1,)
    if shape and min(shape) < 0:
        raise ShapeError(f"{op}: sizes must be non-negative ints, got {size}")
    return shape


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    result = Tensor._make(array, False, None)
    return result.requires_grad_(True) if requires_grad else result


def _float_dtype(dtype: Any, op: str = "") -> np.dtype:
    """The default float dtype when None; random floats (``op`` given) refuse integer dtypes, as in PyTorch."""
    dtype = dtypes._default_float if dtype is None else _check_dtype(dtype)
    if op and dtype.kind != "f":
        raise DtypeError(
            f"{op}: samples are floats, so dtype must be a float dtype, not {dtype}; use randint for integers."
        )
    return dtype


def _like_dtype(other: Any, dtype: Any, op: str) -> np.dtype:
    if not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected a Tensor to copy the shape of, got {type(other).__name__}")
    return other.array.dtype if dtype is None else _check_dtype(dtype)


def _filled(op: str, make: Any, size: tuple, dtype: Any, device: DeviceLike, requires_grad: bool) -> Tensor:
    check_device(device, op)
    return _new(make(_shape(op, size), dtype=_float_dtype(dtype)), requires_grad)


def zeros(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    return _filled("zeros", np.zeros, size, dtype, device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    return _filled("ones", np.ones, size, dtype, device, requires_grad)


def empty(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised values (whatever the memory held): fill it before reading it."""
    return _filled("empty", np.empty, size, dtype, device, requires_grad)


def _fill_dtype(fill_value: Any) -> np.dtype:
    """PyTorch infers ``full``'s dtype from the fill value: bool, int64 or the default float."""
    if isinstance(fill_value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(fill_value, (int, np.integer)):
        return np.dtype(np.int64)
    return dtypes._default_float


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    check_device(device, "full")
    dtype = _fill_dtype(fill_value) if dtype is None else _check_dtype(dtype)
    return _new(np.full(_shape("full", (size,)), fill_value, dtype=dtype), requires_grad)


def zeros_like(other: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    check_device(device, "zeros_like")
    dtype = _like_dtype(other, dtype, "zeros_like")
    return _new(np.zeros(other.shape, dtype=dtype), requires_grad)


def ones_like(other: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    check_device(device, "ones_like")
    dtype = _like_dtype(other, dtype, "ones_like")
    return _new(np.ones(other.shape, dtype=dtype), requires_grad)


def empty_like(other: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised values of ``other``'s shape (and dtype unless given)."""
    check_device(device, "empty_like")
    dtype = _like_dtype(other, dtype, "empty_like")
    return _new(np.empty(other.shape, dtype=dtype), requires_grad)


def full_like(
    other: Tensor, fill_value: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """``fill_value`` in ``other``'s shape and dtype (a float fill of an int tensor truncates, as in PyTorch)."""
    check_device(device, "full_like")
    dtype = _like_dtype(other, dtype, "full_like")
    return _new(np.full(other.shape, fill_value).astype(dtype), requires_grad)


def _number(value: Any, op: str, name: str) -> Any:
    if isinstance(value, Tensor):
        if value.array.size != 1:
            raise ShapeError(f"{op}: {name} must be a number or a one-element tensor, got shape {value.shape}")
        return value.array.item()
    return value


def arange(
    start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``[start, end)`` in steps; int64 for int arguments, the default float dtype otherwise."""
    check_device(device, "arange")
    start, end, step = (_number(v, "arange", n) for v, n in ((start, "start"), (end, "end"), (step, "step")))
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
        dtype = np.int64 if integral else dtypes._default_float
    return _new(np.arange(start, end, step).astype(_check_dtype(dtype)), requires_grad)


def _steps(op: str, steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"{op}: steps must be a non-negative int, got {steps!r}")
    return int(steps)


def linspace(
    start: Any, end: Any, steps: int, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    check_device(device, "linspace")
    start, end = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    values = np.linspace(start, end, _steps("linspace", steps))
    return _new(values.astype(_float_dtype(dtype)), requires_grad)


def logspace(
    start: Any, end: Any, steps: int, base: float = 10.0, dtype: Any = None, device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    check_device(device, "logspace")
    start, end = _number(start, "logspace", "start"), _number(end, "logspace", "end")
    values = np.logspace(start, end, _steps("logspace", steps), base=base)
    return _new(values.astype(_float_dtype(dtype)), requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """The ``n x m`` identity (``m = n`` by default)."""
    check_device(device, "eye")
    rows, cols = _shape("eye", (n, n if m is None else m))
    return _new(np.eye(rows, cols, dtype=_float_dtype(dtype)), requires_grad)
