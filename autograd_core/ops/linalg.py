"""Matrix multiplication for 1-D, 2-D and batched (broadcast) operands, as ``np.matmul``."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor


class MatMul(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return np.matmul(a.array, b.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if ctx.vector_a and ctx.vector_b:  # dot product: d(a.b)/da = b
            return (grad_output * b if need_a else None, grad_output * a if need_b else None)
        # treat 1-D operands as a row (a) or column (b) matrix, then drop that dim again
        grad = grad_output.unsqueeze(-2) if ctx.vector_a else grad_output
        grad = grad.unsqueeze(-1) if ctx.vector_b else grad
        grad_a = grad_b = None
        if need_a:  # d(A B)/dA: G B^T
            matrix_b = b.unsqueeze(-1) if ctx.vector_b else b
            grad_a = grad @ matrix_b.transpose(-1, -2)
            grad_a = grad_a.squeeze(-2) if ctx.vector_a else grad_a
        if need_b:  # d(A B)/dB: A^T G
            matrix_a = a.unsqueeze(0) if ctx.vector_a else a
            grad_b = matrix_a.transpose(-1, -2) @ grad
            grad_b = grad_b.squeeze(-1) if ctx.vector_b else grad_b
        return grad_a, grad_b  # batch dims are summed back by the engine


def matmul(a: Any, b: Any) -> Tensor:
    """``a @ b``. Shapes: (k,)@(k,) -> (); (n,k)@(k,) -> (n,); (k,)@(k,m) -> (m,);
    (..., n, k) @ (..., k, m) -> (..., n, m) with the batch dims broadcast."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    b = b if isinstance(b, Tensor) else Tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(
            f"matmul: both operands need at least 1 dim, got shapes {a.shape} and {b.shape}; "
            "use * to multiply by a scalar."
        )
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ShapeError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: the last dim of the "
            f"first ({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
            f"dim of the second ({inner_b}). Transpose one of them or check the layer sizes."
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"matmul: batch dims {a.shape[:-2]} and {b.shape[:-2]} (of shapes {a.shape} and "
            f"{b.shape}) cannot be broadcast together."
        ) from None
    out = MatMul.apply(a, b)
    if out.grad_fn is not None:
        out.grad_fn.vector_a, out.grad_fn.vector_b = a.ndim == 1, b.ndim == 1
    return out
