"""``autograd_core.linalg`` (PyTorch's ``torch.linalg``): norms, inverse, determinant (and its
sign and log), solve, matrix powers, products and cross products, all differentiable.
Decompositions (QR, SVD, eigenvalues, Cholesky) are not here; ``numpy.linalg`` on
``x.numpy()`` computes them without gradients.
"""
from __future__ import annotations

import math
from typing import Any

from .errors import ShapeError
from .ops.linalg import cross as _cross
from .ops.linalg import det, inv, matmul, matrix_power, multi_dot, slogdet, solve
from .ops.linalg import norm as _norm
from .ops.reduce import amax, amin
from .tensor import Tensor
from .unsupported import missing_attribute

__all__ = [
    "vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve", "matrix_power", "matmul", "multi_dot",
    "cross", "vecdot",
]


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements, flattened, when None); ``ord`` a number,
    ``inf`` or ``-inf``."""
    if isinstance(ord, str):
        raise ValueError(f"linalg.vector_norm: ord must be a number, inf or -inf, got {ord!r}; see matrix_norm")
    return _norm(x, ord, dim, keepdim, dtype)


def matrix_norm(
    A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The matrix norm over the two ``dim``: ``'fro'`` (Frobenius), or 1 / -1 (largest / smallest
    column sum of absolute values), inf / -inf (the same over rows). The spectral (2) and nuclear
    ('nuc') norms need an SVD and are not provided."""
    if A.ndim < 2:
        raise ShapeError(f"linalg.matrix_norm: needs matrices (..., m, n), got shape {A.shape}")
    rows, columns = (d % A.ndim for d in dim)
    if ord == "fro":
        return _norm(A, 2, (rows, columns), keepdim, dtype)
    if ord not in (1, -1, math.inf, -math.inf):
        raise ValueError(
            f"linalg.matrix_norm: ord must be 'fro', 1, -1, inf or -inf, got {ord!r} "
            "(the spectral and nuclear norms need an SVD and are not provided)"
        )
    summed, kept = (rows, columns) if abs(ord) == 1 else (columns, rows)
    pick = amax if ord > 0 else amin
    absolute = (A if dtype is None else A.to(dtype)).abs()
    totals = absolute.sum(summed, keepdim=True)
    result = pick(totals, kept, keepdim=True)
    return result if keepdim else result.squeeze((rows, columns))


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``vector_norm`` or ``matrix_norm``, as PyTorch chooses: with ``ord`` None the 2-norm of the
    flattened tensor (or of ``dim``); a string ``ord``, or a number with two dims (or a 2-D input
    and no dim), is a matrix norm."""
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    two_dims = (isinstance(dim, (tuple, list)) and len(dim) == 2) or (dim is None and A.ndim == 2)
    if isinstance(ord, str) or two_dims:
        return matrix_norm(A, ord, tuple(dim) if dim is not None else (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (-1 by default, unlike ``autograd_core.cross``)."""
    return _cross(input, other, dim)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of vectors along ``dim`` (the two broadcast)."""
    return (x * y).sum(dim)


def __getattr__(name: str) -> Any:
    """PyTorch's decompositions fail naming what to use instead (see ``unsupported.py``)."""
    raise missing_attribute(__name__, name)
