"""More elementwise math: trigonometric and hyperbolic functions, logs and powers,
atan2/hypot/lerp (rounding and remainders are in ``ops/rounding.py``).

Each op's backward is written with Tensor ops (twice differentiable). Outside an op's
domain the result is NaN (or inf), without warnings.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..errors import DtypeError
from ..function import Function
from ..tensor import Tensor
from .elementwise import _BOOL, _data, _need, _require_tensor


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
        if a.array.dtype is _BOOL:  # int64, as PyTorch (NumPy: int8)
            return np.square(a.array, dtype=np.int64)
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


# -- the functions (and Tensor methods) ----------------------------------------------
def _unary(function: type[Function], doc: str) -> Callable[[Tensor], Tensor]:
    """``function.apply`` as the op's function (``autograd_core.tan``, also the method ``Tensor.tan``)."""

    def op(input: Tensor) -> Tensor:
        return function.apply(input)

    op.__name__ = op.__qualname__ = function.__name__.lower()
    op.__doc__ = doc
    return op


tan = _unary(Tan, "The tangent (radians).")
asin = _unary(Asin, "The inverse sine, in [-pi/2, pi/2] (NaN outside [-1, 1]).")
acos = _unary(Acos, "The inverse cosine, in [0, pi] (NaN outside [-1, 1]).")
atan = _unary(Atan, "The inverse tangent, in (-pi/2, pi/2).")
sinh = _unary(Sinh, "The hyperbolic sine.")
cosh = _unary(Cosh, "The hyperbolic cosine.")
log1p = _unary(Log1p, "``log(1 + input)``, accurate for small inputs.")
expm1 = _unary(Expm1, "``exp(input) - 1``, accurate for small inputs.")
log2 = _unary(Log2, "The base-2 logarithm.")
log10 = _unary(Log10, "The base-10 logarithm.")
rsqrt = _unary(Rsqrt, "``1 / sqrt(input)``.")
reciprocal = _unary(Reciprocal, "``1 / input`` (a float tensor also for integer input).")
square = _unary(Square, "``input * input``.")


def atan2(input: Tensor, other: Any) -> Tensor:
    """The angle of the point (other, input), in (-pi, pi]; ``other`` a Tensor, as in PyTorch."""
    _require_tensor("atan2", other)
    return Atan2.apply(input, other)


def hypot(input: Tensor, other: Any) -> Tensor:
    """``sqrt(input^2 + other^2)`` without overflow (``other`` a Tensor; at least one of them floating
    point, as in PyTorch)."""
    _require_tensor("hypot", other)
    if input.dtype.kind != "f" and other.dtype.kind != "f":
        raise DtypeError(f"hypot: needs a float tensor, got {input.dtype} and {other.dtype}; call .float() first")
    return Hypot.apply(input, other)


def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """``input + weight * (end - input)``; ``end`` a Tensor, ``weight`` a number or a Tensor."""
    _require_tensor("lerp", end)
    if input.dtype.kind != "f":
        raise DtypeError(f"lerp: needs float tensors, got {input.dtype}; call .float() first")
    return Lerp.apply(input, end, weight)


arctan2 = atan2


class Logaddexp(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.logaddexp(a.array, b.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        share = (a - b).sigmoid()  # d/da log(e^a + e^b) = e^a / (e^a + e^b)
        return (grad_output * share if _need(ctx, 0) else None), (grad_output * (1 - share) if _need(ctx, 1) else None)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow; ``other`` a Tensor, as in PyTorch."""
    _require_tensor("logaddexp", other)
    if input.dtype.kind != "f" and other.dtype.kind != "f":
        raise DtypeError(f"logaddexp: needs a float tensor, got {input.dtype} and {other.dtype}; call .float() first")
    return Logaddexp.apply(input, other)


class Xlogy(Function):
    @staticmethod
    def forward(ctx: Function, x: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(x, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((x.array == 0) & ~np.isnan(y.array), 0, x.array * np.log(y.array)).astype(
                np.result_type(x.array, y.array)
            )

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        grad_x = grad_y = None
        if _need(ctx, 0):  # log(y), but 0 where x is 0 and y <= 0 (no -inf there), as PyTorch
            edge = Tensor._make(np.asarray((x.array == 0) & (y.array <= 0)), False, None)
            grad_x = Xlogy.apply(grad_output, y).masked_fill(edge, 0.0)
        if _need(ctx, 1):
            grad_y = grad_output * x / y
        return grad_x, grad_y


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, and 0 where ``input`` is 0 (also where ``other`` is 0 or inf; NaN
    where ``other`` is NaN); either may be a number."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy: at least one of input and other must be a Tensor")
    x = input if isinstance(input, Tensor) else Tensor(float(input))
    y = other if isinstance(other, Tensor) else Tensor(float(other))
    if x.dtype.kind != "f" and y.dtype.kind != "f":
        x, y = x.float(), y.float()
    return Xlogy.apply(x, y)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, p is clamped to [eps, 1 - eps] first."""
    if input.dtype.kind != "f":
        raise DtypeError(f"logit: needs a float tensor, got {input.dtype}; call .float() first")
    p = input if eps is None else input.clamp(eps, 1 - eps)
    return p.log() - (-p).log1p()


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (the dtype's largest
    and smallest numbers by default); the replaced elements get no gradient."""
    array = input.array
    if array.dtype.kind != "f":
        return input.clone()
    replaced = Tensor._make(np.nan_to_num(array, nan=nan, posinf=posinf, neginf=neginf), False, None)
    finite = Tensor._make(np.isfinite(array), False, None)
    from .elementwise import where

    return where(finite, input, replaced)


def signbit(input: Tensor) -> Tensor:
    """Whether each element's sign bit is set (True for -0.0 and negative numbers), a bool tensor."""
    return Tensor._make(np.signbit(input.array), False, None)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians (a float tensor)."""
    return (input if input.dtype.kind == "f" else input.float()) * (math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees (a float tensor)."""
    return (input if input.dtype.kind == "f" else input.float()) * (180.0 / math.pi)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (all three broadcast)."""
    return input + value * (tensor1 * tensor2)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (all three broadcast)."""
    return input + value * (tensor1 / tensor2)


def _nan_aware(op: str, input: Tensor, other: Tensor, pick: Callable) -> Tensor:
    _require_tensor(op, other)
    picked = pick(input, other)
    if input.dtype.kind != "f" and other.dtype.kind != "f":
        return picked
    a_nan = Tensor._make(np.isnan(input.array), False, None)
    b_nan = Tensor._make(np.isnan(other.array), False, None)
    from .elementwise import where

    return where(b_nan, input, where(a_nan, other, picked))  # a NaN loses to a number


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """``maximum``, but where one of the two is NaN the other is taken (NaN only where both are)."""
    from .elementwise import maximum

    return _nan_aware("fmax", input, other, maximum)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """``minimum``, but where one of the two is NaN the other is taken."""
    from .elementwise import minimum

    return _nan_aware("fmin", input, other, minimum)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 where input < 0, 1 where input > 0, ``values`` where input == 0
    (not differentiable, as in PyTorch)."""
    _require_tensor("heaviside", values)
    if input.dtype != values.dtype:
        raise DtypeError(f"heaviside: input ({input.dtype}) and values ({values.dtype}) must have the same dtype")
    return Tensor._make(np.heaviside(input.array, values.array).astype(input.array.dtype), False, None)


def _integer_op(op: str, numpy_op: Callable, input: Tensor, other: Tensor) -> Tensor:
    _require_tensor(op, other)
    if input.dtype.kind not in "iu" or other.dtype.kind not in "iu":
        raise DtypeError(f"{op}: needs integer tensors, got {input.dtype} and {other.dtype}")
    return Tensor._make(np.asarray(numpy_op(input.array, other.array)), False, None)


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor of each pair of integers (broadcast)."""
    return _integer_op("gcd", np.gcd, input, other)


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple of each pair of integers (broadcast)."""
    return _integer_op("lcm", np.lcm, input, other)


def _float(input: Tensor) -> Tensor:
    return input if input.dtype.kind == "f" else input.float()


def copysign(input: Tensor, other: Any) -> Tensor:
    """``|input|`` with the sign of ``other`` (a Tensor or a number; -0.0 counts as negative)."""
    negative = np.signbit(other.array if isinstance(other, Tensor) else np.asarray(other, dtype=np.float64))
    from .elementwise import where

    magnitude = _float(input).abs()
    return where(Tensor._make(np.asarray(negative), False, None), -magnitude, magnitude)


def exp2(input: Tensor) -> Tensor:
    """``2 ** input``."""
    return (_float(input) * math.log(2.0)).exp()


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2 ** input + 2 ** other)`` without overflow."""
    return logaddexp(input * math.log(2.0), other * math.log(2.0)) / math.log(2.0)


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in float64 (either may be a number), as PyTorch."""
    base = input.double() if isinstance(input, Tensor) else Tensor(float(input)).double()
    return base ** (exponent.double() if isinstance(exponent, Tensor) else float(exponent))


def sinc(input: Tensor) -> Tensor:
    """The normalised sinc, ``sin(pi x) / (pi x)``, and 1 at x = 0 (with gradient 0 there)."""
    from .elementwise import where

    x = _float(input)
    zero = Tensor._make(np.asarray(x.array == 0), False, None)
    safe = where(zero, 1.0, x) * math.pi  # no 0 / 0 in the branch where() discards, nor in its gradient
    return where(zero, 1.0, safe.sin() / safe)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2 ** other``."""
    _require_tensor("ldexp", other)
    return _float(input) * exp2(other)


def frexp(input: Tensor) -> tuple[Tensor, Tensor]:
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent`` and 0.5 <= |mantissa| < 1
    (not differentiable); float tensors only."""
    if input.dtype.kind != "f":
        raise DtypeError(f"frexp: needs a float tensor, got {input.dtype}; call .float() first")
    mantissa, exponent = np.frexp(input.array)
    return Tensor._make(mantissa, False, None), Tensor._make(exponent.astype(np.int32), False, None)
