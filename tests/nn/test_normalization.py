from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.kernels import jit
from tests.helpers import (
    assert_same_bits,
    check_op,
    compare_module_with_torch,
    compare_with_torch,
    float_arrays,
    requires_torch,
    torch,
)

BATCH_SHAPES = st.tuples(st.integers(2, 4), st.integers(1, 3)).flatmap(
    lambda nc: st.lists(st.integers(1, 3), max_size=2).map(lambda extra: nc + tuple(extra))
)  # (N, C), (N, C, L) or (N, C, H, W)


@settings(max_examples=8)
@given(shape=BATCH_SHAPES, affine=st.booleans(), data=st.data())
def test_batch_norm_training_gradients(shape, affine, data):
    channels = shape[1]
    x = data.draw(float_arrays(shape))
    params = []
    if affine:
        params = [data.draw(float_arrays((channels,), low=0.5, high=2.0)), data.draw(float_arrays((channels,)))]

    def op(x, *params):
        return F.batch_norm(x, None, None, *params, training=True)

    def torch_op(x, *params):
        return torch.nn.functional.batch_norm(x, None, None, *params, training=True)

    check_op(op, [x] + params, torch_op if torch else None)


@settings(max_examples=8)
@given(
    case=st.sampled_from([((3, 4), (4,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((3,), (3,))]),
    affine=st.sampled_from(["both", "weight", "none"]),
    data=st.data(),
)
def test_layer_norm_gradients(case, affine, data):
    shape, normalized = case
    x = data.draw(float_arrays(shape))
    params = []
    if affine in ("both", "weight"):
        params.append(data.draw(float_arrays(normalized, low=0.5, high=2.0)))
    if affine == "both":
        params.append(data.draw(float_arrays(normalized)))

    def op(x, *params):
        return F.layer_norm(x, normalized, *params)

    def torch_op(x, *params):
        return torch.nn.functional.layer_norm(x, normalized, *params)

    check_op(op, [x] + params, torch_op if torch else None)


def test_batch_norm_eval_gradients():
    rng = np.random.default_rng(0)
    running_mean, running_var = ag.tensor(rng.standard_normal(3)), ag.tensor(rng.uniform(0.5, 2, 3))
    arrays = [rng.standard_normal((4, 3, 2)), rng.uniform(0.5, 2, 3), rng.standard_normal(3)]
    check_op(
        lambda x, w, b: F.batch_norm(x, running_mean, running_var, w, b, training=False),
        arrays,
        (lambda x, w, b: torch.nn.functional.batch_norm(
            x, torch.tensor(running_mean.array), torch.tensor(running_var.array), w, b, training=False))
        if torch
        else None,
    )


def test_normalize_first_order_backward_does_not_record_and_matches_create_graph():
    x = ag.tensor(np.random.default_rng(1).standard_normal((5, 3)), requires_grad=True)
    weight = ag.tensor(np.array([0.5, 1.5, 2.0]), requires_grad=True)
    out = F.batch_norm(x, None, None, weight, None, training=True)
    assert out.grad_fn.name() == "NormalizeBackward"
    upstream = ag.tensor(np.random.default_rng(2).standard_normal((5, 3)))
    fast = ag.grad(out, [x, weight], upstream, retain_graph=True)
    recorded = ag.grad(out, [x, weight], upstream, create_graph=True)
    assert not fast[0].requires_grad and recorded[0].requires_grad
    for a, b in zip(fast, recorded):
        np.testing.assert_allclose(a.array, b.array, rtol=1e-12, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "layer, shape, kwargs",
    [
        ("BatchNorm1d", (8, 4), {}),
        ("BatchNorm1d", (6, 4, 5), {"momentum": None}),
        ("BatchNorm2d", (4, 4, 3, 3), {"momentum": 0.3, "eps": 1e-3}),
        ("BatchNorm2d", (4, 4, 3, 3), {"affine": False}),
        ("BatchNorm1d", (8, 4), {"track_running_stats": False}),
        ("BatchNorm2d", (3, 4, 2, 2), {"bias": False}),
    ],
)
def test_batch_norm_running_stats_and_eval_match_pytorch(layer, shape, kwargs, dtype):
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours = getattr(nn, layer)(4, **kwargs).to(dtype)
    theirs = getattr(torch.nn, layer)(4, **kwargs).to(torch_dtype)
    rng = np.random.default_rng(3)
    if ours.affine:
        ours.weight.array[...] = rng.uniform(0.5, 2, 4)
        if ours.bias is not None:
            ours.bias.array[...] = rng.standard_normal(4)
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    tolerance.update(grad_rtol=tolerance["rtol"], grad_atol=tolerance["atol"])
    for step in range(4):  # the running statistics after each step are compared too
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(dtype)
        ours.zero_grad(), theirs.zero_grad()
        compare_module_with_torch(ours, theirs, [x], load=None if step else "ours_into_theirs", **tolerance)
    ours.eval(), theirs.eval()
    compare_module_with_torch(ours, theirs, [rng.standard_normal(shape).astype(dtype)], load=None, **tolerance)


@requires_torch
def test_batch_norm_loads_a_pytorch_state_dict_and_evaluates_the_same():
    theirs = torch.nn.BatchNorm2d(3)
    theirs.train()
    for _ in range(3):
        theirs(torch.randn(4, 3, 5, 5) * 2 + 1)
    theirs.eval()
    ours = nn.BatchNorm2d(3).eval()
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 5)).astype(np.float32)
    compare_module_with_torch(ours, theirs, [x], rtol=1e-5, atol=1e-6)
    assert ours.num_batches_tracked.dtype == np.int64 and int(ours.num_batches_tracked.item()) == 3


def test_batch_norm_without_tracking_has_no_buffers_and_uses_batch_stats_in_eval():
    layer = nn.BatchNorm1d(3, track_running_stats=False).double().eval()
    assert list(layer.state_dict()) == ["weight", "bias"]
    out = layer(ag.tensor(np.random.default_rng(5).standard_normal((6, 3)) * 3 + 2))
    np.testing.assert_allclose(out.array.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(out.array.std(0), 1, atol=1e-3)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_norm_module_matches_pytorch(dtype):
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours, theirs = nn.LayerNorm((3, 4), eps=1e-4).to(dtype), torch.nn.LayerNorm((3, 4), eps=1e-4).to(torch_dtype)
    rng = np.random.default_rng(6)
    ours.weight.array[...] = rng.uniform(0.5, 2, (3, 4))
    ours.bias.array[...] = rng.standard_normal((3, 4))
    x = rng.standard_normal((2, 5, 3, 4)).astype(dtype)
    rtol, atol = (1e-4, 1e-5) if dtype == np.float32 else (1e-10, 1e-12)
    tolerance = dict(rtol=rtol, atol=atol, grad_rtol=rtol, grad_atol=atol)
    compare_module_with_torch(ours, theirs, [x], load="ours_into_theirs", **tolerance)
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]
    assert list(nn.LayerNorm(4, elementwise_affine=False).state_dict()) == []
    assert repr(nn.LayerNorm(4)) == repr(torch.nn.LayerNorm(4))


@requires_torch
def test_reprs_match_pytorch():
    assert repr(nn.BatchNorm2d(8, momentum=None)) == repr(torch.nn.BatchNorm2d(8, momentum=None))
    assert repr(nn.BatchNorm1d(8, affine=False)) == repr(torch.nn.BatchNorm1d(8, affine=False))
    assert repr(nn.BatchNorm1d(8, bias=False)) == repr(torch.nn.BatchNorm1d(8, bias=False))
    assert list(nn.BatchNorm1d(8, bias=False).state_dict()) == list(torch.nn.BatchNorm1d(8, bias=False).state_dict())


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.BatchNorm2d(3)(ag.zeros(2, 3, 4)), ag.ShapeError,
         r"BatchNorm2d\(3\): expected input of shape \(N, 3, H, W\), got \(2, 3, 4\) \(3-D\)"),
        (lambda: nn.BatchNorm1d(4)(ag.zeros(2, 3)), ag.ShapeError,
         r"BatchNorm1d\(4\): expected input of shape \(N, 4, \*\), as weight has 4 values \(one per channel\), "
         r"got \(2, 3\) with 3 channels in dim 1"),
        (lambda: nn.BatchNorm1d(4, affine=False)(ag.zeros(2, 3)), ag.ShapeError,
         r"BatchNorm1d\(4\): expected input of shape \(N, 4, \*\), as running_mean has 4 values"),
        (lambda: nn.BatchNorm1d(4)(ag.zeros(2, 4, 2, 2)), ag.ShapeError, r"BatchNorm1d\(4\).*\(4-D\)"),
        (lambda: nn.BatchNorm1d(4)(ag.zeros(1, 4)), ValueError,
         r"more than 1 value per channel when training, got input of shape \(1, 4\)"),
        (lambda: nn.BatchNorm1d(0), ValueError, r"BatchNorm1d: num_features must be a positive int"),
        (lambda: nn.BatchNorm1d(3, momentum=1.5), ValueError, r"BatchNorm1d: momentum must be in \[0, 1\] or None"),
        (lambda: F.batch_norm(ag.zeros(2, 3), ag.zeros(4), ag.ones(4)), ag.ShapeError,
         r"batch_norm: expected input of shape \(N, 4, \*\), as running_mean has 4 values"),
        (lambda: F.batch_norm(ag.zeros(2, 3), ag.zeros(3, 1), ag.ones(3)), ag.ShapeError,
         r"batch_norm: running_mean must have shape \(3,\), one per channel; got \(3, 1\)"),
        (lambda: F.batch_norm(ag.zeros(2, 3), np.zeros(3), ag.ones(3)), TypeError,
         r"batch_norm: running_mean must be a Tensor, got numpy.ndarray"),
        (lambda: F.batch_norm(ag.zeros(2, 3), None, None), ValueError, r"needs running_mean and running_var"),
        (lambda: F.batch_norm(ag.zeros(2, 3), None, None, ag.ones(2), training=True), ag.ShapeError,
         r"batch_norm: expected input of shape \(N, 2, \*\), as weight has 2 values"),
        (lambda: F.batch_norm(ag.zeros(2, 3), None, None, ag.ones(3, 1), training=True), ag.ShapeError,
         r"batch_norm: weight must have shape \(3,\), got \(3, 1\)"),
        (lambda: F.batch_norm(ag.zeros(3), None, None, training=True), ag.ShapeError,
         r"batch_norm: expected input \(N, C\)"),
        (lambda: F.batch_norm(ag.tensor([[1, 2], [3, 4]]), None, None, training=True), ag.DtypeError,
         r"batch_norm: needs a float input"),
        (lambda: nn.LayerNorm((3, 4))(ag.zeros(2, 4, 3)), ag.ShapeError,
         r"LayerNorm\(\(3, 4\)\): expected input of shape \(\*, 3, 4\) to normalise over its last 2 dim\(s\), "
         r"got \(2, 4, 3\)"),
        (lambda: nn.LayerNorm(()), ValueError, r"LayerNorm: normalized_shape must be a positive int"),
        (lambda: F.layer_norm(ag.zeros(2, 4), (4,), ag.ones(3)), ag.ShapeError,
         r"layer_norm: weight must have shape \(4,\), got \(3,\)"),
    ],
)
def test_normalization_errors_name_the_layer_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_eval_mode_leaves_running_stats_alone_and_train_mode_counts_batches():
    layer = nn.BatchNorm1d(2)
    layer(ag.randn(4, 2)), layer(ag.randn(4, 2))
    assert int(layer.num_batches_tracked.item()) == 2
    before = layer.running_mean.array.copy()
    layer.eval()(ag.randn(4, 2) + 5)
    np.testing.assert_array_equal(layer.running_mean.array, before)
    assert int(layer.num_batches_tracked.item()) == 2
    layer.reset_running_stats()
    np.testing.assert_array_equal(layer.running_var.array, 1)


def test_a_refused_batch_leaves_the_running_statistics_and_the_batch_count_alone():
    layer = nn.BatchNorm1d(4, momentum=None)
    layer(ag.randn(5, 4))
    state = {name: value.array.copy() for name, value in layer.state_dict().items()}
    for bad in (ag.zeros(5, 3), ag.zeros(5, 4, 2, 2), ag.zeros(1, 4)):
        with pytest.raises((ag.ShapeError, ValueError)):
            layer(bad)
    for name, value in layer.state_dict().items():
        np.testing.assert_array_equal(value.array, state[name])


@requires_torch
def test_cumulative_average_momentum_none_matches_pytorch_over_three_batches():
    ours, theirs = nn.BatchNorm1d(3, momentum=None).double(), torch.nn.BatchNorm1d(3, momentum=None).double()
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal((6, 3))
        ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(ours.running_var.array, theirs.running_var.numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == 3


def test_normalization_gradients_reach_parameters_through_a_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2), nn.LayerNorm(2))
    loss = model(ag.randn(5, 3)).sum() + 0.0
    (loss * loss).backward()
    assert all(p.grad is not None and np.isfinite(p.grad.array).all() for p in model.parameters())


@requires_torch
def test_compare_with_torch_on_batch_norm_float32_function():
    x = np.random.default_rng(7).standard_normal((6, 3)).astype(np.float32)
    compare_with_torch(
        lambda x: F.batch_norm(x, None, None, training=True),
        lambda x: torch.nn.functional.batch_norm(x, None, None, training=True),
        [x], [True], value_rtol=1e-5, value_atol=1e-6, grad_rtol=1e-4, grad_atol=1e-5,
    )


@pytest.mark.parametrize(
    "layer, shape, weight",
    [
        (lambda: nn.BatchNorm1d(3), (4, 3), "weight"),
        (lambda: nn.BatchNorm2d(3, affine=False), (4, 3, 2, 2), "running_mean"),
        (lambda: nn.BatchNorm1d(3).eval(), (4, 3), "weight"),
        (lambda: nn.LayerNorm(3), (4, 3), "weight"),
        (lambda: nn.GroupNorm(1, 3), (4, 3), "weight"),
        (lambda: nn.RMSNorm(3), (4, 3), "weight"),
    ],
)
def test_norm_layers_refuse_a_float64_input_naming_the_layer_both_dtypes_and_the_fix(layer, shape, weight):
    """As PyTorch ("mixed dtype"): no silent promotion to float64 (which runs about half as fast)."""
    module = layer()
    name = type(module).__name__
    with pytest.raises(
        ag.DtypeError,
        match=rf"^{name}\(.*\): input is float64 but {weight} is float32; convert the input with x.float\(\) or "
        r"the model with model.double\(\)$",
    ):
        module(ag.zeros(*shape, dtype=ag.float64))
    with pytest.raises(TypeError, match=rf"^{name}\(.*\): input must be a Tensor, got numpy.ndarray"):
        module(np.zeros(shape, dtype=np.float32))
    assert module.double()(ag.randn(*shape, dtype=ag.float64)).dtype == np.float64


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine, bias", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize(
    "shape, normalized, transposed",
    [((16, 64, 128), (128,), False), ((3, 5, 19), (19,), False), ((4, 3, 5, 6), (5, 6), False),
     ((7,), (7,), False), ((6, 9, 19), (9,), True), ((2, 8, 3, 12), (12, 3), True), ((0, 5), (5,), False)],
)
def test_layer_norm_by_rows_matches_pytorch(dtype, affine, bias, shape, normalized, transposed):
    """The row kernels' path (``normalization_node._forward_rows``): values and gradients of x, weight
    and bias as PyTorch's, with and without the affine parameters, over one or two trailing dims,
    for a non-contiguous input (a transposed view) too."""
    rng = np.random.default_rng(7)
    array = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    if transposed:
        array = np.swapaxes(array, -1, -2)
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours = nn.LayerNorm(normalized, eps=1e-5, elementwise_affine=affine, bias=bias).to(dtype)
    theirs = torch.nn.LayerNorm(normalized, eps=1e-5, elementwise_affine=affine, bias=bias).to(torch_dtype)
    assert array.flags.c_contiguous != transposed
    _compare_norm_layer_with_torch(ours, theirs, array, rng, ["weight"] * affine + ["bias"] * bias)


def _run_norm_layer(make: Any, array: np.ndarray, upstream: np.ndarray) -> list:
    """A fresh ``make()`` layer (weights 0.5 .. 2) on ``array``, backward from ``upstream``: its output,
    the gradients of the input, weight and bias, and the running statistics if it keeps them."""
    layer = make()
    layer.weight.array[...] = np.linspace(0.5, 2, layer.weight.shape[0])
    x = ag.tensor(array, requires_grad=True)
    out = layer(x)
    out.backward(ag.tensor(upstream, dtype=ag.float32))
    stats = [getattr(layer, name).array for name in ("running_mean", "running_var") if hasattr(layer, name)]
    return [out.array, x.grad.array, layer.weight.grad.array, layer.bias.grad.array] + stats


@pytest.mark.parametrize("mode", ["numpy", "wait"])
@pytest.mark.parametrize(
    "make, shape", [(lambda: nn.LayerNorm(13), (2, 3, 13)), (lambda: nn.BatchNorm2d(4), (3, 4, 5, 6))]
)
def test_norm_kernels_give_the_same_bits_from_the_twins_and_the_kernels(mode, make, shape):
    """Whichever of the twin and the Numba code runs (``kernels/jit.py``), LayerNorm's (by rows) and
    BatchNorm2d's (by channels) values, gradients and running statistics are the same bits (here,
    against the background mode's first call)."""
    rng = np.random.default_rng(8)
    array, upstream = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape)
    previous = jit.set_mode(mode)
    try:
        results = _run_norm_layer(make, array, upstream)
    finally:
        jit.set_mode(previous)
    for mine, theirs in zip(results, _run_norm_layer(make, array, upstream)):
        assert_same_bits(mine, theirs)

@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine, bias", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("shape, layout", [((6, 5, 7, 9), "contiguous"), ((4, 3, 11), "contiguous"),
                                           ((5, 4, 3, 6), "transposed"), ((2, 70, 1, 1), "contiguous")])
def test_batch_norm_by_channels_matches_pytorch(dtype, affine, bias, shape, layout):
    """The channel kernels' path (``normalization_node.normalize_channels``, C-contiguous input) and the
    NumPy path (a transposed view): values, running statistics and the gradients of x, weight and bias
    as PyTorch's, with and without the affine parameters."""
    rng = np.random.default_rng(9)
    array = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    if layout == "transposed":
        array = np.swapaxes(array, -1, -2)
    layer = "BatchNorm2d" if array.ndim == 4 else "BatchNorm1d"
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours = getattr(nn, layer)(shape[1], affine=affine, bias=bias).to(dtype)
    theirs = getattr(torch.nn, layer)(shape[1], affine=affine, bias=bias).to(torch_dtype)
    assert array.flags.c_contiguous == (layout == "contiguous")

    def running_statistics() -> list:
        return [(ours.running_mean, theirs.running_mean), (ours.running_var, theirs.running_var)]

    _compare_norm_layer_with_torch(ours, theirs, array, rng, ["weight"] * affine + ["bias"] * bias, running_statistics)


def test_batch_norm_by_channels_second_derivatives():
    """Under create_graph the channel path's node differentiates its composition: gradgradcheck."""
    rng = np.random.default_rng(11)
    x = ag.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    weight = ag.tensor(rng.uniform(0.5, 2, 2), requires_grad=True)
    bias = ag.tensor(rng.standard_normal(2), requires_grad=True)

    def op(x, weight, bias):
        return F.batch_norm(x, None, None, weight, bias, training=True)

    assert op(x, weight, bias).grad_fn.channels  # the kernel path ran
    assert ag.gradcheck(op, (x, weight, bias)) and ag.gradgradcheck(op, (x, weight, bias))


def _compare_norm_layer_with_torch(ours, theirs, array, rng, params, extra_pairs=lambda: []) -> None:
    """Give ``theirs`` the parameters named in ``params`` ("weight", "bias") of random values set in ``ours``,
    run both on ``array`` and backward from one upstream gradient; the outputs, the input's and the
    parameters' gradients (and the pairs ``extra_pairs()`` lists after) agree, of ``array``'s dtype."""
    dtype = array.dtype
    for name in params:
        values = rng.uniform(0.5, 2, ours.weight.shape) if name == "weight" else rng.standard_normal(ours.bias.shape)
        getattr(ours, name).array[...] = values
        getattr(theirs, name).data = torch.tensor(getattr(ours, name).array)
    x = ag.from_numpy(array).requires_grad_(True)
    tx = torch.tensor(array, requires_grad=True)
    out, expected = ours(x), theirs(tx)
    upstream = rng.standard_normal(out.shape).astype(dtype)
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    rtol, atol = (2e-5, 2e-5) if dtype == np.float32 else (1e-11, 1e-11)
    pairs = [(out, expected), (x.grad, tx.grad)] + [(getattr(ours, n).grad, getattr(theirs, n).grad) for n in params]
    for mine, their in pairs + extra_pairs():
        assert mine.dtype == dtype and mine.shape == tuple(their.shape)
        np.testing.assert_allclose(mine.array, their.detach().numpy(), rtol=rtol, atol=atol * np.sqrt(array.size))
