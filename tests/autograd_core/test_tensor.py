"""``Tensor`` (``tensor.py``): dtypes, attributes, graph introspection (``grad_fn``,
``next_functions``, ``is_leaf``), ``detach``, conversions and ``repr``, against PyTorch; and its
Python protocols as PyTorch code uses them (``f"{loss:.4f}"``, ``round``, ``len``/``iter``/``in``/
``bool``/``__index__``, ``new_*``, module functions being the methods themselves)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from autograd_core.function import AccumulateGrad
from tests.helpers import float_arrays, requires_torch, shapes, torch


# -- dtypes ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, expected",
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([[1, 2], [3, 4]], np.int64),
        ([True, False], np.bool_),
        (np.arange(3.0), np.float64),  # NumPy arrays keep their dtype, as torch.tensor(ndarray)
        (np.arange(3, dtype=np.int32), np.int32),
    ],
)
def test_default_dtypes(data, expected):
    assert ag.tensor(data).dtype == expected
    if torch is not None:
        assert str(ag.tensor(data).dtype) == str(torch.tensor(data).dtype).replace("torch.", "")


@pytest.mark.parametrize("dtype", [ag.float64, np.float64, "float64", np.dtype("float64")])
def test_dtype_given_as_autograd_core_numpy_or_string(dtype):
    x = ag.tensor([1, 2], dtype=dtype, requires_grad=True)
    assert x.dtype == np.float64 and x.requires_grad
    assert ag.zeros(2, dtype=dtype).dtype == np.float64


@pytest.mark.parametrize("make", [
    lambda: ag.tensor([1, 2], requires_grad=True),
    lambda: ag.tensor([1.0, 2.0], dtype=ag.int64, requires_grad=True),
    lambda: ag.tensor([1, 2]).requires_grad_(),
    lambda: ag.arange(3, requires_grad=True),
])
def test_integer_tensors_can_never_require_grad(make):
    with pytest.raises(ag.DtypeError,
                       match=r"only floating point tensors can require grad.*int64.*shape \(\d,\).*\.float\(\)"):
        make()


def test_integer_labels_flow_through_ops_without_grad():
    labels = ag.tensor([0, 2, 1])
    logits = ag.randn(3, 4, requires_grad=True)
    picked = logits[ag.arange(3), labels]  # integer tensors index a float tensor that needs grad
    assert picked.requires_grad and not labels.requires_grad and labels.grad is None
    picked.sum().backward()
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[np.arange(3), labels.array] = 1.0
    np.testing.assert_array_equal(logits.grad.array, expected)


def test_bad_dtype_is_named():
    with pytest.raises(ag.DtypeError, match="unknown dtype 'complex-ish'.*float32, float64"):
        ag.tensor([1.0], dtype="complex-ish")
    with pytest.raises(ag.DtypeError, match="complex128 is not supported"):
        ag.zeros(2, dtype=np.complex128)
    with pytest.raises(ag.DtypeError, match="dtype <U1 is not supported"):
        ag.tensor(["a"])


# -- attributes --------------------------------------------------------------------------
@settings(max_examples=20)
@given(array=shapes(min_dims=0, max_dims=4).flatmap(float_arrays))
def test_shape_attributes_match_numpy_and_torch(array):
    x = ag.tensor(array)
    assert x.shape == array.shape == x.size()
    assert x.ndim == array.ndim == x.dim()
    assert x.numel() == array.size
    for dim in range(-array.ndim, array.ndim):
        assert x.size(dim) == array.shape[dim]
    if torch is not None:
        reference = torch.tensor(array)
        assert x.size() == tuple(reference.size()) and x.numel() == reference.numel()
    if array.ndim == 2:
        np.testing.assert_array_equal(x.T.array, array.T)


def test_grad_starts_empty_and_leaves_are_leaves():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    constant = ag.tensor([3.0, 4.0])
    assert x.grad is None and x.grad_fn is None and x.is_leaf and x.requires_grad
    y = x * constant
    assert not y.is_leaf and y.requires_grad
    z = constant * 2  # nothing requires grad: a leaf, as in PyTorch
    assert z.is_leaf and not z.requires_grad and z.grad_fn is None
    with ag.no_grad():
        w = x * 2
    assert w.is_leaf and not w.requires_grad


def test_grad_fn_names_and_next_functions():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    constant = ag.tensor([3.0, 4.0])
    y = (x * constant).exp() + x
    assert y.grad_fn.name() == "AddBackward" and repr(y.grad_fn) == "<AddBackward>"
    (exp_node, _), (leaf_node, index) = y.grad_fn.next_functions
    assert exp_node.name() == "ExpBackward" and index == 0
    assert isinstance(leaf_node, AccumulateGrad) and leaf_node.variable is x
    assert repr(leaf_node) == "<AccumulateGrad>" and leaf_node.next_functions == ()
    ((mul_node, _),) = exp_node.next_functions
    assert mul_node.name() == "MulBackward"
    (first, _), (second, _) = mul_node.next_functions
    assert isinstance(first, AccumulateGrad) and second is None  # a constant has no node


@requires_torch
def test_graph_shape_matches_pytorch():
    """The same expression gives the same nodes (names minus PyTorch's version digit).

    Constants are left out: our nodes list one entry per positional input (None for a
    number, a dim or a flag), while PyTorch lists None only for some of them."""

    def names(node):
        name = node.name() if callable(getattr(node, "name", None)) else type(node).__name__
        name = name.rsplit("::", 1)[-1].rstrip("0123456789")
        return (name, [names(child) for child, _ in node.next_functions if child is not None])

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x_ref = torch.tensor([1.0, 2.0], requires_grad=True)
    ours = names(((x * 3.0).exp() + x).sum().grad_fn)
    theirs = names(((x_ref * 3.0).exp() + x_ref).sum().grad_fn)
    assert ours == theirs


def test_detach_shares_data_and_version_but_not_the_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    detached = y.detach()
    assert not detached.requires_grad and detached.is_leaf and detached.grad_fn is None
    assert np.shares_memory(detached.array, y.array)
    detached.add_(1.0)  # writes into y's memory, and y sees the bump
    np.testing.assert_array_equal(y.array, [3.0, 5.0])
    assert y._version.value == 1


def test_item_numpy_and_python_conversions():
    x = ag.tensor([[2.5]])
    assert x.item() == 2.5 and isinstance(x.item(), float)
    assert isinstance(ag.tensor(3).item(), int) and int(ag.tensor(3)) == 3 and float(x) == 2.5
    array = x.numpy()
    assert isinstance(array, np.ndarray) and np.shares_memory(array, x.array)
    w = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(ag.GraphError, match=r"numpy\(\) on a tensor that requires grad.*\.detach\(\)\.numpy\(\)"):
        w.numpy()
    assert w.detach().numpy()[0] == 1.0
    assert x.tolist() == [[2.5]]


def test_requires_grad_switches():
    x = ag.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    y = ag.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(ag.GraphError, match=r"requires_grad_\(False\) on a non-leaf.*\.detach\(\)"):
        y.requires_grad_(False)


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = y * 3
    y.retain_grad()
    x.retain_grad()  # a no-op on a leaf
    z.sum().backward()
    np.testing.assert_array_equal(y.grad.array, [3.0, 3.0])
    assert z.grad is None  # not retained
    with pytest.raises(ag.GraphError, match="retain_grad.*does not require grad"):
        ag.tensor([1.0]).retain_grad()


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: ag.tensor([1.0, 2.0]), "tensor([1., 2.])"),
        (lambda: ag.tensor([1.0, 2.5], requires_grad=True), "tensor([1. , 2.5], requires_grad=True)"),
        (lambda: ag.tensor([1.0, 2.0], requires_grad=True) * 2, "tensor([2., 4.], grad_fn=<MulBackward>)"),
        (lambda: ag.tensor([1, 2]), "tensor([1, 2])"),
        (lambda: ag.tensor([0.5], dtype=ag.float64), "tensor([0.5], dtype=float64)"),
        (lambda: ag.tensor([True]), "tensor([ True])"),
    ],
)
def test_repr_shows_values_dtype_and_grad_fn(make, expected):
    assert repr(make()) == expected


def test_truth_value_and_len_of_ambiguous_tensors():
    with pytest.raises(ag.ShapeError, match=r"truth value of a tensor with 2 elements \(shape \(2,\)\).*\.any\(\)"):
        bool(ag.tensor([1.0, 2.0]))
    assert bool(ag.tensor([1.0])) and not bool(ag.tensor(0.0))
    with pytest.raises(TypeError, match="len.. of a 0-d tensor"):
        len(ag.tensor(1.0))
    assert len(ag.zeros(4, 2)) == 4


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3).flatmap(float_arrays), scale=st.floats(-3, 3))
def test_tensor_copies_but_from_numpy_shares(array, scale):
    copied, shared = ag.tensor(array), ag.from_numpy(array)
    array *= scale
    np.testing.assert_array_equal(shared.array, array)
    assert not np.shares_memory(copied.array, array)


# -- Python protocols and helper methods ----------------------------------------------
def test_format_of_a_one_element_tensor_formats_its_number():
    loss = ag.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{ag.tensor([[2.5]]):>6.1f}" == "   2.5" and f"{ag.tensor(7):03d}" == "007"
    assert f"{ag.tensor([1.0, 2.0])}" == str(ag.tensor([1.0, 2.0]))  # no format spec: the repr
    with pytest.raises(TypeError):
        f"{ag.tensor([1.0, 2.0]):.2f}"


def test_round_of_a_one_element_tensor_is_a_python_number():
    assert round(ag.tensor(2.567), 1) == 2.6 and isinstance(round(ag.tensor(2.567), 1), float)
    assert round(ag.tensor([2.5])) == 2 and isinstance(round(ag.tensor(3.7)), int)
    with pytest.raises(ag.ShapeError, match="only one-element tensors"):
        round(ag.tensor([1.0, 2.0]))


@requires_torch
def test_len_iter_contains_bool_index_match_pytorch():
    values = [[1, 2], [3, 4], [5, 6]]
    ours, theirs = ag.tensor(values), torch.tensor(values)
    assert len(ours) == len(theirs) == 3
    assert [row.tolist() for row in ours] == [row.tolist() for row in theirs]
    assert (4 in ours) is (4 in theirs) is True and (7 in ours) is (7 in theirs) is False
    assert (ag.tensor(3) in ours) is True and (2.0 in ours) is True
    assert bool(ag.tensor([0])) is bool(torch.tensor([0])) is False
    assert [10, 20, 30][ag.tensor(1)] == 20 and [10, 20, 30][ag.tensor([[2]])] == 30
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ag.tensor(1.0))
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor"):
        len(ag.tensor(1.0))
    with pytest.raises(TypeError, match="`in` on a tensor takes a number or a Tensor, got str"):
        "a" in ours  # noqa: B015
    with pytest.raises(TypeError, match="only one-element integer tensors can be used as an index"):
        [1, 2][ag.tensor(1.0)]


@requires_torch
@pytest.mark.parametrize("dtype", [None, ag.int64, ag.float64])
def test_new_tensor_methods_take_the_dtype_of_the_tensor_unless_given(dtype):
    base, reference = ag.tensor([1.5], dtype=ag.float64), torch.tensor([1.5], dtype=torch.float64)
    torch_dtype = None if dtype is None else getattr(torch, str(np.dtype(dtype)))
    for name, args in (("new_zeros", (2, 3)), ("new_ones", ((2,),)), ("new_empty", (0, 2)), ("new_full", ((2, 1), 7))):
        ours = getattr(base, name)(*args, dtype=dtype)
        theirs = getattr(reference, name)(*args, dtype=torch_dtype)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        if name != "new_empty":
            np.testing.assert_array_equal(ours.array, theirs.numpy())
    copied = base.new_tensor([1, 2], dtype=dtype)
    assert str(copied.dtype) == str(reference.new_tensor([1, 2], dtype=torch_dtype).dtype).replace("torch.", "")
    leaf = base.new_zeros(2, requires_grad=True, device="cpu")
    assert leaf.is_leaf and leaf.requires_grad
    with pytest.raises(RuntimeError, match="new_ones: this build of autograd_core runs on the CPU only"):
        base.new_ones(2, device="cuda")


def test_module_functions_are_the_methods():
    for name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "maximum", "add", "mul",
                 "tril", "topk", "gather", "norm", "cumsum", "floor", "isnan", "logical_and", "mm", "roll", "sign"):
        assert getattr(ag, name) is getattr(ag.Tensor, name), name
    assert ag.clip is ag.clamp and ag.arctan2 is ag.atan2 and ag.swapdims is ag.swapaxes


def test_sign_and_nn_functional_sign_agree_on_values_and_zero_gradient():
    """Both follow torch.sign: differentiable, with a gradient of 0 (F.sign's straight_through
    option is its own extension)."""
    x = ag.tensor([-1.5, 0.0, 2.0], requires_grad=True)
    for sign in (ag.sign, ag.Tensor.sign, F.sign):
        x.grad = None
        out = sign(x)
        assert out.requires_grad and out.tolist() == [-1.0, 0.0, 1.0]
        (out * 3.0).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
