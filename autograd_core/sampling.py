"""Random tensors: ``randn``, ``rand``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``, the ``*_like`` forms and the in-place fills (``x.normal_()`` ...).

Each draws from ``generator=`` (an ``autograd_core.Generator`` or a ``np.random.Generator``)
or, without one, from the default generator that ``manual_seed`` seeds. Samples are
never differentiable (as in PyTorch, where their gradient is zero).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .creation import _float_dtype, _like_dtype, _new, _shape
from .devices import DeviceLike, check_device
from .errors import DtypeError, ShapeError
from .inplace import Fill, apply_inplace
from .random import numpy_generator
from .tensor import Tensor, _check_dtype


def randn(
    *size: Any, generator: Any = None, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples."""
    check_device(device, "randn")
    values = numpy_generator(generator, "randn").standard_normal(_shape("randn", size))
    return _new(np.asarray(values, dtype=_float_dtype(dtype, "randn")), requires_grad)


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """Uniform samples from ``[0, 1)``."""
    check_device(device, "rand")
    values = numpy_generator(generator, "rand").random(_shape("rand", size))
    return _new(np.asarray(values, dtype=_float_dtype(dtype, "rand")), requires_grad)


def _integers(op: str, low: Any, high: Any, shape: tuple, generator: Any, dtype: Any) -> np.ndarray:
    if high <= low:
        raise ValueError(f"{op}: high ({high}) must be greater than low ({low})")
    draw_dtype = np.uint64 if high > 2**63 else np.int64  # random_() of a uint64 tensor
    values = numpy_generator(generator, op).integers(low, high, size=shape, dtype=draw_dtype)
    return values.astype(np.int64 if dtype is None else _check_dtype(dtype), copy=False)


def randint(
    *args: Any, size: Any = None, generator: Any = None, dtype: Any = None, device: DeviceLike = None,
    requires_grad: bool = False, low: int | None = None, high: int | None = None,
) -> Tensor:
    """Integers from ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``, int64 by default."""
    check_device(device, "randint")
    numbers = [arg for arg in args if not isinstance(arg, (tuple, list))]
    sizes = [arg for arg in args if isinstance(arg, (tuple, list))]
    if len(sizes) > 1 or len(numbers) > 2 or (sizes and args[-1] is not sizes[0]):
        raise TypeError(f"randint: expected (high, size) or (low, high, size), got {args!r}")
    if sizes:
        size = sizes[0]
    if high is None:
        high = numbers.pop() if numbers else None
    if low is None:
        low = numbers.pop() if numbers else 0
    if high is None or size is None:
        raise TypeError("randint: needs high and size, as randint(high, size) or randint(low, high, size)")
    values = _integers("randint", low, high, _shape("randint", (size,)), generator, dtype)
    return _new(values, requires_grad)


def randperm(
    n: int, *, generator: Any = None, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A random permutation of ``0..n-1`` (int64 unless ``dtype`` says otherwise)."""
    check_device(device, "randperm")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    order = numpy_generator(generator, "randperm").permutation(int(n))
    return _new(order.astype(np.int64 if dtype is None else _check_dtype(dtype)), requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Uniform ``[0, 1)`` samples of ``input``'s shape and dtype."""
    check_device(device, "rand_like")
    return rand(input.shape, dtype=_like_dtype(input, dtype, "rand_like"), requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Standard normal samples of ``input``'s shape and dtype."""
    check_device(device, "randn_like")
    return randn(input.shape, dtype=_like_dtype(input, dtype, "randn_like"), requires_grad=requires_grad)


def randint_like(
    input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None,  # noqa: A002
    device: DeviceLike = None, requires_grad: bool = False,
) -> Tensor:
    """Integers from ``[low, high)`` (``randint_like(x, high)`` starts at 0) in ``input``'s shape and dtype."""
    check_device(device, "randint_like")
    if high is None:
        low, high = 0, low
    dtype = _like_dtype(input, dtype, "randint_like")
    return _new(_integers("randint_like", low, high, input.shape, None, dtype), requires_grad)


def normal(
    mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None,
    device: DeviceLike = None, requires_grad: bool = False,
) -> Tensor:
    """Samples from N(mean, std^2): ``normal(mean_tensor, std_tensor)`` (broadcast), ``normal(mean_tensor,
    std)``, ``normal(mean, std_tensor)``, or ``normal(mean, std, size)`` for two numbers."""
    check_device(device, "normal")
    tensors = [value for value in (mean, std) if isinstance(value, Tensor)]
    if not tensors and size is None:
        raise TypeError("normal: with a number mean and std, give the size too: normal(mean, std, size)")
    if tensors and size is not None:
        raise TypeError("normal: size is taken from mean/std when either is a tensor; leave size out")
    mean_values, std_values = (value.array if isinstance(value, Tensor) else value for value in (mean, std))
    if np.any(np.asarray(std_values) < 0):
        raise RuntimeError(f"normal: std must be >= 0, got {np.min(std_values)}")
    if tensors:
        shape = np.broadcast_shapes(np.shape(mean_values), np.shape(std_values))
        float_dtypes = [t.array.dtype for t in tensors if t.array.dtype.kind == "f"]
        dtype = np.result_type(*float_dtypes) if float_dtypes else dtypes._default_float
    else:
        shape, dtype = _shape("normal", (size,)), _float_dtype(dtype, "normal")
    values = numpy_generator(generator, "normal").normal(mean_values, std_values, size=shape)
    return _new(np.asarray(values, dtype=dtype), requires_grad)


def _probabilities(op: str, p: Any, shape: tuple) -> np.ndarray:
    values = p.array if isinstance(p, Tensor) else np.asarray(p, dtype=np.float64)
    if values.dtype.kind not in "fiub" or np.any(~((values >= 0) & (values <= 1))):
        raise RuntimeError(f"{op}: probabilities must be in [0, 1], got values in [{np.min(values)}, {np.max(values)}]")
    try:
        return np.broadcast_to(values, shape)
    except ValueError:
        raise ShapeError(f"{op}: probabilities of shape {values.shape} do not broadcast to shape {shape}") from None


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:  # noqa: A002
    """0/1 samples in ``input``'s shape and dtype, each 1 with probability ``input`` (or ``p``)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli: input must be a Tensor, got {type(input).__name__}")
    if input.array.dtype.kind != "f":
        raise DtypeError(f"bernoulli: input must be a float tensor of probabilities, got {input.dtype}")
    probabilities = _probabilities("bernoulli", input if p is None else p, input.shape)
    draws = numpy_generator(generator, "bernoulli").random(input.shape) < probabilities
    return Tensor._make(draws.astype(input.array.dtype), False, None)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:  # noqa: A002
    """Category indices (int64) drawn from each row of non-negative weights (1-D: one row).

    Shape: input (C,) or (N, C) -> (num_samples,) or (N, num_samples). Without
    ``replacement`` each index appears at most once per row, so ``num_samples <= C``.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial: input must be a Tensor of weights, got {type(input).__name__}")
    weights = input.array
    if weights.dtype.kind != "f":
        raise DtypeError(f"multinomial: weights must be a float tensor, got {weights.dtype}")
    if weights.ndim not in (1, 2) or weights.shape[-1] == 0:
        raise ShapeError(f"multinomial: weights must be 1-D or 2-D with a category or more, got shape {weights.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise RuntimeError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    if not replacement and num_samples > weights.shape[-1]:
        raise RuntimeError(
            f"multinomial: cannot draw {num_samples} samples without replacement from {weights.shape[-1]} "
            "categories; pass replacement=True or draw fewer."
        )
    rows = weights.reshape(-1, weights.shape[-1]).astype(np.float64)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("multinomial: the weights hold inf, NaN or a negative value; they must be finite and >= 0")
    totals = rows.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise RuntimeError("multinomial: a row of weights sums to 0; every row needs a positive weight")
    rng = numpy_generator(generator, "multinomial")
    if replacement:  # invert each row's CDF at uniform draws
        cdf = np.cumsum(rows / totals, axis=1)
        draws = rng.random((rows.shape[0], int(num_samples)))
        picks = np.stack([np.searchsorted(row_cdf, row_draws, side="right") for row_cdf, row_draws in zip(cdf, draws)])
        picks = np.minimum(picks, rows.shape[1] - 1)
    else:  # exponential race: the k smallest E / w are a draw without replacement, in order
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(rows.shape) / rows
        picks = np.argsort(keys, axis=1, kind="stable")[:, : int(num_samples)]
    picks = picks.astype(np.int64)
    return Tensor._make(picks.reshape(-1) if weights.ndim == 1 else picks, False, None)


# -- in-place fills (Tensor.uniform_ ...) -------------------------------------------------
_FLOAT_ONLY = ("uniform", "normal", "exponential", "lognormal")


def _check_params(op: str, method: str, params: tuple) -> None:
    if method == "uniform" and params[0] > params[1]:
        raise RuntimeError(f"{op}: expects a [from, to) range, but found from={params[0]} > to={params[1]}")
    if method in ("normal", "lognormal") and params[1] < 0:
        raise RuntimeError(f"{op}: std must be >= 0, got {params[1]}")
    if method == "exponential" and not params[0] > 0:
        raise RuntimeError(f"{op}: lambd must be > 0, got {params[0]}")
    if method == "geometric" and not 0 < params[0] < 1:
        raise RuntimeError(f"{op}: p must be in (0, 1), got {params[0]}")


def fill_(target: Tensor, op: str, generator: Any, method: str, *params: Any) -> Tensor:
    """Fill ``target`` in place with ``np.random.Generator.<method>(*params)`` samples."""
    if method in _FLOAT_ONLY and target.array.dtype.kind != "f":
        raise DtypeError(f"{op}: fills a float tensor, but this one is {target.dtype}; convert it first (x.float())")
    _check_params(op, method, params)
    if method == "exponential":  # PyTorch's rate lambd is NumPy's 1 / scale
        params = (1.0 / params[0],)
    values = getattr(numpy_generator(generator, op), method)(*params, size=target.shape)
    return apply_inplace(target, Fill, op, values)


def cauchy_(target: Tensor, median: float, sigma: float, generator: Any) -> Tensor:
    if target.array.dtype.kind != "f":
        raise DtypeError(f"cauchy_: fills a float tensor, but this one is {target.dtype}; convert it first (x.float())")
    values = median + sigma * numpy_generator(generator, "cauchy_").standard_cauchy(target.shape)
    return apply_inplace(target, Fill, "cauchy_", values)


def bernoulli_(target: Tensor, p: Any, generator: Any) -> Tensor:
    probabilities = _probabilities("bernoulli_", p, target.shape)
    draws = numpy_generator(generator, "bernoulli_").random(target.shape) < probabilities
    return apply_inplace(target, Fill, "bernoulli_", draws)


def _random_bounds(dtype: np.dtype) -> tuple[int, int]:
    """``random_()``'s default ``[0, high)``: every integer the dtype holds exactly (as PyTorch)."""
    if dtype.kind == "f":
        return 0, 2 ** (np.finfo(dtype).nmant + 1) + 1
    if dtype.kind == "b":
        return 0, 2
    return 0, int(np.iinfo(dtype).max) + 1


def random_(target: Tensor, bounds: tuple, generator: Any) -> Tensor:
    if len(bounds) > 2:
        raise TypeError(f"random_: takes (to) or (from, to), got {len(bounds)} bounds")
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds if bounds else _random_bounds(target.array.dtype)
    values = _integers("random_", low, high, target.shape, generator, target.array.dtype)
    return apply_inplace(target, Fill, "random_", values)
