"""``MultiheadAttention``: PyTorch's layer, arguments, parameter names and masks.

Every head attends with ``F.scaled_dot_product_attention``; self-attention whose weights are
not asked for (``need_weights=False``, as the transformer layers call it) runs the packed
projection through ``multi_head_self_attention``, one graph node that splits and merges the
heads itself. Parameter names and layout follow PyTorch (``in_proj_weight`` (3E, E) packing
q | k | v, or ``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` when ``kdim``/``vdim``
differ, ``in_proj_bias``, ``bias_k``/``bias_v``, ``out_proj``), so state dicts load both ways.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.attention import attention_weights, multi_head_self_attention, scaled_dot_product_attention

from . import init
from .dropout import dropout
from .linear import Linear, linear
from .module import Module, Parameter


class MultiheadAttention(Module):
    """Attention of each query over the keys with ``num_heads`` heads, as ``torch.nn.MultiheadAttention``.

    ``out = concat(head_1..head_h) W_o^T + b_o``, ``head_i = softmax(q_i k_i^T / sqrt(D) + mask) v_i``
    with q = query W_q^T + b_q (likewise k, v) split into heads of size D = embed_dim / num_heads.

    Args:
        embed_dim: E, the size of the queries (and of the output).
        num_heads: heads; must divide embed_dim.
        dropout: dropout on the attention weights in training (default 0).
        bias: biases of the input and output projections (default True).
        add_bias_kv: learn one more key and value (``bias_k``, ``bias_v``) appended to the sequence.
        add_zero_attn: append a key and value of zeros (after the projections).
        kdim, vdim: sizes of the keys and values (default embed_dim).
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).

    Shape (batch_first=False; swap L/S and N when True; unbatched inputs drop N):
        query (L, N, E), key (S, N, kdim), value (S, N, vdim) -> output (L, N, E) and, with
        ``need_weights``, the attention weights (N, L, S) averaged over heads
        (``average_attn_weights``) or (N, num_heads, L, S); else None.

    Masks, PyTorch's convention: a bool ``attn_mask`` (L, S) or (N * num_heads, L, S) and a bool
    ``key_padding_mask`` (N, S) are True where attention is NOT allowed; float masks are added
    to the scores. ``is_causal`` is a hint that ``attn_mask`` is the causal mask (it must be given).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for label, value in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"MultiheadAttention: {label} must be a positive integer, got {value!r}")
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first, self.add_zero_attn = dropout, batch_first, add_zero_attn
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(ag.zeros(3 * embed_dim, embed_dim, dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(ag.zeros(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(ag.zeros(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(ag.zeros(embed_dim, self.vdim, dtype=dtype))
        if bias:
            self.in_proj_bias = Parameter(ag.zeros(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        if add_bias_kv:
            self.bias_k = Parameter(ag.zeros(1, 1, embed_dim, dtype=dtype))
            self.bias_v = Parameter(ag.zeros(1, 1, embed_dim, dtype=dtype))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v."""
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight)
        for bias in (self.in_proj_bias, self.out_proj.bias):
            if bias is not None:
                init.zeros_(bias)
        for bias in (self.bias_k, self.bias_v):
            if bias is not None:
                init.xavier_normal_(bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        batched = self._check_inputs(query, key, value)
        if is_causal and attn_mask is None:
            raise ValueError(
                f"{self._describe()}: is_causal=True is a hint that attn_mask is the causal mask, so attn_mask must "
                "be given too (e.g. nn.Transformer.generate_square_subsequent_mask(L)), as in PyTorch."
            )
        # trust the hint: the causal triangle replaces the mask (unless other keys or masks are in play)
        causal = (
            is_causal and key_padding_mask is None and not need_weights
            and self.bias_k is None and not self.add_zero_attn
        )
        if causal:
            attn_mask = None
        if not batched:  # (L, E) -> (L, 1, E) or (1, L, E)
            query, key, value = (t.unsqueeze(0 if self.batch_first else 1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = _array_or_tensor(key_padding_mask).reshape(1, -1)
        p = self.dropout if self.training else 0.0
        packed = (
            query is key is value and self._qkv_same_embed_dim and self.bias_k is None and not self.add_zero_attn
            and not need_weights
        )
        if packed:  # self-attention: one projection, one node for all heads
            batch, length = query.shape[0 if self.batch_first else 1], query.shape[1 if self.batch_first else 0]
            mask = self._mask(attn_mask, key_padding_mask, batch, length, length, query.dtype)
            projected = linear(query, self.in_proj_weight, self.in_proj_bias)
            merged = multi_head_self_attention(projected, self.num_heads, mask, p, causal, batch_first=self.batch_first)
            output, weights = self.out_proj(merged), None
        else:
            output, weights = self._attend(query, key, value, attn_mask, key_padding_mask, need_weights, p, causal)
            if weights is not None and average_attn_weights:
                weights = weights.mean(1)
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            weights = None if weights is None else weights.squeeze(0)
        return output, weights

    # -- the general path: separate projections, heads by reshaping -----------------------------
    def _attend(
        self, query: Tensor, key: Tensor, value: Tensor, attn_mask: Any, key_padding_mask: Any, need_weights: bool,
        p: float, causal: bool,
    ) -> tuple[Tensor, Tensor | None]:
        if not self.batch_first:  # work in (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        q, k, v = self._project(query, key, value)
        batch, length, source = q.shape[0], q.shape[1], k.shape[1]
        if self.bias_k is not None:  # one more learned key and value at the end of the sequence
            k = ag.cat([k, self.bias_k.expand(batch, 1, self.embed_dim)], 1)
            v = ag.cat([v, self.bias_v.expand(batch, 1, self.embed_dim)], 1)
        q, k, v = (self._heads(t) for t in (q, k, v))
        if self.add_zero_attn:  # and a key and value of zeros
            zeros = ag.zeros(batch, self.num_heads, 1, self.head_dim, dtype=q.dtype)
            k, v = ag.cat([k, zeros], 2), ag.cat([v, zeros], 2)
        mask = self._mask(attn_mask, key_padding_mask, batch, length, source, q.dtype, k.shape[2] - source)
        weights = None
        if need_weights:  # the weights themselves are wanted: softmax and weighted sum as graph ops
            weights = dropout(attention_weights(q, k, mask, causal), p)
            heads = weights @ v
        else:
            heads = scaled_dot_product_attention(q, k, v, mask, p, causal)
        output = self.out_proj(heads.transpose(1, 2).reshape(batch, length, self.embed_dim))
        return (output if self.batch_first else output.transpose(0, 1)), weights

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v (slices of the packed weights)."""
        size = self.embed_dim
        bias = self.in_proj_bias
        biases = (None,) * 3 if bias is None else tuple(bias[i * size : (i + 1) * size] for i in range(3))
        if not self._qkv_same_embed_dim:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
            return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))
        if query is key is value:  # one matmul, then three views
            return linear(query, self.in_proj_weight, self.in_proj_bias).split(size, -1)
        return tuple(
            linear(x, self.in_proj_weight[i * size : (i + 1) * size], biases[i])
            for i, x in enumerate((query, key, value))
        )

    def _heads(self, x: Tensor) -> Tensor:
        """(N, L, E) -> (N, num_heads, L, D)."""
        return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.head_dim).transpose(1, 2)

    # -- masks -------------------------------------------------------------------------------------
    def _mask(
        self, attn_mask: Any, key_padding_mask: Any, batch: int, length: int, source: int, dtype: Any, extra: int = 0
    ) -> Any:
        """PyTorch's masks (True: blocked) merged into one for the attention ops (True: attend, or a float
        added), broadcasting to (N, num_heads, L, S + extra); the ``extra`` appended keys are never blocked."""
        parts = []
        if attn_mask is not None:
            mask = _array_or_tensor(attn_mask)
            _check_mask_dtype(self, "attn_mask", mask)
            if mask.shape == (length, source):
                parts.append(mask)
            elif mask.shape == (batch * self.num_heads, length, source):
                parts.append(mask.reshape(batch, self.num_heads, length, source))
            else:
                raise ShapeError(
                    f"{self._describe()}: attn_mask has shape {tuple(mask.shape)}; it must be (L, S) = "
                    f"{(length, source)} or (N * num_heads, L, S) = {(batch * self.num_heads, length, source)}"
                )
        if key_padding_mask is not None:
            mask = _array_or_tensor(key_padding_mask)
            _check_mask_dtype(self, "key_padding_mask", mask)
            if mask.shape != (batch, source):
                raise ShapeError(
                    f"{self._describe()}: key_padding_mask has shape {tuple(mask.shape)}; it must be (N, S) = "
                    f"{(batch, source)}"
                )
            parts.append(mask.reshape(batch, 1, 1, source))
        if not parts:
            return None
        if extra:  # appended keys (bias_k, zero attention) are never blocked
            parts = [_pad_keys(part, extra) for part in parts]
        if all(part.dtype == np.bool_ for part in parts):
            allowed = ~parts[0].array
            for part in parts[1:]:
                allowed = allowed & ~part.array
            return allowed
        total = None
        for part in parts:
            additive = ag.where(part.array, -math.inf, 0.0).to(dtype) if part.dtype == np.bool_ else part.to(dtype)
            total = additive if total is None else total + additive
        return total

    def _check_inputs(self, query: Any, key: Any, value: Any) -> bool:
        """Shapes and dtypes as PyTorch checks them; returns whether the inputs are batched."""
        for label, tensor in (("query", query), ("key", key), ("value", value)):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"{self._describe()}: {label} must be a Tensor, got {type(tensor).__name__}")
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ShapeError(
                f"{self._describe()}: query, key and value must all be 3-D (batched) or 2-D (unbatched), got shapes "
                f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        layout = ("N, L, " if self.batch_first else "L, N, ") if query.ndim == 3 else ""
        sizes = (("query", query, self.embed_dim), ("key", key, self.kdim), ("value", value, self.vdim))
        for label, tensor, size in sizes:
            if tensor.shape[-1] != size:
                raise ShapeError(
                    f"{self._describe()}: {label} must be ({layout}{size}), got shape {tuple(tensor.shape)}"
                )
            if tensor.dtype != self.out_proj.weight.dtype:
                raise DtypeError(
                    f"{self._describe()}: {label} is {tensor.dtype} but the parameters are {self.out_proj.weight.dtype}"
                )
        if key.shape[:-1] != value.shape[:-1]:
            raise ShapeError(
                f"{self._describe()}: key {tuple(key.shape)} and value {tuple(value.shape)} need the same (S, N)"
            )
        batch_dim = 0 if self.batch_first else 1
        if query.ndim == 3 and query.shape[batch_dim] != key.shape[batch_dim]:
            raise ShapeError(
                f"{self._describe()}: query {tuple(query.shape)} and key {tuple(key.shape)} have different batch sizes "
                f"(dim {batch_dim}{', batch_first' if self.batch_first else ''})"
            )
        return query.ndim == 3

    def _describe(self) -> str:
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def extra_repr(self) -> str:
        text = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if not self._qkv_same_embed_dim:
            text += f", kdim={self.kdim}, vdim={self.vdim}"
        return text + (", batch_first=True" if self.batch_first else "")


def _array_or_tensor(mask: Any) -> Tensor:
    return mask if isinstance(mask, Tensor) else Tensor._make(np.asarray(mask), False, None)


def _check_mask_dtype(layer: MultiheadAttention, label: str, mask: Tensor) -> None:
    if mask.dtype.kind not in "bf":
        raise DtypeError(
            f"{layer._describe()}: {label} must be bool (True: not allowed to attend) or float (added), "
            f"got {mask.dtype}"
        )


def _pad_keys(mask: Tensor, extra: int) -> Tensor:
    """A mask with ``extra`` more keys (last dim) that are not blocked (False / 0.0)."""
    if mask.dtype == np.bool_:
        pad = np.zeros(mask.shape[:-1] + (extra,), dtype=bool)
        return Tensor._make(np.concatenate([mask.array, pad], -1), False, None)
    return ag.pad(mask, (0, extra))


__all__ = ["MultiheadAttention"]
