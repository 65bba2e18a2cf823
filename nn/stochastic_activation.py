"""Activations that draw random numbers: ``rrelu`` (a random leaky slope while training)
and ``gumbel_softmax`` (a differentiable sample from a categorical distribution).

Both draw from ``autograd_core``'s generator, so ``autograd_core.manual_seed(s)`` makes
them reproducible (PyTorch's random numbers are not reproduced).
"""
from __future__ import annotations

import warnings

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.creation import generator
from autograd_core.errors import DtypeError
from autograd_core.ops.shape import normalize_dim


def rrelu(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, inplace: bool = False
) -> Tensor:
    """Randomized leaky ReLU: ``x`` for x > 0, ``a * x`` otherwise.

    In training each element draws its own slope ``a ~ U(lower, upper)``; in evaluation
    ``a = (lower + upper) / 2``, the mean slope. Shape: (*) -> (*).
    """
    if lower > upper:
        raise ValueError(f"rrelu: lower bound should be less than or equal to the upper bound, got {lower} > {upper}")
    if input.dtype.kind != "f":
        raise DtypeError(f"rrelu: needs a float tensor, got {input.dtype}; call .float() first")
    if training:
        slope = np.asarray(generator().uniform(lower, upper, input.shape), dtype=input.dtype)
    else:
        slope = np.asarray((lower + upper) / 2, dtype=input.dtype)
    # d/dx = 1 for x > 0, else the slope
    return ag.where(input.array > 0, input, input * slope)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau, dim)``, with
    ``g = -log(E)``, E ~ Exp(1), Gumbel noise.

    ``hard=True`` returns the one-hot of the sample's argmax in the forward pass, with the
    soft sample's gradient (straight-through: ``one_hot - soft.detach() + soft``).
    ``eps`` is unused, as in PyTorch (which deprecates it and warns when it is given).
    Shape: logits (*, C, *) -> the same, each slice along ``dim`` summing to 1.
    """
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: `eps` parameter is deprecated and has no effect.", UserWarning, stacklevel=2)
    if logits.dtype.kind != "f":
        raise DtypeError(f"gumbel_softmax: needs float logits, got {logits.dtype}; call .float() first")
    if not tau > 0:
        raise ValueError(f"gumbel_softmax: tau must be > 0, got {tau}")
    axis = normalize_dim("gumbel_softmax", dim, logits.ndim, tuple(logits.shape))
    gumbels = -np.log(generator().exponential(1.0, logits.shape)).astype(logits.dtype)
    soft = ag.softmax((logits + gumbels) / tau, axis)
    if not hard:
        return soft
    index = np.expand_dims(soft.array.argmax(axis), axis)
    one_hot = np.zeros(logits.shape, dtype=logits.dtype)
    np.put_along_axis(one_hot, index, 1.0, axis)
    return soft - soft.detach() + one_hot  # the one-hot's values, the soft sample's gradient
