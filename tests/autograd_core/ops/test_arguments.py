"""The layer ops' shared argument rules (``autograd_core/ops/arguments.py``): one exception
type per mistake across convolution and pooling, as PyTorch; the window count; the lift."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.ops.arguments import (
    LayerName,
    int_tuple,
    lift_to_2d,
    require_same_dtype,
    require_tensor,
    window_count,
)
from tests.helpers import requires_torch, torch

# every op taking "int or tuple of ints" geometry, called with one bad argument
OPS = {
    "conv1d": lambda **kw: F.conv1d(ag.zeros(1, 1, 6), ag.zeros(1, 1, 2), **kw),
    "conv2d": lambda **kw: F.conv2d(ag.zeros(1, 1, 6, 6), ag.zeros(1, 1, 2, 2), **kw),
    "conv_transpose2d": lambda **kw: F.conv_transpose2d(ag.zeros(1, 1, 6, 6), ag.zeros(1, 1, 2, 2), **kw),
    "max_pool1d": lambda **kw: F.max_pool1d(ag.zeros(1, 1, 6), kw.pop("kernel_size", 2), **kw),
    "max_pool2d": lambda **kw: F.max_pool2d(ag.zeros(1, 1, 6, 6), kw.pop("kernel_size", 2), **kw),
    "avg_pool1d": lambda **kw: F.avg_pool1d(ag.zeros(1, 1, 6), kw.pop("kernel_size", 2), **kw),
    "avg_pool2d": lambda **kw: F.avg_pool2d(ag.zeros(1, 1, 6, 6), kw.pop("kernel_size", 2), **kw),
}
TAKES = {
    "stride": list(OPS),
    "padding": list(OPS),
    "dilation": ["conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d"],
    "kernel_size": ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d"],
}
MISTAKES = [  # (argument, value, what PyTorch raises -> ours, words in the message)
    ("stride", 1.5, TypeError, "must be an int"),
    ("stride", "2", TypeError, "must be an int"),
    ("stride", True, TypeError, "must be an int"),
    ("stride", 0, ValueError, "must be positive, got 0"),
    ("stride", (1, 2, 3), ValueError, "(1, 2, 3) (3 values)"),
    ("padding", -1, ValueError, "must be non-negative, got -1"),
    ("padding", (0.5,), TypeError, "must be an int"),
    ("dilation", 0, ValueError, "must be positive, got 0"),
    ("dilation", None, TypeError, "must be an int"),
    ("kernel_size", 0, ValueError, "must be positive, got 0"),
    ("kernel_size", 2.0, TypeError, "must be an int"),
    ("kernel_size", (2, 2, 2), ValueError, "(3 values)"),
]


@pytest.mark.parametrize("argument, value, error, words", MISTAKES)
def test_the_same_mistake_raises_the_same_error_in_every_conv_and_pool_op(argument, value, error, words):
    for op in TAKES[argument]:
        bad, expected_words = value, words
        if value == (1, 2, 3) and op.endswith("1d"):
            bad, expected_words = (1, 2), "(1, 2) (2 values)"  # a 1-d op takes one value
        with pytest.raises(error) as caught:
            OPS[op](**{argument: bad})
        assert type(caught.value) is error, (op, caught.value)
        message = str(caught.value)
        assert message.startswith(f"{op}: {argument} ") and expected_words in message, (op, message)


@requires_torch
@pytest.mark.parametrize("argument, value, error, words", MISTAKES)
def test_pytorch_refuses_the_same_arguments(argument, value, error, words):
    """Where we raise TypeError PyTorch's argument parser does; our ValueErrors are its RuntimeErrors."""
    expected = TypeError if error is TypeError else RuntimeError
    x = torch.zeros(1, 1, 6, 6)
    if argument == "kernel_size":
        call = lambda: torch.nn.functional.max_pool2d(x, value)  # noqa: E731
    else:
        call = lambda: torch.nn.functional.conv2d(x, torch.zeros(1, 1, 2, 2), **{argument: value})  # noqa: E731
    with pytest.raises(expected):
        call()


def test_int_tuple_takes_an_int_a_one_tuple_or_a_full_tuple():
    assert int_tuple("op", "stride", 2, 2, 1) == (2, 2)
    assert int_tuple("op", "stride", (2,), 2, 1) == (2, 2)
    assert int_tuple("op", "stride", [1, np.int64(3)], 2, 1) == (1, 3)
    assert int_tuple("op", "padding", 0, 1, 0) == (0,)
    with pytest.raises(ValueError, match=r"^op: padding must be at least 2, got 1$"):
        int_tuple("op", "padding", 1, 1, 2)


def test_lift_to_2d_gives_a_height_one_image():
    assert lift_to_2d((5,), 1) == (1, 5)
    assert lift_to_2d((5,), 0) == (0, 5)
    assert lift_to_2d((3, 4), 0) == (3, 4)


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(0, 12),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 3),
    ceil_mode=st.booleans(),
)
def test_window_count_is_pytorchs_pooling_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """The rule in ATen's pooling_output_shape: ceil adds stride - 1 before the floor division,
    and a last window that would start past the input and its left padding is dropped."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    expected = numerator // stride + 1
    if ceil_mode and (expected - 1) * stride >= size + padding:
        expected -= 1
    assert window_count(size, kernel, stride, padding, padding, dilation, ceil_mode) == expected


def test_tensor_and_dtype_checks_name_the_caller_and_the_fix():
    with pytest.raises(TypeError, match=r"^Model: input must be a Tensor, got list; wrap it with autograd_core.tensor"):
        require_tensor("Model", [1.0])
    with pytest.raises(TypeError, match=r"^op: hx must be a Tensor, got numpy.ndarray"):
        require_tensor("op", np.zeros(2), "hx")
    with pytest.raises(
        ag.DtypeError, match=r"^op: input is float64 but weight is float32; convert the input with x.float\(\) or the "
    ):
        require_same_dtype("op", ag.zeros(1, dtype=ag.float64), ag.zeros(1))
    with pytest.raises(ag.DtypeError, match=r"^op: input is bool but weight is int64; convert one of them$"):
        require_same_dtype("op", ag.zeros(1, dtype=ag.bool_), ag.zeros(1, dtype=ag.int64))


# layers that call their functional with name=LayerName(self), and an input each takes
NAMED_LAYERS = [
    (lambda: nn.Conv2d(2, 3, 3), (1, 2, 5, 5)),
    (lambda: nn.Conv1d(2, 3, 3), (1, 2, 5)),
    (lambda: nn.ConvTranspose2d(2, 3, 3), (1, 2, 5, 5)),
    (lambda: nn.MaxPool2d(2), (1, 2, 4, 4)),
    (lambda: nn.AvgPool1d(2), (1, 2, 4)),
    (lambda: nn.AdaptiveAvgPool2d(2), (1, 2, 4, 4)),
    (lambda: nn.Linear(3, 2), (4, 3)),
    (lambda: nn.Dropout(0.5), (4, 3)),
    (lambda: nn.BatchNorm1d(3), (4, 3)),
    (lambda: nn.LayerNorm(3), (4, 3)),
    (lambda: nn.GroupNorm(1, 3), (4, 3)),
    (lambda: nn.RMSNorm(3), (4, 3)),
]


@pytest.mark.parametrize("build, shape", NAMED_LAYERS)
def test_a_layer_formats_its_name_only_for_an_error_message(build, shape, monkeypatch):
    layer = build()
    described = layer._describe()
    monkeypatch.setattr(type(layer), "_describe", lambda self: pytest.fail("described without an error"))
    layer(ag.zeros(*shape))
    monkeypatch.undo()
    with pytest.raises(TypeError) as caught:
        layer(np.zeros(shape, np.float32))
    assert str(caught.value).startswith(f"{described}: input must be a Tensor, got numpy.ndarray")


def test_a_layer_name_is_the_layers_description_when_formatted():
    layer = nn.Linear(3, 2)
    name = LayerName(layer)
    assert f"{name}" == str(name) == repr(name) == "Linear(in_features=3, out_features=2)"
    layer.out_features = 5  # described as it is when the message is made
    assert f"{name}: bad" == "Linear(in_features=3, out_features=5): bad"
