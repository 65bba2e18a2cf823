"""``Linear``, ``linear`` (its function, also ``nn.functional.linear``) and ``Flatten`` (``nn/linear.py``)."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from nn.linear import Linear
from tests.helpers import check_op, compare_module_with_torch, float_arrays, requires_torch, torch


@settings(max_examples=10)
@given(batch=st.sampled_from([(), (3,), (2, 3)]), bias=st.booleans(), data=st.data())
def test_linear_function_gradients(batch, bias, data):
    x = data.draw(float_arrays(batch + (4,)))
    weight = data.draw(float_arrays((5, 4)))
    arrays = [x, weight] + ([data.draw(float_arrays((5,)))] if bias else [])
    torch_op = torch.nn.functional.linear if torch is not None else None
    check_op(F.linear, arrays, torch_op)


@requires_torch
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 6), (6,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_pytorch_with_the_same_weights(shape, bias):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    compare_module_with_torch(Linear(6, 3, bias=bias), torch.nn.Linear(6, 3, bias=bias), [x], load="ours_into_theirs")


def test_default_init_bounds_follow_pytorch():
    ag.manual_seed(0)
    layer = Linear(100, 50)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.array).max() <= bound and np.abs(layer.bias.array).max() <= bound
    assert np.abs(layer.weight.array).max() > 0.9 * bound  # uses the whole range
    assert layer.weight.dtype == np.float32


# -- zero sizes, as in PyTorch ----------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("in_features, out_features, batch", [(3, 4, 0), (0, 3, 2), (3, 0, 2), (0, 0, 0)])
def test_zero_sizes_build_run_and_backpropagate_like_pytorch(in_features, out_features, batch):
    x = np.ones((batch, in_features), dtype=np.float32)
    empty = 0 in (in_features, out_features)
    with pytest.warns(UserWarning, match="zero-element") if empty else contextlib.nullcontext():
        layer = Linear(in_features, out_features)
    out = compare_module_with_torch(layer, torch.nn.Linear(in_features, out_features), [x])[0]
    assert out.shape == (batch, out_features)


# -- errors name the layer; dtypes and arrays as PyTorch --------------------------------------
def test_wrong_input_width_names_the_layer_and_shapes():
    with pytest.raises(
        ag.ShapeError,
        match=r"^Linear\(in_features=4, out_features=2\): input of shape \(3, 5\) does not fit weight of shape "
        r"\(2, 4\): expected input of shape \(\*, 4\)",
    ):
        Linear(4, 2)(ag.zeros(3, 5))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.linear(ag.zeros(4, 3), ag.zeros(2, 5)), r"^linear: input of shape \(4, 3\) does not fit weight of"),
        (lambda: F.linear(ag.zeros(4, 3), ag.zeros(3)), r"^linear: weight must be 2-D"),
        (lambda: F.linear(ag.zeros(4, 3), ag.zeros(2, 3), ag.zeros(3)), r"^linear: bias must have shape \(2,\)"),
        (lambda: F.linear(ag.zeros(()), ag.zeros(2, 3)), r"^linear: input of shape \(\) does not fit"),
    ],
)
def test_functional_shape_errors(call, message):
    with pytest.raises(ag.ShapeError, match=message):
        call()


def test_a_float64_input_to_a_float32_layer_is_refused_naming_both_dtypes_and_the_fixes():
    with pytest.raises(
        ag.DtypeError,
        match=r"^Linear\(in_features=3, out_features=2\): input is float64 but weight is float32; convert the input "
        r"with x.float\(\) or the model with model.double\(\)$",
    ):
        Linear(3, 2)(ag.zeros(4, 3, dtype=ag.float64))
    with pytest.raises(ag.DtypeError, match=r"input is float32 but weight is float64; .*x.double\(\).*model.float\(\)"):
        Linear(3, 2).double()(ag.zeros(4, 3))
    with pytest.raises(ag.DtypeError, match=r"is int64 but weight is float32; convert the input with x.float\(\)$"):
        Linear(3, 2)(ag.zeros(4, 3, dtype=ag.int64))
    with pytest.raises(ag.DtypeError, match=r"^linear: bias is float64 but weight is float32"):
        F.linear(ag.zeros(4, 3), ag.zeros(2, 3), ag.zeros(2, dtype=ag.float64))
    assert Linear(3, 2).double()(ag.zeros(4, 3, dtype=ag.float64)).dtype == np.float64


@pytest.mark.parametrize("value", [np.ones((2, 3), dtype=np.float32), [[1.0, 2.0, 3.0]]])
def test_arrays_and_lists_are_refused_with_a_type_error_saying_how_to_wrap_them(value):
    kind = type(value).__name__
    with pytest.raises(
        TypeError,
        match=rf"^Linear\(in_features=3, out_features=2\): input must be a Tensor, got .*{kind}; "
        r"wrap it with autograd_core.tensor\(x\)$",
    ):
        Linear(3, 2)(value)
    with pytest.raises(TypeError, match=rf"^linear: input must be a Tensor, got .*{kind}"):
        F.linear(value, ag.zeros(2, 3))
    with pytest.raises(TypeError, match=rf"^Flatten: input must be a Tensor, got .*{kind}"):
        nn.Flatten()(value)
    with pytest.raises(TypeError, match=r"^linear: weight must be a Tensor, got numpy.ndarray"):
        F.linear(ag.zeros(2, 3), np.zeros((2, 3)))


@pytest.mark.parametrize("bias_shape", [(), (1,)])
def test_a_scalar_bias_broadcasts_as_in_pytorch(bias_shape):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal(bias_shape)]
    check_op(F.linear, arrays, torch.nn.functional.linear if torch is not None else None)


@requires_torch
@pytest.mark.parametrize("bias_shape", [(), (1,), (2, 4), (1, 4), (2, 1)])
@pytest.mark.parametrize("create_graph", [False, True])
def test_a_bias_that_broadcasts_to_the_output_is_accepted_as_pytorch(bias_shape, create_graph):
    rng = np.random.default_rng(2)
    x, weight, bias = rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal(bias_shape)
    ours_inputs = [ag.tensor(value, requires_grad=True) for value in (x, weight, bias)]
    theirs_inputs = [torch.tensor(value, requires_grad=True) for value in (x, weight, bias)]
    out = F.linear(*ours_inputs)
    expected = torch.nn.functional.linear(*theirs_inputs)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-12)
    (out * out).sum().backward(create_graph=create_graph)  # create_graph: the backward made of tensor ops
    (expected * expected).sum().backward()
    for mine, reference in zip(ours_inputs, theirs_inputs):
        np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10)


# -- Bilinear --------------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(batch=st.sampled_from([(), (3,), (2, 3)]), bias=st.booleans(), data=st.data())
def test_bilinear_gradients_and_parity(batch, bias, data):
    arrays = [data.draw(float_arrays(batch + (2,))), data.draw(float_arrays(batch + (3,))),
              data.draw(float_arrays((4, 2, 3)))] + ([data.draw(float_arrays((4,)))] if bias else [])
    check_op(F.bilinear, arrays, torch.nn.functional.bilinear if torch else None)


@requires_torch
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module_matches_pytorch(bias):
    ours, theirs = nn.Bilinear(3, 4, 5, bias=bias), torch.nn.Bilinear(3, 4, 5, bias=bias)
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 4)).astype(np.float32)]
    compare_module_with_torch(ours, theirs, inputs)


def test_bilinear_init_bounds_and_errors():
    ag.manual_seed(0)
    layer = nn.Bilinear(16, 3, 8)
    assert layer.weight.shape == (8, 16, 3) and layer.bias.shape == (8,)
    assert 0.24 < np.abs(layer.weight.array).max() <= 0.25  # U(-1/sqrt(in1), 1/sqrt(in1)), 384 draws
    assert np.abs(layer.bias.array).max() <= 0.25
    with pytest.raises(ag.ShapeError, match=r"bilinear: input batch dimensions do not match"):
        F.bilinear(ag.zeros(2, 3), ag.zeros(3, 4), ag.zeros(5, 3, 4))
    with pytest.raises(ag.ShapeError, match=r"bilinear: input2 size does not match weight size: got 4 but expected 3"):
        F.bilinear(ag.zeros(2, 3), ag.zeros(2, 4), ag.zeros(5, 3, 3))
    with pytest.raises(ag.ShapeError, match=r"bilinear: weight must be 3-D"):
        F.bilinear(ag.zeros(2, 3), ag.zeros(2, 4), ag.zeros(3, 4))
