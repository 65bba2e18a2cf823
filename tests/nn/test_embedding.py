import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.embedding import embedding
from tests.helpers import check_op, compare_module_with_torch, compare_with_torch, requires_torch, torch


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
    indices = np.array([[5, 0, 2, 5], [2, 2, 1, 0]])
    compare_module_with_torch(layer, reference, [indices], rtol=1e-6, grad_rtol=1e-6)
    assert not layer.weight.grad.array[5].any()


@requires_torch
@pytest.mark.parametrize("rows, width, shape", [(6, 4, (0,)), (6, 4, (2, 0)), (6, 0, (3,)), (0, 3, (0,))])
def test_empty_indices_and_zero_sizes_work_as_in_pytorch(rows, width, shape):
    indices = np.zeros(shape, dtype=np.int64)
    out = compare_module_with_torch(nn.Embedding(rows, width), torch.nn.Embedding(rows, width), [indices])[0]
    assert out.shape == shape + (width,)


def test_arrays_are_refused_with_a_type_error_saying_how_to_wrap_them():
    with pytest.raises(TypeError, match=r"^Embedding\(5, 2\): indices must be a Tensor, got numpy.ndarray; wrap it"):
        nn.Embedding(5, 2)(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"^embedding: indices must be a Tensor, got list"):
        embedding([1, 2], ag.zeros(5, 2))


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
    with pytest.raises(
        IndexError, match=r"^Embedding\(5, 2\): index 5 is out of range for 5 embeddings; indices must be in \[0, 4\]"
    ):
        layer(ag.tensor([1, 5]))
    with pytest.raises(IndexError, match=r"index -1 is out of range"):
        layer(ag.tensor([-1]))
    with pytest.raises(ag.DtypeError, match=r"indices must be integers"):
        layer(ag.tensor([1.0]))
    with pytest.raises(ValueError, match=r"padding_idx must be in \[-5, 4\]"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match=r"^Embedding: embedding_dim must be a non-negative integer, got -1$"):
        nn.Embedding(5, -1)


def test_the_function_is_nn_functional_embedding():
    import nn.functional as F

    assert F.embedding is embedding and "embedding" in F.__all__


@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("shape", [(6,), (3, 5), (0,)])
def test_the_plain_backward_adds_the_rows_as_the_recorded_one(padding_idx, shape):
    """``EmbeddingFunction.backward_arrays`` (a sort and segment sums) against its Tensor backward
    (``np.add.at``), which a create_graph backward runs: repeated indices, a padding row, no indices."""
    rng = np.random.default_rng(3)
    indices = ag.tensor(rng.integers(0, 4, shape))
    upstream = ag.tensor(rng.standard_normal(shape + (3,)))
    weight = ag.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    embedding(indices, weight, padding_idx=padding_idx).backward(upstream)
    (expected,) = ag.grad(embedding(indices, weight, padding_idx=padding_idx), [weight], upstream,
                          create_graph=True)
    np.testing.assert_allclose(weight.grad.array, expected.array, rtol=1e-12, atol=1e-12)
    if padding_idx is not None:
        assert not weight.grad.array[padding_idx].any()
