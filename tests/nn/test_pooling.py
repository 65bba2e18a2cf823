"""Pooling layers (``nn/pooling.py``): reprs, outputs and gradients like PyTorch's layers,
errors that name the layer."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.helpers import check_op, requires_torch, torch

LAYERS = [
    ("MaxPool1d", (3,), {}),
    ("MaxPool1d", (3,), dict(stride=2, padding=1, dilation=2, ceil_mode=True)),
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), padding=(1, 0), ceil_mode=True)),
    ("AvgPool1d", (2,), {}),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", (3,), {}),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, divisor_override=4)),
    ("LPPool2d", (2, 3), {}),
    ("LPPool2d", (1.5, (2, 3)), dict(stride=1)),
    ("AdaptiveAvgPool1d", (3,), {}),
    ("AdaptiveAvgPool2d", ((5, None),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
]


@requires_torch
@pytest.mark.parametrize("name, args, kwargs", LAYERS)
def test_repr_reads_like_torch(name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@requires_torch
@pytest.mark.parametrize("name, args, kwargs", LAYERS)
def test_layer_outputs_and_gradients_match_torch(name, args, kwargs):
    shape = (2, 2, 7) if name.endswith("1d") else (2, 2, 5, 7)
    x = np.random.default_rng(0).uniform(0.5, 2.0, size=shape)
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    check_op(ours, [x], theirs)


def test_max_pool_layer_with_return_indices_returns_both():
    out, indices = nn.MaxPool2d(2, return_indices=True)(ag.arange(16.0).reshape(1, 1, 4, 4))
    assert out.array.tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]] and indices.array.tolist() == [[[[5, 7], [13, 15]]]]


def test_pooling_layers_have_no_parameters_and_keep_float32():
    x = ag.randn(2, 3, 8, 8)
    for layer in (nn.MaxPool2d(2), nn.AvgPool2d(2), nn.LPPool2d(2, 2), nn.AdaptiveAvgPool2d(3)):
        assert list(layer.parameters()) == [] and layer(x).dtype == np.float32


def test_layer_errors_name_the_layer():
    with pytest.raises(ag.ShapeError, match=r"^MaxPool2d\(kernel_size=4, .*\): input size \(3, 3\).*kernel_size \(4"):
        nn.MaxPool2d(4)(ag.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"^AvgPool1d\(kernel_size=\(2,\), stride=\(0,\), .*\): stride must be"):
        nn.AvgPool1d(2, stride=0)(ag.zeros(1, 1, 3))
    with pytest.raises(ag.DtypeError, match=r"^AdaptiveAvgPool2d\(output_size=2\): input must be a float32 or float64"):
        nn.AdaptiveAvgPool2d(2)(ag.zeros(1, 1, 3, 3, dtype=ag.int64))


@pytest.mark.parametrize(
    "layer",
    [nn.MaxPool1d(2), nn.MaxPool2d(2), nn.AvgPool1d(2), nn.AvgPool2d(2), nn.LPPool2d(2, 2), nn.AdaptiveAvgPool2d(2)],
)
def test_arrays_are_refused_with_a_type_error_naming_the_layer(layer):
    name = type(layer).__name__
    with pytest.raises(
        TypeError, match=rf"^{name}\(.*\): input must be a Tensor, got numpy.ndarray; wrap it with autograd_core.tensor"
    ):
        layer(np.ones((1, 2, 4, 4), dtype=np.float32))


def test_float64_inputs_stay_float64_as_in_pytorch():
    x = ag.randn(1, 2, 4, 4, dtype=ag.float64)
    for layer in (nn.MaxPool2d(2), nn.AvgPool2d(2), nn.LPPool2d(2, 2), nn.AdaptiveAvgPool2d(3)):
        assert layer(x).dtype == np.float64
