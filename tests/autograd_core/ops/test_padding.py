"""``pad`` (autograd_core/ops/padding.py): PyTorch's four modes, negative widths that crop,
and the errors for widths a mode cannot take."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from tests.helpers import check_op, float_arrays, requires_torch, torch


@st.composite
def padded_inputs(draw: st.DrawFn, mode: str) -> tuple[np.ndarray, tuple]:
    """An input and widths that ``mode`` accepts: 1 to 3 padded dims of a batched or unbatched
    input for the copying modes (any dims for 'constant'), widths that may crop."""
    dims = draw(st.integers(1, 3))
    ndim = draw(st.integers(max(dims, 1), dims + 2)) if mode == "constant" else dims + draw(st.integers(1, 2))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    widths = []
    for i in range(dims):
        size = shape[ndim - 1 - i]
        # reflect: below the size; circular: at most the size left after cropping; a crop leaves >= 1
        high = {"reflect": size - 1, "circular": 1, "replicate": 3, "constant": 3}[mode]
        before = draw(st.integers(-((size - 1) // 2), high))
        after = draw(st.integers(-((size - 1) // 2), high))
        widths += [before, after]
    return draw(float_arrays(shape)), tuple(widths)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_pad_in_each_mode_matches_pytorch_with_gradients(mode, data):
    array, widths = data.draw(padded_inputs(mode))
    value = data.draw(st.sampled_from([None, -1.5])) if mode == "constant" else None
    check_op(
        lambda x: F.pad(x, widths, mode=mode, value=value),
        [array],
        lambda x: torch.nn.functional.pad(x, widths, mode=mode, value=value),
    )


@requires_torch
@pytest.mark.parametrize(
    "mode, widths",
    [("reflect", (-3, 2)), ("reflect", (2, -3)), ("circular", (-3, 2)), ("circular", (2, -3)), ("replicate", (-2, 3)),
     ("circular", (5, 0)), ("constant", (-5, 0)), ("constant", (-2, 4))],
)
def test_negative_widths_crop_as_in_pytorch(mode, widths):
    """reflect and replicate count positions in the uncropped input, circular wraps what the crop left."""
    values = np.arange(10.0, dtype=np.float32).reshape(2, 5)
    expected = torch.nn.functional.pad(torch.tensor(values), widths, mode=mode).numpy()
    np.testing.assert_array_equal(F.pad(ag.tensor(values), widths, mode=mode).array, expected)


def test_pad_keeps_the_dtype_and_casts_the_value_as_pytorch():
    padded = ag.pad(ag.arange(6).reshape(2, 3), (1, 1), value=2.7)
    assert padded.dtype == np.int64
    np.testing.assert_array_equal(padded.array[:, 0], [2, 2])
    assert ag.pad(ag.zeros(2, 3, dtype=ag.bool), (1, 0), value=True).array[:, 0].all()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: F.pad(x, (1,)), ag.ShapeError, r"pad: expected an even number of widths for at most 2 dims"),
        (lambda x: F.pad(x, (1, 1, 1, 1, 1, 1)), ag.ShapeError, "for at most 2 dims"),
        (lambda x: F.pad(x, (1.5, 1)), TypeError, r"pad: widths must be a tuple of ints"),
        (lambda x: F.pad(x, (1, 1), 0.5), ValueError, r"pad: mode must be one of .* \(the fill value goes in value=\)"),
        (lambda x: F.pad(x, (1, 1, 1, 1), mode="reflect"), ag.ShapeError,
         r"mode 'reflect' with 4 widths does not fit a 2-D input of shape \(2, 3\).* 4 for 3-D or 4-D"),
        (lambda x: F.pad(x, (3, 0), mode="reflect"), ag.ShapeError,
         r"reflect padding must be smaller than the dim it pads, got widths \(3, 0\) for dim 1 of size 3"),
        (lambda x: F.pad(x, (4, 0), mode="circular"), ag.ShapeError, "wrap around dim 1 .* more than once"),
        (lambda x: F.pad(x, (-2, -1), mode="replicate"), ag.ShapeError, r"widths \(-2, -1\) leave nothing of dim 1"),
        (lambda x: F.pad(x, (-4, 0)), ag.ShapeError, r"widths \(-4, 0\) crop more than dim 1 holds \(size 3"),
        (lambda x: F.pad(x, (-4, 2)), ag.ShapeError, r"widths \(-4, 2\) crop more than dim 1 holds"),
        (lambda x: F.pad(x, (1, 1), mode="reflect", value=2.0), ValueError, "mode 'reflect' takes no fill value"),
        (lambda x: F.pad(x[:, :0], (1, 1), mode="replicate"), ag.ShapeError, "cannot pad dim 1 of size 0"),
    ],
)
def test_widths_a_mode_cannot_take_name_the_op_and_the_fix(call, error, message):
    with pytest.raises(error, match=message):
        call(ag.ones(2, 3))
