"""Devices: this build computes on the CPU, named as PyTorch names it.

    >>> import autograd_core as ag
    >>> ag.device("cpu"), ag.zeros(2).device
    (device(type='cpu'), device(type='cpu'))

Every tensor lives on ``device(type='cpu')``. ``device=`` is accepted wherever PyTorch
takes it; asking for any other device ("cuda", "mps", ...) raises ``DeviceError``
saying that this build runs on the CPU only, so PyTorch code that picks its device
with ``"cuda" if torch.cuda.is_available() else "cpu"`` runs unchanged.
"""
from __future__ import annotations

from typing import Any, Union

import numpy as np

from .dtypes import check_dtype

# PyTorch's device types (torch.device("foo") lists them in its error)
TORCH_DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
    "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)


class DeviceError(RuntimeError):
    """A device other than the CPU was asked for; this build computes on the CPU only."""


def _not_available(what: str, op: str) -> DeviceError:
    where = f"{op}: " if op else ""
    return DeviceError(
        f"{where}this build of autograd_core runs on the CPU only, so {what} is not available; use "
        "device='cpu' (or leave device out). Code that picks its device with "
        "torch.cuda.is_available() gets 'cpu' here."
    )


class device:  # noqa: N801  (PyTorch's name)
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cpu:0")``, ``device("cpu", 0)``.

    Attributes:
        type: the device type, always ``"cpu"`` in this build.
        index: the device index given (``None`` when none was).

    Used as a context manager (``with device("cpu"):``) it changes nothing: the CPU is
    where every tensor is made.
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type: Union[str, "device"], index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given with a device object")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            raise _not_available(f"device index {type} (an accelerator)", "device()")
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string such as 'cpu' or a device, got {type.__class__.__name__}")
        name, _, index_text = type.partition(":")
        if name not in TORCH_DEVICE_TYPES:
            raise RuntimeError(
                f"device(): unknown device type {type!r}; expected one of {', '.join(TORCH_DEVICE_TYPES)} "
                "(and this build runs on 'cpu' only)."
            )
        if name != "cpu":
            raise _not_available(f"device {type!r}", "device()")
        if index_text:
            if index is not None:
                raise RuntimeError(f"device(): the index is given twice, in {type!r} and as index={index}")
            if not index_text.isdigit():
                raise RuntimeError(f"device(): invalid device string {type!r}; write 'cpu' or 'cpu:0'")
            index = int(index_text)
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise RuntimeError(f"device(): the index must be a non-negative int, got {index!r}")
        self._type, self._index = name, index

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> int | None:
        return self._index

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, device) and other._type == self._type and other._index == self._index

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type={self._type!r})"
        return f"device(type={self._type!r}, index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __enter__(self) -> "device":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None


CPU = device("cpu")  # every tensor's .device

DeviceLike = Union[str, device, int, None]


def check_device(spec: DeviceLike, op: str) -> None:
    """Accept ``spec`` if it names the CPU (or is None); raise ``DeviceError`` for anything else.

    The common cases (None, "cpu", the CPU device) return at once: creation functions call
    this on every call.
    """
    if spec is None or spec is CPU or isinstance(spec, device):
        return  # only CPU devices can be built
    if isinstance(spec, str):
        if spec == "cpu":
            return
        if spec.partition(":")[0] not in TORCH_DEVICE_TYPES:
            raise RuntimeError(
                f"{op}: unknown device {spec!r}; expected one of {', '.join(TORCH_DEVICE_TYPES)} "
                "(and this build runs on 'cpu' only)."
            )
    elif not isinstance(spec, int) or isinstance(spec, bool):
        raise TypeError(f"{op}: device must be a string such as 'cpu' or a device, got {type(spec).__name__}")
    try:
        device(spec)
    except DeviceError:
        raise _not_available(f"device {spec!r}", op) from None


def is_device(value: Any) -> bool:
    """True for what ``Tensor.to`` reads as a device: a device, a device string, an index."""
    if isinstance(value, device):
        return True
    if isinstance(value, str):
        return value.partition(":")[0] in TORCH_DEVICE_TYPES
    return isinstance(value, int) and not isinstance(value, bool)


_TO_KEYWORDS = ("device", "dtype", "non_blocking", "copy")


def parse_to(op: str, args: tuple, kwargs: dict) -> tuple[Any, bool]:
    """``(dtype or None, copy)`` from PyTorch's ``to`` arguments, checking the device.

    Accepts ``(dtype)``, ``(device)``, ``(device, dtype)``, ``(tensor)``, each optionally
    followed by ``non_blocking, copy``, and the keywords ``device=, dtype=, non_blocking=,
    copy=``. ``non_blocking`` changes nothing on the CPU.
    """
    if len(args) == 1 and not kwargs and isinstance(args[0], (type, np.dtype)):
        return check_dtype(args[0]), False  # the common x.to(float64)
    from .tensor import Tensor

    unknown = [name for name in kwargs if name not in _TO_KEYWORDS]
    if unknown:
        raise TypeError(f"{op}() got unexpected keyword argument(s) {', '.join(unknown)}; it takes {_TO_KEYWORDS}")
    spec, dtype = kwargs.get("device"), kwargs.get("dtype")
    rest = list(args)
    if rest:
        first = rest.pop(0)
        if isinstance(first, Tensor):
            dtype = first.array.dtype
        elif is_device(first):
            spec = first
            if rest and not isinstance(rest[0], bool):
                dtype = rest.pop(0)
        else:
            dtype = first
    if len(rest) > 2:
        raise TypeError(f"{op}() takes at most (device, dtype, non_blocking, copy), got {len(args)} positional values")
    flags = dict(zip(("non_blocking", "copy"), rest))
    check_device(spec, op)
    copy = kwargs.get("copy", flags.get("copy", False))
    # "cpu:0" is not a tensor's device(type='cpu') to PyTorch, so it copies
    indexed = spec is not None and device(spec).index is not None
    return (None if dtype is None else check_dtype(dtype)), bool(copy) or indexed


def cuda_error(op: str) -> DeviceError:
    """The error for ``.cuda()`` and other CUDA-only calls."""
    return _not_available("CUDA", op)


def set_default_device(spec: DeviceLike) -> None:
    """Where new tensors are made: the CPU (``"cpu"`` or ``None``); anything else raises."""
    check_device(spec, "set_default_device")


def get_default_device() -> device:
    """The device new tensors are made on: ``device(type='cpu')``."""
    return CPU
