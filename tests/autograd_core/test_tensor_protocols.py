"""Tensor's Python protocols and helper methods as PyTorch code uses them: ``f"{loss:.4f}"``,
``round``, ``len``/``iter``/``in``/``bool``/``__index__``, ``new_*``, and the module functions
being the methods themselves (``autograd_core.exp is Tensor.exp``)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from tests.helpers import requires_torch, torch


def test_format_of_a_one_element_tensor_formats_its_number():
    loss = ag.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{ag.tensor([[2.5]]):>6.1f}" == "   2.5" and f"{ag.tensor(7):03d}" == "007"
    assert f"{ag.tensor([1.0, 2.0])}" == str(ag.tensor([1.0, 2.0]))  # no format spec: the repr
    with pytest.raises(TypeError):
        f"{ag.tensor([1.0, 2.0]):.2f}"


def test_round_of_a_one_element_tensor_is_a_python_number():
    assert round(ag.tensor(2.567), 1) == 2.6 and isinstance(round(ag.tensor(2.567), 1), float)
    assert round(ag.tensor([2.5])) == 2 and isinstance(round(ag.tensor(3.7)), int)
    with pytest.raises(ag.ShapeError, match="only one-element tensors"):
        round(ag.tensor([1.0, 2.0]))


@requires_torch
def test_len_iter_contains_bool_index_match_pytorch():
    values = [[1, 2], [3, 4], [5, 6]]
    ours, theirs = ag.tensor(values), torch.tensor(values)
    assert len(ours) == len(theirs) == 3
    assert [row.tolist() for row in ours] == [row.tolist() for row in theirs]
    assert (4 in ours) is (4 in theirs) is True and (7 in ours) is (7 in theirs) is False
    assert (ag.tensor(3) in ours) is True and (2.0 in ours) is True
    assert bool(ag.tensor([0])) is bool(torch.tensor([0])) is False
    assert [10, 20, 30][ag.tensor(1)] == 20 and [10, 20, 30][ag.tensor([[2]])] == 30
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ag.tensor(1.0))
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor"):
        len(ag.tensor(1.0))
    with pytest.raises(TypeError, match="`in` on a tensor takes a number or a Tensor, got str"):
        "a" in ours  # noqa: B015
    with pytest.raises(TypeError, match="only one-element integer tensors can be used as an index"):
        [1, 2][ag.tensor(1.0)]


@requires_torch
@pytest.mark.parametrize("dtype", [None, ag.int64, ag.float64])
def test_new_tensor_methods_take_the_dtype_of_the_tensor_unless_given(dtype):
    base, reference = ag.tensor([1.5], dtype=ag.float64), torch.tensor([1.5], dtype=torch.float64)
    torch_dtype = None if dtype is None else getattr(torch, str(np.dtype(dtype)))
    for name, args in (("new_zeros", (2, 3)), ("new_ones", ((2,),)), ("new_empty", (0, 2)), ("new_full", ((2, 1), 7))):
        ours = getattr(base, name)(*args, dtype=dtype)
        theirs = getattr(reference, name)(*args, dtype=torch_dtype)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        if name != "new_empty":
            np.testing.assert_array_equal(ours.array, theirs.numpy())
    copied = base.new_tensor([1, 2], dtype=dtype)
    assert str(copied.dtype) == str(reference.new_tensor([1, 2], dtype=torch_dtype).dtype).replace("torch.", "")
    leaf = base.new_zeros(2, requires_grad=True, device="cpu")
    assert leaf.is_leaf and leaf.requires_grad
    with pytest.raises(RuntimeError, match="new_ones: this build of autograd_core runs on the CPU only"):
        base.new_ones(2, device="cuda")


def test_module_functions_are_the_methods():
    for name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "maximum", "add", "mul",
                 "tril", "topk", "gather", "norm", "cumsum", "floor", "isnan", "logical_and", "mm", "roll", "sign"):
        assert getattr(ag, name) is getattr(ag.Tensor, name), name
    assert ag.clip is ag.clamp and ag.arctan2 is ag.atan2 and ag.swapdims is ag.swapaxes


def test_sign_and_nn_functional_sign_agree_on_values_and_zero_gradient():
    """Both follow torch.sign: differentiable, with a gradient of 0 (F.sign's straight_through
    option is its own extension)."""
    x = ag.tensor([-1.5, 0.0, 2.0], requires_grad=True)
    for sign in (ag.sign, ag.Tensor.sign, F.sign):
        x.grad = None
        out = sign(x)
        assert out.requires_grad and out.tolist() == [-1.0, 0.0, 1.0]
        (out * 3.0).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
