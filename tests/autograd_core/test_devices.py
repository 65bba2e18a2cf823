"""Devices (``devices.py``, ``cuda.py``, ``accelerator.py``, ``backends/``): the CPU named as PyTorch
names it, ``Tensor.to`` in all its forms, ``device=`` on every creation function, and the
error for every other device."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.backends.cudnn as cudnn
from tests.helpers import requires_torch, torch

CPU_ONLY = "runs on the CPU only"


# -- the device object ---------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("args", [("cpu",), ("cpu:0",), ("cpu", 0), ("cpu:3",)])
def test_device_reads_like_torch_device(args):
    ours, theirs = ag.device(*args), torch.device(*args)
    assert (repr(ours), str(ours), ours.type, ours.index) == (repr(theirs), str(theirs), theirs.type, theirs.index)
    assert ag.device(ours) == ours and hash(ag.device(ours)) == hash(ours)


@requires_torch
def test_device_equality_and_hash_as_torch():
    pairs = [("cpu", "cpu"), ("cpu", "cpu:0"), ("cpu:0", "cpu:0")]
    for a, b in pairs:
        assert (ag.device(a) == ag.device(b)) == (torch.device(a) == torch.device(b))
    assert (ag.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert len({ag.device("cpu"), ag.device("cpu"), ag.device("cpu:0")}) == 2
    with ag.device("cpu") as default:  # a context manager, as torch.device: new tensors are on the CPU
        assert default == ag.device("cpu") and ag.zeros(1).device == default


@pytest.mark.parametrize("spec", ["cuda", "cuda:0", "mps", "meta", "xpu", 0, 1])
def test_other_devices_raise_saying_cpu_only(spec):
    with pytest.raises(ag.DeviceError, match=CPU_ONLY) as error:
        ag.device(spec)
    assert isinstance(error.value, RuntimeError) and "device='cpu'" in str(error.value)


@pytest.mark.parametrize(
    "spec, error, message",
    [
        ("gpu", RuntimeError, "unknown device type 'gpu'; expected one of cpu, cuda"),
        ("cpu:x", RuntimeError, "invalid device string 'cpu:x'"),
        (2.0, TypeError, "expected a string such as 'cpu' or a device, got float"),
    ],
)
def test_malformed_devices_are_named(spec, error, message):
    with pytest.raises(error, match=message):
        ag.device(spec)


# -- Tensor.device, cpu(), cuda(), to() ----------------------------------------------------------------
def test_tensor_device_attributes():
    x = ag.randn(2, 3)
    assert x.device == ag.device("cpu") and x.device is ag.zeros(1).device
    assert not x.is_cuda and x.is_cpu and x.get_device() == -1
    assert x.cpu() is x
    with pytest.raises(ag.DeviceError, match=r"Tensor.cuda\(\): .*runs on the CPU only, so CUDA is not available"):
        x.cuda()


TO_CALLS = [
    ((), {}),
    (("cpu",), {}),
    (("cpu:0",), {}),
    (("DEVICE",), {}),
    (("FLOAT64",), {}),
    (("cpu", "FLOAT64"), {}),
    (("DEVICE", "INT64"), {}),
    (("FLOAT32",), {}),
    ((), {"device": "cpu"}),
    ((), {"dtype": "FLOAT64"}),
    ((), {"device": "DEVICE", "dtype": "FLOAT16"}),
    (("cpu",), {"non_blocking": True}),
    (("FLOAT32",), {"copy": True}),
    (("cpu", "FLOAT32", False, True), {}),
    (("OTHER",), {}),
    (("OTHER",), {"copy": True}),
    ((), {"copy": True}),
]


def _resolve(value, module, other):
    names = {"FLOAT16": "float16", "FLOAT32": "float32", "FLOAT64": "float64", "INT64": "int64"}
    if value == "DEVICE":
        return module.device("cpu")
    if value == "OTHER":
        return other
    return getattr(module, names[value]) if value in names else value


@requires_torch
@pytest.mark.parametrize("args, kwargs", TO_CALLS)
def test_to_takes_every_pytorch_form(args, kwargs):
    ours, theirs = ag.tensor([[1.5, -2.0, 3.25]]), torch.tensor([[1.5, -2.0, 3.25]])
    ours_other, theirs_other = ag.zeros(1, dtype=ag.float64), torch.zeros(1, dtype=torch.float64)
    result = ours.to(*[_resolve(a, ag, ours_other) for a in args],
                     **{k: _resolve(v, ag, ours_other) for k, v in kwargs.items()})
    expected = theirs.to(*[_resolve(a, torch, theirs_other) for a in args],
                         **{k: _resolve(v, torch, theirs_other) for k, v in kwargs.items()})
    assert str(result.dtype) == str(expected.dtype).replace("torch.", "")
    assert (result is ours) == (expected is theirs)  # itself when nothing changes, unless copy=True
    np.testing.assert_array_equal(result.array, expected.numpy())
    assert result.device == ag.device("cpu")


def test_to_is_differentiable_and_copy_keeps_the_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x.to(ag.float64) * ag.tensor([3.0, 4.0], dtype=ag.float64)).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 4.0]
    x.grad = None
    copied = x.to(copy=True)
    assert copied is not x and not np.shares_memory(copied.array, x.array) and copied.grad_fn is not None
    (copied * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: x.to("cuda"), ag.DeviceError, r"to: this build .*CPU only, so device 'cuda' is not available"),
        (lambda x: x.to("cuda:1", ag.float64), ag.DeviceError, CPU_ONLY),
        (lambda x: x.to(device="mps"), ag.DeviceError, CPU_ONLY),
        (lambda x: x.to(0), ag.DeviceError, CPU_ONLY),
        (lambda x: x.to("cpu", ag.float32, False, False, 1), TypeError, "takes at most"),
        (lambda x: x.to(memory_format=None), TypeError, "unexpected keyword argument.*memory_format"),
        (lambda x: x.to("complex64"), ag.DtypeError, "not supported"),
    ],
)
def test_to_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(ag.zeros(2))


# -- device= on every creation function ----------------------------------------------------------------
CREATORS = {
    "tensor": lambda **kw: ag.tensor([1.0, 2.0], **kw),
    "as_tensor": lambda **kw: ag.as_tensor([1.0, 2.0], **kw),
    "zeros": lambda **kw: ag.zeros(2, 3, **kw),
    "ones": lambda **kw: ag.ones((2, 3), **kw),
    "empty": lambda **kw: ag.empty(2, **kw),
    "full": lambda **kw: ag.full((2,), 1.5, **kw),
    "arange": lambda **kw: ag.arange(4, **kw),
    "linspace": lambda **kw: ag.linspace(0, 1, 5, **kw),
    "logspace": lambda **kw: ag.logspace(0, 1, 5, **kw),
    "eye": lambda **kw: ag.eye(3, **kw),
    "zeros_like": lambda **kw: ag.zeros_like(ag.ones(2), **kw),
    "ones_like": lambda **kw: ag.ones_like(ag.ones(2), **kw),
    "empty_like": lambda **kw: ag.empty_like(ag.ones(2), **kw),
    "full_like": lambda **kw: ag.full_like(ag.ones(2), 7.0, **kw),
    "randn": lambda **kw: ag.randn(2, **kw),
    "rand": lambda **kw: ag.rand(2, **kw),
    "randint": lambda **kw: ag.randint(0, 5, (3,), **kw),
    "randperm": lambda **kw: ag.randperm(4, **kw),
    "rand_like": lambda **kw: ag.rand_like(ag.ones(2), **kw),
    "randn_like": lambda **kw: ag.randn_like(ag.ones(2), **kw),
    "randint_like": lambda **kw: ag.randint_like(ag.ones(2), 5, **kw),
    "normal": lambda **kw: ag.normal(0.0, 1.0, (3,), **kw),
    "FloatTensor": lambda **kw: ag.FloatTensor([1.0], **kw),
    "Generator": lambda **kw: ag.Generator(**kw),
}


@pytest.mark.parametrize("name", CREATORS)
@pytest.mark.parametrize("device", ["cpu", "cpu:0", ag.device("cpu"), None])
def test_every_creation_function_accepts_the_cpu(name, device):
    made = CREATORS[name](device=device)
    assert made.device == ag.device("cpu")


@pytest.mark.parametrize("name", CREATORS)
def test_every_creation_function_refuses_other_devices_naming_itself(name):
    with pytest.raises(ag.DeviceError, match=f"^{name}: .*device 'cuda' is not available"):
        CREATORS[name](device="cuda")


def test_default_device():
    ag.set_default_device("cpu")
    ag.set_default_device(None)
    ag.set_default_device(ag.device("cpu"))
    assert ag.get_default_device() == ag.device("cpu")
    with pytest.raises(ag.DeviceError, match="set_default_device: .*CPU only"):
        ag.set_default_device("cuda")


# -- cuda, accelerator, backends: what PyTorch answers without a GPU ----------------------------------------
def test_cuda_namespace_answers_as_pytorch_without_cuda():
    assert ag.cuda.is_available() is False and ag.cuda.device_count() == 0 and not ag.cuda.is_initialized()
    ag.cuda.manual_seed(0)  # ignored, as PyTorch ignores them without CUDA: seeding helpers run
    ag.cuda.manual_seed_all(0)
    ag.cuda.empty_cache()
    for call in (ag.cuda.current_device, ag.cuda.synchronize, ag.cuda.get_device_name):
        with pytest.raises(ag.DeviceError, match=CPU_ONLY):
            call()


def test_the_usual_device_picking_idioms_pick_the_cpu():
    device = ag.device("cuda" if ag.cuda.is_available() else "cpu")
    device2 = ag.accelerator.current_accelerator().type if ag.accelerator.is_available() else "cpu"
    device3 = "mps" if ag.backends.mps.is_available() else "cpu"
    assert ag.zeros(2, device=device).to(device2).to(device3).device == ag.device("cpu")
    assert ag.accelerator.current_accelerator() is None and ag.accelerator.device_count() == 0
    assert not ag.backends.mps.is_built() and not ag.backends.cuda.is_built() and not cudnn.is_available()


def test_backend_flags_can_be_set_harmlessly():
    saved = (cudnn.benchmark, cudnn.deterministic, ag.backends.cuda.matmul.allow_tf32)
    try:
        ag.backends.cudnn.benchmark = True
        ag.backends.cudnn.deterministic = True
        ag.backends.cuda.matmul.allow_tf32 = True
        assert cudnn.benchmark and cudnn.deterministic
    finally:
        cudnn.benchmark, cudnn.deterministic, ag.backends.cuda.matmul.allow_tf32 = saved
    ag.use_deterministic_algorithms(True)
    assert ag.are_deterministic_algorithms_enabled()
    ag.use_deterministic_algorithms(False)
    assert not ag.are_deterministic_algorithms_enabled()
    with pytest.raises(TypeError, match="mode must be a bool"):
        ag.use_deterministic_algorithms("yes")
