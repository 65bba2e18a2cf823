"""Predicates, logical and bitwise ops: bool (or integer) results that never require grad.

``isnan isinf isfinite isclose``, ``logical_and/or/xor/not`` (any dtype, by truth value),
``bitwise_and/or/xor/not`` and the operators ``& | ^ ~`` (bool and integer tensors only,
as in PyTorch), and the Python-bool answers ``allclose`` and ``equal``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import DtypeError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .elementwise import _data, _require_tensor


class Logical(Function):
    """One NumPy logical or bitwise ufunc of one or two operands (a Function so that the
    in-place forms, ``&=`` and ``logical_and_``, go through ``apply_inplace``)."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any, ufunc: Callable, name: str) -> np.ndarray:
        operands = (_data(a),) if ufunc.nin == 1 else (_data(a), _data(b))
        if name.startswith("bitwise"):
            for operand in operands:
                if np.asarray(operand).dtype.kind not in "biu":
                    raise DtypeError(
                        f"{name}: needs bool or integer tensors, got {np.asarray(operand).dtype}; "
                        "compare first (x > 0) or use logical_and/or/xor/not, which take any dtype"
                    )
        try:
            return np.asarray(ufunc(*operands))
        except ValueError:
            shapes = " and ".join(str(np.shape(operand)) for operand in operands)
            raise ShapeError(f"{name}: shapes {shapes} cannot be broadcast together") from None

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:  # never called: the results are not floats
        return None, None, None, None


def _operator(ufunc: Callable, name: str, label: str, doc: str) -> Callable[..., Tensor]:
    """The function (and Tensor method) ``name`` computing ``ufunc``; ``label`` names it in errors.
    The logical ops take a Tensor ``other`` only, the bitwise ones a number too (as PyTorch's)."""
    if ufunc.nin == 1:
        def op(input: Tensor) -> Tensor:
            return Logical.apply(_checked(input, name), None, ufunc, label)
    elif name.startswith("logical"):
        def op(input: Tensor, other: Tensor) -> Tensor:
            _require_tensor(name, other)
            return Logical.apply(_checked(input, name), other, ufunc, label)
    else:
        def op(input: Tensor, other: Any) -> Tensor:
            return Logical.apply(_checked(input, name), other, ufunc, label)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _checked(input: Any, name: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(input).__name__}")
    return input


logical_and = _operator(np.logical_and, "logical_and", "logical_and", "Elementwise ``input and other`` (any dtype).")
logical_or = _operator(np.logical_or, "logical_or", "logical_or", "Elementwise ``input or other`` (any dtype).")
logical_xor = _operator(np.logical_xor, "logical_xor", "logical_xor", "Elementwise exclusive or (any dtype).")
logical_not = _operator(np.logical_not, "logical_not", "logical_not", "Elementwise ``not input`` (any dtype).")
bitwise_and = _operator(np.bitwise_and, "bitwise_and", "bitwise_and (&)", "``input & other`` (bool and integers).")
bitwise_or = _operator(np.bitwise_or, "bitwise_or", "bitwise_or (|)", "``input | other`` (bool and integers).")
bitwise_xor = _operator(np.bitwise_xor, "bitwise_xor", "bitwise_xor (^)", "``input ^ other`` (bool and integers).")
bitwise_not = _operator(np.invert, "bitwise_not", "bitwise_not (~)", "``~input`` (not, for bools).")


# -- predicates ----------------------------------------------------------------------
def _predicate(function: Callable, input: Tensor) -> Tensor:
    return Tensor._make(np.asarray(function(input.array)), False, None)


def isnan(input: Tensor) -> Tensor:
    return _predicate(np.isnan, input)


def isinf(input: Tensor) -> Tensor:
    return _predicate(np.isinf, input)


def isfinite(input: Tensor) -> Tensor:
    return _predicate(np.isfinite, input)


def isposinf(input: Tensor) -> Tensor:
    return _predicate(np.isposinf, input)


def isneginf(input: Tensor) -> Tensor:
    return _predicate(np.isneginf, input)


def _close(op: str, input: Any, other: Any, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    try:
        return np.isclose(_data(input), _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise ShapeError(
            f"{op}: shapes {np.shape(_data(input))} and {np.shape(_data(other))} cannot be broadcast together"
        ) from None


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (NaN equal to NaN if ``equal_nan``)."""
    return Tensor._make(np.asarray(_close("isclose", input, other, rtol, atol, equal_nan)), False, None)


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether ``isclose`` holds everywhere (a Python bool)."""
    return bool(_close("allclose", input, other, rtol, atol, equal_nan).all())


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both have the same shape and the same values (a Python bool)."""
    return bool(np.shape(_data(input)) == np.shape(_data(other)) and np.array_equal(_data(input), _data(other)))


# -- logical reductions ----------------------------------------------------------------
def _truth_reduction(op: str, reducer: Callable, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    from .reduce import normalize_dims

    dims = normalize_dims(op, dim, input)
    out = np.asarray(reducer(input.array, axis=dims, keepdims=keepdim))
    # bool, except that a uint8 tensor gives uint8, as in PyTorch
    return Tensor._make(out.astype(np.uint8) if input.array.dtype == np.uint8 else out, False, None)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether every element (over ``dim``: an int, a tuple, or None for all) is nonzero."""
    return _truth_reduction("all", np.all, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether some element (over ``dim``: an int, a tuple, or None for all) is nonzero."""
    return _truth_reduction("any", np.any, input, dim, keepdim)
