"""Local response normalisation (AlexNet's): ``local_response_norm`` and ``LocalResponseNorm``, as PyTorch's.

Each value is divided by ``(k + alpha * mean of the squares of its ``size`` neighbouring
channels)^beta``; the window is zero-padded at the channel ends (size // 2 before,
(size - 1) // 2 after) and always divides by ``size``. Composed of Tensor ops.
"""
from __future__ import annotations

from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.ops.arguments import require_tensor
from autograd_core.ops.padding import pad

from .module import Module


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """``x / (k + alpha / size * sum of x^2 over the size channels around each)^beta``.

    Shape: input (N, C, *) with at least one spatial dim -> the same.
    """
    require_tensor("local_response_norm", input)
    if input.ndim < 3:
        raise ShapeError(
            f"local_response_norm: expected 3D or higher dimensionality input (got {input.ndim} dimensions, "
            f"shape {tuple(input.shape)})"
        )
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"local_response_norm: size must be a positive int, got {size!r}")
    if input.numel() == 0:
        return input
    batch, channels = input.shape[0], input.shape[1]
    squares = (input * input).reshape(batch, channels, -1)
    padded = pad(squares, (0, 0, size // 2, (size - 1) // 2))  # zeros around the channel dim
    window = padded[:, 0:channels]
    for offset in range(1, size):
        window = window + padded[:, offset:offset + channels]
    divisor = (window.reshape(input.shape) * (alpha / size) + k) ** beta
    return input / divisor


class LocalResponseNorm(Module):
    """Local response normalisation across channels, as ``torch.nn.LocalResponseNorm``.

    Args:
        size: how many neighbouring channels the window holds.
        alpha: the scale (default 1e-4). beta: the exponent (default 0.75). k: the additive constant (default 1).

    Shape: input (N, C, *) -> output of the same shape.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
