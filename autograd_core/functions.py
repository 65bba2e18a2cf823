"""The ``autograd_core.*`` functions (PyTorch's ``torch.*``): thin calls into ``ops``."""
from __future__ import annotations

from typing import Any

from .ops import elementwise, shape
from .ops.elementwise import clamp, gelu, where
from .ops.linalg import matmul
from .ops.reduce import argmax, argmin, log_softmax, logsumexp, max, mean, min, softmax, std, sum, var
from .ops.shape import cat, chunk, flatten, pad, permute, reshape, split, squeeze, stack, transpose, unsqueeze
from .tensor import Tensor


def exp(x: Tensor) -> Tensor:
    return elementwise.Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return elementwise.Log.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return elementwise.Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:
    return elementwise.Abs.apply(x)


def sin(x: Tensor) -> Tensor:
    return elementwise.Sin.apply(x)


def cos(x: Tensor) -> Tensor:
    return elementwise.Cos.apply(x)


def tanh(x: Tensor) -> Tensor:
    return elementwise.Tanh.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return elementwise.Sigmoid.apply(x)


def relu(x: Tensor) -> Tensor:
    return elementwise.Relu.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` for x > 0, ``negative_slope * x`` otherwise."""
    return elementwise.LeakyRelu.apply(x, negative_slope)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold``."""
    return elementwise.Softplus.apply(x, beta, threshold)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` for x > 0, ``alpha (exp(x) - 1)`` otherwise."""
    return elementwise.Elu.apply(x, alpha)


def erf(x: Tensor) -> Tensor:
    return elementwise.Erf.apply(x)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max of two tensors (ties split the gradient evenly)."""
    return elementwise.Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min of two tensors (ties split the gradient evenly)."""
    return elementwise.Minimum.apply(a, b)


def broadcast_to(x: Tensor, size: Any) -> Tensor:
    return shape.broadcast_to(x, size)


__all__ = [
    "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu",
    "softplus", "elu", "gelu", "erf", "clamp", "maximum", "minimum", "where", "matmul",
    "sum", "mean", "var", "std", "max", "min", "logsumexp", "argmax", "argmin", "softmax",
    "log_softmax", "reshape", "transpose", "permute", "flatten", "squeeze", "unsqueeze",
    "broadcast_to", "cat", "stack", "split", "chunk", "pad",
]
