"""``nn.MultiheadAttention`` against ``torch.nn.MultiheadAttention`` with the same state dict: outputs,
attention weights and every gradient, over PyTorch's arguments and mask kinds."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.ops.attention import MultiHeadSelfAttention, ScaledDotProductAttention
from tests.helpers import requires_torch, torch

E, HEADS, L, S, N = 8, 2, 4, 5, 3


def _pair(**options: Any) -> tuple[nn.MultiheadAttention, Any]:
    """Our layer and PyTorch's, float64, with PyTorch's (random) weights loaded into ours."""
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(E, HEADS, **options).double()
    with torch.no_grad():  # non-zero biases, so a bias mix-up shows
        for name, parameter in theirs.named_parameters():
            if "bias" in name:
                parameter.normal_()
    ours = nn.MultiheadAttention(E, HEADS, dtype=ag.float64, **options)
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    return ours, theirs


def _inputs(batch_first: bool, self_attention: bool, kdim: int = E, vdim: int = E, batched: bool = True) -> tuple:
    rng = np.random.default_rng(1)

    def shaped(length: int, size: int) -> tuple:
        if not batched:
            return (length, size)
        return (N, length, size) if batch_first else (length, N, size)

    query = rng.standard_normal(shaped(L, E))
    if self_attention:
        return (query,)
    return query, rng.standard_normal(shaped(S, kdim)), rng.standard_normal(shaped(S, vdim))


def _compare(ours: Any, theirs: Any, arrays: tuple, **call: Any) -> None:
    """Run both layers on the same inputs (one tensor thrice for self-attention) and compare."""
    ours_in = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    if len(arrays) == 1:
        ours_in, theirs_in = ours_in * 3, theirs_in * 3
    out, weights = ours(*ours_in, **{k: _ours(v) for k, v in call.items()})
    ref_out, ref_weights = theirs(*theirs_in, **{k: _theirs(v) for k, v in call.items()})
    np.testing.assert_allclose(out.array, ref_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    if ref_weights is None:
        assert weights is None
    else:
        np.testing.assert_allclose(weights.array, ref_weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = np.random.default_rng(2).standard_normal(out.shape)
    total = (out * ag.tensor(upstream)).sum() + (0 if weights is None else (weights * weights).sum())
    ref_total = (ref_out * torch.tensor(upstream)).sum() + (0 if ref_weights is None else (ref_weights**2).sum())
    total.backward()
    ref_total.backward()
    for mine, reference in zip(ours_in[: len(arrays)], theirs_in[: len(arrays)]):
        np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-9, atol=1e-11)
    their_grads = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        expected = their_grads[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad.array, expected, rtol=1e-9, atol=1e-11, err_msg=name)


def _ours(value: Any) -> Any:
    return ag.tensor(value) if isinstance(value, np.ndarray) else value


def _theirs(value: Any) -> Any:
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


CAUSAL_BOOL = np.triu(np.ones((L, L), dtype=bool), 1)  # PyTorch's convention: True = not allowed
RNG = np.random.default_rng(3)


@requires_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize(
    "masks",
    [
        {},
        {"attn_mask": CAUSAL_BOOL},
        {"attn_mask": CAUSAL_BOOL, "is_causal": True},
        {"attn_mask": RNG.standard_normal((L, L))},
        {"attn_mask": RNG.random((N * HEADS, L, L)) > 0.7},
        {"key_padding_mask": np.array([[False] * L, [False, False, True, True], [True] + [False] * (L - 1)])},
        {"key_padding_mask": RNG.standard_normal((N, L)), "attn_mask": RNG.standard_normal((L, L))},
    ],
    ids=["none", "bool", "causal hint", "float", "3-D bool", "padding", "float both"],
)
def test_self_attention_matches_pytorch(batch_first, need_weights, masks):
    ours, theirs = _pair(batch_first=batch_first)
    _compare(ours, theirs, _inputs(batch_first, True), need_weights=need_weights, **masks)


@requires_torch
@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_cross_attention_with_other_key_and_value_sizes_matches_pytorch(average, batch_first):
    ours, theirs = _pair(kdim=3, vdim=6, batch_first=batch_first)
    assert ours.in_proj_weight is None and ours.k_proj_weight.shape == (E, 3)
    _compare(ours, theirs, _inputs(batch_first, False, 3, 6), average_attn_weights=average)


@requires_torch
@pytest.mark.parametrize(
    "options",
    [{"bias": False}, {"add_bias_kv": True}, {"add_zero_attn": True}, {"add_bias_kv": True, "add_zero_attn": True}],
)
@pytest.mark.parametrize("need_weights", [True, False])
def test_bias_options_match_pytorch(options, need_weights):
    ours, theirs = _pair(**options)
    padding = np.array([[False] * S, [False] * (S - 1) + [True], [True, True] + [False] * (S - 2)])
    _compare(ours, theirs, _inputs(False, False), need_weights=need_weights, key_padding_mask=padding)
    ours, theirs = _pair(**options)
    _compare(ours, theirs, _inputs(False, True), need_weights=need_weights, attn_mask=CAUSAL_BOOL)


@requires_torch
def test_unbatched_input_matches_pytorch():
    ours, theirs = _pair()
    padding = np.array([0, 0, 0, 1, 0]) > 0
    _compare(ours.eval(), theirs.eval(), _inputs(False, False, batched=False), key_padding_mask=padding)
    ours, theirs = _pair(batch_first=True)
    _compare(ours, theirs, _inputs(True, True, batched=False), need_weights=False)


@requires_torch
def test_parameters_and_state_dict_use_pytorchs_names_and_init():
    theirs = torch.nn.MultiheadAttention(E, HEADS, add_bias_kv=True)
    ours = nn.MultiheadAttention(E, HEADS, add_bias_kv=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    shapes = [(n, tuple(p.shape)) for n, p in ours.named_parameters()]
    assert shapes == [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    bound = np.sqrt(6 / (E + 3 * E))  # xavier_uniform on the packed (3E, E) weight
    assert np.abs(ours.in_proj_weight.array).max() <= bound and not ours.in_proj_bias.array.any()
    theirs.load_state_dict({name: torch.tensor(value.array) for name, value in ours.state_dict().items()})  # and back


def test_self_attention_without_weights_is_one_node_between_the_projections():
    layer = nn.MultiheadAttention(E, HEADS, batch_first=True)
    x = ag.randn(N, L, E, requires_grad=True)
    out, weights = layer(x, x, x, need_weights=False)
    merged = out.grad_fn.next_functions[0][0]
    assert weights is None and type(merged) is MultiHeadSelfAttention
    out, _ = layer(x, ag.randn(N, S, E), ag.randn(N, S, E), need_weights=False)  # cross-attention: the general node
    found = []
    stack = [out.grad_fn]
    while stack:
        node = stack.pop()
        found.append(type(node))
        stack.extend(child for child, _ in getattr(node, "next_functions", ()) if hasattr(child, "_next"))
    assert ScaledDotProductAttention in found


def test_dropout_acts_in_training_only():
    layer = nn.MultiheadAttention(E, HEADS, dropout=0.5)
    x = ag.randn(L, N, E)
    ag.manual_seed(0)
    first, _ = layer(x, x, x, need_weights=False)
    second, _ = layer(x, x, x, need_weights=False)
    assert not np.allclose(first.array, second.array)
    layer.eval()
    np.testing.assert_array_equal(layer(x, x, x)[0].array, layer(x, x, x)[0].array)


def test_a_fully_masked_query_gets_zeros_not_nan():
    layer = nn.MultiheadAttention(E, HEADS, bias=False)
    x = ag.randn(L, 1, E)
    out, weights = layer(x, x, x, key_padding_mask=np.ones((1, L), dtype=bool))
    assert not out.array.any() and not weights.array.any()  # PyTorch gives NaN here with need_weights=True


def test_errors_name_the_layer_and_the_shapes():
    layer = nn.MultiheadAttention(E, HEADS)
    x = ag.randn(L, N, E)
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ag.ShapeError, match=r"query must be \(L, N, 8\)"):
        layer(ag.randn(L, N, 5), x, x)
    with pytest.raises(ag.ShapeError, match="3-D"):
        layer(ag.randn(L, N, 2, E), x, x)
    with pytest.raises(ag.ShapeError, match="batch sizes"):
        layer(x, ag.randn(S, 2, E), ag.randn(S, 2, E))
    with pytest.raises(ag.ShapeError, match=r"attn_mask has shape \(3, 3\)"):
        layer(x, x, x, attn_mask=np.zeros((3, 3), dtype=bool))
    with pytest.raises(ag.ShapeError, match=r"key_padding_mask has shape \(3, 2\)"):
        layer(x, x, x, key_padding_mask=np.zeros((3, 2), dtype=bool))
    with pytest.raises(ag.DtypeError, match="attn_mask must be bool"):
        layer(x, x, x, attn_mask=np.zeros((L, L), dtype=np.int64))
    with pytest.raises(ValueError, match="is_causal=True is a hint"):
        layer(x, x, x, is_causal=True)
    with pytest.raises(ag.DtypeError, match="float64"):
        layer(x.double(), x.double(), x.double())
