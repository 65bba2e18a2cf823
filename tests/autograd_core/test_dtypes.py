"""dtypes (``dtypes.py``): PyTorch's aliases, ``type()`` strings, legacy constructors, the
default dtype, ``finfo``/``iinfo`` and the conversion methods, against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import requires_torch, torch

ALIASES = ["float", "double", "half", "float16", "float32", "float64", "long", "int", "short", "bool",
           "uint8", "int8", "int16", "int32", "int64"]


def torch_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


@pytest.fixture
def restore_default_dtype():
    saved = ag.get_default_dtype()
    yield
    ag.set_default_dtype(saved)


@requires_torch
@pytest.mark.parametrize("name", ALIASES)
def test_dtype_aliases_are_pytorchs(name):
    assert np.dtype(getattr(ag, name)).name == torch_name(getattr(torch, name))
    assert ag.zeros(2, dtype=getattr(ag, name)).dtype == getattr(ag, name)


def test_aliases_do_not_leak_into_star_imports():
    namespace: dict = {}
    exec("from autograd_core import *", namespace)
    assert "float" not in namespace and "int" not in namespace and "bool" not in namespace
    assert namespace["float32"] is np.float32 and namespace["long"] is np.int64


# -- type() and legacy tensor types ---------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("name", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"])
def test_type_strings_are_pytorchs(name):
    assert ag.zeros(2, dtype=getattr(ag, name)).type() == torch.zeros(2, dtype=getattr(torch, name)).type()


@requires_torch
@pytest.mark.parametrize(
    "target", ["LongTensor", "DoubleTensor", "IntTensor", "BoolTensor", "ByteTensor", "torch.ShortTensor",
               "torch.HalfTensor", "FLOAT64", "INT64"],
)
def test_type_converts_like_pytorch(target):
    def resolve(module):
        if target.startswith("torch."):
            return target
        if target in ("FLOAT64", "INT64"):
            return getattr(module, target.lower())
        return getattr(module, target)

    ours = ag.tensor([1.7, -2.2, 0.0]).type(resolve(ag))
    theirs = torch.tensor([1.7, -2.2, 0.0]).type(resolve(torch))
    assert str(ours.dtype) == torch_name(theirs.dtype)
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_type_accepts_our_prefix_and_refuses_cuda_and_nonsense():
    x = ag.tensor([1.5])
    assert x.type("autograd_core.LongTensor").dtype == np.int64
    assert x.type(ag.float32) is x and x.type_as(ag.zeros(1, dtype=ag.float64)).dtype == np.float64
    with pytest.raises(ag.DeviceError, match="runs on the CPU only"):
        x.type("torch.cuda.FloatTensor")
    with pytest.raises(ValueError, match="invalid type 'torch.NopeTensor'"):
        x.type("torch.NopeTensor")


@requires_torch
@pytest.mark.parametrize("args", [([1, 2],), ((2, 3),), ([[1.5], [2.5]],), (np.array([1, 0, 3]),)])
@pytest.mark.parametrize("name", ["FloatTensor", "LongTensor", "DoubleTensor", "BoolTensor", "IntTensor"])
def test_legacy_constructors_from_data(name, args):
    ours, theirs = getattr(ag, name)(*args), getattr(torch, name)(*args)
    assert str(ours.dtype) == torch_name(theirs.dtype) and ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.array, theirs.numpy())


@requires_torch
@pytest.mark.parametrize("sizes", [(), (3,), (2, 3), (0, 4)])
def test_legacy_constructors_from_sizes(sizes):
    for name in ("FloatTensor", "LongTensor"):
        ours, theirs = getattr(ag, name)(*sizes), getattr(torch, name)(*sizes)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == torch_name(theirs.dtype)


def test_isinstance_with_legacy_types():
    assert isinstance(ag.zeros(2), ag.FloatTensor) and not isinstance(ag.zeros(2), ag.LongTensor)
    assert isinstance(ag.arange(3), ag.LongTensor) and not isinstance(np.zeros(2), ag.FloatTensor)
    with pytest.raises(ValueError, match="sizes must be non-negative"):
        ag.FloatTensor(2, -1)
    with pytest.raises(TypeError, match="pass sizes as ints or one sequence of data"):
        ag.FloatTensor([1], [2])


# -- the default dtype ---------------------------------------------------------------------------------
@requires_torch
def test_default_dtype_drives_python_floats_and_float_creation(restore_default_dtype):
    makers = {
        "tensor": lambda m: m.tensor([1.5, 2.0]), "scalar": lambda m: m.tensor(2.5), "zeros": lambda m: m.zeros(2),
        "ones": lambda m: m.ones(2), "empty": lambda m: m.empty(2), "full": lambda m: m.full((2,), 1.5),
        "arange": lambda m: m.arange(0.0, 2.0), "linspace": lambda m: m.linspace(0, 1, 3),
        "logspace": lambda m: m.logspace(0, 1, 3), "eye": lambda m: m.eye(2), "randn": lambda m: m.randn(2),
        "rand": lambda m: m.rand(2), "normal": lambda m: m.normal(0.0, 1.0, (2,)),
        "ints": lambda m: m.tensor([1, 2]), "int full": lambda m: m.full((2,), 3), "int arange": lambda m: m.arange(3),
    }
    saved = torch.get_default_dtype()
    try:
        for dtype in ("float64", "float32"):
            ag.set_default_dtype(getattr(ag, dtype))
            torch.set_default_dtype(getattr(torch, dtype))
            assert ag.get_default_dtype() is getattr(ag, dtype)
            for name, make in makers.items():
                assert str(make(ag).dtype) == torch_name(make(torch).dtype), (dtype, name)
    finally:
        torch.set_default_dtype(saved)


def test_layers_made_after_set_default_dtype_get_it(restore_default_dtype):
    import nn

    ag.set_default_dtype(ag.float64)
    layer = nn.Linear(3, 2)
    assert layer.weight.dtype == np.float64 and layer(ag.randn(4, 3)).dtype == np.float64
    ag.set_default_tensor_type(ag.FloatTensor)
    assert ag.get_default_dtype() is np.float32 and nn.Linear(3, 2).weight.dtype == np.float32


def test_only_floats_can_be_the_default(restore_default_dtype):
    with pytest.raises(TypeError, match="only floating-point types can be the default, got int64"):
        ag.set_default_dtype(ag.int64)
    with pytest.raises(TypeError, match="got float128"):
        ag.set_default_dtype(np.longdouble)
    assert ag.get_default_dtype() is np.float32


# -- queries, finfo / iinfo ------------------------------------------------------------------------------
def test_is_floating_point_is_tensor_numel():
    x = ag.zeros(2, 3)
    assert ag.is_floating_point(x) and x.is_floating_point() and not ag.arange(2).is_floating_point()
    assert ag.is_tensor(x) and not ag.is_tensor(np.zeros(2)) and ag.numel(x) == 6 == x.nelement()
    assert not x.is_complex()
    with pytest.raises(TypeError, match=r"is_floating_point\(\): argument 'input' must be a Tensor, not list"):
        ag.is_floating_point([1.0])


@requires_torch
@pytest.mark.parametrize("name", ["float16", "float32", "float64", None])
def test_finfo_matches_pytorch(name):
    ours = ag.finfo() if name is None else ag.finfo(getattr(ag, name))
    theirs = torch.finfo() if name is None else torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


@requires_torch
@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_pytorch(name):
    ours, theirs = ag.iinfo(getattr(ag, name)), torch.iinfo(getattr(torch, name))
    assert (ours.bits, ours.max, ours.min, ours.dtype) == (theirs.bits, theirs.max, theirs.min, theirs.dtype)
    assert repr(ours) == repr(theirs)


def test_finfo_and_iinfo_refuse_the_other_kind():
    with pytest.raises(TypeError, match="finfo\\(\\) requires a floating point input type, got int64"):
        ag.finfo(ag.int64)
    with pytest.raises(TypeError, match="iinfo\\(\\) requires an integer input type, got float32"):
        ag.iinfo(ag.float32)


# -- conversion methods -------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("method", ["half", "int", "short", "bool", "byte", "char", "long", "float", "double"])
def test_conversion_methods_match_pytorch(method):
    values = [[1.7, -2.2, 0.0], [3.0, 0.5, -0.25]]
    ours, theirs = getattr(ag.tensor(values), method)(), getattr(torch.tensor(values), method)()
    assert str(ours.dtype) == torch_name(theirs.dtype) and ours.element_size() == theirs.element_size()
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_half_is_computed_in_and_differentiable():
    x = ag.tensor([1.0, 2.0]).half().requires_grad_()
    (x * x).sum().backward()
    assert x.grad.dtype == np.float16 and x.grad.tolist() == [2.0, 4.0]


@requires_torch
def test_result_type_promote_types_and_can_cast_follow_pytorch():
    names = ["float32", "float64", "int64", "int32", "int16", "uint8", "bool"]
    ours = {name: getattr(ag, name if name != "bool" else "bool_") for name in names}
    for a in names:
        for b in names:
            assert np.dtype(ag.promote_types(ours[a], ours[b])).name == str(torch.promote_types(
                getattr(torch, a), getattr(torch, b))).replace("torch.", ""), (a, b)
            assert ag.can_cast(ours[a], ours[b]) == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)
    assert ag.result_type(ag.tensor([1]), 1.5) == ag.float32 and ag.result_type(ag.tensor([1.0]), 2) == ag.float32


def test_tensor_layout_properties():
    x = ag.arange(12.0).reshape(3, 4)
    assert x.stride() == (4, 1) and x.T.stride() == (1, 4) and x.stride(0) == 4
    assert x.is_contiguous() and not x.T.is_contiguous() and x.mT.shape == (4, 3) and x.mH.shape == (4, 3)
    assert x.nbytes == 48 and x.itemsize == 4 and x.ndimension() == 2 and not x.is_sparse
    assert x.pin_memory() is x and x.ravel().shape == (12,) and x.data_ptr() == x[0].data_ptr()
