import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch

REDUCTIONS = ["mean", "sum", "none"]
LOOSE = {"value_rtol": 1e-5, "value_atol": 1e-6, "grad_rtol": 1e-4, "grad_atol": 1e-5}  # float32 parity


def _torch_kwargs(kwargs):
    return {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}


# -- binary cross-entropy --------------------------------------------------------------
@settings(max_examples=8)
@given(
    probabilities=float_arrays((3, 2), low=0.05, high=0.95),
    targets=float_arrays((3, 2), low=0.0, high=1.0),
    reduction=st.sampled_from(REDUCTIONS),
    weighted=st.booleans(),
)
def test_binary_cross_entropy_gradients_and_parity(probabilities, targets, reduction, weighted):
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = np.array([0.5, 2.0])
    check_op(
        lambda x, t: F.binary_cross_entropy(x, t, **kwargs),
        [probabilities, targets],
        (lambda x, t: torch.nn.functional.binary_cross_entropy(x, t, **_torch_kwargs(kwargs))) if torch else None,
    )


@requires_torch
def test_binary_cross_entropy_at_exact_zero_and_one_matches_pytorch():
    probabilities = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    targets = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    compare_with_torch(
        lambda x: F.binary_cross_entropy(x, targets, reduction="none"),
        lambda x: torch.nn.functional.binary_cross_entropy(x, torch.tensor(targets), reduction="none"),
        [probabilities], [True],
    )
    loss = F.binary_cross_entropy(ag.tensor(probabilities), targets, reduction="none")
    np.testing.assert_array_equal(loss.array, [100.0, 100.0, 0.0, 0.0, np.log(2.0)])


@settings(max_examples=10)
@given(
    logits=float_arrays((3, 4), low=-4.0, high=4.0),
    targets=float_arrays((3, 4), low=0.0, high=1.0),
    reduction=st.sampled_from(REDUCTIONS),
    weight=st.sampled_from([None, (4,), (3, 1), (3, 4)]),
    pos_weight=st.sampled_from([None, (4,)]),
    seed=st.integers(0, 1000),
)
def test_binary_cross_entropy_with_logits_gradients_and_parity(logits, targets, reduction, weight, pos_weight, seed):
    rng = np.random.default_rng(seed)
    kwargs = {"reduction": reduction}
    if weight is not None:
        kwargs["weight"] = rng.uniform(0.2, 2.0, weight)
    if pos_weight is not None:
        kwargs["pos_weight"] = rng.uniform(0.2, 3.0, pos_weight)
    check_op(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, **kwargs),
        [logits, targets],
        (lambda x, t: torch.nn.functional.binary_cross_entropy_with_logits(x, t, **_torch_kwargs(kwargs)))
        if torch else None,
    )


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [100.0, 1e4])
def test_binary_cross_entropy_with_logits_is_finite_and_exact_for_huge_logits(dtype, scale):
    logits = (np.array([[-1.0, 1.0, -1.0, 1.0, 0.0], [1.0, -1.0, 0.5, -0.5, 1.0]]) * scale).astype(dtype)
    targets = np.array([[1.0, 0.0, 0.0, 1.0, 0.5], [0.3, 0.7, 1.0, 0.0, 1.0]], dtype=dtype)
    pos_weight = np.array([2.0, 1.0, 3.0, 0.5, 1.5], dtype=dtype)
    for kwargs in ({}, {"pos_weight": pos_weight}):
        mine = ag.tensor(logits, requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(mine, targets, reduction="none", **kwargs)
        loss.sum().backward()
        assert np.isfinite(loss.array).all() and np.isfinite(mine.grad.array).all()
        theirs = torch.tensor(logits, requires_grad=True)
        expected = torch.nn.functional.binary_cross_entropy_with_logits(theirs, torch.tensor(targets), reduction="none",
                                                                        **_torch_kwargs(kwargs))
        expected.sum().backward()
        np.testing.assert_allclose(loss.array, expected.detach().numpy(), rtol=1e-6, atol=1e-30)  # denormals differ
        np.testing.assert_allclose(mine.grad.array, theirs.grad.numpy(), rtol=1e-6, atol=1e-7)
    assert (F.binary_cross_entropy_with_logits(ag.tensor([-scale], dtype=dtype), np.array([1.0])).item()
            == pytest.approx(scale))


def test_binary_cross_entropy_with_logits_second_derivative_at_large_logits():
    logits = ag.tensor(np.array([-100.0, -30.0, 0.0, 30.0, 100.0]), requires_grad=True)
    (grad,) = ag.grad(F.binary_cross_entropy_with_logits(logits, np.full(5, 0.5), reduction="sum"), [logits],
                      create_graph=True)
    (second,) = ag.grad(grad.sum(), [logits])
    tail = np.exp(-np.abs(logits.array))
    assert np.isfinite(second.array).all()
    # sigmoid'(x) = e^-|x| / (1 + e^-|x|)^2; the engine's sigmoid backward s (1 - s) rounds the far tails
    np.testing.assert_allclose(second.array, tail / (1 + tail) ** 2, rtol=2e-3, atol=1e-40)


# -- margin losses -----------------------------------------------------------------------
def _margin_scores(rng, shape, labels, margin):
    # keep every s_j - s_y + margin away from 0 (the hinge's kink)
    scores = rng.standard_normal(shape)
    flat = scores.reshape(-1, shape[-1])
    rows = np.arange(flat.shape[0])
    for _ in range(20):
        gap = flat - flat[rows, labels.reshape(-1)][:, None] + margin
        near = np.abs(gap) < 0.05
        near[rows, labels.reshape(-1)] = False
        if not near.any():
            break
        flat[near] += 0.2
    return scores


@settings(max_examples=10)
@given(
    p=st.sampled_from([1, 2]),
    margin=st.sampled_from([1.0, 0.5]),
    weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
    seed=st.integers(0, 1000),
)
def test_multi_margin_loss_gradients_and_parity(p, margin, weighted, reduction, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, 5)
    scores = _margin_scores(rng, (5, 4), labels, margin)
    kwargs = {"p": p, "margin": margin, "reduction": reduction}
    if weighted:
        kwargs["weight"] = rng.uniform(0.5, 2.0, 4)
    check_op(
        lambda x: F.multi_margin_loss(x, labels, **kwargs),
        [scores],
        (lambda x: torch.nn.functional.multi_margin_loss(x, torch.tensor(labels), **_torch_kwargs(kwargs)))
        if torch else None,
    )


@requires_torch
@pytest.mark.parametrize("target", [np.array(2), np.array([2])])
def test_multi_margin_loss_on_one_sample_matches_pytorch(target):
    scores = np.array([0.3, -1.2, 0.1, 0.9])
    compare_with_torch(
        lambda x: F.multi_margin_loss(x, target, reduction="none"),
        lambda x: torch.nn.functional.multi_margin_loss(x, torch.tensor(target), reduction="none"),
        [scores], [True],
    )


def _svm_loss_by_loops(scores, labels, margin):
    losses = []
    for row, label in zip(scores, labels):
        losses.append(sum(max(0.0, row[j] - row[label] + margin) for j in range(len(row)) if j != label))
    return np.array(losses)


@settings(max_examples=6)
@given(seed=st.integers(0, 1000), margin=st.sampled_from([1.0, 2.0]), reduction=st.sampled_from(REDUCTIONS))
def test_hinge_loss_is_the_course_multiclass_svm(seed, margin, reduction):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, 6)
    scores = _margin_scores(rng, (6, 3), labels, margin)
    expected = _svm_loss_by_loops(scores, labels, margin)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    got = nn.HingeLoss(margin=margin, reduction=reduction)(ag.tensor(scores), labels)
    np.testing.assert_allclose(got.array, expected, rtol=1e-12)
    multi = F.multi_margin_loss(ag.tensor(scores), labels, margin=margin, reduction=reduction)
    np.testing.assert_allclose(got.array, 3 * multi.array, rtol=1e-12)
    check_op(lambda x: F.hinge_loss(x, labels, margin, reduction), [scores])


# -- modules against PyTorch's, float32 and float64 -------------------------------------------
def _class_case(rng, dtype):
    return rng.standard_normal((6, 4)).astype(dtype), rng.integers(0, 4, 6)


def _probability_case(rng, dtype):
    return rng.uniform(0.05, 0.95, (6, 4)).astype(dtype), rng.uniform(0, 1, (6, 4)).astype(dtype)


def _regression_case(rng, dtype):
    return rng.standard_normal((6, 4)).astype(dtype), rng.standard_normal((6, 4)).astype(dtype)


def _log_probability_case(rng, dtype):
    return np.log(rng.dirichlet(np.ones(4), 6)).astype(dtype), rng.integers(0, 4, 6)


MODULE_CASES = [
    ("MSELoss", {}, _regression_case),
    ("L1Loss", {"reduction": "sum"}, _regression_case),
    ("CrossEntropyLoss", {"weight": [1.0, 2.0, 0.5, 1.0], "label_smoothing": 0.1}, _class_case),
    ("CrossEntropyLoss", {"ignore_index": 2, "reduction": "none"}, _class_case),
    ("NLLLoss", {"weight": [1.0, 2.0, 0.5, 1.0]}, _log_probability_case),
    ("BCELoss", {"weight": [1.0, 2.0, 0.5, 1.0]}, _probability_case),
    ("BCEWithLogitsLoss", {"pos_weight": [1.0, 2.0, 0.5, 3.0], "reduction": "sum"}, _regression_case),
    ("MultiMarginLoss", {"p": 2, "margin": 0.7, "weight": [1.0, 2.0, 0.5, 1.0]}, _class_case),
]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs, make_case", MODULE_CASES)
def test_loss_modules_match_pytorch(name, kwargs, make_case, dtype):
    rng = np.random.default_rng(len(name))
    prediction, target = make_case(rng, dtype)
    if name == "BCEWithLogitsLoss":
        target = rng.uniform(0, 1, prediction.shape).astype(dtype)
    torch_kwargs = {k: (torch.tensor(v, dtype=torch.float32 if dtype == np.float32 else torch.float64)
                        if isinstance(v, list) else v)
                    for k, v in kwargs.items()}
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**torch_kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    tolerance = LOOSE if dtype == np.float32 else {}
    compare_with_torch(lambda x: ours(x, target), lambda x: theirs(x, torch.tensor(target)), [prediction], [True],
                       **tolerance)


def test_loss_modules_are_exported_and_reduce():
    scores = ag.tensor([[2.0, 1.0, -1.0]], requires_grad=True)
    loss = nn.HingeLoss()(scores, np.array([0]))
    loss.backward()
    assert loss.item() == pytest.approx(0.0 + 0.0)  # 1 - 2 + 1 = 0 and -1 - 2 + 1 < 0
    assert repr(nn.HingeLoss(margin=2.0)) == "HingeLoss(margin=2.0)"
    np.testing.assert_array_equal(scores.grad.array, [[0.0, 0.0, 0.0]])


# -- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.binary_cross_entropy(ag.tensor([0.5, 1.5]), np.array([1.0, 0.0])), ValueError,
         r"binary_cross_entropy: every input element must be in \[0, 1\], got 1.5 .*Apply sigmoid"),
        (lambda: F.binary_cross_entropy(ag.tensor([0.5, 0.5]), np.array([1.0, 2.0])), ValueError,
         r"binary_cross_entropy: every target element must be in \[0, 1\], got 2.0"),
        (lambda: F.binary_cross_entropy(ag.tensor([0.5, 0.5]), np.array([1.0, 0.0, 1.0])), ag.ShapeError,
         r"binary_cross_entropy: input has shape \(2,\) but target has shape \(3,\)"),
        (lambda: F.binary_cross_entropy(ag.tensor([0.5]), ag.tensor([1])), ag.DtypeError,
         r"binary_cross_entropy: target must be a float tensor"),
        (lambda: F.binary_cross_entropy(ag.tensor([0.5, 0.5]), np.array([1.0, 0.0]), weight=[1.0, 2.0, 3.0]),
         ag.ShapeError,
         r"binary_cross_entropy: weight of shape \(3,\) does not broadcast to the input's shape \(2,\)"),
        (lambda: F.binary_cross_entropy_with_logits(ag.zeros(2, 3), np.zeros((3, 2))), ag.ShapeError,
         r"binary_cross_entropy_with_logits: input has shape \(2, 3\) but target has shape \(3, 2\)"),
        (lambda: F.binary_cross_entropy_with_logits(ag.zeros(2, 3), np.zeros((2, 3)), pos_weight=[1.0, 2.0]),
         ag.ShapeError,
         r"binary_cross_entropy_with_logits: pos_weight of shape \(2,\) does not broadcast"),
        (lambda: F.binary_cross_entropy_with_logits(ag.zeros(2), np.zeros(2), reduction="avg"), ValueError,
         r"binary_cross_entropy_with_logits: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
        (lambda: F.multi_margin_loss(ag.zeros(3, 4), np.array([0, 4, 1])), ValueError,
         r"multi_margin_loss: target 4 is out of range for 4 classes"),
        (lambda: F.multi_margin_loss(ag.zeros(3, 4), np.array([0, 1])), ag.ShapeError,
         r"multi_margin_loss: expected input \(N, C\) with target \(N,\).*got input \(3, 4\) and target \(2,\)"),
        (lambda: F.multi_margin_loss(ag.zeros(3, 4), np.array([0.0, 1.0, 2.0])), ag.DtypeError,
         r"multi_margin_loss: targets must be integer class indices"),
        (lambda: F.multi_margin_loss(ag.zeros(3, 4), np.array([0, 1, 2]), p=3), ValueError,
         r"multi_margin_loss: p must be 1 or 2, got 3"),
        (lambda: F.multi_margin_loss(ag.zeros(3, 4), np.array([0, 1, 2]), weight=[1.0, 2.0]), ag.ShapeError,
         r"multi_margin_loss: weight must have shape \(4,\)"),
        (lambda: F.hinge_loss(ag.zeros(2, 3, 4), np.zeros((2, 3), dtype=np.int64)), ag.ShapeError,
         r"hinge_loss: expected input \(N, C\)"),
        (lambda: F.hinge_loss(ag.zeros(2, 3), np.array([0, -1])), ValueError,
         r"hinge_loss: target -1 is out of range for 3 classes"),
        (lambda: nn.MultiMarginLoss(p=3), ValueError, r"MultiMarginLoss: p must be 1 or 2"),
        (lambda: nn.MSELoss(reduction="avg"), ValueError,
         r"MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
        (lambda: nn.CrossEntropyLoss()(ag.zeros(3, 4), np.array([0, 9, 1])), ValueError,
         r"cross_entropy: target 9 is out of range for 4 classes"),
        (lambda: nn.NLLLoss()(ag.zeros(3, 4), np.array([0, 1])), ag.ShapeError,
         r"nll_loss: expected input \(N, C\) and target \(N,\)"),
    ],
)
def test_loss_errors_name_the_loss_and_the_values(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- the margin and likelihood loss modules (functional forms in nn/margin_loss.py, nn/likelihood_loss.py) --
def _signs(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape)


# (name, kwargs, the float inputs that get gradients, the constant trailing inputs) from rng and dtype
MORE_MODULE_CASES = [
    ("MarginRankingLoss", {"margin": 0.3},
     lambda r, d: ([r.standard_normal(6).astype(d) for _ in range(2)], [_signs(r, 6).astype(d)])),
    ("HingeEmbeddingLoss", {"margin": 2.0, "reduction": "sum"},
     lambda r, d: ([r.uniform(0, 3, (6, 4)).astype(d)], [_signs(r, (6, 4)).astype(d)])),
    ("SoftMarginLoss", {"reduction": "none"},
     lambda r, d: ([r.standard_normal((6, 4)).astype(d)], [_signs(r, (6, 4)).astype(d)])),
    ("MultiLabelSoftMarginLoss", {"weight": [1.0, 2.0, 0.5, 1.0]},
     lambda r, d: ([r.standard_normal((6, 4)).astype(d)], [(r.random((6, 4)) > 0.5).astype(d)])),
    ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True},
     lambda r, d: ([r.standard_normal((6, 4)).astype(d) for _ in range(3)], [])),
    ("PoissonNLLLoss", {"full": True},
     lambda r, d: ([r.standard_normal((6, 4)).astype(d)], [r.integers(0, 5, (6, 4)).astype(d)])),
    ("PoissonNLLLoss", {"log_input": False, "reduction": "none"},
     lambda r, d: ([r.uniform(0.1, 3, (6, 4)).astype(d)], [r.integers(0, 5, (6, 4)).astype(d)])),
    ("GaussianNLLLoss", {"full": True, "eps": 1e-3},
     lambda r, d: ([r.standard_normal((6, 4)).astype(d), r.standard_normal((6, 4)).astype(d),
                    r.uniform(1e-4, 2, (6, 1)).astype(d)], [])),
]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs, make_case", MORE_MODULE_CASES)
def test_margin_and_likelihood_loss_modules_match_pytorch(name, kwargs, make_case, dtype):
    rng = np.random.default_rng(len(name))
    inputs, constants = make_case(rng, dtype)
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    torch_kwargs = {k: torch.tensor(v, dtype=torch_dtype) if isinstance(v, list) else v for k, v in kwargs.items()}
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**torch_kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    tolerance = LOOSE if dtype == np.float32 else {}
    compare_with_torch(
        lambda *xs: ours(*xs, *constants),
        lambda *xs: theirs(*xs, *(torch.tensor(c) for c in constants)),
        inputs, [True] * len(inputs), **tolerance,
    )


def test_triplet_margin_loss_refuses_a_margin_that_is_not_positive():
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0, got 0.0 instead"):
        nn.TripletMarginLoss(margin=0.0)
