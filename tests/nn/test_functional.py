import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch

CASES = [
    {},
    {"weight": [0.5, 2.0, 1.0, 1.5]},
    {"ignore_index": 1},
    {"label_smoothing": 0.2, "weight": [0.5, 2.0, 1.0, 1.5]},
    {"reduction": "sum", "label_smoothing": 0.1},
    {"reduction": "none"},
]


@settings(max_examples=6)
@given(logits=float_arrays((5, 4)), seed=st.integers(0, 100), case=st.sampled_from(CASES))
def test_cross_entropy_with_class_indices(logits, seed, case):
    labels = np.random.default_rng(seed).integers(0, 4, 5)
    labels[0] = 1  # at least one label survives ignore_index=1 ... and one is ignored
    labels[1] = 3
    torch_case = {}
    if torch:
        torch_case = {k: (torch.tensor(v, dtype=torch.float64) if k == "weight" else v) for k, v in case.items()}
    check_op(
        lambda z: F.cross_entropy(z, labels, **case),
        [logits],
        (lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(labels), **torch_case)) if torch else None,
    )



@settings(max_examples=20, deadline=None)
@given(
    rows=st.integers(1, 9), classes=st.integers(1, 7), seed=st.integers(0, 2**16),
    dtype=st.sampled_from([np.float32, np.float64]), reduction=st.sampled_from(["mean", "sum"]),
)
def test_cross_entropys_everyday_backward_gives_the_general_paths_bits(rows, classes, seed, dtype, reduction):
    """Without class weights, ignored rows or smoothing the loss and its backward take a short path
    (-log p at the labels; (p - onehot) * upstream); with weights of ones the general path runs, and
    the two must agree to the bit."""
    rng = np.random.default_rng(seed)
    logits = (rng.standard_normal((rows, classes)) * 10.0 ** rng.integers(-2, 3)).astype(dtype)
    labels = rng.integers(0, classes, rows)
    losses, grads = [], []
    for weight in (None, np.ones(classes)):
        z = ag.tensor(logits, requires_grad=True)
        loss = F.cross_entropy(z, labels, weight=weight, reduction=reduction)
        (loss * 3.0).backward()
        losses.append(loss.array)
        grads.append(z.grad.array)
    assert grads[0].dtype == dtype
    np.testing.assert_array_equal(losses[0], losses[1])
    np.testing.assert_array_equal(grads[0], grads[1])

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.uint64])
def test_cross_entropy_takes_class_indices_of_every_integer_dtype(dtype):
    """Any integer dtype gives int64's loss and gradient (uint64 + int64 offsets is float64 in NumPy)."""
    logits = np.random.default_rng(0).standard_normal((3, 4))
    results = []
    for labels in (np.array([0, 1, 3]), np.array([0, 1, 3], dtype)):
        z = ag.tensor(logits, requires_grad=True)
        loss = F.cross_entropy(z, labels, label_smoothing=0.1 if dtype == np.uint8 else 0.0)
        loss.backward()
        results.append((loss.array, z.grad.array))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


@requires_torch
def test_cross_entropy_over_extra_dims_and_probability_targets():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 3, 4))
    labels = rng.integers(0, 3, (2, 4))
    compare_with_torch(
        lambda z: F.cross_entropy(z, labels),
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(labels)),
        [logits],
        [True],
    )
    probabilities = rng.dirichlet(np.ones(3), size=5)
    logits = rng.standard_normal((5, 3))
    compare_with_torch(
        lambda z: F.cross_entropy(z, probabilities, label_smoothing=0.1),
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(probabilities), label_smoothing=0.1),
        [logits],
        [True],
    )


def test_cross_entropy_is_finite_for_huge_logits():
    logits = ag.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    loss = F.cross_entropy(logits, np.array([1]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(logits.grad.array).all()
    assert loss.item() == pytest.approx(2e4)


def test_cross_entropy_of_rows_with_nan_inf_or_no_rows_is_what_pytorch_gives():
    # NaN, +inf and all -inf rows: NaN losses; no rows (with or without classes): a NaN mean, as PyTorch
    logits = np.array([[1, np.nan, 3], [np.inf, 1, 2], [-np.inf, -np.inf, -np.inf], [-0.0, 0.0, -1]], np.float32)
    losses = F.cross_entropy(ag.tensor(logits), np.array([0, 1, 2, 1]), reduction="none").array
    assert np.isnan(losses[:3]).all() and losses[3] == pytest.approx(np.log(2 + np.exp(-1)) - 0.0)
    for shape in ((0, 0), (0, 3)):
        assert np.isnan(F.cross_entropy(ag.zeros(*shape), np.zeros(0, np.int64)).item())
    if torch is not None:
        expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor([0, 1, 2, 1]), reduction="none")
        np.testing.assert_array_equal(np.isnan(expected.numpy()), np.isnan(losses))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: F.cross_entropy(ag.zeros(3, 4), np.array([0, 4, 1])),
            ValueError,
            r"target 4 is out of range for 4 classes",
        ),
        (  # a negative target other than ignore_index, and one too large with an index ignored
            lambda: F.cross_entropy(ag.zeros(3, 4), np.array([0, -1, 1])),
            ValueError,
            r"target -1 is out of range for 4 classes",
        ),
        (
            lambda: F.cross_entropy(ag.zeros(3, 4), np.array([-100, 5, 1])),
            ValueError,
            r"target 5 is out of range for 4 classes",
        ),
        (
            lambda: F.cross_entropy(ag.zeros(3, 4), np.array([2, 0, 4]), ignore_index=2),
            ValueError,
            r"target 4 is out of range for 4 classes",
        ),
        (
            lambda: F.cross_entropy(ag.zeros(3, 4), np.array([0.0, 1.0, 1.0])),
            ag.ShapeError,
            r"float target holds class probabilities and must have the input's shape \(3, 4\), got \(3,\)",
        ),
        (
            lambda: F.cross_entropy(ag.zeros(3, 4), np.array([0, 1])),
            ag.ShapeError,
            r"logits of shape \(3, 4\) need targets of shape \(3,\), got \(2,\)",
        ),
        (
            lambda: F.mse_loss(ag.zeros(3), ag.zeros(4)),
            ag.ShapeError,
            r"mse_loss: input has shape \(3,\) but target has shape \(4,\)",
        ),
        (
            lambda: F.nll_loss(ag.zeros(2, 3), np.array([0.5, 1.0])),
            ag.DtypeError,
            r"nll_loss: targets must be integer class indices",
        ),
    ],
)
def test_loss_errors_name_the_loss_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


@settings(max_examples=5)
@given(pair=st.tuples(float_arrays((3, 2)), float_arrays((3, 2))), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_mse_and_l1(pair, reduction):
    prediction, target = pair
    target = prediction + np.where(np.abs(target) < 0.1, 0.5, target)  # |difference| away from l1's kink
    check_op(lambda p: F.mse_loss(p, target, reduction=reduction), [prediction],
             (lambda p: torch.nn.functional.mse_loss(p, torch.tensor(target), reduction=reduction)) if torch else None)
    check_op(lambda p: F.l1_loss(p, target, reduction=reduction), [prediction],
             (lambda p: torch.nn.functional.l1_loss(p, torch.tensor(target), reduction=reduction)) if torch else None)


@requires_torch
def test_nll_loss_matches_pytorch():
    log_probabilities = np.log(np.random.default_rng(2).dirichlet(np.ones(4), size=5))
    labels = np.array([0, 3, 2, 1, 3])
    compare_with_torch(
        lambda x: F.nll_loss(x, labels, weight=[1.0, 2.0, 0.5, 1.0], ignore_index=2),
        lambda x: torch.nn.functional.nll_loss(
            x, torch.tensor(labels), weight=torch.tensor([1.0, 2.0, 0.5, 1.0], dtype=torch.float64), ignore_index=2
        ),
        [log_probabilities],
        [True],
    )


@requires_torch
@pytest.mark.parametrize("labels, num_classes", [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), (3, 4)])
def test_one_hot_matches_pytorch(labels, num_classes):
    labels = np.array(labels, dtype=np.int64)
    ours = F.one_hot(ag.tensor(labels), num_classes)
    expected = torch.nn.functional.one_hot(torch.tensor(labels), num_classes).numpy()
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(ours.array, expected)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: F.one_hot(ag.tensor([0.0, 1.0])),
            ag.DtypeError,
            r"one_hot: expects integer class indices \(int64\), got dtype float32",
        ),
        (
            lambda: F.one_hot(np.array([0, -1])),
            ValueError,
            r"one_hot: class values must be non-negative, got -1",
        ),
        (
            lambda: F.one_hot(np.array([0, 3]), 3),
            ValueError,
            r"one_hot: class value 3 is out of range for num_classes=3",
        ),
        (
            lambda: F.one_hot(np.zeros(0, dtype=np.int64)),
            ValueError,
            r"one_hot: cannot infer the number of classes from an empty tensor",
        ),
    ],
)
def test_one_hot_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_functional_exposes_the_layer_functions():
    for name in ["dropout", "batch_norm", "layer_norm", "sign", "step", "one_hot", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "multi_margin_loss", "hinge_loss"]:
        assert callable(getattr(F, name)), name


@requires_torch
@pytest.mark.parametrize(
    "shape, target_shape", [((4, 3), (4,)), ((3,), ()), ((2, 3, 4), (2, 4)), ((2, 3, 2, 2), (2, 2, 2))]
)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_shapes_match_pytorch(shape, target_shape, reduction):
    rng = np.random.default_rng(len(shape))
    log_probabilities = rng.standard_normal(shape)
    labels = rng.integers(0, 3, target_shape)
    weight = np.array([0.5, 2.0, 1.0])
    check_op(
        lambda x: F.nll_loss(x, labels, weight=weight, reduction=reduction),
        [log_probabilities],
        lambda x: torch.nn.functional.nll_loss(
            x, torch.tensor(labels), weight=torch.tensor(weight), reduction=reduction
        ),
    )


@pytest.mark.parametrize("target, error, message", [
    (
        lambda: ag.randn(4),
        ag.errors.ShapeError,
        r"float target holds class probabilities .* \(4, 3\), got \(4,\); .*int64",
    ),
    (
        lambda: ag.tensor([0, 1, 2, 0]),
        ValueError,
        r"reduction must be 'mean', 'sum' or 'none', got 'avg'",
    ),
])
def test_cross_entropy_target_and_reduction_errors(target, error, message):
    with pytest.raises(error, match=message):
        F.cross_entropy(ag.randn(4, 3), target(), reduction="avg" if error is ValueError else "mean")


def test_all_lists_exactly_the_public_functions():
    """``__all__`` is true: ``from nn.functional import *`` gives every function and nothing else."""
    import inspect

    public = {
        name for name, value in vars(F).items()
        if not name.startswith("_") and callable(value) and not inspect.isclass(value) and not inspect.ismodule(value)
    }
    assert sorted(F.__all__) == sorted(public) and len(F.__all__) == len(set(F.__all__))
    namespace: dict = {}
    exec("from nn.functional import *", namespace)
    assert set(namespace) - {"__builtins__"} == public


@requires_torch
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("target_shape", [(3,), (4, 1), (1, 3)])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_a_target_that_broadcasts_is_broadcast_with_pytorchs_warning(name, target_shape, reduction):
    rng = np.random.default_rng(0)
    prediction, target = rng.standard_normal((4, 3)), rng.standard_normal(target_shape)
    with pytest.warns(UserWarning, match=rf"{name}: using a target size .+ that is different to the input size "
                                         r"\(4, 3\): both are broadcast to \(4, 3\)"):
        compare_with_torch(lambda x, y: getattr(F, name)(x, y, reduction=reduction),
                           lambda x, y: getattr(torch.nn.functional, name)(x, y, reduction=reduction),
                           [prediction, target], [True, True])


def test_embedding_and_pad_are_functional_names():
    table = ag.tensor(np.arange(6.0).reshape(3, 2))
    assert F.embedding(ag.tensor([2, 0]), table).tolist() == [[4.0, 5.0], [0.0, 1.0]]
    assert F.pad(ag.ones(1, 2), (1, 0), mode="replicate").tolist() == [[1.0, 1.0, 1.0]]
