"""``Parameter``: a tensor a ``Module`` learns (PyTorch's ``torch.nn.parameter.Parameter``)."""
from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core import Tensor


class Parameter(Tensor):
    """A tensor a ``Module`` learns: ``requires_grad=True`` by default, shares ``data``'s memory."""

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        source = ag.zeros(0) if data is None else data
        array = source.array if isinstance(source, Tensor) else ag.tensor(source).array
        super().__init__(())
        self.array = array
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
