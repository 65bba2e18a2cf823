"""Transformer layers against PyTorch's with the same state dict: outputs, input and parameter
gradients (float64), for post-/pre-norm, relu/gelu/callable activations, batch_first and masks."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.ops.attention import MultiHeadSelfAttention
from tests.helpers import requires_torch, torch

D_MODEL, HEADS, FF, S, T, N = 8, 2, 12, 5, 4, 3


def _load(ours: nn.Module, theirs: Any) -> None:
    with torch.no_grad():  # non-zero biases and LayerNorm affine, so a mix-up shows
        for name, parameter in theirs.named_parameters():
            if "bias" in name or "norm" in name:
                parameter.normal_()
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})


def _check(ours: nn.Module, theirs: Any, arrays: list[np.ndarray], call: Any, torch_call: Any) -> None:
    ours_in = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, reference = call(ours, *ours_in), torch_call(theirs, *theirs_in)
    np.testing.assert_allclose(out.array, reference.detach().numpy(), rtol=1e-9, atol=1e-11)
    upstream = np.random.default_rng(5).standard_normal(out.shape)
    out.backward(ag.tensor(upstream))
    reference.backward(torch.tensor(upstream))
    for mine, expected in zip(ours_in, theirs_in):
        np.testing.assert_allclose(mine.grad.array, expected.grad.numpy(), rtol=1e-8, atol=1e-10)
    theirs_grads = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        expected = theirs_grads[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad.array, expected, rtol=1e-8, atol=1e-10, err_msg=name)


def _sequence(length: int, batch_first: bool, seed: int) -> np.ndarray:
    shape = (N, length, D_MODEL) if batch_first else (length, N, D_MODEL)
    return np.random.default_rng(seed).standard_normal(shape)


ACTIVATIONS = {  # torch may be None: the tests that use it are marked requires_torch
    "relu": ("relu", "relu"), "gelu": ("gelu", "gelu"), "callable": (F.tanh, None if torch is None else torch.tanh)
}
CAUSAL = np.triu(np.full((S, S), -np.inf), 1)


@requires_torch
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "causal", "padding"])
def test_encoder_layer_matches_pytorch(norm_first, activation, batch_first, masks):
    ours_activation, their_activation = ACTIVATIONS[activation]
    options = dict(dim_feedforward=FF, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    theirs = torch.nn.TransformerEncoderLayer(D_MODEL, HEADS, activation=their_activation, **options).double()
    ours = nn.TransformerEncoderLayer(D_MODEL, HEADS, activation=ours_activation, dtype=ag.float64, **options)
    _load(ours, theirs)
    kwargs: dict = {}
    if masks == "causal":
        kwargs = {"src_mask": CAUSAL, "is_causal": True}
    elif masks == "padding":
        kwargs = {"src_key_padding_mask": np.array([[False] * S, [False] * 3 + [True] * 2, [True] + [False] * 4])}

    def call(layer: Any, src: Any) -> Any:
        convert = torch.tensor if isinstance(src, torch.Tensor) else ag.tensor
        return layer(src, **{k: convert(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})

    _check(ours, theirs, [_sequence(S, batch_first, 0)], call, call)


@requires_torch
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_pytorch(norm_first, batch_first):
    options = dict(dim_feedforward=FF, dropout=0.0, batch_first=batch_first, norm_first=norm_first, activation="gelu")
    theirs = torch.nn.TransformerDecoderLayer(D_MODEL, HEADS, **options).double()
    ours = nn.TransformerDecoderLayer(D_MODEL, HEADS, dtype=ag.float64, **options)
    _load(ours, theirs)
    tgt_mask = np.triu(np.ones((T, T), dtype=bool), 1)
    memory_padding = np.array([[False] * S, [False] * 4 + [True], [True, True] + [False] * 3])

    def call(layer: Any, tgt: Any, memory: Any) -> Any:
        convert = torch.tensor if isinstance(tgt, torch.Tensor) else ag.tensor
        return layer(
            tgt, memory, tgt_mask=convert(tgt_mask), memory_key_padding_mask=convert(memory_padding), tgt_is_causal=True
        )

    _check(ours, theirs, [_sequence(T, batch_first, 1), _sequence(S, batch_first, 2)], call, call)


@requires_torch
def test_encoder_and_decoder_stacks_and_the_whole_transformer_match_pytorch():
    torch.manual_seed(0)
    options = dict(dim_feedforward=FF, dropout=0.0)
    theirs = torch.nn.Transformer(D_MODEL, HEADS, 2, 2, **options).double()
    ours = nn.Transformer(D_MODEL, HEADS, 2, 2, dtype=ag.float64, **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _load(ours, theirs)
    mask = nn.Transformer.generate_square_subsequent_mask(T).array.astype(np.float64)
    np.testing.assert_array_equal(mask, torch.nn.Transformer.generate_square_subsequent_mask(T).numpy())

    def call(model: Any, src: Any, tgt: Any) -> Any:
        convert = torch.tensor if isinstance(src, torch.Tensor) else ag.tensor
        return model(src, tgt, tgt_mask=convert(mask))  # tgt_is_causal detected from the mask, as PyTorch

    _check(ours, theirs, [_sequence(S, False, 3), _sequence(T, False, 4)], call, call)


def test_copies_in_a_stack_are_independent_and_self_attention_is_fused():
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, dropout=0.0, batch_first=True)
    encoder = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(D_MODEL))
    weights = [block.linear1.weight for block in encoder.layers]
    assert len({id(w) for w in weights}) == 3
    assert all(np.array_equal(w.array, layer.linear1.weight.array) for w in weights)
    assert len(list(encoder.parameters())) == 3 * len(list(layer.parameters())) + 2
    x = ag.randn(N, S, D_MODEL, requires_grad=True)
    out = encoder(x, mask=nn.Transformer.generate_square_subsequent_mask(S))
    kinds, stack = set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        kinds.add(type(node))
        stack.extend(child for child, _ in node.next_functions if hasattr(child, "_next"))
    assert MultiHeadSelfAttention in kinds


def test_unbatched_input_and_errors():
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, dropout=0.0)
    assert layer(ag.randn(S, D_MODEL)).shape == (S, D_MODEL)
    with pytest.raises(ValueError, match="activation should be 'relu' or 'gelu'"):
        nn.TransformerEncoderLayer(D_MODEL, HEADS, activation="swish")
    with pytest.raises(ValueError, match="is_causal=True is a hint"):
        layer(ag.randn(S, N, D_MODEL), is_causal=True)
    with pytest.raises(ag.ShapeError, match="d_model=8"):
        nn.Transformer(D_MODEL, HEADS, 1, 1, FF)(ag.randn(S, N, 6), ag.randn(T, N, 6))
