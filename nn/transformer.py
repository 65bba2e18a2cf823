"""Transformer layers with PyTorch's arguments, sub-module names and masks: ``TransformerEncoderLayer``,
``TransformerDecoderLayer``, their stacks ``TransformerEncoder`` / ``TransformerDecoder``, and
``Transformer`` (encoder + decoder).

A layer is attention and a feed-forward block, each wrapped in a residual connection with a
LayerNorm, after it (``norm_first=False``, the original "post-norm") or before it (pre-norm, as
GPT-2). Self-attention asks ``MultiheadAttention`` for no weights, so it runs as one node per layer.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from . import functional as F
from . import init
from .attention import MultiheadAttention
from .containers import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation(activation: str | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    if callable(activation):
        return activation
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation should be 'relu' or 'gelu' (or a callable), not {activation!r}")
    return _ACTIVATIONS[activation]


def generate_square_subsequent_mask(size: int, dtype: Any = None) -> Tensor:
    """The causal mask (size, size) as PyTorch makes it: 0 on and below the diagonal, -inf above."""
    mask = np.triu(np.full((size, size), -np.inf, dtype=np.float32 if dtype is None else dtype), 1)
    return Tensor._make(mask, False, None)


def _detect_is_causal_mask(mask: Any, is_causal: bool | None, size: int) -> bool:
    """PyTorch's rule: ``is_causal=None`` means 'look': True when ``mask`` equals the float causal mask."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    values = np.asarray(mask.array if isinstance(mask, Tensor) else mask)
    return values.shape == (size, size) and bool((values == generate_square_subsequent_mask(size).array).all())


class _TransformerLayer(Module):
    """What both layers share: self-attention, the feed-forward block, the norms and dropouts,
    registered under PyTorch's names in PyTorch's order (so state dict keys line up)."""

    _norms = 2
    _cross_attention = False

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        options = dict(dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, **options)
        if self._cross_attention:
            self.multihead_attn = MultiheadAttention(d_model, nhead, **options)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        for index in range(1, self._norms + 1):
            setattr(self, f"norm{index}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        for index in range(1, self._norms + 1):
            setattr(self, f"dropout{index}", Dropout(dropout))
        self.activation = _activation(activation)

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        attended, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal
        )
        return self.dropout1(attended)

    def _ff_block(self, x: Tensor) -> Tensor:
        last_dropout = getattr(self, f"dropout{self._norms}")
        return last_dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention then a feed-forward block, each with a residual connection and LayerNorm.

    post-norm: ``x = norm1(x + sa(x)); x = norm2(x + ff(x))``; ``norm_first``:
    ``x = x + sa(norm1(x)); x = x + ff(norm2(x))``; ``ff(x) = linear2(dropout(activation(linear1(x))))``.

    Args:
        d_model: E, the model width. nhead: attention heads.
        dim_feedforward: width of the feed-forward block (default 2048).
        dropout: on the attention weights, inside and after each block (default 0.1).
        activation: 'relu' (default), 'gelu' or a callable.
        layer_norm_eps: LayerNorm's eps (1e-5). batch_first: (N, S, E) instead of (S, N, E).
        norm_first: pre-norm. bias: biases of the linear layers and LayerNorms (default True).
        dtype: parameter dtype (float32 by default).

    Shape: src (S, N, E) (or (N, S, E) with batch_first, or unbatched (S, E)) -> the same.
    ``src_mask`` (S, S) or (N * nhead, S, S) and ``src_key_padding_mask`` (N, S) follow
    ``MultiheadAttention``'s convention (bool True: blocked; float: added).
    """

    def forward(
        self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool = False
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention over the target, attention over the encoder's output (``memory``), a
    feed-forward block; each with a residual connection and LayerNorm (post- or pre-norm).

    Arguments as ``TransformerEncoderLayer``. Shape: tgt (T, N, E) and memory (S, N, E) (batch
    first: (N, T, E), (N, S, E)) -> (T, N, E). ``tgt_mask`` (T, T), ``memory_mask`` (T, S) and the
    key padding masks (N, T) / (N, S) as in ``MultiheadAttention``.
    """

    _norms = 3
    _cross_attention = True

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _mha_block(self, x: Tensor, memory: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        attended, _ = self.multihead_attn(
            x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
            is_causal=is_causal,
        )
        return self.dropout2(attended)


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (independent parameters), then ``norm`` if given.

    Shape as the layer's. ``mask``/``src_key_padding_mask`` go to every layer; ``is_causal=None``
    (the default) detects whether ``mask`` is the float causal mask, as PyTorch does.
    """

    def __init__(
        self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
        enable_nested_tensor: bool = True, mask_check: bool = True,
    ) -> None:
        super().__init__()  # enable_nested_tensor and mask_check: PyTorch's fast-path switches, accepted
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool | None = None
    ) -> Tensor:
        sequence_dim = 1 if self.layers and self.layers[0].self_attn.batch_first and src.ndim == 3 else 0
        causal = _detect_is_causal_mask(mask, is_causal, src.shape[sequence_dim])
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=causal)
        return output if self.norm is None else self.norm(output)


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer``, then ``norm`` if given. Shape as the layer's."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        sequence_dim = 1 if self.layers and self.layers[0].self_attn.batch_first and tgt.ndim == 3 else 0
        causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, tgt.shape[sequence_dim])
        output = tgt
        for layer in self.layers:
            output = layer(
                output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=causal,
                memory_is_causal=memory_is_causal,
            )
        return output if self.norm is None else self.norm(output)


class Transformer(Module):
    """The encoder-decoder transformer of "Attention is all you need", as ``torch.nn.Transformer``:
    ``num_encoder_layers`` encoder layers and ``num_decoder_layers`` decoder layers, each stack
    ending in a LayerNorm; every parameter with more than one dim Xavier-uniform initialised.

    Shape: src (S, N, E), tgt (T, N, E) (batch first: (N, S, E), (N, T, E)) -> (T, N, E). Masks
    as ``TransformerEncoder``/``TransformerDecoder``; ``generate_square_subsequent_mask(T)``
    makes the causal ``tgt_mask``.
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        options = dict(
            dim_feedforward=dim_feedforward, dropout=dropout, activation=activation, layer_norm_eps=layer_norm_eps,
            batch_first=batch_first, norm_first=norm_first, bias=bias, dtype=dtype,
        )
        norm = dict(eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.encoder = custom_encoder or TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **options), num_encoder_layers, LayerNorm(d_model, **norm)
        )
        self.decoder = custom_decoder or TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **options), num_decoder_layers, LayerNorm(d_model, **norm)
        )
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        batch_dim = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise ag.ShapeError(
                f"Transformer: src {tuple(src.shape)} and tgt {tuple(tgt.shape)} have different batch sizes"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ag.ShapeError(
                f"Transformer: the feature number of src and tgt must equal d_model={self.d_model}, got "
                f"{tuple(src.shape)} and {tuple(tgt.shape)}"
            )
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(
            tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )


__all__ = [
    "TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder", "Transformer",
    "generate_square_subsequent_mask",
]
