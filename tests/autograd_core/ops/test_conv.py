"""``conv1d`` / ``conv2d`` / ``conv_transpose2d`` (``ops/conv.py``): values, gradients of
first and second order, PyTorch parity, padding modes and every error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.kernels import conv as kernels
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch


@st.composite
def conv2d_cases(draw: Any, max_side: int = 5) -> tuple:
    """(x, weight, bias, keyword arguments) of a conv2d that fits, every argument drawn."""
    groups = draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(
        st.one_of(
            st.integers(0, 1), st.tuples(st.integers(0, 2), st.integers(0, 1)), st.sampled_from(["valid", "full"])
        )
    )
    if draw(st.booleans()):
        padding, stride = "same", 1
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = tuple(draw(st.integers(max(1, span - 1), max(span, max_side))) for span in spans)
    if padding in ("valid",) or padding == 0:
        size = tuple(max(s, span) for s, span in zip(size, spans))
    x = draw(float_arrays((draw(st.integers(1, 2)), groups * draw(st.integers(1, 2)), *size)))
    weight = draw(float_arrays((groups * draw(st.integers(1, 2)), x.shape[1] // groups, *kernel)))
    bias = draw(st.one_of(st.none(), float_arrays((weight.shape[0],))))
    return x, weight, bias, {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


def torch_padding(padding: Any, weight: np.ndarray, dilation: tuple) -> Any:
    """PyTorch has no 'full': it is padding D*(k-1) on each side."""
    if padding == "full":
        return tuple(d * (k - 1) for k, d in zip(weight.shape[2:], dilation))
    return padding


def fits(x: np.ndarray, weight: np.ndarray, options: dict) -> bool:
    try:
        ag.conv2d(ag.from_numpy(x), ag.from_numpy(weight), **options)
    except ShapeError:
        return False
    return True


@settings(max_examples=12)
@given(case=conv2d_cases())
def test_conv2d_gradients_and_torch_parity(case):
    x, weight, bias, options = case
    if not fits(x, weight, options):
        return
    arrays = [x, weight] + ([bias] if bias is not None else [])
    torch_options = dict(options, padding=torch_padding(options["padding"], weight, options["dilation"]))
    check_op(
        lambda *tensors: ag.conv2d(*tensors, **options),
        arrays,
        lambda *tensors: torch.nn.functional.conv2d(*tensors, **torch_options),
    )


@settings(max_examples=12)
@given(case=conv2d_cases(max_side=6))
def test_conv2d_matches_the_numpy_reference(case):
    x, weight, _, options = case
    if not fits(x, weight, options):
        return
    out = ag.conv2d(ag.from_numpy(x), ag.from_numpy(weight), None, **options)
    pads = torch_padding(options["padding"], weight, options["dilation"])
    if isinstance(pads, str):  # 'valid' and 'same': before = total // 2
        spans = [d * (k - 1) for k, d in zip(weight.shape[2:], options["dilation"])]
        pads = (0, 0) if pads == "valid" else tuple(span // 2 for span in spans)
    pads = (pads, pads) if isinstance(pads, int) else pads
    stride = options["stride"] if isinstance(options["stride"], tuple) else (options["stride"],) * 2
    expected = kernels.conv2d_reference(x, weight, stride, pads, options["dilation"], options["groups"], out.shape[2:])
    np.testing.assert_allclose(out.array, expected, rtol=1e-12, atol=1e-12)


@st.composite
def conv_transpose2d_cases(draw: Any) -> tuple:
    groups = draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    x = draw(
        float_arrays(
            (
                draw(st.integers(1, 2)),
                groups * draw(st.integers(1, 2)),
                draw(st.integers(1, 3)),
                draw(st.integers(1, 3)),
            )
        )
    )
    weight = draw(float_arrays((x.shape[1], draw(st.integers(1, 2)), *kernel)))
    bias = draw(st.one_of(st.none(), float_arrays((weight.shape[1] * groups,))))
    return (
        x,
        weight,
        bias,
        {
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "groups": groups,
            "dilation": dilation,
        },
    )


@settings(max_examples=12)
@given(case=conv_transpose2d_cases())
def test_conv_transpose2d_gradients_and_torch_parity(case):
    x, weight, bias, options = case
    try:
        ag.conv_transpose2d(ag.from_numpy(x), ag.from_numpy(weight), **options)
    except ShapeError:  # padding larger than the output: an empty result
        return
    arrays = [x, weight] + ([bias] if bias is not None else [])
    check_op(
        lambda *tensors: ag.conv_transpose2d(*tensors, **options),
        arrays,
        lambda *tensors: torch.nn.functional.conv_transpose2d(*tensors, **options),
    )


@settings(max_examples=12)
@given(case=conv_transpose2d_cases())
def test_conv_transpose1d_gradients_and_torch_parity(case):
    """The 2-d cases' width dim alone (one 1-d lift, as conv1d's)."""
    x, weight, bias, options = case
    x, weight = np.ascontiguousarray(x[:, :, 0]), np.ascontiguousarray(weight[:, :, 0])
    options = {name: value[1] if isinstance(value, tuple) else value for name, value in options.items()}
    try:
        ag.conv_transpose1d(ag.from_numpy(x), ag.from_numpy(weight), **options)
    except ShapeError:
        return
    arrays = [x, weight] + ([bias] if bias is not None else [])
    check_op(
        lambda *tensors: ag.conv_transpose1d(*tensors, **options),
        arrays,
        lambda *tensors: torch.nn.functional.conv_transpose1d(*tensors, **options),
    )


@settings(max_examples=8)
@given(data=st.data())
def test_conv1d_gradients_and_torch_parity(data):
    groups = data.draw(st.integers(1, 2))
    kernel, dilation, stride = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    padding = data.draw(st.sampled_from([0, 1, 2, "valid", "same", "full"]))
    if padding == "same":
        stride = 1
    length = data.draw(st.integers(dilation * (kernel - 1) + 1, 7))
    x = data.draw(float_arrays((2, groups * data.draw(st.integers(1, 2)), length)))
    weight = data.draw(float_arrays((groups * 2, x.shape[1] // groups, kernel)))
    bias = data.draw(float_arrays((weight.shape[0],)))
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    torch_options = dict(options, padding=dilation * (kernel - 1) if padding == "full" else padding)
    check_op(
        lambda *tensors: ag.conv1d(*tensors, **options),
        [x, weight, bias],
        lambda *tensors: torch.nn.functional.conv1d(*tensors, **torch_options),
    )


def test_unbatched_inputs_match_a_batch_of_one():
    rng = np.random.default_rng(0)
    x, weight = rng.standard_normal((2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    single = ag.conv2d(ag.from_numpy(x), ag.from_numpy(weight), padding=1)
    batched = ag.conv2d(ag.from_numpy(x[None]), ag.from_numpy(weight), padding=1)
    assert single.shape == (3, 5, 5)
    np.testing.assert_array_equal(single.array, batched.array[0])
    assert ag.conv1d(ag.from_numpy(x[:, 0]), ag.from_numpy(weight[:, :, 0])).shape == (3, 3)
    assert ag.conv_transpose2d(ag.from_numpy(x), ag.from_numpy(weight[:2])).shape == (2, 7, 7)


@pytest.mark.parametrize("padding, side", [("valid", 3), ("same", 5), ("full", 7), (0, 3), (1, 5), (2, 7)])
def test_padding_modes_on_the_5x5_magic_square(padding, side):
    magic = np.array(
        [[17, 24, 1, 8, 15], [23, 5, 7, 14, 16], [4, 6, 13, 20, 22], [10, 12, 19, 21, 3], [11, 18, 25, 2, 9]],
        dtype=np.float64,
    )
    out = ag.conv2d(ag.from_numpy(magic[None, None]), ag.ones(1, 1, 3, 3, dtype=ag.float64), padding=padding)
    assert out.shape == (1, 1, side, side)
    assert out.array[0, 0, side // 2, side // 2] == 13 * 9  # 3x3 around the centre of a magic square
    if side == 7:
        assert out.array[0, 0, 0, 0] == 17  # 'full': the corner only overlaps one input element


@pytest.mark.parametrize("kernel, dilation, size", [(2, 1, 6), (4, 1, 5), (3, 2, 4), (2, 3, 7)])
def test_same_padding_keeps_the_size_for_even_kernels_too(kernel, dilation, size):
    x = ag.randn(1, 1, size, size, dtype=ag.float64)
    weight = ag.randn(2, 1, kernel, kernel, dtype=ag.float64)
    assert ag.conv2d(x, weight, padding="same", dilation=dilation).shape == (1, 2, size, size)
    if torch is not None:
        expected = torch.nn.functional.conv2d(
            torch.tensor(x.array), torch.tensor(weight.array), padding="same", dilation=dilation
        )
        np.testing.assert_allclose(
            ag.conv2d(x, weight, padding="same", dilation=dilation).array, expected.numpy(), rtol=1e-12, atol=1e-12
        )


def test_a_stride_that_does_not_divide_floors_like_pytorch():
    """7x7 input, 3x3 kernel, stride 3, no padding: (7 - 3)/3 + 1 is not whole; we floor to 2."""
    out = ag.conv2d(ag.randn(1, 1, 7, 7), ag.randn(1, 1, 3, 3), stride=3)
    assert out.shape == (1, 1, 2, 2)


@requires_torch
@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d", "conv1d"])
def test_float32_parity_with_torch(op):
    rng = np.random.default_rng(3)
    shapes = {
        "conv2d": ((4, 6, 9, 8), (8, 3, 3, 3)),
        "conv_transpose2d": ((4, 6, 5, 4), (6, 4, 3, 3)),
        "conv1d": ((4, 6, 11), (8, 3, 3)),
    }
    x, weight = (rng.standard_normal(shape).astype(np.float32) for shape in shapes[op])
    bias = rng.standard_normal(8).astype(np.float32)
    options = {"stride": 2, "padding": 1, "groups": 2}

    def ours(*tensors):
        return getattr(ag, op)(*tensors, **options)

    def theirs(*tensors):
        return getattr(torch.nn.functional, op)(*tensors, **options)

    compare_with_torch(
        ours, theirs, [x, weight, bias], [True] * 3, value_rtol=1e-5, value_atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4
    )
    out = ours(*(ag.from_numpy(a) for a in (x, weight, bias)))
    assert out.dtype == np.float32


def test_grad_fn_names_and_third_derivative():
    x = ag.randn(1, 1, 4, 4, dtype=ag.float64, requires_grad=True)
    weight = ag.randn(1, 1, 2, 2, dtype=ag.float64, requires_grad=True)
    out = ag.conv2d(x, weight)
    assert out.grad_fn.name() == "Conv2dBackward"
    (grad_x,) = ag.grad((out * out).sum(), [x], create_graph=True)
    assert grad_x.grad_fn is not None
    (grad_w,) = ag.grad((grad_x * grad_x).sum(), [weight], create_graph=True)
    (third,) = ag.grad(grad_w.sum(), [weight])
    assert third.shape == weight.shape and np.isfinite(third.array).all()


# -- errors --------------------------------------------------------------------------
def expect(error: type, match: str, function: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(error, match=match):
        function(*args, **kwargs)


def test_error_kernel_does_not_fit_names_input_kernel_stride_padding():
    with pytest.raises(ShapeError) as info:
        ag.conv2d(ag.randn(1, 1, 2, 2), ag.randn(1, 1, 3, 3), stride=2)
    message = str(info.value)
    for part in ("conv2d", "3x3 kernel", "2x2 input", "stride (2, 2)", "padding (0, 0)", "(W - F + 2P)/S + 1"):
        assert part in message


def test_error_wrong_channel_count():
    expect(ShapeError, r"input has 4 channels .* expects 3", ag.conv2d, ag.randn(1, 4, 5, 5), ag.randn(2, 3, 3, 3))
    expect(
        ShapeError,
        r"input has 4 channels .* expects 3",
        ag.conv_transpose2d,
        ag.randn(1, 4, 5, 5),
        ag.randn(3, 2, 3, 3),
    )


def test_error_groups_must_divide_channels():
    expect(
        ShapeError,
        r"groups=2 must divide the input channels \(3\)",
        ag.conv2d,
        ag.randn(1, 3, 5, 5),
        ag.randn(2, 1, 3, 3),
        groups=2,
    )
    expect(
        ShapeError,
        r"groups=2 must divide the output channels \(3\)",
        ag.conv2d,
        ag.randn(1, 4, 5, 5),
        ag.randn(3, 2, 3, 3),
        groups=2,
    )
    expect(
        ShapeError,
        r"groups=2 must divide the input channels \(3\)",
        ag.conv_transpose2d,
        ag.randn(1, 3, 5, 5),
        ag.randn(3, 1, 3, 3),
        groups=2,
    )
    expect(ValueError, "groups must be a positive int", ag.conv2d, ag.randn(1, 4, 5, 5), ag.randn(2, 4, 3, 3), groups=0)


def test_error_input_and_weight_dims():
    expect(
        ShapeError,
        r"conv2d: expected input of shape \(N, 1, H, W\) or \(1, H, W\), got \(5, 5\)",
        ag.conv2d,
        ag.randn(5, 5),
        ag.randn(1, 1, 3, 3),
    )
    expect(
        ShapeError,
        r"conv1d: expected input of shape \(N, 1, L\) or \(1, L\), got \(1, 1, 5, 5\)",
        ag.conv1d,
        ag.randn(1, 1, 5, 5),
        ag.randn(1, 1, 3),
    )
    expect(ShapeError, "expected a weight with 4 dims", ag.conv2d, ag.randn(1, 1, 5, 5), ag.randn(1, 3, 3))
    expect(
        TypeError,
        r"weight must be a Tensor, got numpy.ndarray; wrap it with autograd_core.tensor\(x\)",
        ag.conv2d,
        ag.randn(1, 1, 5, 5),
        np.ones((1, 1, 3, 3)),
    )
    expect(TypeError, "input must be a Tensor, got numpy.ndarray", ag.conv2d, np.ones((1, 1, 5, 5)), ag.randn(1, 1, 3))


def test_error_bias_shape():
    expect(
        ShapeError, r"bias must have shape \(2,\)", ag.conv2d, ag.randn(1, 1, 5, 5), ag.randn(2, 1, 3, 3), ag.randn(3)
    )
    expect(
        ShapeError,
        r"bias must have shape \(2,\)",
        ag.conv_transpose2d,
        ag.randn(1, 1, 5, 5),
        ag.randn(1, 2, 3, 3),
        ag.randn(3),
    )


def test_error_dtypes():
    expect(
        DtypeError,
        r"conv2d: input is float64 but weight is float32; convert the input with x.float\(\) or the model with "
        r"model.double\(\)",
        ag.conv2d,
        ag.randn(1, 1, 5, 5, dtype=ag.float64),
        ag.randn(1, 1, 3, 3),
    )
    expect(
        DtypeError,
        r"conv2d: input is int64 but weight is float32; convert the input with x.float\(\)$",
        ag.conv2d,
        ag.tensor(np.ones((1, 1, 5, 5), dtype=np.int64)),
        ag.randn(1, 1, 3, 3),
    )


def test_error_arguments():
    x, weight = ag.randn(1, 1, 5, 5), ag.randn(1, 1, 3, 3)
    expect(ValueError, "conv2d: stride must be positive, got 0", ag.conv2d, x, weight, stride=0)
    expect(TypeError, "conv2d: stride must be an int or a tuple of 2 ints, got 1.5", ag.conv2d, x, weight, stride=1.5)
    expect(TypeError, "conv2d: groups must be a positive int, got 1.5", ag.conv2d, x, weight, groups=1.5)
    expect(
        ValueError,
        r"stride must be an int or a tuple of 2 ints, got \(1, 2, 3\)",
        ag.conv2d,
        x,
        weight,
        stride=(1, 2, 3),
    )
    expect(ValueError, "padding must be non-negative, got -1", ag.conv2d, x, weight, padding=-1)
    expect(ValueError, "dilation must be positive", ag.conv2d, x, weight, dilation=0)
    expect(ShapeError, r"the weight \(1, 1, 0, 3\) has an empty kernel", ag.conv2d, x, ag.randn(1, 1, 0, 3))
    expect(ValueError, "padding='same' needs stride 1", ag.conv2d, x, weight, padding="same", stride=2)
    expect(
        ValueError,
        "padding must be an int, a tuple, 'valid', 'same' or 'full', got 'circular'",
        ag.conv2d,
        x,
        weight,
        padding="circular",
    )
    expect(
        ValueError,
        r"output_padding \(2, 2\) must be smaller than stride \(2, 2\)",
        ag.conv_transpose2d,
        x,
        weight,
        stride=2,
        output_padding=2,
    )
    expect(ShapeError, "gives an empty output", ag.conv_transpose2d, ag.randn(1, 1, 1, 1), weight, padding=2)


def test_two_pending_graphs_keep_their_own_columns():
    """Conv2d keeps its im2col columns for backward; a second forward of the same shape
    before that backward must not reuse (overwrite) them."""
    rng = np.random.default_rng(1)
    weight = ag.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    inputs = [ag.tensor(rng.standard_normal((2, 3, 7, 7))) for _ in range(2)]
    outputs = [ag.conv2d(x, weight, padding=1) for x in inputs]  # both graphs alive
    for x, out in zip(inputs, outputs):
        weight.grad = None
        out.sum().backward()
        expected = kernels.conv2d_weight_grad_reference(x.array, np.ones(out.shape), (1, 1), (1, 1), (1, 1), 1, (3, 3))
        np.testing.assert_allclose(weight.grad.array, expected, rtol=1e-10)


@requires_torch
@pytest.mark.parametrize(
    "name, x_shape, w_shape, kwargs",
    [
        ("conv2d", (0, 4, 6, 5), (6, 2, 3, 2), dict(stride=2, padding=1, groups=2)),
        ("conv1d", (0, 3, 7), (2, 3, 3), dict(padding="same")),
        ("conv_transpose2d", (0, 4, 3, 3), (4, 3, 2, 2), dict(stride=2)),
    ],
)
def test_an_empty_batch_gives_pytorchs_empty_output_and_zero_gradients_of_any_order(name, x_shape, w_shape, kwargs):
    rng = np.random.default_rng(0)
    x = ag.tensor(np.zeros(x_shape), requires_grad=True)
    weight = ag.tensor(rng.standard_normal(w_shape), requires_grad=True)
    out = getattr(ag, name)(x, weight, **kwargs)
    empty = torch.zeros(x_shape, dtype=torch.float64)
    expected = getattr(torch.nn.functional, name)(empty, torch.tensor(weight.array), **kwargs)
    assert out.shape == tuple(expected.shape)
    grad_x, grad_w = ag.grad(out.sum(), [x, weight], create_graph=True)
    assert grad_x.shape == x_shape and grad_w.shape == w_shape and not grad_w.array.any()
    (second,) = ag.grad(grad_w.sum(), [weight], allow_unused=True)
    assert second is None or not second.array.any()
