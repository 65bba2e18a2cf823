"""``Embedding``: a lookup table of learned vectors, one row per symbol."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.arguments import LayerName, require_tensor
from autograd_core.ops.shape import IndexAdd

from . import init
from .module import Module, Parameter


class EmbeddingFunction(Function):
    """``weight[indices]``: rows of weight (V, D) at integer indices (*) -> (*, D).

    The gradient of row v is the sum of the output gradients where indices == v, except
    for ``padding_idx``, whose row gets none.
    """

    @staticmethod
    def forward(ctx: Function, weight: Tensor, indices: np.ndarray, padding_idx: int | None) -> np.ndarray:
        ctx.indices, ctx.padding_idx, ctx.weight_shape = indices, padding_idx, weight.shape
        return weight.array[indices]

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        if ctx.padding_idx is not None:
            keep = (ctx.indices != ctx.padding_idx)[..., None].astype(grad_output.dtype)
            grad_output = grad_output * keep
        # d(weight[i])/d(weight): scatter-add each output row's gradient into row i
        return IndexAdd.apply(grad_output, ctx.weight_shape, ctx.indices), None, None

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        """The plain backward's scatter-add as a sort and one segment sum per row (``np.add.at``, which
        adds one row at a time, was 5x PyTorch's time in the GPT benchmark); each row's gradients are
        added in the order of the indices, as ``np.add.at`` adds them."""
        rows, width = ctx.weight_shape
        indices = ctx.indices.reshape(-1)
        out = np.zeros((rows, width), grad.dtype)
        if indices.size and width:
            order = np.argsort(indices, kind="stable")
            ordered = indices[order]
            starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
            out[ordered[starts]] = np.add.reduceat(grad.reshape(indices.size, width)[order], starts, axis=0)
            if ctx.padding_idx is not None:
                out[ctx.padding_idx] = 0
        return out, None, None


def embedding(
    input: Tensor, weight: Tensor, padding_idx: int | None = None, *, name: str | LayerName | None = None
) -> Tensor:
    """Rows of ``weight`` (V, D) at the integer ``input`` (*) -> (*, D); see ``Embedding``.

    ``name``: what error messages call the op (``Embedding`` passes its description).
    """
    op = name or "embedding"
    require_tensor(op, input, "indices")
    require_tensor(op, weight, "weight")
    indices = input.array
    rows = weight.shape[0]
    if indices.dtype.kind not in "iu":
        raise DtypeError(f"{op}: indices must be integers (int64), got {indices.dtype}; convert them with .long().")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = int(indices.min()) if indices.min() < 0 else int(indices.max())
        raise IndexError(
            f"{op}: index {bad} is out of range for {rows} embeddings; indices must be in "
            f"[0, {rows - 1}]. Build the table with num_embeddings larger than the largest index."
        )
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    return EmbeddingFunction.apply(weight, indices, padding_idx)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, indexed by integers.

    Args:
        num_embeddings: how many rows (the vocabulary size).
        embedding_dim: size of each vector.
        padding_idx: a row that starts at zeros and never receives a gradient (negative
            counts from the end), e.g. for padding symbols (default None).
        dtype: parameter dtype (float32 by default).

    Shape:
        input (*) of int64 indices in [0, num_embeddings) -> output (*, embedding_dim).

    Initialisation as PyTorch: weight ~ N(0, 1), the padding row zeroed.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, dtype: Any = None
    ) -> None:
        super().__init__()
        for label, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Embedding: {label} must be a non-negative integer, got {value!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be in [-{num_embeddings}, {num_embeddings - 1}] "
                    f"(num_embeddings={num_embeddings}), got {padding_idx}"
                )
            padding_idx = padding_idx % num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        self.weight = Parameter(ag.zeros(num_embeddings, embedding_dim, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with ag.no_grad():
                self.weight.array[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None) -> "Embedding":
        """An Embedding holding a copy of ``embeddings`` (V, D); ``freeze`` stops it learning."""
        values = np.asarray(embeddings.array if isinstance(embeddings, Tensor) else embeddings)
        if values.ndim != 2:
            raise ShapeError(f"Embedding.from_pretrained: embeddings must be 2-D (V, D), got shape {values.shape}")
        layer = cls(values.shape[0], values.shape[1], padding_idx, dtype=values.dtype)
        layer.weight.array[...] = values
        layer.weight.requires_grad_(not freeze)
        return layer

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, name=LayerName(self))

    def _describe(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
