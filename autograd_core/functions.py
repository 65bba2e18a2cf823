"""The ``autograd_core.*`` functions (PyTorch's ``torch.*``).

Each is the op's function in ``ops/`` or, where the Tensor method only forwards to an op,
that method itself (``autograd_core.exp is Tensor.exp``): one definition for both spellings.
"""
from __future__ import annotations

from .dtypes import can_cast, promote_types, result_type
from .ops import elementwise
from .ops.counting import (
    bincount,
    bucketize,
    count_nonzero,
    histc,
    histogram,
    isin,
    searchsorted,
    unique,
    unique_consecutive,
)
from .ops.cumulative import cummax, cummin, cumprod, cumsum, diff, logcumsumexp, prod
from .ops.einsum import einsum
from .ops.elementwise import clamp, clamp_max, clamp_min, gelu, where
from .ops.indexing import (
    argwhere,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_select,
    masked_fill,
    masked_scatter,
    masked_select,
    nonzero,
    put,
    scatter,
    scatter_add,
    take,
    take_along_dim,
    tril,
    triu,
)
from .ops.linalg import (
    addbmm,
    addmm,
    addmv,
    addr,
    baddbmm,
    bmm,
    cdist,
    cross,
    det,
    dist,
    dot,
    ger,
    inner,
    inv,
    logdet,
    matmul,
    matrix_power,
    mm,
    mv,
    norm,
    outer,
    pdist,
    renorm,
    slogdet,
    solve,
    tensordot,
    vdot,
)
from .ops.logical import (
    all,
    allclose,
    any,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    equal,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
)
from .ops.math import (
    acos,
    addcdiv,
    addcmul,
    asin,
    atan,
    atan2,
    copysign,
    cosh,
    deg2rad,
    exp2,
    expm1,
    float_power,
    fmax,
    fmin,
    frexp,
    gcd,
    heaviside,
    hypot,
    lcm,
    ldexp,
    lerp,
    log1p,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    logit,
    nan_to_num,
    rad2deg,
    reciprocal,
    rsqrt,
    signbit,
    sinc,
    sinh,
    square,
    tan,
    xlogy,
)
from .ops.matrix import block_diag, diag, diag_embed, diagonal, kron, trace, tril_indices, triu_indices, vander
from .ops.padding import pad
from .ops.rearrange import (
    flip,
    fliplr,
    flipud,
    movedim,
    narrow,
    repeat_interleave,
    roll,
    rot90,
    select,
    swapaxes,
    t,
    tile,
    unbind,
    unflatten,
)
from .ops.reduce import (
    amax,
    amin,
    aminmax,
    argmax,
    argmin,
    corrcoef,
    cov,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    nanmean,
    nansum,
    softmax,
    std,
    std_mean,
    sum,
    trapezoid,
    var,
    var_mean,
)
from .ops.rounding import ceil, fix, floor, floor_divide, fmod, frac, remainder, round, sign, trunc
from .ops.shape import cat, chunk, flatten, permute, reshape, split, squeeze, stack, transpose, unsqueeze
from .ops.sorting import argsort, kthvalue, median, mode, msort, nanquantile, quantile, sort, topk
from .ops.special import erfc, erfinv
from .ops.stacking import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    column_stack,
    dsplit,
    dstack,
    hsplit,
    hstack,
    meshgrid,
    row_stack,
    tensor_split,
    vsplit,
    vstack,
)
from .tensor import Tensor

exp, log, sqrt, abs, neg, erf = Tensor.exp, Tensor.log, Tensor.sqrt, Tensor.abs, Tensor.neg, Tensor.erf
clone, detach = Tensor.clone, Tensor.detach
sin, cos, tanh, sigmoid, relu = Tensor.sin, Tensor.cos, Tensor.tanh, Tensor.sigmoid, Tensor.relu
add, sub, mul, div, pow = Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.pow
maximum, minimum, broadcast_to = Tensor.maximum, Tensor.minimum, Tensor.broadcast_to
eq, ne, lt, le, gt, ge = Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge
clip, negative, multiply, divide, subtract = clamp, neg, mul, div, sub
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
swapdims, moveaxis, concat, concatenate = swapaxes, movedim, cat, cat
sgn, true_divide, inverse, trapz, absolute = sign, div, inv, trapezoid, abs


def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor (an error for any other size, as ``bool(x)``)."""
    return bool(input)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` for x > 0, ``negative_slope * x`` otherwise."""
    return elementwise.LeakyRelu.apply(x, negative_slope)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold``."""
    return elementwise.Softplus.apply(x, beta, threshold)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` for x > 0, ``alpha (exp(x) - 1)`` otherwise."""
    return elementwise.Elu.apply(x, alpha)


__all__ = [
    "exp", "log", "sqrt", "abs", "neg", "negative", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu",
    "softplus", "elu", "gelu", "erf", "erfc", "erfinv", "clone", "detach", "clamp", "clip", "clamp_min",
    "clamp_max", "maximum", "minimum", "where", "matmul",
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "pow", "eq", "ne", "lt", "le", "gt", "ge",
    "sum", "mean", "var", "std", "max", "min", "logsumexp", "argmax", "argmin", "softmax",
    "log_softmax", "reshape", "transpose", "permute", "flatten", "squeeze", "unsqueeze",
    "broadcast_to", "cat", "concat", "concatenate", "stack", "split", "chunk", "pad",
    # indexing
    "gather", "scatter", "scatter_add", "index_select", "masked_fill", "masked_select", "tril", "triu",
    "nonzero", "argwhere",
    # sorting, cumulative, reductions
    "sort", "argsort", "msort", "topk", "kthvalue", "median", "mode", "cumsum", "cumprod", "prod",
    "amax", "amin", "aminmax",
    # linear algebra
    "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "einsum", "addmm", "baddbmm", "addmv", "norm", "dist",
    # rearranging
    "t", "swapaxes", "swapdims", "movedim", "moveaxis", "narrow", "select", "unflatten", "unbind", "flip", "roll",
    "tile",
    # math
    "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "atan2", "arctan2", "log1p",
    "expm1", "log2", "log10", "rsqrt", "reciprocal", "square", "hypot", "lerp", "floor", "ceil", "trunc", "fix",
    "round", "sign", "frac", "fmod", "remainder", "floor_divide",
    # logical
    "all", "any", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isclose", "allclose", "equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    # more math, reductions and differences
    "logaddexp", "xlogy", "logit", "nan_to_num", "signbit", "sgn", "deg2rad", "rad2deg", "addcmul", "addcdiv",
    "true_divide", "nansum", "nanmean", "var_mean", "std_mean", "diff",
    # matrices, linear algebra, distances
    "diag", "diagonal", "diag_embed", "trace", "kron", "block_diag", "tril_indices", "triu_indices", "inv", "inverse",
    "det", "solve", "cdist",
    # stacking and grids, flips
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "atleast_1d", "atleast_2d", "atleast_3d",
    "broadcast_shapes", "broadcast_tensors", "meshgrid", "cartesian_prod", "fliplr", "flipud", "rot90",
    # counting and searching
    "unique", "bincount", "count_nonzero", "histc", "isin", "searchsorted", "bucketize",
    # and more
    "cummax", "cummin", "logcumsumexp", "take", "take_along_dim", "fmax", "fmin", "heaviside", "gcd", "lcm",
    "trapezoid", "trapz", "tensordot", "matrix_power", "cross", "pdist", "vander", "quantile", "nanquantile",
    "index_add", "index_copy", "index_fill", "masked_scatter", "histogram", "logdet", "slogdet", "renorm", "copysign",
    "exp2", "float_power", "frexp", "ldexp", "logaddexp2", "sinc", "cov", "corrcoef", "index_put", "put",
    "repeat_interleave", "tensor_split", "hsplit", "vsplit", "dsplit", "unique_consecutive", "addbmm", "addr",
    "absolute", "result_type", "promote_types", "can_cast", "is_nonzero", "is_same_size",
]
