"""dtypes: NumPy's, under PyTorch's names, with PyTorch's default-dtype rule and legacy types.

A tensor's ``.dtype`` is a NumPy dtype (``x.dtype == autograd_core.float32`` holds).
``autograd_core.float``, ``double``, ``half``, ``long``, ``int``, ``short``, ``bool`` are
the aliases PyTorch has (``half`` is float16, which NumPy computes in; the conv and pool
kernels take float32 and float64 only). ``get_default_dtype``/``set_default_dtype`` say
which float dtype Python floats and the float creation functions make (float32 unless
set), for the whole process, as in PyTorch.

``x.type()`` returns PyTorch's exact strings (``'torch.FloatTensor'``), so code that
compares them runs unchanged; ``x.type(...)`` takes a dtype, such a string (with the
``torch.`` or ``autograd_core.`` prefix) or a legacy class (``autograd_core.FloatTensor``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DtypeError

float16 = np.float16
float32 = np.float32
float64 = np.float64
int8 = np.int8
int16 = np.int16
int32 = np.int32
int64 = np.int64
uint8 = np.uint8
bool_ = np.bool_

_default_float = np.dtype(np.float32)


def check_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as an ``np.dtype``, refusing what tensors cannot hold."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise DtypeError(
            f"unknown dtype {dtype!r}; use autograd_core.float32, float64, int64, int32, "
            "uint8 or bool_ (or the NumPy equivalents)."
        ) from None
    if dtype.kind not in "fiub":
        raise DtypeError(f"dtype {dtype} is not supported; use a float, integer or bool dtype.")
    return dtype


def default_float() -> np.dtype:
    """The dtype of Python floats and of float creation functions without ``dtype=``."""
    return _default_float


def get_default_dtype() -> type:
    """The default float dtype (``autograd_core.float32`` unless ``set_default_dtype`` changed it)."""
    return _default_float.type


def set_default_dtype(dtype: Any) -> None:
    """Make ``dtype`` (float16, float32 or float64) the default for Python floats and float creation.

    Process-wide, as in PyTorch. Layers made afterwards get parameters of this dtype.
    """
    global _default_float
    checked = check_dtype(dtype)
    if checked not in (np.float16, np.float32, np.float64):
        raise TypeError(f"set_default_dtype: only floating-point types can be the default, got {checked}")
    _default_float = checked


def set_default_tensor_type(tensor_type: Any) -> None:
    """PyTorch's older ``set_default_tensor_type(torch.DoubleTensor)``: sets the default dtype."""
    set_default_dtype(parse_type(tensor_type, "set_default_tensor_type"))


def is_floating_point(input: Any) -> bool:  # noqa: A002
    """True when ``input`` is a tensor of a float dtype."""
    return _tensor_dtype(input, "is_floating_point").kind == "f"


def is_tensor(obj: Any) -> bool:
    """True when ``obj`` is a Tensor (a Parameter too)."""
    from .tensor import Tensor

    return isinstance(obj, Tensor)


def numel(input: Any) -> int:  # noqa: A002
    """The number of elements of a tensor."""
    _tensor_dtype(input, "numel")
    return input.array.size


def _tensor_dtype(input: Any, op: str) -> np.dtype:  # noqa: A002
    from .tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input.array.dtype


# -- finfo / iinfo ----------------------------------------------------------------------
class finfo:  # noqa: N801  (PyTorch's name)
    """Machine limits of a float dtype (the default dtype when none is given), as ``torch.finfo``.

    Attributes: ``bits, eps, max, min, tiny, smallest_normal, resolution, dtype`` (a name).
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        dtype = _default_float if type is None else check_dtype(type)
        if dtype.kind != "f":
            raise TypeError(f"finfo() requires a floating point input type, got {dtype}; use iinfo for integers")
        info = np.finfo(dtype)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:  # noqa: N801  (PyTorch's name)
    """Limits of an integer dtype, as ``torch.iinfo``. Attributes: ``bits, max, min, dtype``."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        dtype = check_dtype(type)
        if dtype.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {dtype}; use finfo for floats")
        info = np.iinfo(dtype)
        self.bits = info.bits
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


# -- legacy tensor types ('torch.FloatTensor') -------------------------------------------------
LEGACY_NAMES = {
    np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor", np.dtype(np.float16): "HalfTensor",
    np.dtype(np.int64): "LongTensor", np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor", np.dtype(np.bool_): "BoolTensor",
    np.dtype(np.uint16): "UInt16Tensor", np.dtype(np.uint32): "UInt32Tensor", np.dtype(np.uint64): "UInt64Tensor",
}
_BY_LEGACY_NAME = {name: dtype for dtype, name in LEGACY_NAMES.items()}


def type_string(dtype: np.dtype) -> str:
    """PyTorch's ``x.type()`` string for a CPU tensor of ``dtype``: ``'torch.FloatTensor'``."""
    return "torch." + LEGACY_NAMES.get(dtype, dtype.name)


def parse_type(value: Any, op: str) -> np.dtype:
    """The dtype meant by a dtype, a ``'torch.FloatTensor'``-style string or a legacy class."""
    if isinstance(value, LegacyTensorType):
        return value.dtype
    if isinstance(value, str) and value.endswith("Tensor"):
        name = value.split(".")[-1]
        if ".cuda." in value:
            from .devices import cuda_error

            raise cuda_error(f"{op}({value!r})")
        if name in _BY_LEGACY_NAME and value.count(".") <= 1:
            return _BY_LEGACY_NAME[name]
        raise ValueError(f"{op}: invalid type {value!r}; use e.g. 'torch.FloatTensor' or a dtype")
    return check_dtype(value)


class LegacyTensorType(type):
    """The metaclass of ``FloatTensor`` & co.: calling one builds a Tensor of its dtype, and
    ``isinstance(x, FloatTensor)`` is True for float32 tensors (as in PyTorch)."""

    dtype: np.dtype

    def __instancecheck__(cls, instance: Any) -> bool:
        from .tensor import Tensor

        return isinstance(instance, Tensor) and instance.array.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Any:
        """``FloatTensor(2, 3)``: uninitialised of that size; ``FloatTensor([1, 2])``: from data."""
        from .devices import check_device
        from .tensor import Tensor

        check_device(device, cls.__name__)
        if not args:
            return Tensor._make(np.empty((0,), dtype=cls.dtype), False, None)
        if all(isinstance(arg, (int, np.integer)) and not isinstance(arg, bool) for arg in args):
            if any(arg < 0 for arg in args):
                raise ValueError(f"{cls.__name__}: sizes must be non-negative, got {args}")
            return Tensor._make(np.empty(tuple(int(arg) for arg in args), dtype=cls.dtype), False, None)
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}: pass sizes as ints or one sequence of data, got {args!r}")
        return Tensor(args[0], dtype=cls.dtype)

    def __repr__(cls) -> str:
        return f"<class 'autograd_core.{cls.__name__}'>"


def _legacy(name: str) -> LegacyTensorType:
    dtype = _BY_LEGACY_NAME[name]
    return LegacyTensorType(name, (), {"dtype": dtype, "__doc__": f"Tensors of {dtype}."})


FloatTensor = _legacy("FloatTensor")
DoubleTensor = _legacy("DoubleTensor")
HalfTensor = _legacy("HalfTensor")
LongTensor = _legacy("LongTensor")
IntTensor = _legacy("IntTensor")
ShortTensor = _legacy("ShortTensor")
CharTensor = _legacy("CharTensor")
ByteTensor = _legacy("ByteTensor")
BoolTensor = _legacy("BoolTensor")


# -- type promotion, asked directly ----------------------------------------------------------------
def _probe(value: Any) -> Any:
    """A one-element tensor of ``value``'s dtype, or a Python number as it is."""
    from .tensor import Tensor

    if isinstance(value, Tensor):
        return Tensor._make(np.zeros(1, value.array.dtype), False, None)
    if isinstance(value, (bool, int, float, np.number)):
        return value
    raise TypeError(f"result_type: expected a Tensor or a number, got {type(value).__name__}")


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype an arithmetic op on the two (tensors or numbers) gives: the engine's own rule,
    found by adding one-element stand-ins."""
    first, second = _probe(tensor1), _probe(tensor2)
    if not any(hasattr(x, "array") for x in (first, second)):
        from .tensor import Tensor

        first = Tensor(first)
    return np.dtype((first + second).dtype)


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The dtype that holds both dtypes as the engine promotes them (int64 with float32 is float32)."""
    from .tensor import Tensor

    a, b = (Tensor._make(np.zeros(1, check_dtype(t)), False, None) for t in (type1, type2))
    return np.dtype((a + b).dtype)


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` -> ``to`` in an in-place op: not from float
    to integer, nor from a number to bool."""
    rank = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integers < floats
    return rank[check_dtype(to).kind] >= rank[check_dtype(from_).kind]
