"""Elementwise ops: arithmetic, math functions and activations.

Each op's backward is written with Tensor ops, so it is itself differentiable
(second derivatives via ``create_graph=True``). Gradients may come back in the
broadcast output shape; the engine sums them to each input's shape.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..errors import DtypeError, ShapeError
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..kernels.relu import relu_backward
from ..tensor import Tensor


def _data(x: Any) -> Any:
    """The ndarray of a Tensor; Python numbers pass through (NumPy keeps the tensor's dtype)."""
    return x.array if isinstance(x, Tensor) else x


def _need(ctx: Function, position: int) -> bool:
    return ctx.needs_input_grad[position]


_BOOL = np.dtype(np.bool_)
_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


def _refuse_bool(op: str) -> None:
    """PyTorch's refusal of a bool tensor in an arithmetic op that has no meaning for truth values."""
    raise DtypeError(f"{op}: bool tensors are not supported (as in PyTorch); convert first, e.g. x.float() or x.long()")


def _require_tensor(op: str, other: Any) -> None:
    """PyTorch's ops without a number overload (maximum, atan2, logical_and, ...) take a Tensor ``other``."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{op}(): argument 'other' must be a Tensor, not {type(other).__name__} (as in PyTorch); "
            f"wrap it with autograd_core.tensor(...) or use clamp/where for a number"
        )


# Unsigned integer twins of the float dtypes: _select works on their bit patterns.
_BITS = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}
_SELECT_MIN_SIZE = 4096  # below this np.where's own speed is fine


def _select(condition: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """``np.where(condition, a, b)``, bit for bit, several times faster for float arrays.

    np.where branches per element, which costs ~4 ns an element on an irregular mask (a ReLU's
    or a dropout's); selecting bit patterns with a mask of all-ones/all-zeros words does not
    branch: ``b ^ ((a ^ b) & mask)``. NaN, inf and -0.0 pass through unchanged.
    """
    dtype = np.result_type(a, b)
    bits = _BITS.get(dtype)
    if bits is None or condition.size < _SELECT_MIN_SIZE:
        return np.where(condition, a, b)
    a_bits = np.asarray(a, dtype).view(bits)
    b_bits = np.asarray(b, dtype).view(bits)
    mask = condition.astype(bits)
    np.negative(mask, out=mask)  # 1 -> all ones, 0 -> 0
    selected = np.bitwise_and(np.bitwise_xor(a_bits, b_bits), mask)  # condition, a and b broadcast
    selected ^= b_bits
    return selected.view(dtype)


# -- arithmetic ----------------------------------------------------------------------
class Add(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        # _data inlined: two calls were a fifth of a one-element a + b
        return np.add(a.array if isinstance(a, Tensor) else a, b.array if isinstance(b, Tensor) else b)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d(a+b)/da = 1, d(a+b)/db = 1
        return grad_output, grad_output

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return grad, grad


class Sub(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        try:
            return np.subtract(_data(a), _data(b))
        except TypeError:
            if np.result_type(_data(a), _data(b)) != _BOOL:
                raise
            raise DtypeError(
                "sub: subtracting two bool tensors (the - operator) is not supported, as in PyTorch; "
                "use ^ or logical_xor() for booleans, or convert them first (x.long(), x.float())"
            ) from None

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d(a-b)/da = 1, d(a-b)/db = -1
        return grad_output, (-grad_output if _need(ctx, 1) else None)

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return grad, (np.negative(grad) if _need(ctx, 1) else None)


class Mul(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a if _need(ctx, 1) else None, b if _need(ctx, 0) else None)
        return np.multiply(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        # d(a*b)/da = b, d(a*b)/db = a
        return (grad_output * b if _need(ctx, 0) else None, grad_output * a if _need(ctx, 1) else None)

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        return (grad * _data(b) if _need(ctx, 0) else None, grad * _data(a) if _need(ctx, 1) else None)


class Div(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a if _need(ctx, 1) else None, b)
        return np.divide(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        grad_a = grad_output / b if _need(ctx, 0) else None
        grad_b = -grad_output * a / (b * b) if _need(ctx, 1) else None
        return grad_a, grad_b

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        a, b = (_data(value) for value in ctx.saved_tensors)
        grad_a = grad / b if _need(ctx, 0) else None
        grad_b = -grad * a / (b * b) if _need(ctx, 1) else None
        return grad_a, grad_b


class Pow(Function):
    """``a ** b`` for tensor or number base and exponent."""

    @staticmethod
    def forward(ctx: Function, base: Any, exponent: Any) -> np.ndarray:
        ctx.save_for_backward(base, exponent)
        base_data, exponent_data = _data(base), _data(exponent)
        if isinstance(exponent, (int, float)) and isinstance(base, Tensor) and base_data.dtype.kind == "f":
            exponent_data = base_data.dtype.type(exponent)
        try:
            return np.power(base_data, exponent_data)
        except ValueError as error:
            if not str(error).startswith("Integers to negative integer powers"):
                raise
            if isinstance(exponent, Tensor):
                return _integer_power(base_data, exponent_data)
            raise DtypeError(
                f"pow: integers to negative integer powers are not allowed ({np.result_type(base_data)} tensor "
                f"** {exponent_data}), as in PyTorch; make the base or the exponent a float (x.float() ** -1, "
                "or x ** -1.0)"
            ) from None

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        base, exponent = ctx.saved_tensors
        grad_base = grad_exponent = None
        if _need(ctx, 0):
            # d(a^b)/da = b * a^(b-1)   (0 when b == 0, also at a == 0)
            if isinstance(exponent, (int, float)) and exponent == 0:
                grad_base = grad_output * 0.0
            else:
                grad_base = grad_output * exponent * base ** (exponent - 1)
        if _need(ctx, 1):
            # d(a^b)/db = a^b * log(a)   (taken as 0 where a == 0)
            log_base = _log(base)
            grad_exponent = grad_output * (base**exponent) * log_base
        return grad_base, grad_exponent


def _integer_power(base: Any, exponent: np.ndarray) -> np.ndarray:
    """Integers to integer tensor powers as PyTorch computes them: a negative power of 1 is 1,
    of -1 is +-1, of anything else 0 (the integer part of 1 / base^n)."""
    negative = exponent < 0
    power = np.power(base, np.where(negative, 0, exponent))
    sign = np.where(exponent % 2 == 0, 1, -1)
    return np.where(negative, np.where(base == 1, 1, np.where(base == -1, sign, 0)), power).astype(power.dtype)


def _log(x: Any) -> Any:
    """log of a base for pow's exponent gradient: 0 at 0, NaN for a negative base (as PyTorch)."""
    if isinstance(x, Tensor):
        safe = where(x.array == 0, 1.0, x)
        return safe.log()
    return math.log(x) if x > 0 else (0.0 if x == 0 else math.nan)


class Neg(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        try:
            return np.negative(a.array)
        except TypeError:
            if a.array.dtype is not _BOOL:
                raise
            raise DtypeError(
                "neg: negating a bool tensor (the - operator) is not supported, as in PyTorch; "
                "to invert a mask use ~ or logical_not()"
            ) from None

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return -grad_output  # d(-a)/da = -1

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        return np.negative(grad)


# -- math functions ------------------------------------------------------------------
class Exp(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return np.exp(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return grad_output * ctx.output  # d(e^a)/da = e^a

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        return grad * ctx.output.array


class Log(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output / a  # d(log a)/da = 1/a

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        (a,) = ctx.saved_tensors
        return grad / a.array


class Sqrt(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.sqrt(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return grad_output / (2.0 * ctx.output)  # d(sqrt a)/da = 1 / (2 sqrt a)

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        return grad / (2.0 * ctx.output.array)


class Abs(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        if a.array.dtype is _BOOL:
            _refuse_bool("abs")
        ctx.save_for_backward(a)
        return np.abs(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * sign_array(a.array)  # d|a|/da = sign(a), 0 at 0 and at NaN as in PyTorch


def sign_array(x: np.ndarray) -> np.ndarray:
    """``np.sign`` with PyTorch's 0 (not NaN) at NaN."""
    signs = np.asarray(np.sign(x))
    if signs.dtype.kind == "f":
        signs[np.isnan(signs)] = 0
    return signs


class Sin(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.sin(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * a.cos()  # d(sin a)/da = cos a


class Cos(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.cos(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return -grad_output * a.sin()  # d(cos a)/da = -sin a


class Tanh(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return np.tanh(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        out = ctx.output
        return grad_output * (1.0 - out * out)  # d(tanh a)/da = 1 - tanh(a)^2

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        out = ctx.output.array
        return grad * (1.0 - out * out)


class Sigmoid(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return _sigmoid(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        out = ctx.output
        return grad_output * out * (1.0 - out)  # d(sigmoid a)/da = s (1 - s)

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        out = ctx.output.array
        return grad * out * (1.0 - out)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow for large |x|; an int input gives floats
    if x.dtype is _BOOL:  # NumPy cannot negate bools
        x = x.astype(np.float32)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Relu(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        if a.array.dtype is _BOOL:
            _refuse_bool("relu")
        return np.maximum(a.array, 0)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        # d relu(a)/da = 0 if a <= 0 else 1 (1 at NaN, as in PyTorch); the gradient is *selected*,
        # so an infinite upstream gradient where a <= 0 gives 0, not inf * 0 = NaN
        if not is_grad_enabled():
            return Relu.backward_arrays(ctx, grad_output.array)
        return where(ctx.output.array != 0, grad_output, 0.0)

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        output = ctx.output.array
        if _one_pass_relu(grad, output):  # one select loop (kernels/relu.py)
            result = np.empty_like(output)
            relu_backward(grad.reshape(-1), output.reshape(-1), result.reshape(-1), output.dtype.type(0))
            return result
        mask = output != 0  # the output is 0, positive or NaN
        grad = grad * mask  # multiplying by the mask is ~10x faster than np.where
        if not np.isfinite(grad).all():
            grad[~mask] = 0
        return grad


def _one_pass_relu(grad: np.ndarray, output: np.ndarray) -> bool:
    """Whether ``relu_backward`` can take these: C-contiguous float32 or float64 of one shape and dtype."""
    dtype = output.dtype
    return (
        (dtype is _FLOAT32 or dtype is _FLOAT64) and grad.dtype is dtype and grad.shape == output.shape
        and grad.flags.c_contiguous and output.flags.c_contiguous and output.size > 0
    )


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, negative_slope: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.negative_slope = negative_slope
        return _select(a.array > 0, a.array, a.array * negative_slope)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        slope = _select(a.array > 0, a.dtype.type(1.0), a.dtype.type(ctx.negative_slope))
        return grad_output * slope, None  # 1 for a > 0, negative_slope otherwise


class Softplus(Function):
    """``log(1 + exp(beta a)) / beta``; linear above ``threshold`` as in PyTorch."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.beta, ctx.threshold = beta, threshold
        scaled = a.array * beta
        soft = np.logaddexp(0, scaled) / beta
        return _select(scaled > threshold, a.array, soft)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        # d softplus(a)/da = sigmoid(beta a)  (1 in the linear region)
        slope = (a * ctx.beta).sigmoid()
        linear = a.array * ctx.beta > ctx.threshold
        return grad_output * where(linear, 1.0, slope), None, None


class Elu(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, alpha: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.alpha = alpha
        return _select(a.array > 0, a.array, alpha * np.expm1(np.minimum(a.array, 0)))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        # d elu(a)/da = alpha e^a for a <= 0, 1 otherwise (also at NaN, as in PyTorch)
        negative = a.clamp(max=0.0).exp() * ctx.alpha
        return grad_output * where(a.array <= 0, negative, 1.0), None


class Erf(Function):
    """The error function (a Numba kernel: NumPy has none)."""

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        from ..kernels.special import erf

        ctx.save_for_backward(a)
        return erf(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * (2.0 / math.sqrt(math.pi)) * (-(a * a)).exp()  # d erf/da = 2/sqrt(pi) e^{-a^2}


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_TANH_CUBIC = 0.044715


class Gelu(Function):
    """GELU ``a Phi(a)`` as one node (Phi: the standard normal CDF), or with ``approximate='tanh'``
    ``a (1 + tanh(u)) / 2``, ``u = sqrt(2/pi) (a + 0.044715 a^3)``. The forward keeps Phi(a) (or
    tanh(u)) for the backward; float32's Phi is a vectorised kernel (``kernels/gelu.py``)."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, approximate: str) -> np.ndarray:
        x = a.array
        if approximate == "tanh":
            ctx.tanh = np.tanh((x + _TANH_CUBIC * (x * x * x)) * _SQRT_2_OVER_PI)
            out = ctx.tanh + 1
            out *= x
            out *= 0.5
        else:
            from ..kernels.gelu import normal_cdf

            ctx.cdf = normal_cdf(x)
            out = x * ctx.cdf
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the derivative from graph ops, itself differentiable
            return grad_output * _gelu_derivative(a, ctx.approximate), None
        x = a.array
        slope = np.multiply(x, x, out=np.empty_like(x))  # an array also for a 0-d input
        if ctx.approximate == "tanh":
            # d/da = (1 + t) / 2 + a (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 a^2) / 2
            t = ctx.tanh
            slope *= 3 * _TANH_CUBIC * _SQRT_2_OVER_PI
            slope += _SQRT_2_OVER_PI
            slope *= x
            slope *= 1 - t * t
            slope += t
            slope += 1
            slope *= 0.5
        else:
            # d/da = Phi(a) + a phi(a),  phi(a) = exp(-a^2 / 2) / sqrt(2 pi)
            slope *= -0.5
            np.exp(slope, out=slope)
            slope *= x
            slope *= 1 / math.sqrt(2 * math.pi)
            slope += ctx.cdf
        slope *= grad_output.array
        return slope, None


def _gelu_derivative(a: Tensor, approximate: str) -> Tensor:
    """d gelu(a)/da as Tensor ops (for second derivatives)."""
    if approximate == "tanh":
        t = ((a + _TANH_CUBIC * a * a * a) * _SQRT_2_OVER_PI).tanh()
        return 0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * _TANH_CUBIC * a * a)
    cdf = 0.5 * (1.0 + Erf.apply(a * (1.0 / math.sqrt(2.0))))
    return cdf + a * (-0.5 * a * a).exp() * (1 / math.sqrt(2 * math.pi))


def gelu(a: Tensor, approximate: str = "none") -> Tensor:
    """GELU: ``a * Phi(a)`` (``approximate='tanh'`` for the tanh formula), as in PyTorch; one node."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(a, approximate)


# -- selection -----------------------------------------------------------------------
class Cast(Function):
    exact_dtype = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dtype: np.dtype) -> np.ndarray:
        return a.array.astype(dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return grad_output, None  # the engine casts back to the input's dtype


class Clamp(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, low: Any, high: Any) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        return np.clip(a.array, low, high)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        inside = np.ones(a.shape, dtype=bool)
        if ctx.low is not None:
            inside &= a.array >= ctx.low
        if ctx.high is not None:
            inside &= a.array <= ctx.high
        return grad_output * inside, None, None  # 1 inside [low, high], 0 outside


def clamp(a: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """Limit values to ``[min, max]`` (either may be None); ``max`` everywhere when ``min > max``,
    as in PyTorch (and NumPy's ``clip``)."""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    return Clamp.apply(a, min, max)


def clamp_min(a: Tensor, min: float) -> Tensor:
    """``clamp(a, min=min)``."""
    return Clamp.apply(a, min, None)


def clamp_max(a: Tensor, max: float) -> Tensor:
    """``clamp(a, max=max)``."""
    return Clamp.apply(a, None, max)


class Maximum(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.maximum(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        return _split_by_winner(grad_output, _data(a), _data(b))


class Minimum(Function):
    @staticmethod
    def forward(ctx: Function, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.minimum(_data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        return _split_by_winner(grad_output, _data(b), _data(a))


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise larger of two tensors (ties share the gradient); ``other`` must be a Tensor,
    as in PyTorch (for a number use ``clamp(input, min=number)``)."""
    _require_tensor("maximum", other)
    return Maximum.apply(input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise smaller of two tensors; ``other`` must be a Tensor (for a number use ``clamp``)."""
    _require_tensor("minimum", other)
    return Minimum.apply(input, other)


def _split_by_winner(grad_output: Tensor, winner: np.ndarray, loser: np.ndarray) -> tuple:
    # the gradient goes to the selected input; ties split it evenly, as in PyTorch
    dtype = grad_output.dtype
    share = np.where(winner > loser, 1.0, np.where(winner == loser, 0.5, 0.0)).astype(dtype)
    return grad_output * share, grad_output * (1.0 - share)


class Where(Function):
    @staticmethod
    def forward(ctx: Function, condition: np.ndarray, a: Any, b: Any) -> np.ndarray:
        ctx.condition = condition
        return _select(condition, _data(a), _data(b))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # the gradient flows to whichever input was picked at each position
        return None, where(ctx.condition, grad_output, 0.0), where(ctx.condition, 0.0, grad_output)


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """``a`` where ``condition`` is true, else ``b`` (all three broadcast together).
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    if a is None and b is None:
        from .indexing import nonzero

        return nonzero(condition if isinstance(condition, Tensor) else Tensor(condition), as_tuple=True)
    condition = np.asarray(_data(condition))
    if condition.dtype != np.bool_:
        raise DtypeError(f"where: condition must be a bool tensor, got {condition.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        return Tensor._make(np.where(condition, a, b), False, None)
    return Where.apply(condition, a, b)


def compare(ufunc: Callable, name: str, a: Tensor, b: Any) -> Tensor:
    """A comparison or logical op: a bool tensor that never requires grad."""
    try:
        return Tensor._make(np.asarray(ufunc(a.array, _data(b))), False, None)
    except ValueError:
        raise ShapeError(
            f"{name}: shapes {a.shape} and {np.shape(_data(b))} cannot be broadcast together"
        ) from None
