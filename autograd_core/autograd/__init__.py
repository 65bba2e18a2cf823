"""``autograd_core.autograd``: the names PyTorch code imports from ``torch.autograd``.

    >>> from autograd_core.autograd import Function, grad
    >>> from autograd_core.autograd.functional import jacobian, hessian

The engine itself lives in ``engine.py``, ``function.py`` and ``grad_mode.py``; this
package gathers it under PyTorch's path and adds ``functional`` (jacobian, hessian,
vjp, jvp, hvp, vhp).
"""
from __future__ import annotations

from typing import Any

from ..anomaly import detect_anomaly
from ..engine import backward, grad
from ..function import Function
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ..gradcheck import gradcheck, gradgradcheck
from ..tensor import Tensor
from . import functional


def Variable(data: Any, requires_grad: bool = False) -> Tensor:  # noqa: N802  (PyTorch's name)
    """PyTorch's pre-0.4 wrapper, kept for old tutorials: ``data`` itself (a Tensor), made to
    require grad when asked. Plain tensors do everything a Variable did."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable: data must be a Tensor, got {type(data).__name__}")
    return data.requires_grad_(True) if requires_grad else data


__all__ = [
    "Function", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "detect_anomaly", "functional", "Variable",
]
