"""More elementwise math: trigonometric and hyperbolic functions, logs and powers, rounding,
remainders, atan2/hypot/lerp.

Each op's backward is written with Tensor ops (twice differentiable). Rounding ops and
``sign`` have a zero gradient, as in PyTorch; on integer tensors they return the values
unchanged (and keep the dtype). Outside an op's domain the result is NaN, without warnings.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import DtypeError, GraphError
from ..function import Function
from ..tensor import Tensor
from .elementwise import _data, _need, sign_array


def _zeros(grad_output: Tensor) -> Tensor:
    return Tensor._make(np.zeros(grad_output.shape, dtype=grad_output.dtype), False, None)


# -- trigonometric and hyperbolic ----------------------------------------------------
class Tan(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return np.tan(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        out = ctx.output
        return grad_output * (1.0 + out * out)  # d tan a/da = 1 + tan^2 a


class Asin(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return np.arcsin(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output / (1.0 - a * a).sqrt()  # d asin a/da = 1 / sqrt(1 - a^2)


class Acos(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):
            return np.arccos(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return -grad_output / (1.0 - a * a).sqrt()  # d acos a/da = -1 / sqrt(1 - a^2)


class Atan(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.arctan(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output / (1.0 + a * a)  # d atan a/da = 1 / (1 + a^2)


class Sinh(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.sinh(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * cosh(a)  # d sinh a/da = cosh a


class Cosh(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.cosh(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * sinh(a)  # d cosh a/da = sinh a


class Atan2(Function):
    @staticmethod
    def forward(ctx: Function, y: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(y, x)
        return np.arctan2(_data(y), _data(x))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        y, x = ctx.saved_tensors
        # d atan2(y, x)/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)
        scale = grad_output / (x * x + y * y)
        return (scale * x if _need(ctx, 0) else None, -scale * y if _need(ctx, 1) else None)


# -- logs and powers -----------------------------------------------------------------
class Log1p(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output / (a + 1.0)  # d log(1 + a)/da = 1 / (1 + a)


class Expm1(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return np.expm1(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return grad_output * (ctx.output + 1.0)  # d (e^a - 1)/da = e^a


class Log2(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output / (a * math.log(2.0))  # d log2 a/da = 1 / (a ln 2)


class Log10(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output / (a * math.log(10.0))  # d log10 a/da = 1 / (a ln 10)


class Rsqrt(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / np.sqrt(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        out = ctx.output
        return grad_output * -0.5 * out * out * out  # d a^(-1/2)/da = -a^(-3/2) / 2


class Reciprocal(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return 1.0 / a.array  # a float even for an integer tensor (np.reciprocal would floor)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        out = ctx.output
        return -grad_output * out * out  # d (1/a)/da = -1/a^2


class Square(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.square(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * 2.0 * a  # d a^2/da = 2a


class Hypot(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.hypot(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        scale = grad_output / ctx.output  # d sqrt(a^2 + b^2)/da = a / hypot, /db = b / hypot
        return (scale * a if _need(ctx, 0) else None, scale * b if _need(ctx, 1) else None)


class Lerp(Function):
    @staticmethod
    def forward(ctx: Function, start: Tensor, end: Any, weight: Any) -> np.ndarray:
        ctx.save_for_backward(start, end, weight)
        low, high, w = start.array, _data(end), _data(weight)
        # PyTorch's two-sided formula: exact at both ends
        return np.where(np.abs(w) < 0.5, low + w * (high - low), high - (high - low) * (1 - w))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        start, end, weight = ctx.saved_tensors
        # lerp = start + w (end - start): d/dstart = 1 - w, d/dend = w, d/dw = end - start
        return (
            grad_output * (1.0 - weight) if _need(ctx, 0) else None,
            grad_output * weight if _need(ctx, 1) else None,
            grad_output * (end - start) if _need(ctx, 2) else None,
        )


# -- rounding and remainders (piecewise constant) ------------------------------------
class Rounding(Function):
    """floor, ceil, round, trunc and sign: a zero gradient everywhere, as in PyTorch."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, function: Any) -> np.ndarray:
        if a.dtype.kind in "biu":  # integers are already whole (sign keeps them too)
            return sign_array(a.array) if function is sign_array and a.dtype.kind != "b" else a.array.copy()
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
    divisor = _data(b)
    if np.result_type(_data(a), divisor).kind in "iu" and np.any(np.asarray(divisor) == 0):
        raise ZeroDivisionError(f"{op}: integer division by zero (the divisor holds a 0)")


class Fmod(Function):
    """C's remainder: the sign of the dividend (``a - trunc(a / b) * b``)."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        _check_integer_divisor("fmod", a, b)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        # d/da = 1, d/db = -trunc(a / b) (a step function: a constant here)
        return _remainder_gradients(ctx, grad_output, np.trunc(_data(a) / _data(b)))


class Remainder(Function):
    """Python's ``%``: the sign of the divisor (``a - floor(a / b) * b``)."""

    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        _check_integer_divisor("remainder", a, b)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        # d/da = 1, d/db = -floor(a / b) (a step function: a constant here)
        return _remainder_gradients(ctx, grad_output, np.floor(_data(a) / _data(b)))


def _remainder_gradients(ctx: Function, grad_output: Tensor, quotient: np.ndarray) -> tuple:
    """``a - quotient * b``: d/da = 1, d/db = -quotient."""
    grad_b = -grad_output * np.asarray(quotient, dtype=grad_output.dtype) if _need(ctx, 1) else None
    return (grad_output if _need(ctx, 0) else None, grad_b)


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
def tan(input: Tensor) -> Tensor:
    return Tan.apply(input)


def asin(input: Tensor) -> Tensor:
    return Asin.apply(input)


def acos(input: Tensor) -> Tensor:
    return Acos.apply(input)


def atan(input: Tensor) -> Tensor:
    return Atan.apply(input)


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(input)


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(input)


def atan2(input: Tensor, other: Any) -> Tensor:
    """The angle of the point (other, input), in (-pi, pi]."""
    return Atan2.apply(input, other)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, accurate for small inputs."""
    return Log1p.apply(input)


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, accurate for small inputs."""
    return Expm1.apply(input)


def log2(input: Tensor) -> Tensor:
    return Log2.apply(input)


def log10(input: Tensor) -> Tensor:
    return Log10.apply(input)


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``."""
    return Rsqrt.apply(input)


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input`` (a float tensor also for integer input)."""
    return Reciprocal.apply(input)


def square(input: Tensor) -> Tensor:
    return Square.apply(input)


def hypot(input: Tensor, other: Any) -> Tensor:
    """``sqrt(input^2 + other^2)`` without overflow."""
    return Hypot.apply(input, other)


def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """``input + weight * (end - input)``; ``weight`` a number or a tensor."""
    if input.dtype.kind != "f":
        raise DtypeError(f"lerp: needs float tensors, got {input.dtype}; call .float() first")
    return Lerp.apply(input, end, weight)


def floor(input: Tensor) -> Tensor:
    return Rounding.apply(input, np.floor)


def ceil(input: Tensor) -> Tensor:
    return Rounding.apply(input, np.ceil)


def trunc(input: Tensor) -> Tensor:
    """Round toward zero."""
    return Rounding.apply(input, np.trunc)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even (as PyTorch and NumPy), to ``decimals`` places."""
    if decimals == 0:
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
arctan2 = atan2
