"""Rounding and remainders: floor, ceil, trunc, round, sign, frac, fmod, remainder (``%``) and
floor_divide (``//``).

The rounding ops and ``sign`` are piecewise constant: a zero gradient everywhere, as in
PyTorch; on integer tensors they return the values unchanged (and keep the dtype).
``floor_divide`` has no derivative, as in PyTorch. Integer division by zero raises.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DtypeError, GraphError
from ..function import Function
from ..tensor import Tensor
from .elementwise import _data, _need, sign_array


def _zeros(grad_output: Tensor) -> Tensor:
    return Tensor._make(np.zeros(grad_output.shape, dtype=grad_output.dtype), False, None)


class Rounding(Function):
    """floor, ceil, round, trunc and sign: a zero gradient everywhere, as in PyTorch."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, function: Any) -> np.ndarray:
        if a.dtype.kind == "b":
            if function is not sign_array:
                name = function.__name__ if function.__name__ != "<lambda>" else "round"
                raise DtypeError(f"{name}: a bool tensor has nothing to round; convert it first (x.float())")
            return a.array.copy()  # sign of a bool is itself, as in PyTorch
        if a.dtype.kind in "iu" and function is not sign_array:
            return a.array.copy()  # integers are already whole
        return function(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return _zeros(grad_output), None


class Frac(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        if a.dtype.kind != "f":
            raise DtypeError(f"frac: needs a float tensor, got {a.dtype}; call .float() first")
        return a.array - np.trunc(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return grad_output  # d (a - trunc a)/da = 1


def _check_integer_divisor(op: str, a: Any, b: Any) -> None:
    """Integer division by zero raises; bools have no division (PyTorch refuses them too)."""
    divisor = _data(b)
    kind = np.result_type(_data(a), divisor).kind
    if kind == "b":
        raise DtypeError(f"{op}: bool tensors are not supported (as in PyTorch); convert first, e.g. x.long()")
    if kind in "iu" and np.any(np.asarray(divisor) == 0):
        raise ZeroDivisionError(f"{op}: integer division by zero (the divisor holds a 0)")


class Remainder(Function):
    """Python's ``%``: the sign of the divisor, ``a - floor(a / b) * b``."""

    op_name, remainder, quotient = "remainder", staticmethod(np.remainder), staticmethod(np.floor)

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        _check_integer_divisor(ctx.op_name, a, b)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return ctx.remainder(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        # a - q b with q = floor(a / b) (trunc for fmod), a step function: d/da = 1, d/db = -q
        quotient = np.asarray(ctx.quotient(_data(a) / _data(b)), dtype=grad_output.dtype)
        return (grad_output if _need(ctx, 0) else None, -grad_output * quotient if _need(ctx, 1) else None)


class Fmod(Remainder):
    """C's remainder: the sign of the dividend, ``a - trunc(a / b) * b``."""

    op_name, remainder, quotient = "fmod", staticmethod(np.fmod), staticmethod(np.trunc)


class FloorDivide(Function):
    """``a // b``, rounded toward minus infinity. Not differentiable, as in PyTorch."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        _check_integer_divisor("floor_divide (//)", a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor_divide(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        raise GraphError(
            "floor_divide (//) has no derivative (as in PyTorch); use (a / b).floor(), whose gradient "
            "is zero, or detach() the operands if no gradient should flow through it."
        )


# -- the functions (and Tensor methods) ----------------------------------------------
def floor(input: Tensor) -> Tensor:
    return Rounding.apply(input, np.floor)


def ceil(input: Tensor) -> Tensor:
    return Rounding.apply(input, np.ceil)


def trunc(input: Tensor) -> Tensor:
    """Round toward zero."""
    return Rounding.apply(input, np.trunc)


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:
    """Round half to even (as PyTorch and NumPy), to ``decimals`` places. Integers come back unchanged,
    unless ``decimals`` is given: then, as in PyTorch, only float tensors are accepted."""
    if decimals is not None and input.dtype.kind in "iu":
        raise DtypeError(
            f"round: decimals= needs a float tensor (as in PyTorch), got {input.dtype}; use .float() first"
        )
    if not decimals:
        return Rounding.apply(input, np.round)
    return Rounding.apply(input, lambda array: np.round(array, decimals))


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for NaN); its gradient is 0, as PyTorch's."""
    return Rounding.apply(input, sign_array)


def frac(input: Tensor) -> Tensor:
    """The fractional part ``input - trunc(input)`` (float tensors)."""
    return Frac.apply(input)


def fmod(input: Tensor, other: Any) -> Tensor:
    """The remainder of ``input / other`` with the sign of ``input`` (C's fmod)."""
    return Fmod.apply(input, other)


def remainder(input: Any, other: Any) -> Tensor:
    """The remainder of ``input / other`` with the sign of ``other`` (Python's ``%``)."""
    return Remainder.apply(input, other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other`` rounded toward minus infinity (not differentiable)."""
    return FloorDivide.apply(input, other)


fix = trunc
