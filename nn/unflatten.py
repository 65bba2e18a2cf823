"""``Unflatten``: split one dim into several, the inverse of ``Flatten``, as ``torch.nn.Unflatten``."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.ops.shape import normalize_dim

from .module import Module


class Unflatten(Module):
    """Reshape dim ``dim`` of the input into ``unflattened_size`` (one entry may be -1).

    Args:
        dim: the dim to split.
        unflattened_size: the sizes it becomes; their product must be the dim's size.

    Shape: input (*, S, *) -> output (*, U1, ..., Un, *) with S = U1 * ... * Un.
    E.g. ``Unflatten(1, (2, 5))`` turns (N, 10) into (N, 2, 5).
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(unflattened_size, (int, np.integer)) or not all(
            isinstance(size, (int, np.integer)) and not isinstance(size, bool) for size in unflattened_size
        ):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        if sum(size == -1 for size in unflattened_size) > 1 or any(size < -1 for size in unflattened_size):
            raise ValueError(
                f"Unflatten: unflattened_size may hold one -1 and otherwise sizes >= 0, got {unflattened_size!r}"
            )
        self.dim, self.unflattened_size = dim, tuple(int(size) for size in unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        dim = normalize_dim("Unflatten", self.dim, input.ndim, tuple(input.shape))
        size, sizes = input.shape[dim], self.unflattened_size
        known = int(np.prod([s for s in sizes if s != -1]))
        fits = size % known == 0 if -1 in sizes and known else known == size
        if not fits:
            raise ShapeError(
                f"Unflatten: provided sizes {list(sizes)} don't multiply up to the size of dim {self.dim} ({size}) "
                f"in the input of shape {tuple(input.shape)}"
            )
        return input.reshape(*input.shape[:dim], *sizes, *input.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
