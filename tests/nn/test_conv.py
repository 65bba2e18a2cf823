"""``nn.Conv1d`` / ``nn.Conv2d`` / ``nn.ConvTranspose1d`` / ``nn.ConvTranspose2d`` (``nn/conv.py``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.errors import ShapeError
from tests.helpers import check_op, compare_module_with_torch, float_arrays, requires_torch, torch

CASES = [
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, (2, 4, 11)),
    ("Conv2d", (4, 6, 3), {"stride": 2, "padding": 1, "dilation": 1, "groups": 2}, (2, 4, 9, 8)),
    ("Conv2d", (3, 5, (3, 2)), {"padding": (1, 0), "dilation": (1, 2), "bias": False}, (2, 3, 7, 7)),
    ("Conv2d", (3, 5, 3), {"padding": "same"}, (2, 3, 6, 6)),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}, (2, 4, 5, 4)),
    ("ConvTranspose2d", (3, 2, (2, 3)), {"dilation": 2, "bias": False}, (2, 3, 4, 4)),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}, (2, 4, 5)),
    ("ConvTranspose1d", (3, 2, 2), {"dilation": 3, "bias": False}, (2, 3, 4)),
]


@requires_torch
@pytest.mark.parametrize("name, args, options, input_shape", CASES)
def test_loads_torch_weights_and_matches_its_outputs_and_gradients(name, args, options, input_shape):
    x = np.random.default_rng(0).standard_normal(input_shape).astype(np.float32)
    layers = getattr(nn, name)(*args, **options), getattr(torch.nn, name)(*args, **options)
    compare_module_with_torch(*layers, [x], grad_atol=1e-3)


@requires_torch
@pytest.mark.parametrize("name, args, options, input_shape", CASES)
def test_an_empty_batch_gives_an_empty_batch_and_zero_gradients_like_torch(name, args, options, input_shape):
    x = np.zeros((0,) + input_shape[1:], dtype=np.float32)
    layer = getattr(nn, name)(*args, **options)
    out = compare_module_with_torch(layer, getattr(torch.nn, name)(*args, **options), [x])[0]
    assert out.shape[0] == 0 and not layer.weight.grad.array.any()


@requires_torch
@pytest.mark.parametrize("name, args, options, input_shape", CASES)
def test_repr_reads_like_torch(name, args, options, input_shape):
    assert repr(getattr(nn, name)(*args, **options)) == repr(getattr(torch.nn, name)(*args, **options))


@pytest.mark.parametrize("name", ["Conv1d", "Conv2d", "ConvTranspose2d", "ConvTranspose1d"])
def test_default_init_bounds_follow_pytorch(name):
    ag.manual_seed(0)
    layer = getattr(nn, name)(8, 16, 3)
    fan_in = layer.weight.shape[1] * int(np.prod(layer.weight.shape[2:]))
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)): gain sqrt(2/6) * sqrt(3/fan_in)
    for parameter in (layer.weight, layer.bias):
        assert np.abs(parameter.array).max() <= bound
        assert np.abs(parameter.array).max() > 0.8 * bound  # actually spread over the range
    assert layer.weight.dtype == np.float32
    assert getattr(nn, name)(2, 4, 3, dtype=ag.float64).weight.dtype == np.float64


def test_parameter_shapes():
    assert nn.Conv2d(4, 6, (3, 2), groups=2).weight.shape == (6, 2, 3, 2)
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    assert nn.Conv1d(4, 6, 5, bias=False).bias is None


def test_output_sizes_for_the_padding_modes():
    x = ag.randn(1, 1, 5, 5)
    sizes = [nn.Conv2d(1, 1, 3, padding=mode)(x).shape[-1] for mode in ("valid", "same", "full")]
    assert sizes == [3, 5, 7]


def test_conv_transpose_output_size_argument():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = ag.randn(1, 2, 4, 4)
    assert layer(x).shape == (1, 3, 7, 7)
    assert layer(x, output_size=(8, 8)).shape == (1, 3, 8, 8)
    assert layer(x, output_size=(1, 3, 8, 7)).shape == (1, 3, 8, 7)
    with pytest.raises(ShapeError, match=r"output_size \(9, 9\) is not reachable .* between \(7, 7\) and \(8, 8\)"):
        layer(x, output_size=(9, 9))


def test_layers_in_a_model_train():
    ag.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(4, 2, 3, stride=2), nn.Flatten(), nn.Linear(2 * 3 * 3, 1)
    )
    x = ag.randn(4, 1, 8, 8)
    loss = model(x).sum()
    loss.backward()
    assert all(
        parameter.grad is not None and parameter.grad.shape == parameter.shape for parameter in model.parameters()
    )


def test_error_wrong_input_names_the_layer_and_expected_shape():
    with pytest.raises(
        ShapeError,
        match=r"^Conv2d\(3, 8, kernel_size=\(3, 3\), stride=\(1, 1\)\): expected input of shape \(N, 3, H, W\) or "
        r"\(3, H, W\), got \(2, 4, 8, 8\): the input has 4 channels",
    ):
        nn.Conv2d(3, 8, 3)(ag.randn(2, 4, 8, 8))
    with pytest.raises(ShapeError, match=r"^Conv1d\(.*expected input of shape \(N, 3, L\) or \(3, L\), got \(8,\)$"):
        nn.Conv1d(3, 8, 3)(ag.randn(8))
    with pytest.raises(ShapeError, match=r"^ConvTranspose2d\(.*expected input of shape \(N, 3, H, W\)"):
        nn.ConvTranspose2d(3, 8, 3)(ag.randn(1, 8, 4, 4))
    with pytest.raises(ShapeError, match=r"^Conv2d\(1, 1, kernel_size=\(5, 5\).*: a 5x5 kernel .* does not fit a 3x3"):
        nn.Conv2d(1, 1, 5)(ag.randn(1, 1, 3, 3))


@pytest.mark.parametrize("name", ["Conv1d", "Conv2d", "ConvTranspose2d"])
def test_a_float64_input_or_an_array_is_refused_naming_the_layer(name):
    layer = getattr(nn, name)(2, 4, 3)
    x = ag.randn(1, 2, 5) if name == "Conv1d" else ag.randn(1, 2, 5, 5)
    with pytest.raises(
        ag.DtypeError,
        match=rf"^{name}\(2, 4, .*\): input is float64 but weight is float32; convert the input with x.float\(\) "
        r"or the model with model.double\(\)$",
    ):
        layer(x.double())
    with pytest.raises(TypeError, match=rf"^{name}\(2, 4, .*\): input must be a Tensor, got numpy.ndarray; wrap it"):
        layer(x.array)
    assert layer.double()(x.double()).dtype == np.float64


def test_error_arguments():
    with pytest.raises(ValueError, match="padding_mode='reflect' is not supported; only 'zeros' is"):
        nn.Conv2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="in_channels must be a positive int divisible by groups=2, got 3"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be a positive int divisible by groups=2, got 3"):
        nn.ConvTranspose2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="Conv2d: padding='same' needs stride 1"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(
        ValueError, match="Conv2d: padding must be an int, a tuple, 'valid', 'same' or 'full', got 'circular'"
    ):
        nn.Conv2d(1, 1, 3, padding="circular")
    with pytest.raises(ValueError, match=r"Conv2d: kernel_size must be an int or a tuple of 2 ints, got \(3, 3, 3\)"):
        nn.Conv2d(1, 1, (3, 3, 3))
    with pytest.raises(TypeError, match=r"Conv2d: kernel_size must be an int or a tuple of 2 ints, got 2.5"):
        nn.Conv2d(1, 1, 2.5)
    with pytest.raises(ValueError, match="groups must be a positive int"):
        nn.Conv1d(1, 1, 3, groups=0)
    # PyTorch builds Conv2d(3, 4, 0) and fails in forward with an internal error; we refuse it at once
    with pytest.raises(ValueError, match=r"^Conv2d: kernel_size must be positive, got 0$"):
        nn.Conv2d(3, 4, 0)
    with pytest.raises(ValueError, match=r"^Conv1d: stride must be positive, got 0$"):
        nn.Conv1d(3, 4, 3, stride=0)
    with pytest.raises(ValueError, match=r"^ConvTranspose2d: padding must be non-negative, got -1$"):
        nn.ConvTranspose2d(3, 4, 3, padding=-1)


# -- conv_transpose1d: conv_transpose2d on a height of 1 ------------------------------------
@settings(max_examples=15, deadline=None)
@given(
    data=st.data(),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
    groups=st.sampled_from([1, 2]),
    batched=st.booleans(),
    with_bias=st.booleans(),
)
def test_conv_transpose1d_gradients_and_parity(data, stride, padding, dilation, groups, batched, with_bias):
    import nn.functional as F

    length, kernel = data.draw(st.integers(2, 5)), data.draw(st.integers(1, 3))
    output_padding = data.draw(st.integers(0, max(stride, dilation) - 1))
    x = data.draw(float_arrays(((2,) if batched else ()) + (2 * groups, length)))
    weight = data.draw(float_arrays((2 * groups, 3, kernel)))
    arrays = [x, weight] + ([data.draw(float_arrays((3 * groups,)))] if with_bias else [])
    options = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups,
               "dilation": dilation}
    if (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1 < 1:
        return  # an empty output, refused as in PyTorch
    check_op(
        lambda *a: F.conv_transpose1d(*a, **options),
        arrays,
        (lambda *a: torch.nn.functional.conv_transpose1d(*a, **options)) if torch else None,
    )


def test_conv_transpose1d_output_size_and_errors():
    import nn.functional as F

    layer = nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1)
    x = ag.randn(1, 2, 4)
    assert layer(x).shape == (1, 3, 7) and layer(x, output_size=(8,)).shape == (1, 3, 8)
    assert layer(x, output_size=(1, 3, 8)).shape == (1, 3, 8) and layer(ag.randn(2, 4)).shape == (3, 7)
    with pytest.raises(ShapeError, match=r"output_size \(9,\) is not reachable .* between \(7,\) and \(8,\)"):
        layer(x, output_size=(9,))
    with pytest.raises(ShapeError, match=r"conv_transpose1d: expected input of shape \(N, 2, L\) or \(2, L\)"):
        F.conv_transpose1d(ag.randn(1, 2, 3, 4), ag.randn(2, 3, 3))
    assert nn.ConvTranspose1d(4, 6, 3, groups=2).weight.shape == (4, 3, 3)
