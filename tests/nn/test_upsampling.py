"""F.interpolate and nn.Upsample (nn/upsampling.py): values and gradients against PyTorch."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch

MODES_BY_RANK = {3: ["nearest", "nearest-exact", "linear", "area"], 4: ["nearest", "nearest-exact", "bilinear", "area"],
                 5: ["nearest", "nearest-exact", "trilinear"]}
FACTORS = [0.5, 0.7, 1.0, 1.1, 1.5, 1.9, 2.0, 2.1, 3.0]
LOOSE = {"value_rtol": 1e-5, "value_atol": 2e-6, "grad_rtol": 1e-4, "grad_atol": 1e-5}  # float32 parity


@st.composite
def resize_cases(draw, max_side=5):
    """An input array (any layout), a mode that fits its rank and the keyword arguments of one resize."""
    rank = draw(st.sampled_from([3, 4, 5]))
    spatial = tuple(draw(st.lists(st.integers(1, max_side), min_size=rank - 2, max_size=rank - 2)))
    x = draw(float_arrays((draw(st.integers(1, 2)), draw(st.integers(1, 2))) + spatial))
    mode = draw(st.sampled_from(MODES_BY_RANK[rank]))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["size"] = tuple(draw(st.lists(st.integers(1, 2 * max_side), min_size=rank - 2, max_size=rank - 2)))
    else:
        factors = draw(st.lists(st.sampled_from(FACTORS), min_size=rank - 2, max_size=rank - 2))
        factors = [factor if int(side * factor) > 0 else 2.0 for side, factor in zip(spatial, factors)]
        kwargs["scale_factor"] = factors[0] if len(set(factors)) == 1 and draw(st.booleans()) else tuple(factors)
        kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True]))
    if mode in ("linear", "bilinear", "trilinear"):
        kwargs["align_corners"] = draw(st.booleans())
    return x, mode, kwargs


def torch_backward_disagrees_with_its_forward(shape, mode, kwargs):
    """PyTorch's 1-D and 3-D 'nearest' backward copies a dim whose output size is 1x or 2x the
    input's (j // 2), but its forward uses the given scale_factor: there torch's gradient fails
    torch's own gradcheck. Ours is the gradient of the forward both libraries compute."""
    factors = kwargs.get("scale_factor")
    if mode != "nearest" or len(shape) == 4 or factors is None or kwargs.get("recompute_scale_factor"):
        return False
    factors = factors if isinstance(factors, tuple) else (factors,) * (len(shape) - 2)
    return any(int(side * factor) in (side, 2 * side) and factor not in (1.0, 2.0)
               for side, factor in zip(shape[2:], factors))


def check_interpolate(x, mode, kwargs, gradcheck=True, **tolerances):
    """gradcheck/gradgradcheck (float64) and PyTorch parity: values, and gradients where torch's are right."""

    def ours(t):
        return F.interpolate(t, mode=mode, **kwargs)

    def theirs(t):
        return torch.nn.functional.interpolate(t, mode=mode, **kwargs)

    if gradcheck:
        check_op(ours, [x])
    if torch is not None:
        gradients = not torch_backward_disagrees_with_its_forward(x.shape, mode, kwargs)
        compare_with_torch(ours, theirs, [x], [gradients], **tolerances)


@settings(max_examples=60, deadline=None)
@given(case=resize_cases())
def test_interpolate_gradients_and_parity(case):
    check_interpolate(*case)


@requires_torch
@pytest.mark.parametrize("shape, factor", [((1, 1, 3), 1.1), ((1, 1, 4), 2.1), ((1, 1, 2, 5, 3), (0.5, 2.1, 0.7))])
def test_where_torchs_nearest_backward_is_not_its_forwards_gradient_ours_is(shape, factor):
    x = np.random.default_rng(0).standard_normal(shape)
    assert torch_backward_disagrees_with_its_forward(shape, "nearest", {"scale_factor": factor})

    def theirs(t):
        return torch.nn.functional.interpolate(t, scale_factor=factor)

    assert not torch.autograd.gradcheck(theirs, (torch.tensor(x, requires_grad=True),), raise_exception=False)
    check_interpolate(x, "nearest", {"scale_factor": factor})


@requires_torch
@settings(max_examples=30, deadline=None)
@given(case=resize_cases(max_side=12))
def test_interpolate_float32_matches_pytorch_on_larger_images(case):
    x, mode, kwargs = case
    check_interpolate(x.astype(np.float32), mode, kwargs, gradcheck=False, **LOOSE)


@requires_torch
@pytest.mark.parametrize(
    "shape, mode, kwargs",
    [
        ((1, 1, 4), "nearest", {"scale_factor": 2.1}),  # floor(j / 2.1): 0 0 0 1 1 2 2 3
        ((1, 1, 2), "nearest", {"scale_factor": 1.1}),  # 1-D: no copy for an unchanged size
        ((2, 3, 4, 1), "nearest", {"scale_factor": (2.1, 1.1)}),  # 2-D: j // 2 for doubled, copy for unchanged
        ((1, 1, 4, 5, 1), "nearest", {"scale_factor": 1.1}),  # 3-D: no shortcuts
        ((1, 1, 6, 4), "bilinear", {"scale_factor": (1.1, 2.0)}),  # linear modes copy an unchanged dim
        ((1, 1, 6), "linear", {"scale_factor": 1.1}),
        ((1, 1, 5, 5), "bilinear", {"size": (1, 1), "align_corners": True}),  # one output: the corner
        ((1, 2, 3, 3), "bilinear", {"size": 7, "align_corners": False}),
        ((1, 2, 3, 3), "nearest-exact", {"size": (7, 2)}),
    ],
)
def test_pytorch_kernel_rules(shape, mode, kwargs):
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) ** 1.5
    check_interpolate(x, mode, kwargs)


def test_two_times_nearest_repeats_pixels_and_its_gradient_sums_blocks():
    x = ag.tensor(np.arange(4.0).reshape(1, 1, 2, 2), requires_grad=True)
    out = F.interpolate(x, scale_factor=2)
    np.testing.assert_array_equal(out.array[0, 0], np.repeat(np.repeat(np.arange(4.0).reshape(2, 2), 2, 0), 2, 1))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full((1, 1, 2, 2), 4.0))
    assert out.grad_fn.name() == "ResampleBackward"


@requires_torch
@pytest.mark.parametrize("mode, kwargs", [("nearest", {}), ("bilinear", {"align_corners": False}),
                                          ("bilinear", {"align_corners": True})])
def test_inf_and_nan_stay_in_the_pixels_they_reach_as_in_pytorch(mode, kwargs):
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 2], x[0, 0, 3, 0] = np.inf, np.nan
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out = F.interpolate(ours, scale_factor=2, mode=mode, **kwargs)
    expected = torch.nn.functional.interpolate(theirs, scale_factor=2, mode=mode, **kwargs)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-12)  # NaN and inf in the same places
    upstream = np.ones((1, 1, 8, 8))
    upstream[0, 0, 5, 5] = np.nan
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-12)
    assert np.isfinite(out.array).sum() == np.isfinite(expected.detach().numpy()).sum() > 30


def test_an_unchanged_size_gives_a_new_tensor():
    x = ag.ones(1, 1, 3, 3, requires_grad=True)
    out = F.interpolate(x, size=(3, 3), mode="bilinear")
    assert out is not x and out.requires_grad
    np.testing.assert_array_equal(out.array, x.array)


@requires_torch
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: nn.Upsample(scale_factor=2), lambda: torch.nn.Upsample(scale_factor=2)),
        (lambda: nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True),
         lambda: torch.nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True)),
        (lambda: nn.Upsample(scale_factor=(1.5, 2), mode="bilinear"),
         lambda: torch.nn.Upsample(scale_factor=(1.5, 2), mode="bilinear")),
        (lambda: nn.UpsamplingNearest2d(scale_factor=3), lambda: torch.nn.UpsamplingNearest2d(scale_factor=3)),
        (lambda: nn.UpsamplingBilinear2d(size=6), lambda: torch.nn.UpsamplingBilinear2d(size=6)),
    ],
)
def test_upsample_modules_match_pytorch(ours, theirs):
    ours, theirs = ours(), theirs()
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    compare_with_torch(ours, theirs, [x], [True], **LOOSE)


def test_upsample_in_a_model_trains():
    ag.manual_seed(0)
    upsample = nn.Upsample(scale_factor=2, mode="bilinear")
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), upsample, nn.Conv2d(2, 1, 1))
    x, target = ag.randn(4, 1, 4, 4), ag.randn(4, 1, 8, 8)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.interpolate(ag.ones(1, 1, 4), size=3, scale_factor=2.0), ValueError,
         r"only one of size or scale_factor should be defined"),
        (lambda: F.interpolate(ag.ones(1, 1, 4)), ValueError, r"either size or scale_factor should be defined"),
        (lambda: F.interpolate(ag.ones(1, 1, 4), size=3, align_corners=True), ValueError,
         r"align_corners option can only be set with the interpolating modes"),
        (lambda: F.interpolate(ag.ones(1, 1, 4), size=3, mode="bilinear"), ag.ShapeError,
         r"got a 3-D input \(1, 1, 4\), but mode 'bilinear' needs a 4-D input"),
        (lambda: F.interpolate(ag.ones(1, 1, 4, 4), size=3, mode="linear"), ag.ShapeError,
         r"mode 'linear' needs a 3-D"),
        (lambda: F.interpolate(ag.ones(4, 4), size=3), ag.ShapeError,
         r"expected a 3-D .* got shape \(4, 4\) \(2-D\)"),
        (lambda: F.interpolate(ag.ones(1, 1, 4, 4), size=(3, 3, 3)), ValueError,
         r"same number of spatial dimensions, but got input with spatial dimensions of \[4, 4\] and output size"),
        (lambda: F.interpolate(ag.ones(1, 1, 4, 4), scale_factor=(2.0,)), ValueError,
         r"scale_factor of shape \(2.0,\)"),
        (lambda: F.interpolate(ag.ones(1, 1, 4), size=2.5), TypeError,
         r"expected size to be an int or a tuple of ints"),
        (lambda: F.interpolate(ag.ones(1, 1, 4), scale_factor=-1.0), ValueError, r"scale_factor must be positive"),
        (lambda: F.interpolate(ag.ones(1, 1, 4), size=3, mode="bicubic"), ValueError,
         r"mode 'bicubic' is not supported; .*'bilinear' is the closest"),
        (lambda: F.interpolate(ag.ones(1, 1, 4), size=3, recompute_scale_factor=True), ValueError,
         r"recompute_scale_factor is not meaningful with an explicit size"),
        (lambda: F.interpolate(ag.ones(1, 1, 1), scale_factor=0.5), ValueError, r"gives an empty output \[0\]"),
        (lambda: F.interpolate(ag.tensor(np.ones((1, 1, 2), np.int64)), size=3), ag.DtypeError, r"needs a float input"),
        (lambda: F.interpolate(ag.ones(1, 1, 2, 2), size=3, mode="bilinear", antialias=True), ValueError,
         r"antialias=True is not supported"),
    ],
)
def test_errors_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()
