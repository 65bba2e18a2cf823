"""``scaled_dot_product_attention`` (``ops/attention.py``): one fused node, checked by central
differences (first and second order) and against PyTorch over drawn shapes, broadcasting batch
and head dims, non-contiguous inputs, bool/float/causal masks, GQA and dropout."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn.functional as F
from autograd_core.ops.attention import (
    MultiHeadSelfAttention,
    ScaledDotProductAttention,
    attention_reference,
    causal_mask,
    multi_head_self_attention,
)
from tests.helpers import check_op, float_arrays, requires_torch, torch

sdpa = F.scaled_dot_product_attention


@st.composite
def attention_case(draw: Any) -> dict:
    """q (..., L, E), k (..., S, E), v (..., S, Ev) with broadcasting leading dims, and a mask kind."""
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=2, max_side=2)).input_shapes
    length, source, embed, value_embed = (draw(st.integers(1, 4)) for _ in range(4))
    case = {
        "query": draw(float_arrays(batch[0] + (length, embed))),
        "key": draw(float_arrays(batch[1] + (source, embed))),
        "value": draw(float_arrays(batch[2] + (source, value_embed))),
        "kind": draw(st.sampled_from(["none", "causal", "bool", "float", "scale"])),
    }
    mask_shape = draw(st.sampled_from([(length, source), (1, source), (length, 1)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if case["kind"] == "bool":
        case["mask"] = rng.random(mask_shape) > 0.3  # some rows may be fully masked: zeros, as PyTorch
    elif case["kind"] == "float":
        case["mask"] = draw(float_arrays(mask_shape))
    return case


def _torch_sdpa(*args: Any, **kwargs: Any) -> Any:
    return torch.nn.functional.scaled_dot_product_attention(*args, **kwargs)


@settings(max_examples=25)
@given(case=attention_case())
def test_attention_matches_differences_and_pytorch(case):
    arrays = [case["query"], case["key"], case["value"]]
    kind = case["kind"]
    if kind in ("bool", "float"):  # a float mask is an input with a gradient of its own
        arrays.append(case["mask"])

        def op(q, k, v, mask):
            return sdpa(q, k, v, attn_mask=mask)

        torch_op = lambda q, k, v, mask: _torch_sdpa(q, k, v, attn_mask=mask)  # noqa: E731
    else:
        options = {"is_causal": kind == "causal", "scale": 0.37 if kind == "scale" else None}
        op = lambda q, k, v: sdpa(q, k, v, **options)  # noqa: E731
        torch_op = lambda q, k, v: _torch_sdpa(q, k, v, **options)  # noqa: E731
    check_op(op, arrays, torch_op)


def test_one_fused_node_records_the_whole_attention():
    q, k, v = (ag.randn(2, 3, 4, 5, requires_grad=True) for _ in range(3))
    out = sdpa(q, k, v, is_causal=True)
    assert type(out.grad_fn) is ScaledDotProductAttention and out.grad_fn.name() == "ScaledDotProductAttentionBackward"
    edges = [entry for entry, _ in out.grad_fn.next_functions]
    assert [entry.variable for entry in edges[:3]] == [q, k, v] and edges[3:] == [None] * 5  # no mask input


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float"])
def test_fused_node_equals_the_elementary_composition_in_float32(kind):
    ag.manual_seed(0)
    q, k, v = (ag.randn(2, 4, 6, 8, requires_grad=True) for _ in range(3))
    mask = None
    if kind == "bool":
        mask = np.random.default_rng(0).random((6, 6)) > 0.5
        mask[0] = False  # one row with nothing to attend to
    elif kind == "float":
        mask = ag.randn(6, 6, requires_grad=True)
    fused = sdpa(q, k, v, attn_mask=mask, is_causal=kind == "causal")
    grads_fused = ag.grad((fused * fused).sum(), [q, k, v] + ([mask] if kind == "float" else []))
    composed = attention_reference(q, k, v, mask, is_causal=kind == "causal")
    grads_composed = ag.grad((composed * composed).sum(), [q, k, v] + ([mask] if kind == "float" else []))
    assert fused.dtype == np.float32
    np.testing.assert_allclose(fused.array, composed.array, rtol=1e-5, atol=1e-6)
    for mine, reference in zip(grads_fused, grads_composed):
        np.testing.assert_allclose(mine.array, reference.array, rtol=1e-4, atol=1e-5)
    if kind == "bool":
        assert not fused.array[..., 0, :].any() and np.isfinite(grads_fused[0].array).all()


@settings(max_examples=6)
@given(heads=st.sampled_from([(4, 2), (3, 1), (2, 2)]), causal=st.booleans(), data=st.data())
def test_grouped_query_attention(heads, causal, data):
    query_heads, key_heads = heads
    q = data.draw(float_arrays((1, query_heads, 2, 3)))
    k = data.draw(float_arrays((1, key_heads, 3, 3)))
    v = data.draw(float_arrays((1, key_heads, 3, 2)))
    op = lambda q, k, v: sdpa(q, k, v, is_causal=causal, enable_gqa=True)  # noqa: E731
    torch_op = lambda q, k, v: _torch_sdpa(q, k, v, is_causal=causal, enable_gqa=True)  # noqa: E731
    check_op(op, [q, k, v], torch_op)


def _seeded_dropout(p: float, seed: int = 3) -> Any:
    def op(q, k, v):
        ag.manual_seed(seed)  # the same dropout mask at every call, so differences are meaningful
        return sdpa(q, k, v, dropout_p=p)

    return op


def test_dropout_is_checked_with_a_fixed_mask_and_uses_the_projects_generator():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
    check_op(_seeded_dropout(0.4), [q, k, v])
    tensors = [ag.tensor(a) for a in (q, k, v)]
    ag.manual_seed(3)
    dropped = sdpa(*tensors, dropout_p=0.4)
    ag.manual_seed(3)
    keep = ag.creation.generator().random((2, 3, 5)) >= 0.4
    expected = attention_reference(*tensors, dropout=ag.tensor(keep / 0.6))
    np.testing.assert_allclose(dropped.array, expected.array, rtol=1e-12)
    assert not np.allclose(dropped.array, sdpa(*tensors).array)
    assert not sdpa(*tensors, dropout_p=1.0).array.any()


def test_dropout_keeps_the_expected_value():
    ag.manual_seed(0)
    q, k = ag.randn(1, 64, 8, dtype=ag.float64), ag.randn(1, 64, 8, dtype=ag.float64)
    v = ag.ones(1, 64, 1, dtype=ag.float64)
    outputs = np.stack([sdpa(q, k, v, dropout_p=0.5).array for _ in range(200)])
    # each output is the sum of the kept weights * 2: its mean over draws is the sum of the weights, 1
    assert abs(outputs.mean() - 1.0) < 0.02


def test_create_graph_through_attention_gives_the_hessian_vector_product_of_the_composition():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(shape) for shape in ((2, 3, 4), (2, 5, 4), (2, 5, 3))]
    results = []
    fused = lambda q, k, v: sdpa(q, k, v, is_causal=True)  # noqa: E731
    composed = lambda q, k, v: attention_reference(q, k, v, is_causal=True)  # noqa: E731
    for function in (fused, composed):
        q, k, v = (ag.tensor(a, requires_grad=True) for a in arrays)
        out = function(q, k, v)
        (grad_q,) = ag.grad((out * out).sum(), [q], create_graph=True)
        results.append([g.array for g in ag.grad((grad_q * grad_q).sum(), [q, k, v])])
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-12)


def test_a_second_backward_and_the_stepper_see_the_same_gradients():
    ag.manual_seed(2)
    q, k, v = (ag.randn(1, 2, 3, 4, requires_grad=True) for _ in range(3))
    out = sdpa(q, k, v, is_causal=True).sum()
    out.backward(retain_graph=True)
    first = [t.grad.array.copy() for t in (q, k, v)]
    for t in (q, k, v):
        t.grad = None
    steps = ag.backward_steps(out).run()
    assert "ScaledDotProductAttention" in [step.op for step in steps]
    for t, expected in zip((q, k, v), first):
        np.testing.assert_allclose(t.grad.array, expected, rtol=1e-6)


def test_the_causal_mask_is_made_once_per_shape_and_is_read_only():
    mask = causal_mask(3, 5)
    assert mask is causal_mask(3, 5) and not mask.flags.writeable
    np.testing.assert_array_equal(~mask, np.tril(np.ones((3, 5), dtype=bool)))  # PyTorch's top-left triangle


@requires_torch
def test_float32_values_and_gradients_match_pytorch_at_gpt_sizes():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 4, 32, 16)).astype(np.float32) for _ in range(3)]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = sdpa(*ours, is_causal=True)
    reference = _torch_sdpa(*theirs, is_causal=True)
    np.testing.assert_allclose(out.array, reference.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ag.tensor(upstream))
    reference.backward(torch.tensor(upstream))
    for mine, expected in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.array, expected.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_errors_name_the_problem():
    q, k, v = ag.randn(2, 3, 4), ag.randn(2, 5, 4), ag.randn(2, 5, 6)
    with pytest.raises(TypeError, match="query must be a Tensor"):
        sdpa(np.zeros((3, 4)), k, v)
    with pytest.raises(ag.ShapeError, match="at least 2 dims"):
        sdpa(ag.randn(4), k, v)
    with pytest.raises(ag.DtypeError, match="same float dtype"):
        sdpa(q, k.double(), v)
    with pytest.raises(ag.ShapeError, match="same last dim E"):
        sdpa(q, ag.randn(2, 5, 3), v)
    with pytest.raises(ag.ShapeError, match="same length S"):
        sdpa(q, k, ag.randn(2, 4, 6))
    with pytest.raises(ag.ShapeError, match="do not broadcast"):
        sdpa(ag.randn(3, 3, 4), k, v)
    with pytest.raises(ValueError, match="not both"):
        sdpa(q, k, v, attn_mask=np.ones((3, 5), dtype=bool), is_causal=True)
    with pytest.raises(ag.DtypeError, match="attn_mask must be bool"):
        sdpa(q, k, v, attn_mask=np.ones((3, 5), dtype=np.int64))
    with pytest.raises(ag.ShapeError, match=r"attn_mask of shape \(4, 5\)"):
        sdpa(q, k, v, attn_mask=np.ones((4, 5), dtype=bool))
    with pytest.raises(ValueError, match="dropout_p"):
        sdpa(q, k, v, dropout_p=1.5)
    with pytest.raises(ag.ShapeError, match="enable_gqa"):
        sdpa(ag.randn(1, 3, 2, 4), ag.randn(1, 2, 5, 4), ag.randn(1, 2, 5, 4), enable_gqa=True)


# -- multi-head self-attention on packed projections ---------------------------------------------
def _torch_heads(packed: Any, heads: int, batch_first: bool, **options: Any) -> Any:
    """The same computation in PyTorch: split q | k | v, split heads, SDPA, merge heads."""
    if not batch_first:
        packed = packed.transpose(0, 1)
    batch, length, width = packed.shape
    q, k, v = (part.reshape(batch, length, heads, -1).transpose(1, 2) for part in packed.split(width // 3, -1))
    out = _torch_sdpa(q, k, v, **options).transpose(1, 2).reshape(batch, length, width // 3)
    return out if batch_first else out.transpose(0, 1)


@settings(max_examples=15)
@given(
    batch=st.integers(1, 2), length=st.integers(1, 4), heads=st.integers(1, 2), size=st.integers(1, 3),
    batch_first=st.booleans(), kind=st.sampled_from(["none", "causal", "bool", "float"]), data=st.data(),
)
def test_multi_head_self_attention_matches_differences_and_pytorch(batch, length, heads, size, batch_first, kind, data):
    shape = (batch, length, 3 * heads * size) if batch_first else (length, batch, 3 * heads * size)
    arrays = [data.draw(float_arrays(shape))]
    mask_shape = data.draw(st.sampled_from([(length, length), (batch, 1, 1, length), (1, heads, length, length)]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    if kind in ("bool", "float"):
        arrays.append(rng.random(mask_shape) > 0.3 if kind == "bool" else data.draw(float_arrays(mask_shape)))

        def op(packed, mask):
            return multi_head_self_attention(packed, heads, attn_mask=mask, batch_first=batch_first)

        def torch_op(packed, mask):
            return _torch_heads(packed, heads, batch_first, attn_mask=mask)
    else:
        causal = kind == "causal"
        op = lambda packed: multi_head_self_attention(packed, heads, is_causal=causal, batch_first=batch_first)  # noqa: E731
        torch_op = lambda packed: _torch_heads(packed, heads, batch_first, is_causal=causal)  # noqa: E731
    check_op(op, arrays, torch_op)


def test_multi_head_self_attention_is_one_node_and_equals_splitting_by_hand():
    ag.manual_seed(4)
    packed = ag.randn(3, 5, 24, requires_grad=True)
    fused = multi_head_self_attention(packed, 2, is_causal=True)
    assert type(fused.grad_fn) is MultiHeadSelfAttention and fused.grad_fn.next_functions[0][0].variable is packed
    (grad_fused,) = ag.grad((fused * fused).sum(), [packed])
    q, k, v = (part.reshape(3, 5, 2, 4).transpose(1, 2) for part in packed.split(8, -1))
    by_hand = sdpa(q, k, v, is_causal=True).transpose(1, 2).reshape(3, 5, 8)
    (grad_by_hand,) = ag.grad((by_hand * by_hand).sum(), [packed])
    np.testing.assert_allclose(fused.array, by_hand.array, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_fused.array, grad_by_hand.array, rtol=1e-4, atol=1e-6)
    ag.manual_seed(5)
    dropped = multi_head_self_attention(packed, 2, dropout_p=0.5)
    ag.manual_seed(5)
    assert np.array_equal(dropped.array, multi_head_self_attention(packed, 2, dropout_p=0.5).array)
    assert not np.allclose(dropped.array, multi_head_self_attention(packed, 2).array)


def test_multi_head_self_attention_errors():
    with pytest.raises(ag.ShapeError, match="3-D"):
        multi_head_self_attention(ag.randn(4, 6), 1)
    with pytest.raises(ag.ShapeError, match="3 \\* num_heads"):
        multi_head_self_attention(ag.randn(2, 4, 10), 2)
    with pytest.raises(ag.ShapeError, match="does not broadcast"):
        multi_head_self_attention(ag.randn(2, 4, 12), 2, attn_mask=np.ones((3, 4), dtype=bool))
    with pytest.raises(ValueError, match="not both"):
        multi_head_self_attention(ag.randn(2, 4, 12), 2, attn_mask=np.ones((4, 4), dtype=bool), is_causal=True)


def test_the_stepper_walks_through_one_composed_head_node_by_node():
    rng = np.random.default_rng(0)
    q, k, v = (ag.tensor(rng.standard_normal((3, 2)), requires_grad=True) for _ in range(3))
    out = attention_reference(q, k, v, is_causal=True).sum()
    steps = ag.backward_steps(out, params={"q": q, "k": k, "v": v}).run()
    ops = [step.op for step in steps]
    assert {"MatMul", "Softmax", "Where"} <= set(ops) and steps.done
    expected = ag.grad(sdpa(q, k, v, is_causal=True).sum(), [q, k, v])
    for tensor, gradient in zip((q, k, v), expected):
        np.testing.assert_allclose(tensor.grad.array, gradient.array, rtol=1e-12)
