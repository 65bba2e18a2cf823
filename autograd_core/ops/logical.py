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
from .elementwise import _data


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


def _logical(ufunc: Callable, name: str, a: Any, b: Any = None) -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(a).__name__}")
    return Logical.apply(a, b, ufunc, name)


def logical_and(input: Tensor, other: Any) -> Tensor:
    return _logical(np.logical_and, "logical_and", input, other)


def logical_or(input: Tensor, other: Any) -> Tensor:
    return _logical(np.logical_or, "logical_or", input, other)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    return _logical(np.logical_xor, "logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    return _logical(np.logical_not, "logical_not", input)


def bitwise_and(input: Tensor, other: Any) -> Tensor:
    """``input & other`` for bool and integer tensors."""
    return _logical(np.bitwise_and, "bitwise_and (&)", input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:
    """``input | other`` for bool and integer tensors."""
    return _logical(np.bitwise_or, "bitwise_or (|)", input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    """``input ^ other`` for bool and integer tensors."""
    return _logical(np.bitwise_xor, "bitwise_xor (^)", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """``~input``: logical not for bool tensors, two's complement for integers."""
    return _logical(np.invert, "bitwise_not (~)", input)


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
