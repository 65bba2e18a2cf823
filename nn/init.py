"""Weight initialisation (in place, PyTorch's names and formulas), including LSUV.

Every function fills a tensor's array in place under ``no_grad`` from autograd_core's
seeded generator (``autograd_core.manual_seed``) and returns the tensor.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.creation import generator
from autograd_core.ops.special import erfinv_array
from autograd_core.random import numpy_generator

_GAINS = {
    "linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "conv1d": 1.0, "conv2d": 1.0,
    "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 0.75,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended std multiplier for ``nonlinearity`` (leaky_relu takes its slope)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        raise ValueError(
            f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use one of {sorted(_GAINS) + ['leaky_relu']}"
        )
    return _GAINS[nonlinearity]


def _empty(tensor: Tensor) -> bool:
    """A zero-element tensor has nothing to fill (and a fan of 0): the initialisers leave it,
    as PyTorch's, which warns for the kaiming ones (``Linear(0, 3)`` builds and runs)."""
    return 0 in tensor.shape


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight (out, in, *kernel): in*k and out*k."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in/out needs a weight with at least 2 dims, got shape {tuple(tensor.shape)}")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    with ag.no_grad():
        tensor.array[...] = values
        tensor._version.value += 1
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    return _fill(tensor, generator().uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    return _fill(tensor, generator().normal(mean, std, size=tensor.shape))


def constant_(tensor: Tensor, value: float) -> Tensor:
    return _fill(tensor, np.full(tensor.shape, value))


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    if _empty(tensor):
        return tensor
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    if _empty(tensor):
        return tensor
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    """gain / sqrt(fan); None for a zero-element tensor (nothing to fill, warned as PyTorch)."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    if _empty(tensor):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He: U(-b, b), b = gain * sqrt(3 / fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """He: N(0, std^2), std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std)


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """A (semi-)orthogonal matrix from the QR of a Gaussian one (sign-corrected), times gain."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: needs at least 2 dims, got shape {tuple(tensor.shape)}")
    if _empty(tensor):
        return tensor
    rows, cols = tensor.shape[0], tensor.numel() // tensor.shape[0]
    flat = generator().standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator: Any = None
) -> Tensor:
    """N(mean, std^2) truncated to ``[a, b]`` (absolute bounds, not in stds), as PyTorch's.

    Draws by the inverse CDF: u ~ U(cdf(a), cdf(b)), x = mean + std * sqrt(2) * erfinv(2u - 1),
    clamped to [a, b]; warns (as PyTorch) when ``mean`` is more than 2 std outside [a, b].
    """
    if not std > 0:
        raise ValueError(f"trunc_normal_: std must be positive, got std={std}")
    if a > b:
        raise ValueError(f"trunc_normal_: the bounds must satisfy a <= b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            f"mean ({mean}) is more than 2 std ({std}) from [a, b] = [{a}, {b}] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    source = numpy_generator(generator, "trunc_normal_")

    def normal_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    low, high = normal_cdf((a - mean) / std), normal_cdf((b - mean) / std)
    uniform = source.uniform(2 * low - 1, 2 * high - 1, size=tensor.shape)
    values = erfinv_array(uniform) * (std * math.sqrt(2.0)) + mean
    return _fill(tensor, np.clip(values, a, b))


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (ones on the main diagonal of a 2-D tensor, also a rectangular one)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The Dirac delta for a conv weight (out, in, *kernel) of 3, 4 or 5 dims: a convolution that
    passes each of the first ``min(out // groups, in)`` input channels through unchanged (per group).
    """
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(
            f"dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape {tuple(tensor.shape)}"
        )
    out_channels = tensor.shape[0]
    if groups < 1 or out_channels % groups:
        raise ValueError(f"dirac_: dim 0 must be divisible by groups, got size {out_channels} and groups={groups}")
    per_group = out_channels // groups
    kept = min(per_group, tensor.shape[1])
    values = np.zeros(tensor.shape)
    centre = tuple(side // 2 for side in tensor.shape[2:])
    for group in range(groups):
        for channel in range(kept):
            values[(group * per_group + channel, channel) + centre] = 1.0
    return _fill(tensor, values)


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Any = None) -> Tensor:
    """A sparse 2-D matrix (Martens, 2010): N(0, std^2) values with ``ceil(sparsity * rows)`` zeros
    in each column, at rows drawn at random per column, as PyTorch's.
    """
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparse_: sparsity is the fraction of zeros in each column, in [0, 1]; got {sparsity}")
    source = numpy_generator(generator, "sparse_")
    rows, columns = tensor.shape
    zeros_per_column = math.ceil(sparsity * rows)
    values = source.normal(0.0, std, size=tensor.shape)
    for column in range(columns):
        values[source.permutation(rows)[:zeros_per_column], column] = 0.0
    return _fill(tensor, values)


def lsuv_(model: Any, batch: Tensor, tol: float = 0.1, max_iters: int = 10) -> Any:
    """Layer-sequential unit-variance init (Mishkin & Matas): orthogonal weights, then,
    layer by layer in forward order, scale each weight until its layer's output on
    ``batch`` has variance within ``tol`` of 1 (biases zeroed). Returns the model.

    A layer is any sub-module with a ``weight`` of at least 2 dims (Linear, Conv, ...).
    """
    layers = [m for m in model.modules() if isinstance(getattr(m, "weight", None), Tensor) and m.weight.ndim >= 2]
    if not layers:
        raise ValueError("lsuv_: the model has no layer with a weight of 2 or more dims to initialise")
    for layer in layers:
        orthogonal_(layer.weight)
        if getattr(layer, "bias", None) is not None:
            zeros_(layer.bias)
    for layer in layers:
        captured: list[np.ndarray] = []
        handle = layer.register_forward_hook(lambda module, args, output: captured.append(output.array))
        try:
            for _ in range(max_iters):
                captured.clear()
                with ag.no_grad():
                    model(batch)
                variance = float(np.var(captured[0]))
                if abs(variance - 1.0) < tol or variance == 0.0:
                    break
                _fill(layer.weight, layer.weight.array / math.sqrt(variance))
        finally:
            handle.remove()
    return model
