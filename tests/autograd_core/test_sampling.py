"""Random tensors (``sampling.py``): signatures, shapes and dtypes against PyTorch, the
distributions drawn, ``generator=`` reproducibility, and the in-place fills (``normal_`` ...)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.helpers import requires_torch, torch

RANDOM_CALLS = {
    "randn": lambda m, **kw: m.randn(2, 3, **kw),
    "rand": lambda m, **kw: m.rand((4,), **kw),
    "randint": lambda m, **kw: m.randint(3, 10, (2, 2), **kw),
    "randperm": lambda m, **kw: m.randperm(6, **kw),
    "normal": lambda m, **kw: m.normal(1.0, 2.0, (5,), **kw),
    "normal (tensor)": lambda m, **kw: m.normal(m.zeros(3), m.ones(3), **kw),
    "bernoulli": lambda m, **kw: m.bernoulli(m.full((6,), 0.5), **kw),
    "multinomial": lambda m, **kw: m.multinomial(m.tensor([0.2, 0.3, 0.5]), 2, **kw),
    "uniform_": lambda m, **kw: m.zeros(4).uniform_(-1, 1, **kw),
    "normal_": lambda m, **kw: m.zeros(4).normal_(0, 0.02, **kw),
    "bernoulli_": lambda m, **kw: m.zeros(8).bernoulli_(0.3, **kw),
    "random_": lambda m, **kw: m.zeros(4, dtype=m.int64).random_(0, 100, **kw),
    "exponential_": lambda m, **kw: m.zeros(4).exponential_(2.0, **kw),
    "geometric_": lambda m, **kw: m.zeros(4).geometric_(0.3, **kw),
    "log_normal_": lambda m, **kw: m.zeros(4).log_normal_(**kw),
    "cauchy_": lambda m, **kw: m.zeros(4).cauchy_(**kw),
}


def torch_name(tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


@requires_torch
@pytest.mark.parametrize("name", RANDOM_CALLS)
def test_shapes_and_dtypes_match_pytorch(name):
    ours, theirs = RANDOM_CALLS[name](ag), RANDOM_CALLS[name](torch)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == torch_name(theirs), name


@pytest.mark.parametrize("name", RANDOM_CALLS)
def test_generator_makes_every_draw_reproducible(name):
    first = RANDOM_CALLS[name](ag, generator=ag.Generator().manual_seed(7))
    again = RANDOM_CALLS[name](ag, generator=ag.Generator().manual_seed(7))
    np.testing.assert_array_equal(first.array, again.array)
    ag.manual_seed(7)
    seeded = RANDOM_CALLS[name](ag)
    np.testing.assert_array_equal(seeded.array, first.array)  # the default generator, seeded the same


@requires_torch
@pytest.mark.parametrize(
    "args, kwargs",
    [((10, (3,)), {}), ((3, 10, (2, 2)), {}), ((5,), {"size": (2,)}), ((), {"low": 2, "high": 5, "size": (3,)}),
     ((0, 3, (4,)), {"dtype": "float32"}), ((-4, -1, ()), {})],
)
def test_randint_forms_match_pytorch(args, kwargs):
    ours = ag.randint(*args, **{k: getattr(ag, v) if k == "dtype" else v for k, v in kwargs.items()})
    theirs = torch.randint(*args, **{k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()})
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == torch_name(theirs)
    if "high" in kwargs:
        low, high = kwargs["low"], kwargs["high"]
    else:
        low, high = (args[0], args[1]) if len(args) == 3 else (0, args[0])
    assert np.all((ours.array >= low) & (ours.array < high))


@requires_torch
@pytest.mark.parametrize(
    "make",
    [lambda m: m.normal(m.zeros(2, 1), m.ones(3)), lambda m: m.normal(m.zeros(3, dtype=m.float64), 1.0),
     lambda m: m.normal(0.0, m.ones(2, 2)), lambda m: m.normal(2.0, 3.0, size=(1, 4))],
)
def test_normal_overloads_match_pytorch(make):
    ours, theirs = make(ag), make(torch)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == torch_name(theirs)


def test_normal_uses_each_elements_mean_and_std():
    ag.manual_seed(0)
    samples = ag.normal(ag.tensor([[-5.0], [5.0]]), ag.tensor([0.1, 2.0]).reshape(2, 1).expand(2, 4000))
    assert abs(samples.array[0].mean() + 5) < 0.01 and abs(samples.array[1].std() - 2) < 0.1
    with pytest.raises(TypeError, match=r"give the size too: normal\(mean, std, size\)"):
        ag.normal(0.0, 1.0)
    with pytest.raises(RuntimeError, match="std must be >= 0, got -1.0"):
        ag.normal(ag.zeros(2), -1.0)


def test_like_functions_take_the_shape_and_dtype():
    source = ag.zeros(2, 3, dtype=ag.float64)
    assert ag.rand_like(source).dtype == np.float64 and ag.randn_like(source).shape == (2, 3)
    assert ag.randn_like(source, dtype=ag.float32).dtype == np.float32
    integers = ag.randint_like(source, 3, 5)
    assert integers.dtype == np.float64 and set(np.unique(integers.array)) <= {3.0, 4.0}
    assert np.all(ag.randint_like(ag.zeros(50, dtype=ag.int64), 2).array < 2)
    with pytest.raises(ag.DtypeError, match="rand: samples are floats"):
        ag.rand_like(ag.zeros(2, dtype=ag.int64))


def test_randperm_and_randint_errors():
    assert ag.randperm(5, dtype=ag.float32).dtype == np.float32 and sorted(ag.randperm(5).tolist()) == list(range(5))
    with pytest.raises(ValueError, match="randperm: n must be a non-negative int, got -1"):
        ag.randperm(-1)
    with pytest.raises(TypeError, match=r"randint: needs high and size"):
        ag.randint(5)
    with pytest.raises(TypeError, match=r"expected \(high, size\) or \(low, high, size\)"):
        ag.randint((3,), 5)


# -- bernoulli and multinomial ---------------------------------------------------------------------------
def test_bernoulli_draws_with_each_probability():
    ag.manual_seed(0)
    probabilities = ag.tensor([0.0, 1.0, 0.25]).reshape(3, 1).expand(3, 20000).contiguous()
    draws = ag.bernoulli(probabilities)
    assert draws.dtype == np.float32 and set(np.unique(draws.array)) <= {0.0, 1.0}
    assert draws.array[0].sum() == 0 and draws.array[1].min() == 1 and abs(draws.array[2].mean() - 0.25) < 0.01
    assert abs(ag.zeros(20000).bernoulli(0.7).array.mean() - 0.7) < 0.01
    with pytest.raises(RuntimeError, match=r"probabilities must be in \[0, 1\]"):
        ag.bernoulli(ag.tensor([1.5]))
    with pytest.raises(ag.DtypeError, match="bernoulli: input must be a float tensor"):
        ag.bernoulli(ag.tensor([1, 0]))


def test_multinomial_with_replacement_follows_the_weights():
    ag.manual_seed(1)
    weights = ag.tensor([[1.0, 2.0, 7.0], [0.0, 0.0, 3.0]])
    draws = ag.multinomial(weights, 20000, replacement=True)
    assert draws.shape == (2, 20000) and draws.dtype == np.int64
    np.testing.assert_allclose(np.bincount(draws.array[0], minlength=3) / 20000, [0.1, 0.2, 0.7], atol=0.015)
    assert np.all(draws.array[1] == 2)


def test_multinomial_without_replacement_draws_distinct_indices_in_weighted_order():
    ag.manual_seed(2)
    weights = ag.tensor([1.0, 2.0, 0.0, 7.0])
    first = []
    for _ in range(3000):
        draw = ag.multinomial(weights, 3).tolist()
        assert len(set(draw)) == 3 and 2 not in draw  # the zero weight is never picked while others remain
        first.append(draw[0])
    np.testing.assert_allclose(np.bincount(first, minlength=4) / 3000, [0.1, 0.2, 0.0, 0.7], atol=0.03)
    everything = ag.multinomial(ag.ones(2, 5), 5)
    assert all(sorted(row) == list(range(5)) for row in everything.tolist())


@requires_torch
@pytest.mark.parametrize(
    "weights, samples, replacement, error",
    [
        ([1.0, 1.0], 3, False, "cannot draw 3 samples without replacement from 2"),
        ([0.0, -1.0], 1, True, "inf, NaN or a negative value"),
        ([0.0, float("nan")], 1, True, "inf, NaN or a negative value"),
        ([0.0, 0.0], 1, True, "sums to 0"),
        ([1.0, 2.0], 0, True, "num_samples must be a positive int"),
    ],
)
def test_multinomial_errors_where_pytorch_raises(weights, samples, replacement, error):
    with pytest.raises(RuntimeError, match=error):
        ag.multinomial(ag.tensor(weights), samples, replacement)
    with pytest.raises(RuntimeError):
        torch.multinomial(torch.tensor(weights), samples, replacement)


def test_multinomial_refuses_integer_weights_and_bad_shapes():
    with pytest.raises(ag.DtypeError, match="weights must be a float tensor, got int64"):
        ag.multinomial(ag.tensor([1, 2]), 1)
    with pytest.raises(ag.ShapeError, match=r"1-D or 2-D .*got shape \(1, 1, 2\)"):
        ag.multinomial(ag.ones(1, 1, 2), 1)


# -- in-place fills --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fill, check",
    [
        (lambda x: x.uniform_(-2, 3), lambda v: v.min() >= -2 and v.max() < 3 and abs(v.mean() - 0.5) < 0.05),
        (lambda x: x.normal_(1.0, 0.5), lambda v: abs(v.mean() - 1) < 0.01 and abs(v.std() - 0.5) < 0.01),
        (lambda x: x.bernoulli_(0.2), lambda v: set(np.unique(v)) == {0, 1} and abs(v.mean() - 0.2) < 0.01),
        (lambda x: x.exponential_(4.0), lambda v: v.min() >= 0 and abs(v.mean() - 0.25) < 0.01),
        (lambda x: x.geometric_(0.25), lambda v: v.min() >= 1 and np.all(v == np.round(v)) and abs(v.mean() - 4) < 0.1),
        (lambda x: x.log_normal_(0.0, 0.5), lambda v: v.min() > 0 and abs(np.log(v).std() - 0.5) < 0.01),
        (lambda x: x.cauchy_(3.0, 0.1), lambda v: abs(np.median(v) - 3) < 0.01),
        (lambda x: x.random_(5), lambda v: set(np.unique(v)) == {0, 1, 2, 3, 4}),
        (lambda x: x.random_(-2, 1), lambda v: set(np.unique(v)) == {-2, -1, 0}),
    ],
)
def test_fills_draw_their_distribution_in_place(fill, check):
    ag.manual_seed(3)
    x = ag.zeros(40000, dtype=ag.float64)
    array, version = x.array, x._version.value
    assert fill(x) is x and x.array is array and x.dtype == np.float64 and x._version.value == version + 1
    assert check(x.array)


def test_random_without_bounds_covers_what_the_dtype_holds_exactly():
    ag.manual_seed(4)
    assert set(np.unique(ag.zeros(100, dtype=ag.bool_).random_().array)) == {False, True}
    floats = ag.zeros(1000).random_().array
    assert floats.min() >= 0 and floats.max() <= 2**24 and np.all(floats == np.round(floats))
    assert ag.zeros(10, dtype=ag.int64).random_().array.min() >= 0
    assert ag.zeros(10, dtype=ag.uint8).random_().array.max() <= 255


def test_bernoulli_fill_takes_a_tensor_of_probabilities():
    x = ag.zeros(2, 3).bernoulli_(ag.tensor([0.0, 1.0, 0.0]))
    assert x.tolist() == [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    with pytest.raises(ag.ShapeError, match=r"probabilities of shape \(2,\) do not broadcast to shape \(2, 3\)"):
        ag.zeros(2, 3).bernoulli_(ag.tensor([0.5, 0.5]))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ag.zeros(2, dtype=ag.int64).normal_(), ag.DtypeError, "normal_: fills a float tensor, but .* int64"),
        (lambda: ag.zeros(2, dtype=ag.int64).uniform_(), ag.DtypeError, "uniform_: fills a float tensor"),
        (lambda: ag.zeros(2, dtype=ag.int64).cauchy_(), ag.DtypeError, "cauchy_: fills a float tensor"),
        (lambda: ag.zeros(2).uniform_(1, 0), RuntimeError, r"uniform_: expects a \[from, to\) range"),
        (lambda: ag.zeros(2).normal_(0, -1), RuntimeError, "normal_: std must be >= 0, got -1"),
        (lambda: ag.zeros(2).exponential_(0), RuntimeError, "exponential_: lambd must be > 0"),
        (lambda: ag.zeros(2).geometric_(1.5), RuntimeError, r"geometric_: p must be in \(0, 1\)"),
        (lambda: ag.zeros(2).random_(3, 3), ValueError, r"random_: high \(3\) must be greater than low \(3\)"),
        (lambda: ag.zeros(2).random_(1, 2, 3), TypeError, r"takes \(to\) or \(from, to\)"),
    ],
)
def test_fill_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_integer_tensors_take_the_integer_fills():
    x = ag.zeros(1000, dtype=ag.int64).geometric_(0.5)
    assert x.dtype == np.int64 and x.array.min() >= 1
    assert set(np.unique(ag.zeros(1000, dtype=ag.int32).bernoulli_(0.5).array)) == {0, 1}


def test_fills_follow_the_in_place_rules_for_leaves_that_require_grad():
    weight = nn.Parameter(ag.zeros(3, 4))
    with pytest.raises(ag.GraphError, match="normal_: a leaf tensor that requires grad"):
        weight.normal_(0, 0.02)
    with ag.no_grad():
        weight.normal_(0, 0.02)  # what init code does
    assert weight.array.std() > 0
    weight.data.uniform_(-0.1, 0.1)  # and what tutorials do
    assert np.abs(weight.array).max() <= 0.1 and weight.requires_grad and weight.grad_fn is None


@requires_torch
def test_fills_of_a_view_write_into_the_base_as_pytorch():
    ours, theirs = ag.zeros(3, 4), torch.zeros(3, 4)
    ours[1].fill_(2.0).uniform_(5, 6)
    theirs[1].fill_(2.0).uniform_(5, 6)
    counts = ((ours.array >= 5).sum(), (ours.array == 0).sum())
    assert counts == ((theirs >= 5).sum().item(), (theirs == 0).sum().item())
