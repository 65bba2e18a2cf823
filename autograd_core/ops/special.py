"""The complementary and inverse error functions, ``erfc`` and ``erfinv`` (``erf`` itself is in
``ops/elementwise.py``, a Numba kernel), as ``torch.erfc`` / ``torch.erfinv``.

NumPy has neither. ``erfc`` is the C library's (Python's ``math.erfc``) per element: accurate
where ``1 - erf(x)`` would round to 0 (x > 4 in float32). ``erfinv`` starts from Giles'
single-precision approximation and takes two Newton steps on ``erf`` in float64, which
brings it to float64 accuracy (``erfinv(±1) = ±inf``, NaN outside [-1, 1]).
"""
from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..tensor import Tensor

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _float_values(a: Tensor) -> np.ndarray:
    """The input in float64 (exact for float32 and integers)."""
    return a.array.astype(np.float64)


def _result_dtype(a: Tensor) -> np.dtype:
    return a.array.dtype if a.array.dtype.kind == "f" else np.dtype(np.float32)


class Erfc(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.asarray(_erfc(_float_values(a)), dtype=np.float64).astype(_result_dtype(a))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * -_TWO_OVER_SQRT_PI * (-(a * a)).exp()  # d erfc/da = -2/sqrt(pi) e^{-a^2}


# Giles (2010), "Approximating the erfinv function": w = -log(1 - x^2), two polynomial branches
_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
            -0.00417768164, 0.246640727, 1.50140941)
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
         0.00943887047, 1.00167406, 2.83297682)


def _polynomial(coefficients: tuple, t: np.ndarray) -> np.ndarray:
    result = np.full_like(t, coefficients[0])
    for coefficient in coefficients[1:]:
        result = result * t + coefficient
    return result


def erfinv_array(x: np.ndarray) -> np.ndarray:
    """``erfinv`` of a float64 array."""
    from ..kernels.special import erf

    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - x) * (1.0 + x))
        guess = np.where(w < 5.0, _polynomial(_CENTRAL, w - 2.5), _polynomial(_TAIL, np.sqrt(w) - 3.0)) * x
        inside = np.abs(x) < 1
        y = np.where(inside, guess, 0.0)
        for _ in range(2):  # Newton on erf(y) = x: y -= (erf(y) - x) / erf'(y)
            y = y - (erf(y) - x) / (_TWO_OVER_SQRT_PI * np.exp(-y * y)) * inside
        return np.where(inside, y, np.where(np.abs(x) == 1, np.copysign(np.inf, x), np.nan))


class Erfinv(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return erfinv_array(_float_values(a)).astype(_result_dtype(a))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        out = ctx.output
        return grad_output * (math.sqrt(math.pi) / 2) * (out * out).exp()  # d erfinv/da = sqrt(pi)/2 e^{erfinv(a)^2}


def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(input)``, accurate in the tails."""
    return Erfc.apply(input)


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function on [-1, 1] (±inf at ±1, NaN outside)."""
    return Erfinv.apply(input)
