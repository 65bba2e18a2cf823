"""Padding layers: values and gradients against PyTorch's, reprs, and errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from tests.helpers import check_op, compare_module_with_torch, float_arrays, requires_torch, torch

# (our layer, PyTorch's, input shape)
LAYERS = [
    (lambda: nn.ZeroPad2d(1), lambda: torch.nn.ZeroPad2d(1), (2, 3, 4, 5)),
    (lambda: nn.ZeroPad2d((1, 0, 2, -1)), lambda: torch.nn.ZeroPad2d((1, 0, 2, -1)), (3, 4, 5)),
    (lambda: nn.ConstantPad1d(2, 3.5), lambda: torch.nn.ConstantPad1d(2, 3.5), (2, 3, 4)),
    (lambda: nn.ConstantPad1d((0, 3), -1.0), lambda: torch.nn.ConstantPad1d((0, 3), -1.0), (3, 4)),
    (lambda: nn.ConstantPad2d((1, 2, 0, 1), 0.5), lambda: torch.nn.ConstantPad2d((1, 2, 0, 1), 0.5), (2, 2, 3, 3)),
    (lambda: nn.ReflectionPad2d(2), lambda: torch.nn.ReflectionPad2d(2), (2, 3, 4, 5)),
    (lambda: nn.ReflectionPad2d((1, 2, 3, 0)), lambda: torch.nn.ReflectionPad2d((1, 2, 3, 0)), (3, 4, 5)),
    (lambda: nn.ReplicationPad2d(3), lambda: torch.nn.ReplicationPad2d(3), (1, 2, 2, 3)),
    (lambda: nn.ReplicationPad2d((0, 1, 2, 3)), lambda: torch.nn.ReplicationPad2d((0, 1, 2, 3)), (2, 3, 4)),
    (lambda: nn.ZeroPad1d(2), lambda: torch.nn.ZeroPad1d(2), (2, 3, 4)),
    (lambda: nn.ZeroPad1d((1, -1)), lambda: torch.nn.ZeroPad1d((1, -1)), (3, 4)),
    (lambda: nn.ReflectionPad1d(3), lambda: torch.nn.ReflectionPad1d(3), (2, 3, 5)),
    (lambda: nn.ReflectionPad1d((0, 2)), lambda: torch.nn.ReflectionPad1d((0, 2)), (3, 4)),
    (lambda: nn.ReplicationPad1d(4), lambda: torch.nn.ReplicationPad1d(4), (2, 3, 2)),
    (lambda: nn.ReplicationPad1d((2, 1)), lambda: torch.nn.ReplicationPad1d((2, 1)), (3, 4)),
]


@requires_torch
@pytest.mark.parametrize("index", range(len(LAYERS)))
def test_padding_layers_match_pytorch_values_gradients_and_repr(index):
    make_ours, make_theirs, shape = LAYERS[index]
    x = np.random.default_rng(index).standard_normal(shape).astype(np.float32)
    compare_module_with_torch(make_ours(), make_theirs(), [x])
    assert repr(make_ours()) == repr(make_theirs())
    assert make_ours().padding == make_theirs().padding
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)


@settings(max_examples=4)
@pytest.mark.parametrize("index", range(len(LAYERS)))
@given(data=st.data())
def test_padding_layer_gradients_float64(index, data):
    make_ours, make_theirs, shape = LAYERS[index]
    x = data.draw(float_arrays(shape))
    check_op(make_ours(), [x], make_theirs() if torch else None)


def test_padding_layers_errors():
    with pytest.raises(ValueError, match=r"ZeroPad2d: padding must be an int or a tuple of 4 ints .*got \(1, 2, 3\)"):
        nn.ZeroPad2d((1, 2, 3))
    with pytest.raises(ValueError, match=r"ConstantPad1d: padding must be an int or a tuple of 2 ints"):
        nn.ConstantPad1d(1.5, 0.0)
    with pytest.raises(ag.ShapeError, match="reflect padding must be smaller than the dim it pads"):
        nn.ReflectionPad2d(3)(ag.zeros(1, 1, 2, 2))
    with pytest.raises(ag.ShapeError, match="mode 'replicate' with 4 widths does not fit a 2-D input"):
        nn.ReplicationPad2d(1)(ag.zeros(2, 2))


def test_1d_padding_layers_errors():
    with pytest.raises(ValueError, match=r"ReflectionPad1d: padding must be an int or a tuple of 2 ints"):
        nn.ReflectionPad1d((1, 2, 3, 4))
    with pytest.raises(ValueError):
        nn.ReflectionPad1d(3)(ag.zeros(1, 2, 3))  # a reflection as wide as the dim
    assert isinstance(nn.ZeroPad1d(1), nn.ConstantPad1d) and repr(nn.ZeroPad1d(1)) == "ZeroPad1d((1, 1))"


def test_padding_layers_sit_where_pytorch_has_them():
    from nn.modules.padding import ConstantPad1d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d

    assert (ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d) == (
        nn.ZeroPad2d, nn.ConstantPad1d, nn.ConstantPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d)
