"""``Linear``, ``Identity``, ``Flatten``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.errors import ShapeError

from . import init
from .module import Module, Parameter


class LinearFunction(Function):
    """``x @ weight.T + bias`` as one graph node (x: (*, in), weight: (out, in), bias: (out,))."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, weight: Tensor, bias: Any) -> np.ndarray:
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, weight if ctx.needs_input_grad[0] else None)
        data = x.data
        if data.ndim > 2:  # one 2-D GEMM is faster than NumPy's batched matmul
            out = np.matmul(data.reshape(-1, data.shape[-1]), weight.data.T).reshape(*data.shape[:-1], -1)
        else:
            out = np.matmul(data, weight.data.T)
        if bias is not None:
            out += bias.data
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad
        if not ag.is_grad_enabled():  # a plain backward records nothing: NumPy arrays directly
            grad = grad_output.data
            flat = grad.reshape(-1, grad.shape[-1])
            return (
                (flat @ weight.data).reshape(*grad.shape[:-1], -1) if need_x else None,
                flat.T @ x.data.reshape(-1, x.shape[-1]) if need_weight else None,
                flat.sum(0) if need_bias else None,
            )
        # under create_graph the same three products as Tensor ops, so they are differentiable
        flat_grad = grad_output.reshape(-1, grad_output.shape[-1])
        # d/dx = G W ; d/dW = G^T x ; d/db = sum of G over all but the last dim
        grad_x = grad_output @ weight if need_x else None
        grad_weight = flat_grad.T @ x.reshape(-1, x.shape[-1]) if need_weight else None
        grad_bias = flat_grad.sum(0) if need_bias else None
        return grad_x, grad_weight, grad_bias


class Linear(Module):
    """``y = x W^T + b``.

    Args:
        in_features: size of each input's last dim.
        out_features: size of each output's last dim.
        bias: learn an additive bias (default True).
        dtype: parameter dtype (float32 by default).

    Shape:
        input (*, in_features) -> output (*, out_features).

    Initialisation as PyTorch: weight ~ kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)),
    and bias ~ U(-1/sqrt(in), 1/sqrt(in)).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(ag.zeros(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(ag.zeros(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear(in_features={self.in_features}, out_features={self.out_features}): expected "
                f"input of shape (*, {self.in_features}), got {tuple(x.shape)}. Flatten or reshape "
                "the input, or build the layer with the input's last dim."
            )
        return LinearFunction.apply(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input. Shape: any -> same."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """Merge dims ``start_dim..end_dim``. Shape: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
