"""Matrix products (``matmul`` for 1-D, 2-D and batched operands as ``np.matmul``; mm, bmm, mv,
dot, outer, addmm, baddbmm) and vector norms (``norm``, ``dist``)."""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..errors import DtypeError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .elementwise import sign_array, where
from .reduce import _expand_back, _kept_shape, normalize_dims
from .shape import normalize_dim, stack


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
    check_same_dtype("matmul", a, b)
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


def check_same_dtype(op: str, *operands: Tensor) -> None:
    """PyTorch's products do not promote: float32 @ int64 (or float64) is an error."""
    dtypes = [operand.array.dtype for operand in operands]
    if len(set(dtypes)) > 1:
        raise DtypeError(
            f"{op}: operands must have the same dtype (as in PyTorch), got {', '.join(map(str, dtypes))}; "
            "convert one first (e.g. b.float() or b.to(a.dtype))"
        )


# -- the fixed-rank products (PyTorch checks the ranks; matmul would broadcast) ------
def _check_ranks(op: str, operands: dict, ranks: tuple) -> None:
    for (name, tensor), rank in zip(operands.items(), ranks):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(tensor).__name__}")
        if tensor.ndim != rank:
            kind = {1: "a 1-D vector", 2: "a 2-D matrix", 3: "a 3-D batch of matrices"}[rank]
            raise ShapeError(f"{op}: {name} must be {kind}, got shape {tensor.shape}")
    if op != "outer":  # outer promotes, as PyTorch's
        check_same_dtype(op, *operands.values())


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """(n, k) @ (k, m) -> (n, m)."""
    _check_ranks("mm", {"input": input, "mat2": mat2}, (2, 2))
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """(b, n, k) @ (b, k, m) -> (b, n, m), without broadcasting the batch."""
    _check_ranks("bmm", {"input": input, "mat2": mat2}, (3, 3))
    if input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: shapes {input.shape} and {mat2.shape}")
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """(n, k) @ (k,) -> (n,)."""
    _check_ranks("mv", {"input": input, "vec": vec}, (2, 1))
    return matmul(input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of the same length (a 0-d tensor)."""
    _check_ranks("dot", {"input": input, "other": other}, (1, 1))
    return matmul(input, other)


vdot = inner = dot


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """(n,) and (m,) -> (n, m): ``out[i, j] = input[i] * vec2[j]``."""
    _check_ranks("outer", {"input": input, "vec2": vec2}, (1, 1))
    return input.unsqueeze(1) * vec2


ger = outer


def addmm(input: Any, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to (n, m); with ``beta=0``
    it is ignored (NaN in it does not propagate), as in PyTorch."""
    return _add_scaled(input, mm(mat1, mat2), beta, alpha)


def baddbmm(input: Any, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices (see ``addmm``)."""
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha)


def addmv(input: Any, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)`` (see ``addmm``)."""
    return _add_scaled(input, mv(mat, vec), beta, alpha)


def _add_scaled(input: Any, product: Tensor, beta: float, alpha: float) -> Tensor:
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return scaled + Tensor._make(np.zeros(np.shape(_array(input)), dtype=product.dtype), False, None)
    return scaled + (input if beta == 1 else input * beta)


def _array(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


# -- norms ---------------------------------------------------------------------------
class VectorNorm(Function):
    """``(sum |a|^p)^(1/p)`` over dims; p = inf / -inf: the largest / smallest ``|a|``; p = 0: the
    count of non-zeros. The gradient is 0 where the norm is 0 (and at a = 0 for p < 1), as PyTorch."""

    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, p: float, dims: tuple, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.p, ctx.dims, ctx.input_shape = p, dims, a.shape
        magnitude = np.abs(a.array)
        if p == math.inf:
            return np.max(magnitude, axis=dims, keepdims=keepdim)
        if p == -math.inf:
            return np.min(magnitude, axis=dims, keepdims=keepdim)
        if p == 0:
            return np.sum(magnitude != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        if p == 1:
            return np.sum(magnitude, axis=dims, keepdims=keepdim)
        if p == 2:
            return np.sqrt(np.sum(magnitude * magnitude, axis=dims, keepdims=keepdim))
        return np.sum(magnitude**p, axis=dims, keepdims=keepdim) ** (1.0 / p)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        p = ctx.p
        grad = _expand_back(grad_output, ctx)
        norm = ctx.output.reshape(_kept_shape(ctx.input_shape, ctx.dims))
        signs = sign_array(a.array)
        if p == 0:
            slope = Tensor._make(np.zeros(a.shape, dtype=a.dtype), False, None)
        elif p == 1:  # d sum|a|/da = sign(a)
            slope = Tensor._make(signs, False, None)
        elif abs(p) == math.inf:  # the extreme |a| take it, ties evenly (as amax)
            winners = np.abs(a.array) == norm.array
            share = signs * (winners / winners.sum(axis=ctx.dims, keepdims=True))
            slope = Tensor._make(share.astype(a.dtype), False, None)
        else:  # d ||a||_p/da = a |a|^(p-2) / ||a||_p^(p-1)
            zero = norm.array == 0
            if p == 2:
                slope = a / where(zero, 1.0, norm)
            else:
                at_zero = a.array == 0
                magnitude = where(at_zero, 1.0, a.abs())
                slope = where(at_zero, 0.0, a * magnitude ** (p - 2)) / where(zero, 1.0, norm) ** (p - 1)
            slope = where(zero, 0.0, slope)
        return grad * slope, None, None, None


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The vector p-norm over ``dim`` (all elements when None): p a number, ``inf``, ``-inf`` or
    ``'fro'`` (= 2). As ``torch.norm`` for these; the nuclear norm (``'nuc'``) is not provided."""
    if p == "fro" or p is None:
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise ShapeError(f"norm: p='fro' takes one or two dims (as PyTorch), got dim={dim}; use p=2 for more")
        p = 2
    if isinstance(p, str) or not isinstance(p, (int, float)):
        raise ValueError(
            f"norm: p must be a number, inf, -inf or 'fro', got {p!r} (the nuclear norm 'nuc' is not provided)"
        )
    if input.dtype.kind != "f":
        raise DtypeError(f"norm: needs a float tensor, got {input.dtype}; call .float() first")
    if dtype is not None:
        input = input.to(dtype)
    return VectorNorm.apply(input, float(p), normalize_dims("norm", dim, input), keepdim)


def dist(input: Tensor, other: Any, p: float = 2) -> Tensor:
    """``norm(input - other, p)``."""
    return norm(input - other, p)


# -- matrix inverse, determinant, solve; pairwise distances -------------------------------------
def _square(op: str, a: Tensor) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{op}: needs square matrices (..., n, n), got shape {a.shape}")
    if a.dtype.kind != "f":
        raise DtypeError(f"{op}: needs a float tensor, got {a.dtype}; call .float() first")


def _singular(op: str, a: Tensor) -> ValueError:
    return ValueError(
        f"{op}: a matrix of shape {a.shape[-2:]} is singular (not invertible); "
        "check the input, or use a least-squares method on the arrays (numpy.linalg.lstsq)"
    )


def _mT(a: Tensor) -> Tensor:
    return a.transpose(-2, -1)


class Inverse(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        try:
            return np.linalg.inv(a.array)
        except np.linalg.LinAlgError:
            raise _singular("inv", a) from None

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        inverse_t = _mT(ctx.output)  # d(A^-1) = -A^-1 dA A^-1
        return (-(inverse_t @ grad_output @ inverse_t),)


def inv(input: Tensor) -> Tensor:
    """The inverse of each square matrix (..., n, n); a ``ValueError`` for a singular one."""
    _square("inv", input)
    return Inverse.apply(input)


class Determinant(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.det(a.array))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        if a.shape[-1] == 0:
            return (None,)
        if np.any(np.linalg.matrix_rank(a.array) < a.shape[-1]):
            raise ValueError(
                f"det: the gradient at a singular matrix (shape {a.shape}) is not provided here; "
                "PyTorch computes it from an SVD"
            )
        det = Determinant.apply(a)  # d det(A) = det(A) A^-T
        return ((grad_output * det)[..., None, None] * _mT(Inverse.apply(a)),)


def det(input: Tensor) -> Tensor:
    """The determinant of each square matrix: (..., n, n) -> (...)."""
    _square("det", input)
    return Determinant.apply(input)


class Solve(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        try:
            return np.linalg.solve(a.array, b.array)
        except np.linalg.LinAlgError:
            raise _singular("solve", a) from None

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        grad_b = Solve.apply(_mT(a), grad_output)  # X = A^-1 B: dB = A^-T G, dA = -dB X^T
        return (-(grad_b @ _mT(ctx.output)) if ctx.needs_input_grad[0] else None), grad_b


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with ``A @ X = B`` (``left=False``: ``X @ A = B``). A: (..., n, n); B: (..., n, k), or
    (..., n) for vectors (when it has one dim fewer than A, or is 1-D)."""
    _square("solve", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"solve: B must be a Tensor, got {type(B).__name__}")
    if not left:
        return _mT(solve(_mT(A), _mT(B)))
    vector = B.ndim == 1 or B.ndim == A.ndim - 1
    matrix = B.unsqueeze(-1) if vector else B
    if matrix.ndim < 2 or matrix.shape[-2] != A.shape[-1]:
        raise ShapeError(f"solve: A has shape {A.shape}, so B needs {A.shape[-1]} rows, got shape {B.shape}")
    X = Solve.apply(A, matrix)
    return X.squeeze(-1) if vector else X


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between each row of ``x1`` (..., P, M) and each row of ``x2``
    (..., R, M): shape (..., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(
            f"cdist: x1 and x2 need shapes (..., P, M) and (..., R, M) with the same M, got {x1.shape} and {x2.shape}"
        )
    return norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


inverse = inv


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """The sum of products over the last ``dims`` dims of ``a`` and the first ``dims`` of ``b``,
    or over the dims listed in ``dims = (dims_of_a, dims_of_b)``."""
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: dims={dims} does not fit shapes {a.shape} and {b.shape}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        dims_a = [normalize_dim("tensordot", d, a.ndim, a.shape) for d in dims_a]
        dims_b = [normalize_dim("tensordot", d, b.ndim, b.shape) for d in dims_b]
    if len(dims_a) != len(dims_b) or any(a.shape[i] != b.shape[j] for i, j in zip(dims_a, dims_b)):
        raise ShapeError(
            f"tensordot: contracting dims {dims_a} of {a.shape} with dims {dims_b} of {b.shape}: the sizes differ"
        )
    keep_a = [d for d in range(a.ndim) if d not in dims_a]
    keep_b = [d for d in range(b.ndim) if d not in dims_b]
    inner = math.prod([a.shape[d] for d in dims_a])
    left = a.permute(*keep_a, *dims_a).reshape(-1, inner)
    right = b.permute(*dims_b, *keep_b).reshape(inner, -1)
    return (left @ right).reshape([a.shape[d] for d in keep_a] + [b.shape[d] for d in keep_b])


def matrix_power(input: Tensor, n: int) -> Tensor:
    """``input`` multiplied by itself ``n`` times (the identity for 0, powers of the inverse
    for negative n), by repeated squaring; square matrices (..., m, m)."""
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: n must be an int, got {n!r}")
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise ShapeError(f"matrix_power: needs square matrices (..., n, n), got shape {input.shape}")
    if n == 0:
        eye = np.broadcast_to(np.eye(input.shape[-1], dtype=input.array.dtype), input.shape)
        return Tensor._make(eye.copy(), False, None)
    base, n = (inv(input), -int(n)) if n < 0 else (input, int(n))
    result = None
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the first dim of size 3 when None, as
    ``torch.cross``; ``linalg.cross`` uses -1); the two broadcast."""
    try:
        shape = tuple(np.broadcast_shapes(input.shape, other.shape))
    except ValueError:
        raise ShapeError(f"cross: shapes {input.shape} and {other.shape} do not broadcast") from None
    if dim is None:
        dim = next((d for d, size in enumerate(shape) if size == 3), None)
    if dim is not None:
        dim = normalize_dim("cross", dim, len(shape), shape)
    if dim is None or shape[dim] != 3:
        raise ShapeError(f"cross: needs a dim of size 3 (dim={dim}), got shapes {input.shape} and {other.shape}")
    x = [input.broadcast_to(shape).select(dim, i) for i in range(3)]
    y = [other.broadcast_to(shape).select(dim, i) for i in range(3)]
    parts = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]]
    return stack(parts, dim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between every pair of rows i < j of an (N, M) tensor, row by row:
    N (N - 1) / 2 values."""
    if input.ndim != 2:
        raise ShapeError(f"pdist: needs an (N, M) tensor, got shape {input.shape}")
    rows, columns = np.triu_indices(input.shape[0], 1)
    index = (Tensor._make(rows, False, None), Tensor._make(columns, False, None))
    return norm(input[index[0]] - input[index[1]], p, -1)


SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])  # as torch.return_types.slogdet


class LogAbsDet(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.slogdet(a.array)[1])

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors  # d log|det A| = A^-T
        return (grad_output[..., None, None] * _mT(inv(a)),)


def slogdet(input: Tensor) -> SlogdetResult:
    """``(sign, logabsdet)`` of each square matrix's determinant, the log computed without
    overflow; ``logabsdet`` is differentiable (-inf and sign 0 for a singular matrix)."""
    _square("slogdet", input)
    sign = np.linalg.slogdet(input.array)[0]
    return SlogdetResult(Tensor._make(np.asarray(sign), False, None), LogAbsDet.apply(input))


def logdet(input: Tensor) -> Tensor:
    """``log(det(input))``: NaN where the determinant is negative, -inf where it is 0."""
    sign, logabs = slogdet(input)
    return logabs.masked_fill(Tensor._make(np.asarray(sign.array < 0), False, None), float("nan"))


def multi_dot(tensors: Any) -> Tensor:
    """The product of a chain of matrices (the first may be 1-D, a row; the last 1-D, a column)."""
    if not isinstance(tensors, (list, tuple)) or len(tensors) < 2:
        raise ShapeError("linalg.multi_dot: give a list of two or more tensors")
    result = tensors[0]
    for tensor in tensors[1:]:
        result = result @ tensor
    return result


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to that norm
    (by ``maxnorm / (norm + 1e-7)``, as PyTorch); the others unchanged."""
    if input.ndim == 0:
        raise ShapeError("renorm: needs a tensor of 1 or more dims, got a 0-d tensor")
    dim = dim % input.ndim
    others = tuple(d for d in range(input.ndim) if d != dim)
    norms = norm(input, p, others, keepdim=True) if others else input.abs()
    factor = where(norms.array > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``: (B, n, m) and (B, m, p) -> (n, p)."""
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise ShapeError(f"addbmm: needs 3-D batches, got shapes {batch1.shape} and {batch2.shape}")
    product = bmm(batch1, batch2).sum(0)
    return (input if beta == 1 else beta * input) + (product if alpha == 1 else alpha * product)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    product = outer(vec1, vec2)
    return (input if beta == 1 else beta * input) + (product if alpha == 1 else alpha * product)
