"""Shrinkage activations, as ``torch.nn.functional``'s: ``hardshrink`` and ``softshrink``
(``tanhshrink`` lives with the other activations in nn/functional.py).

Both keep or shift the entries outside ``[-lambd, lambd]`` and zero the rest; the
gradient is 1 outside the interval and 0 on and inside it, as PyTorch's.
"""
from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core import Tensor


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0. Shape: (*) -> (*)."""
    # d/dx = 1 where |x| > lambd, else 0
    return ag.where(input.abs().array > lambd, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` where ``x > lambd``, ``x + lambd`` where ``x < -lambd``, else 0 (the proximal
    operator of the L1 norm). Shape: (*) -> (*).
    """
    if lambd < 0:
        raise ValueError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}.")
    # d/dx = 1 where |x| > lambd, else 0
    shift = np.where(input.array > 0, -lambd, lambd).astype(input.dtype)
    return ag.where(input.abs().array > lambd, input + shift, 0.0)
