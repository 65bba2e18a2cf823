import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.embedding import embedding
from tests.helpers import check_op, compare_with_torch, requires_torch, torch


def test_embedding_gradcheck_with_repeated_indices():
    weight = np.random.default_rng(0).standard_normal((4, 3))
    indices = np.array([[0, 1, 1], [3, 0, 1]])
    torch_op = (lambda w, i: torch.nn.functional.embedding(i, w)) if torch is not None else None
    check_op(lambda w, i: embedding(i, w), [weight, indices], torch_op)


@requires_torch
def test_padding_row_gets_no_gradient_as_in_pytorch():
    # not a true derivative, so compared with PyTorch rather than central differences
    weight = np.random.default_rng(0).standard_normal((4, 3))
    indices = np.array([[0, 1, 1], [3, 0, 1]])
    compare_with_torch(
        lambda w, i: embedding(i, w, 1), lambda w, i: torch.nn.functional.embedding(i, w, padding_idx=1),
        [weight, indices], [True, False],
    )


@requires_torch
def test_embedding_layer_matches_pytorch_with_padding():
    reference = torch.nn.Embedding(6, 4, padding_idx=-1)
    layer = nn.Embedding(6, 4, padding_idx=-1)
    assert layer.padding_idx == reference.padding_idx == 5
    layer.load_state_dict({"weight": reference.weight.detach().numpy()})
    indices = np.array([[5, 0, 2, 5], [2, 2, 1, 0]])
    out_o, out_t = layer(ag.tensor(indices)), reference(torch.tensor(indices))
    np.testing.assert_allclose(out_o.array, out_t.detach().numpy())
    upstream = np.random.default_rng(1).standard_normal(out_o.shape).astype(np.float32)
    (out_o * ag.tensor(upstream)).sum().backward()
    (out_t * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.array, reference.weight.grad.numpy(), rtol=1e-6)
    assert not layer.weight.grad.array[5].any()


def test_init_is_standard_normal_with_a_zero_padding_row():
    ag.manual_seed(0)
    layer = nn.Embedding(1000, 8, padding_idx=3)
    assert layer.weight.dtype == np.float32 and layer.weight.shape == (1000, 8)
    assert not layer.weight.array[3].any()
    assert abs(layer.weight.array.std() - 1) < 0.05
    assert list(layer.state_dict()) == ["weight"]
    assert repr(layer) == "Embedding(1000, 8, padding_idx=3)"


def test_from_pretrained_copies_and_freezes():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = nn.Embedding.from_pretrained(table)
    np.testing.assert_array_equal(layer(ag.tensor([2, 0])).array, [[4, 5], [0, 1]])
    assert not layer.weight.requires_grad
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_errors_name_the_range_and_the_fix():
    layer = nn.Embedding(5, 2)
    with pytest.raises(IndexError, match=r"Embedding\(5, 2\): index 5 is out of range for 5 embeddings; indices must be in \[0, 4\]"):
        layer(ag.tensor([1, 5]))
    with pytest.raises(IndexError, match=r"index -1 is out of range"):
        layer(ag.tensor([-1]))
    with pytest.raises(ag.DtypeError, match=r"indices must be integers"):
        layer(ag.tensor([1.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be in \[-5, 4\]"):
        nn.Embedding(5, 2, padding_idx=5)
