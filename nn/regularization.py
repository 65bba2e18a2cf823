"""L1/L2 weight penalties to add to a loss: ``loss = data_loss + 1e-4 * l2_penalty(model)``.

Pass a Module (all its parameters) or any iterable of tensors, e.g. only the weights::

    l2_penalty(p for name, p in model.named_parameters() if name.endswith("weight"))

SGD's ``weight_decay=wd`` matches adding ``wd / 2 * l2_penalty(...)`` to the loss.
"""
from __future__ import annotations

from typing import Iterable

from autograd_core import Tensor

from .module import Module


def _tensors(name: str, parameters: Module | Iterable[Tensor]) -> list[Tensor]:
    tensors = list(parameters.parameters() if isinstance(parameters, Module) else parameters)
    if not tensors:
        raise ValueError(
            f"{name}: got no parameters, so the penalty would silently be 0; pass a Module or a "
            "non-empty iterable of tensors (a generator can only be used once)."
        )
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{name}: item {position} is a {type(tensor).__name__}, not a Tensor")
    return tensors


def _total(terms: list[Tensor]) -> Tensor:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def l1_penalty(parameters: Module | Iterable[Tensor]) -> Tensor:
    """``sum_p sum |p|``: a 0-d tensor (differentiable; gradient sign(p), 0 at 0)."""
    return _total([tensor.abs().sum() for tensor in _tensors("l1_penalty", parameters)])


def l2_penalty(parameters: Module | Iterable[Tensor]) -> Tensor:
    """``sum_p sum p^2`` (no 1/2 factor): a 0-d tensor whose gradient is 2p."""
    return _total([(tensor * tensor).sum() for tensor in _tensors("l2_penalty", parameters)])


__all__ = ["l1_penalty", "l2_penalty"]
