"""Attention: ``scaled_dot_product_attention`` as ONE graph node, with PyTorch's semantics.

    out = softmax(q k^T * scale + mask) v          q (..., L, E), k (..., S, E), v (..., S, Ev)

The node ``ScaledDotProductAttention`` computes the scores, the mask, the softmax, dropout
and the weighted sum of values in NumPy, in place where it can, and keeps the attention
weights (..., L, S) for its backward, which is the closed form written next to it:

    dV = W^T dO,  dW = dO V^T,  dS = P * (dW - rowsum(dW * P)) * scale,  dQ = dS K,  dK = dS^T Q

(P the softmax, W = P after dropout). P is saved, not recomputed: it costs L*S numbers per
head (1 MB for a GPT layer of batch 16, 4 heads, T = 64, float32), while recomputing it (the
q k^T matmul, the mask, the softmax) would add 33-38% to the node's forward + backward at
the shapes of ``benchmarks/bench_gpt.py``.
A causal mask is never built per call: the upper triangle of an (L, S) boolean array, made
once per (L, S) and cached, is written into the scores in place.

Under ``create_graph=True`` the backward differentiates ``attention_reference`` instead, the
same computation from elementary Tensor ops (matmul, where, softmax, ...), so the fused
node is differentiable any number of times. A row whose every position is masked attends
to nothing: its output and gradients are 0 (PyTorch's choice), not NaN.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..creation import generator
from ..engine import grad
from ..errors import DtypeError, ShapeError
from ..function import Function
from ..grad_mode import enable_grad, is_grad_enabled
from ..tensor import Tensor
from .elementwise import where


@functools.lru_cache(maxsize=64)
def causal_mask(target_length: int, source_length: int) -> np.ndarray:
    """``True`` where query i may NOT see key j (j > i): the (L, S) upper triangle, read-only.

    PyTorch's ``is_causal`` aligns the triangle at the top left, also when L != S.
    """
    mask = np.triu(np.ones((target_length, source_length), dtype=bool), 1)
    mask.flags.writeable = False
    return mask


# -- the computation on arrays ----------------------------------------------------------
def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last dim, in place; a row that is all -inf becomes all 0."""
    peak = scores.max(axis=-1, keepdims=True)
    dead = peak == -np.inf
    any_dead = dead.any()
    if any_dead:
        peak[dead] = 0  # exp(-inf - 0) = 0 everywhere in the row
    scores -= peak
    np.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    if any_dead:
        total[dead] = 1
    scores /= total
    return scores


def _scores(query: np.ndarray, key: np.ndarray, mask: Any, is_causal: bool, scale: float) -> np.ndarray:
    """``q k^T * scale`` with the mask applied: -inf where a bool mask is False (or above the
    causal diagonal), ``+ mask`` for a float mask. Shape: the broadcast of (..., L, S) and the mask's."""
    scores = np.matmul(query, np.swapaxes(key, -1, -2))
    scores *= scale
    if mask is not None:
        if mask.dtype == np.bool_:
            if scores.shape != np.broadcast_shapes(scores.shape, mask.shape):
                scores = np.array(np.broadcast_to(scores, np.broadcast_shapes(scores.shape, mask.shape)))
            np.copyto(scores, -np.inf, where=~mask)
        elif scores.shape == np.broadcast_shapes(scores.shape, mask.shape):
            scores += mask
        else:
            scores = scores + mask
    if is_causal:
        np.copyto(scores, -np.inf, where=causal_mask(*scores.shape[-2:]))
    return scores


def _dropout_scale(shape: tuple, dtype: np.dtype, p: float) -> np.ndarray:
    """Inverted dropout's multiplier: 0 with probability p, else 1 / (1 - p) (the project's generator)."""
    keep = generator().random(shape, dtype=np.float32 if dtype == np.float32 else np.float64) >= p
    multiplier = keep.astype(dtype)
    multiplier *= 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return multiplier


def _repeat_heads(array: np.ndarray, groups: int) -> np.ndarray:
    """GQA: each key/value head used by ``groups`` consecutive query heads (dim -3)."""
    return array if groups == 1 else np.repeat(array, groups, axis=-3)


def _sum_heads(gradient: np.ndarray, groups: int) -> np.ndarray:
    """The gradient of ``_repeat_heads``: each group of consecutive heads summed."""
    if groups == 1:
        return gradient
    shape = gradient.shape
    return gradient.reshape(shape[:-3] + (shape[-3] // groups, groups) + shape[-2:]).sum(axis=-3)


def _attend(
    query: np.ndarray, key: np.ndarray, value: np.ndarray, mask: Any, is_causal: bool, scale: float, dropout_p: float,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Attention on arrays (..., L, E), (..., S, E), (..., S, Ev): (output, softmax P, dropout
    multiplier or None). ``out``, if given, receives the output (it may be a strided view)."""
    probabilities = _softmax_rows(_scores(query, key, mask, is_causal, scale))
    dropout = _dropout_scale(probabilities.shape, probabilities.dtype, dropout_p) if dropout_p > 0 else None
    weights = probabilities if dropout is None else probabilities * dropout
    return np.matmul(weights, value, out=out), probabilities, dropout


def _attend_backward(
    grad_out: np.ndarray, query: np.ndarray, key: np.ndarray, value: np.ndarray, probabilities: np.ndarray,
    dropout: np.ndarray | None, scale: float, needs: tuple, outs: tuple = (None, None, None),
) -> tuple:
    """(dQ, dK, dV, dMask) of ``_attend`` (None where ``needs`` says no); ``outs`` may hold
    arrays (strided views) to write dQ, dK and dV into. Gradients have the broadcast batch shape."""
    need_query, need_key, need_value, need_mask = needs
    grad_value = grad_query = grad_key = grad_mask = None
    if need_value:  # dV = W^T dO, W = P after dropout
        weights = probabilities if dropout is None else probabilities * dropout
        grad_value = np.matmul(np.swapaxes(weights, -1, -2), grad_out, out=outs[2])
    if need_query or need_key or need_mask:
        grad_scores = np.matmul(grad_out, np.swapaxes(value, -1, -2))  # dW = dO V^T
        if dropout is not None:
            grad_scores *= dropout
        # softmax: dS = P * (dW - rowsum(dW * P))
        grad_scores -= np.einsum("...ij,...ij->...i", grad_scores, probabilities)[..., None]
        grad_scores *= probabilities
        if need_mask:  # a float mask is added to the scaled scores: it gets dS as is
            grad_mask = grad_scores.copy()
        grad_scores *= scale
        if need_query:  # dQ = dS K
            grad_query = np.matmul(grad_scores, key, out=outs[0])
        if need_key:  # dK = dS^T Q
            grad_key = np.matmul(np.swapaxes(grad_scores, -1, -2), query, out=outs[1])
    return grad_query, grad_key, grad_value, grad_mask


class ScaledDotProductAttention(Function):
    """``softmax(q k^T * scale + mask) v`` (dropout on the weights) as one node.

    ``apply(query, key, value, mask, is_causal, scale, dropout_p, groups)``: ``mask`` is None,
    a bool ndarray (True: take part) or a float Tensor (added; it gets a gradient when it
    requires one); ``groups`` > 1 shares each key/value head among that many query heads.
    """

    @staticmethod
    def forward(
        ctx: Function, query: Tensor, key: Tensor, value: Tensor, mask: Any, is_causal: bool, scale: float,
        dropout_p: float, groups: int,
    ) -> np.ndarray:
        key_array, value_array = _repeat_heads(key.array, groups), _repeat_heads(value.array, groups)
        out, probabilities, dropout = _attend(
            query.array, key_array, value_array, _mask_array(mask, query.dtype), is_causal, scale, dropout_p
        )
        if True in ctx.needs_input_grad:
            ctx.save_for_backward(query, key, value, mask if isinstance(mask, Tensor) else None)
            ctx.probabilities, ctx.dropout, ctx.mask = probabilities, dropout, mask
            ctx.is_causal, ctx.scale, ctx.groups = is_causal, scale, groups
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        query, key, value, _ = ctx.saved_tensors
        if is_grad_enabled():  # create_graph=True: differentiate the elementary composition
            return _differentiable_backward(ctx, query, key, value, grad_output)
        groups = ctx.groups
        grad_query, grad_key, grad_value, grad_mask = _attend_backward(
            grad_output.array, query.array, _repeat_heads(key.array, groups), _repeat_heads(value.array, groups),
            ctx.probabilities, ctx.dropout, ctx.scale, ctx.needs_input_grad[:4],
        )
        grad_key = None if grad_key is None else _sum_heads(grad_key, groups)
        grad_value = None if grad_value is None else _sum_heads(grad_value, groups)
        return grad_query, grad_key, grad_value, grad_mask, None, None, None, None


def _mask_array(mask: Any, dtype: np.dtype) -> Any:
    """The node's mask as an array: bool as is, a float Tensor's values in the inputs' dtype."""
    if isinstance(mask, Tensor):
        return mask.array if mask.dtype == dtype else mask.array.astype(dtype)
    return mask


# -- self-attention over heads: split, attend, merge in one node -----------------------------
def _split_heads(packed: np.ndarray, heads: int, batch_first: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """q, k, v as (N, H, L, D) views of packed projections (N, L, 3E) (``batch_first``) or (L, N, 3E)."""
    *lead, width = packed.shape
    five = packed.reshape(*lead, 3, heads, width // (3 * heads))
    order = (0, 2, 1, 3) if batch_first else (1, 2, 0, 3)
    return tuple(five[:, :, part].transpose(order) for part in range(3))


def _merged_heads(lead: tuple, heads: int, size: int, dtype: Any, batch_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """A fresh (*lead, H*D) array and its (N, H, L, D) view, for the merged heads."""
    merged = np.empty((*lead, heads, size), dtype=dtype)
    return merged.reshape(*lead, heads * size), merged.transpose((0, 2, 1, 3) if batch_first else (1, 2, 0, 3))


class MultiHeadSelfAttention(Function):
    """Multi-head self-attention on packed projections as one node: q, k, v split into heads,
    ``ScaledDotProductAttention``'s computation per head, the heads merged back.

    ``apply(packed, heads, mask, is_causal, scale, dropout_p, batch_first)``: packed (N, L, 3E)
    with ``batch_first`` (else (L, N, 3E)), E = heads * D, q | k | v along the last dim as PyTorch's
    ``in_proj`` packs them -> (N, L, E) (or (L, N, E)). The heads are strided views, never copied;
    the backward writes dQ, dK, dV straight into one gradient of the packed input's shape.
    """

    @staticmethod
    def forward(
        ctx: Function, packed: Tensor, heads: int, mask: Any, is_causal: bool, scale: float, dropout_p: float,
        batch_first: bool,
    ) -> np.ndarray:
        query, key, value = _split_heads(packed.array, heads, batch_first)
        merged, merged_heads = _merged_heads(packed.shape[:-1], heads, query.shape[-1], packed.dtype, batch_first)
        _, probabilities, dropout = _attend(
            query, key, value, _mask_array(mask, packed.dtype), is_causal, scale, dropout_p, out=merged_heads
        )
        if True in ctx.needs_input_grad:
            ctx.save_for_backward(packed, mask if isinstance(mask, Tensor) else None)
            ctx.probabilities, ctx.dropout, ctx.mask = probabilities, dropout, mask
            ctx.heads, ctx.is_causal, ctx.scale, ctx.batch_first = heads, is_causal, scale, batch_first
        return merged

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        packed, _ = ctx.saved_tensors
        heads, batch_first = ctx.heads, ctx.batch_first
        if is_grad_enabled():  # create_graph=True: differentiate the elementary composition
            inputs = (packed, ctx.mask if isinstance(ctx.mask, Tensor) else None)
            with enable_grad():
                output = multi_head_self_attention_reference(
                    packed, heads, ctx.mask, ctx.is_causal, ctx.scale, batch_first, _as_tensor(ctx.dropout)
                )
            return _vector_jacobian(output, inputs, ctx.needs_input_grad[:2], grad_output) + (None,) * 5
        query, key, value = _split_heads(packed.array, heads, batch_first)
        *lead, width = packed.shape
        grad_merged = grad_output.array.reshape(*lead, heads, width // (3 * heads))
        grad_heads = grad_merged.transpose((0, 2, 1, 3) if batch_first else (1, 2, 0, 3))
        grad_packed = np.empty(packed.shape, dtype=packed.dtype)
        needs = (True, True, True, ctx.needs_input_grad[2])
        *_, grad_mask = _attend_backward(
            grad_heads, query, key, value, ctx.probabilities, ctx.dropout, ctx.scale, needs,
            outs=_split_heads(grad_packed, heads, batch_first),
        )
        return grad_packed, None, grad_mask, None, None, None, None


def multi_head_self_attention_reference(
    packed: Tensor, heads: int, mask: Any = None, is_causal: bool = False, scale: float | None = None,
    batch_first: bool = True, dropout: Tensor | None = None,
) -> Tensor:
    """``MultiHeadSelfAttention`` from elementary ops (indexing, permutes, ``attention_reference``)."""
    *lead, width = packed.shape
    five = packed.reshape(*lead, 3, heads, width // (3 * heads))
    order = (0, 2, 1, 3) if batch_first else (1, 2, 0, 3)
    query, key, value = (five[:, :, part].permute(*order) for part in range(3))
    out = attention_reference(query, key, value, mask, is_causal, scale, dropout=dropout)
    return out.permute(*((0, 2, 1, 3) if batch_first else (2, 0, 1, 3))).reshape(*lead, width // 3)


def _as_tensor(array: np.ndarray | None) -> Tensor | None:
    return None if array is None else Tensor._make(array, False, None)


def _vector_jacobian(output: Tensor, inputs: tuple, needs: tuple, grad_output: Tensor) -> tuple:
    """d(output)/d(inputs) times ``grad_output``, recorded (create_graph); None where not needed."""
    wanted = [tensor for tensor, need in zip(inputs, needs) if need]
    grads = iter(grad(output, wanted, grad_output, create_graph=True, allow_unused=True))
    return tuple(next(grads) if need else None for need in needs)


def _differentiable_backward(ctx: Function, query: Tensor, key: Tensor, value: Tensor, grad_output: Tensor) -> tuple:
    """The vector-Jacobian product through ``attention_reference``, recorded for higher orders."""
    inputs = (query, key, value, ctx.mask if isinstance(ctx.mask, Tensor) else None)
    with enable_grad():
        output = attention_reference(
            query, key, value, ctx.mask, ctx.is_causal, ctx.scale, ctx.groups, _as_tensor(ctx.dropout)
        )
    return _vector_jacobian(output, inputs, ctx.needs_input_grad[:4], grad_output) + (None,) * 4


def attention_weights(
    query: Tensor, key: Tensor, mask: Any = None, is_causal: bool = False, scale: float | None = None
) -> Tensor:
    """``softmax(q k^T * scale + mask)`` (..., L, S) from elementary, differentiable ops.

    ``mask`` as the node takes it (a bool ndarray, True: attend; or a float Tensor, added); a
    row with nothing to attend to gets zeros, as in ``ScaledDotProductAttention``.
    """
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    allowed = None
    if isinstance(mask, Tensor):
        scores = scores + mask.to(query.dtype)
    elif mask is not None:
        allowed = mask
    if is_causal:
        visible = ~causal_mask(*scores.shape[-2:])
        allowed = visible if allowed is None else allowed & visible
    if allowed is not None:
        scores = where(allowed, scores, -np.inf)
    dead = scores.array.max(axis=-1, keepdims=True) == -np.inf
    if not dead.any():
        return scores.softmax(-1)
    # rows with nothing to attend to: a finite softmax, then zeroed (no NaN in any gradient)
    return where(dead, 0.0, scores).softmax(-1) * (~dead).astype(scores.dtype)


def attention_reference(
    query: Tensor, key: Tensor, value: Tensor, mask: Any = None, is_causal: bool = False, scale: float | None = None,
    groups: int = 1, dropout: Tensor | None = None,
) -> Tensor:
    """The attention of ``ScaledDotProductAttention`` from elementary ops, one node per step:
    matmul, scale, mask (``where``/add), softmax, dropout (a given multiplier), matmul.

    The reference the fused node is tested against, its backward under ``create_graph``, and a
    graph to draw or step through when one wants to see inside attention. ``mask`` as in the
    node (a bool ndarray or a float Tensor); fully masked rows give 0 as in the node.
    """
    if groups > 1:  # (..., Hk, S, E) -> (..., Hk * groups, S, E), each head repeated
        key, value = (_repeat_heads_graph(tensor, groups) for tensor in (key, value))
    weights = attention_weights(query, key, mask, is_causal, scale)
    if dropout is not None:
        weights = weights * dropout
    return weights @ value


def _repeat_heads_graph(tensor: Tensor, groups: int) -> Tensor:
    shape = tensor.shape
    expanded = tensor.unsqueeze(-3).expand(*shape[:-2], groups, *shape[-2:])
    return expanded.reshape(*shape[:-3], shape[-3] * groups, *shape[-2:])


# -- the public function -----------------------------------------------------------------
def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """Attention of each query over the keys, as ``torch.nn.functional.scaled_dot_product_attention``.

    ``softmax(query @ key^T * scale + mask) @ value``, with ``scale`` = 1/sqrt(E) by default.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev). The leading (batch, head)
            dims broadcast.
        attn_mask: a bool mask (True: the query may attend to that key) or a float mask
            added to the scores (e.g. -inf to block), broadcasting to (..., L, S).
        dropout_p: dropout on the attention weights (always applied when > 0, as in PyTorch:
            pass 0 in evaluation); drawn from ``autograd_core``'s generator.
        is_causal: query i sees keys 0..i only (top-left aligned); no attn_mask with it.
        scale: the factor on the scores instead of 1/sqrt(E).
        enable_gqa: grouped-query attention: key/value have Hk heads (dim -3) and each is
            shared by Hq / Hk consecutive query heads.

    Shape: output (..., L, Ev). A query row that may attend to no key gives zeros.
    """
    for label, tensor in (("query", query), ("key", key), ("value", value)):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"scaled_dot_product_attention: {label} must be a Tensor, got {type(tensor).__name__}")
        if tensor.ndim < 2:
            raise ShapeError(
                f"scaled_dot_product_attention: query, key and value need at least 2 dims (..., L, E), got "
                f"{label} of shape {tuple(tensor.shape)}"
            )
    if not query.dtype == key.dtype == value.dtype or query.dtype.kind != "f":
        raise DtypeError(
            f"scaled_dot_product_attention: query, key and value must have the same float dtype, got "
            f"{query.dtype}, {key.dtype} and {value.dtype}; convert them with .to(...)"
        )
    shapes = f"query {tuple(query.shape)}, key {tuple(key.shape)}, value {tuple(value.shape)}"
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(f"scaled_dot_product_attention: query and key need the same last dim E; got {shapes}")
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"scaled_dot_product_attention: key and value need the same length S (dim -2); got {shapes}")
    groups = _groups(query, key, value, enable_gqa, shapes)
    key_batch, value_batch = (
        t.shape[:-2] if groups == 1 else t.shape[:-3] + (t.shape[-3] * groups,) for t in (key, value)
    )
    try:
        batch = np.broadcast_shapes(query.shape[:-2], key_batch, value_batch)
    except ValueError:
        raise ShapeError(
            f"scaled_dot_product_attention: the leading (batch, head) dims do not broadcast: {shapes}"
        ) from None
    scores_shape = batch + (query.shape[-2], key.shape[-2])
    mask = _checked_options("scaled_dot_product_attention", attn_mask, dropout_p, is_causal, scores_shape)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    return ScaledDotProductAttention.apply(query, key, value, mask, bool(is_causal), scale, float(dropout_p), groups)


def multi_head_self_attention(
    packed: Tensor,
    num_heads: int,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    batch_first: bool = True,
) -> Tensor:
    """Self-attention of every head from packed projections, as one node (``MultiHeadSelfAttention``).

    The same as splitting ``packed`` into q | k | v (last dim), each into ``num_heads`` heads of
    size D, ``scaled_dot_product_attention`` per head and the heads concatenated again, without
    the dozen split/reshape/transpose nodes (and their copies) that costs.

    Shape: packed (N, L, 3E) with ``batch_first`` (else (L, N, 3E)) -> (N, L, E) (else (L, N, E)),
    E = num_heads * D. ``attn_mask`` (bool, True: attend; or float, added) broadcasts to
    (N, num_heads, L, L); the other arguments as in ``scaled_dot_product_attention``.
    """
    if not isinstance(packed, Tensor) or packed.ndim != 3:
        got = tuple(packed.shape) if isinstance(packed, Tensor) else type(packed).__name__
        raise ShapeError(f"multi_head_self_attention: packed projections must be a 3-D Tensor (N, L, 3E), got {got}")
    if packed.dtype.kind != "f":
        raise DtypeError(f"multi_head_self_attention: packed projections must be float, got {packed.dtype}")
    width = packed.shape[-1]
    if num_heads <= 0 or width % (3 * num_heads):
        raise ShapeError(
            f"multi_head_self_attention: the last dim ({width}) must be 3 * num_heads * head size, with "
            f"num_heads={num_heads}"
        )
    batch, length = (packed.shape[0], packed.shape[1]) if batch_first else (packed.shape[1], packed.shape[0])
    scores_shape = (batch, num_heads, length, length)
    mask = _checked_options("multi_head_self_attention", attn_mask, dropout_p, is_causal, scores_shape)
    scale = 1.0 / math.sqrt(width // (3 * num_heads)) if scale is None else float(scale)
    return MultiHeadSelfAttention.apply(packed, num_heads, mask, bool(is_causal), scale, float(dropout_p), batch_first)


def _groups(query: Tensor, key: Tensor, value: Tensor, enable_gqa: bool, shapes: str) -> int:
    """How many query heads share one key/value head (1 without GQA)."""
    if not enable_gqa or query.ndim < 3 or key.ndim < 3:
        return 1
    query_heads, key_heads, value_heads = query.shape[-3], key.shape[-3], value.shape[-3]
    if key_heads != value_heads or query_heads % key_heads:
        raise ShapeError(
            "scaled_dot_product_attention(enable_gqa=True): key and value need the same number of heads "
            f"(dim -3), dividing the query's; got {shapes}"
        )
    return query_heads // key_heads


def _checked_options(op: str, attn_mask: Any, dropout_p: float, is_causal: bool, scores_shape: tuple) -> Any:
    """Check dropout_p and the mask (not with is_causal, broadcasting to ``scores_shape``); the mask as
    the nodes take it: None, a bool ndarray, or a float Tensor."""
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise ValueError(
            f"{op}: give attn_mask or is_causal=True, not both (as PyTorch); fold the causal triangle into the mask "
            "if you need both."
        )
    if attn_mask is None:
        return None
    mask = attn_mask if isinstance(attn_mask, Tensor) else Tensor._make(np.asarray(attn_mask), False, None)
    if mask.dtype.kind not in "bf":
        raise DtypeError(
            f"{op}: attn_mask must be bool (True: attend) or float (added to the "
            f"scores), got {mask.dtype}"
        )
    try:
        np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        raise ShapeError(
            f"{op}: attn_mask of shape {tuple(mask.shape)} does not broadcast to the "
            f"attention weights' shape {scores_shape} (..., L, S)"
        ) from None
    return mask.array if mask.dtype == np.bool_ else mask


__all__ = [
    "scaled_dot_product_attention", "multi_head_self_attention", "ScaledDotProductAttention", "MultiHeadSelfAttention",
    "attention_weights", "attention_reference", "multi_head_self_attention_reference", "causal_mask",
]
