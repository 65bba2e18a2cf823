"""``Tensor``: a NumPy array that records the ops applied to it.

Float tensors (float32 by default, float64 on request) can require grad; integer and
bool tensors hold labels, indices and masks and never do. Operators and methods follow
PyTorch's names and argument orders; each dispatches to one ``Function`` in ``ops/``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import devices as _devices
from . import dtypes as _dtypes
from .devices import CPU as _CPU
from .devices import DeviceLike
from .dtypes import bool_, float16, float32, float64, int8, int16, int32, int64, uint8  # noqa: F401
from .dtypes import check_dtype as _check_dtype
from .errors import DtypeError, GraphError, ShapeError
from .types import Dim, Scalarlike, Shape


class _VersionCounter:
    """Bumped by every in-place write; shared by a tensor and its views."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` as a fresh ndarray with PyTorch's dtype defaults.

    Python floats become the default dtype (float32 unless ``set_default_dtype`` changed
    it), Python ints int64; NumPy arrays keep their dtype.
    """
    if isinstance(data, Tensor):
        data = data.array
    from_numpy = isinstance(data, (np.ndarray, np.generic))
    if dtype is not None:
        dtype = _check_dtype(dtype)
        return np.array(data, dtype=dtype, copy=True)
    try:
        array = np.array(data, copy=True)
    except (ValueError, TypeError) as error:
        raise ShapeError(f"tensor(): cannot build an array from {type(data).__name__}: {error}") from None
    kind = array.dtype.kind
    if kind == "f" and not from_numpy:
        return array.astype(_dtypes._default_float, copy=False)
    if kind in "iu" and not from_numpy:
        return array.astype(np.int64)
    if kind not in "fiub":
        raise DtypeError(
            f"tensor(): data of dtype {array.dtype} is not supported; give numbers "
            "(floats, ints or bools), nested lists of them, or a numeric NumPy array."
        )
    return array


class Tensor:
    """An n-dimensional array with autograd.

    Attributes:
        array: the values, an ``np.ndarray`` (what ops and ``Function.forward`` compute
            on; changing it in place bypasses autograd).
        data: a detached Tensor sharing ``array``'s memory, as PyTorch's ``.data``
            (``p.data.add_(...)``, ``p.data = t``); its in-place changes are not tracked.
        grad: accumulated gradient (a Tensor of the same shape) or None.
        grad_fn: the node that created this tensor (None for leaves).
    """

    # _base: the tensor a view shares memory with (None otherwise); _view_of_fn: the
    # base's grad_fn when the view was taken, to detect views made stale by in-place ops
    __slots__ = (
        "array", "grad", "grad_fn", "_requires_grad", "_version", "_base", "_view_of_fn", "_hooks", "__weakref__"
    )
    __array_ufunc__ = None  # so ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        self.array = as_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._requires_grad = False
        self._version = _VersionCounter()
        self._base = None
        self._hooks = None
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool, grad_fn: Any) -> "Tensor":
        """Wrap an ndarray without copying (the fast path every op uses)."""
        tensor = object.__new__(Tensor)
        tensor.array = data
        tensor.grad = None
        tensor.grad_fn = grad_fn
        tensor._requires_grad = requires_grad
        tensor._version = _VersionCounter()
        tensor._base = None
        tensor._hooks = None
        return tensor

    # -- basic attributes ----------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """This tensor's values as a new leaf that shares memory and does not require grad.

        As PyTorch's ``.data``: writing through it (``p.data.add_(g, alpha=-lr)``,
        ``p.data.zero_()``) changes this tensor without autograd knowing (the version
        counter is the new tensor's own), and ``p.data = t`` makes ``p`` use ``t``'s array.
        """
        return Tensor._make(self.array, False, None)

    @data.setter
    def data(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"assigning .data: expected a Tensor, got {type(value).__name__}; wrap an array "
                "with autograd_core.tensor(...) (or assign the ndarray to .array)."
            )
        if self._requires_grad and value.array.dtype.kind != "f":
            raise DtypeError(
                f"assigning .data: this tensor requires grad, so its data must be floating point, "
                f"got {value.array.dtype}."
            )
        self.array = value.array

    @property
    def shape(self) -> Shape:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    def size(self, dim: int | None = None) -> Any:
        """The shape, or one dim's length: ``x.size()``, ``x.size(1)``."""
        if dim is None:
            return self.array.shape
        return self.array.shape[_ops_shape.normalize_dim("size", dim, self.array.ndim, self.array.shape)]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return self.array.size

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor; use x.item() or x.numel()")
        return self.array.shape[0]

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user created (or that do not require grad)."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Make this leaf track gradients (in place); returns self."""
        if requires_grad and self.array.dtype.kind != "f":
            raise DtypeError(
                f"only floating point tensors can require grad, but this tensor is "
                f"{self.array.dtype} (shape {self.array.shape}); convert it with .float() or "
                "create it with dtype=autograd_core.float32."
            )
        if self.grad_fn is not None and not requires_grad:
            raise GraphError(
                "requires_grad_(False) on a non-leaf tensor; use .detach() to get a tensor "
                "that does not require grad."
            )
        self._requires_grad = bool(requires_grad)
        return self

    # -- conversion ----------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared memory); refuses tensors that require grad."""
        if self._requires_grad:
            raise GraphError(
                "numpy() on a tensor that requires grad; call .detach().numpy() (or use .array) "
                "to say you do not need gradients through the array."
            )
        return self.array

    def tolist(self) -> Any:
        return self.array.tolist()

    def item(self) -> Scalarlike:
        """The single value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise ShapeError(
                f"item(): only one-element tensors can be converted to a Python number; "
                f"this one has shape {self.array.shape}. Reduce it first (e.g. .sum()) or index it."
            )
        return self.array.item()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self.array.item())

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise ShapeError(
                f"the truth value of a tensor with {self.array.size} elements (shape "
                f"{self.array.shape}) is ambiguous; use .any() or .all()."
            )
        return bool(self.array.item())

    __hash__ = object.__hash__

    def __iter__(self) -> Iterator["Tensor"]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor; use x.item()")
        return iter(_rearrange.unbind(self, 0))

    def __format__(self, format_spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor as its number."""
        if self.array.size == 1:
            return format(self.array.item(), format_spec)
        return object.__format__(self, format_spec)

    def __round__(self, ndigits: int | None = None) -> Any:
        """``round(t)`` / ``round(t, 2)`` of a one-element tensor: a Python number, as for floats."""
        return round(self.item(), ndigits)

    def __contains__(self, element: Any) -> bool:
        """``value in t``: whether any element equals ``value`` (a number or a tensor)."""
        if not isinstance(element, (Tensor, int, float, bool, np.number, np.bool_)):
            raise TypeError(f"`in` on a tensor takes a number or a Tensor, got {type(element).__name__}")
        return bool((self == element).array.any())

    def __repr__(self) -> str:
        body = _printing.format_array(self.array, "tensor(")
        extras = []
        if self.array.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.array.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- autograd API --------------------------------------------------------------
    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False, inputs: Any = None
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (with ``inputs``: into those
        tensors' ``.grad`` only).

        ``gradient`` (same shape as self) is required unless self has one element.
        The graph's saved values are freed unless ``retain_graph``; ``create_graph``
        records the backward pass so gradients can be differentiated again.
        """
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> "Tensor":
        """The same data (shared memory) cut out of the graph."""
        result = Tensor._make(self.array, False, None)
        result._version = self._version
        return result

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose ``.grad`` backward fills (after ``retain_grad()``)."""
        return self.grad_fn is not None and self.grad_fn._retained is not None and self.grad_fn._retained() is self

    def detach_(self) -> "Tensor":
        """Cut this tensor out of the graph in place (it becomes a leaf that does not require grad)."""
        if self._base is not None and self.grad_fn is not None:
            raise GraphError("detach_: cannot detach a view in place; use .detach() for a new tensor")
        self.grad_fn, self._requires_grad = None, False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise GraphError("retain_grad() on a tensor that does not require grad")
        if self.grad_fn is not None:
            import weakref

            self.grad_fn._retained = weakref.ref(self)

    def register_hook(self, hook: Callable[["Tensor"], Any]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned
        Tensor replaces the gradient. Returns a handle with ``.remove()``."""
        if not self._requires_grad:
            raise GraphError("register_hook() on a tensor that does not require grad")
        from .function import RemovableHandle

        if self.grad_fn is not None:
            return self.grad_fn.register_hook(hook)
        if self._hooks is None:
            self._hooks = []
        return RemovableHandle(self._hooks, hook)

    # -- arithmetic ----------------------------------------------------------------
    def __add__(self, other: Any) -> "Tensor":
        return _elementwise.Add.apply(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _elementwise.Add.apply(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        return _elementwise.Sub.apply(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _elementwise.Sub.apply(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        return _elementwise.Mul.apply(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _elementwise.Mul.apply(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _elementwise.Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _elementwise.Div.apply(other, self)

    def __pow__(self, exponent: Any) -> "Tensor":
        return _elementwise.Pow.apply(self, exponent)

    def __rpow__(self, base: Any) -> "Tensor":
        return _elementwise.Pow.apply(base, self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _linalg.matmul(other, self)

    def __neg__(self) -> "Tensor":
        return _elementwise.Neg.apply(self)

    def __abs__(self) -> "Tensor":
        return _elementwise.Abs.apply(self)

    def add(self, other: Any, alpha: Any = 1) -> "Tensor":
        """``self + alpha * other``, as ``torch.add``."""
        return _elementwise.Add.apply(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: Any = 1) -> "Tensor":
        """``self - alpha * other``, as ``torch.sub``."""
        return _elementwise.Sub.apply(self, other if alpha == 1 else other * alpha)

    mul = multiply = __mul__
    div = divide = __truediv__
    pow = __pow__
    matmul = __matmul__
    neg = negative = __neg__
    abs = __abs__
    subtract = sub

    # comparisons: bool tensors, never differentiable
    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _elementwise.compare(np.equal, "eq", self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _elementwise.compare(np.not_equal, "ne", self, other)

    def __lt__(self, other: Any) -> "Tensor":
        return _elementwise.compare(np.less, "lt", self, other)

    def __le__(self, other: Any) -> "Tensor":
        return _elementwise.compare(np.less_equal, "le", self, other)

    def __gt__(self, other: Any) -> "Tensor":
        return _elementwise.compare(np.greater, "gt", self, other)

    def __ge__(self, other: Any) -> "Tensor":
        return _elementwise.compare(np.greater_equal, "ge", self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # -- elementwise functions -----------------------------------------------------
    def exp(self) -> "Tensor":
        return _elementwise.Exp.apply(self)

    def log(self) -> "Tensor":
        return _elementwise.Log.apply(self)

    def sqrt(self) -> "Tensor":
        return _elementwise.Sqrt.apply(self)

    def sin(self) -> "Tensor":
        return _elementwise.Sin.apply(self)

    def cos(self) -> "Tensor":
        return _elementwise.Cos.apply(self)

    def tanh(self) -> "Tensor":
        return _elementwise.Tanh.apply(self)

    def sigmoid(self) -> "Tensor":
        return _elementwise.Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        return _elementwise.Relu.apply(self)

    def erf(self) -> "Tensor":
        """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``."""
        return _elementwise.Erf.apply(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> "Tensor":
        return _elementwise.clamp(self, min, max)

    clip = clamp

    # -- reductions ----------------------------------------------------------------
    def sum(self, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        return _reduce.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        return _reduce.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim: Dim = None, correction: int = 1, keepdim: bool = False) -> "Tensor":
        return _reduce.var(self, dim, correction=correction, keepdim=keepdim)

    def std(self, dim: Dim = None, correction: int = 1, keepdim: bool = False) -> "Tensor":
        return _reduce.std(self, dim, correction=correction, keepdim=keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return _reduce.max(self, dim, keepdim)

    def min(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return _reduce.min(self, dim, keepdim)

    def logsumexp(self, dim: Dim, keepdim: bool = False) -> "Tensor":
        return _reduce.logsumexp(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return _reduce.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return _reduce.argmin(self, dim, keepdim)

    def softmax(self, dim: int) -> "Tensor":
        return _reduce.softmax(self, dim)

    def log_softmax(self, dim: int) -> "Tensor":
        return _reduce.log_softmax(self, dim)

    # -- shape ---------------------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        return _ops_shape.reshape(self, *shape)

    def view(self, *shape: Any) -> "Tensor":
        """Like ``reshape``, but only where no copy is needed (as PyTorch's ``view``)."""
        result = _ops_shape.reshape(self, *shape)
        if result.array.size and not np.may_share_memory(result.array, self.array):
            raise ShapeError(
                f"view: a tensor of shape {self.shape} with this memory layout (e.g. after a "
                f"transpose) cannot be viewed as {result.shape} without copying; use "
                ".reshape(...) or .contiguous().view(...)."
            )
        return result

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        return _ops_shape.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> "Tensor":
        return _ops_shape.permute(self, *dims)

    @property
    def T(self) -> "Tensor":
        """All dims reversed (``x.T`` of a matrix is its transpose)."""
        return _ops_shape.permute(self, *reversed(range(self.array.ndim)))

    @property
    def mT(self) -> "Tensor":
        """The last two dims swapped (a batch of matrices, each transposed)."""
        if self.array.ndim < 2:
            raise ShapeError(f"mT: needs a tensor of 2 or more dims, got shape {self.shape}")
        return _ops_shape.transpose(self, -2, -1)

    H = T  # the conjugate transpose: for real tensors, the transpose
    mH = mT

    def ravel(self) -> "Tensor":
        """The elements as a 1-D tensor (a view when the layout allows, a copy otherwise)."""
        return _ops_shape.reshape(self, (-1,))

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self.array.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        """Steps between neighbours of each dim, in elements (as PyTorch), or one dim's step."""
        steps = tuple(step // self.array.itemsize for step in self.array.strides)
        return steps if dim is None else steps[_ops_shape.normalize_dim("stride", dim, self.array.ndim, self.shape)]

    def data_ptr(self) -> int:
        """The address of the first element (tensors sharing memory at the same place give the same)."""
        return int(self.array.__array_interface__["data"][0])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        return _ops_shape.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Dim = None) -> "Tensor":
        return _ops_shape.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> "Tensor":
        return _ops_shape.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> "Tensor":
        return _ops_shape.expand(self, *sizes)

    def broadcast_to(self, shape: Sequence[int]) -> "Tensor":
        return _ops_shape.broadcast_to(self, shape)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple["Tensor", ...]:
        return _ops_shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple["Tensor", ...]:
        return _ops_shape.chunk(self, chunks, dim)

    def __getitem__(self, index: Any) -> "Tensor":
        return _ops_shape.getitem(self, index)

    def clone(self) -> "Tensor":
        return _ops_shape.Clone.apply(self)

    def contiguous(self) -> "Tensor":
        return self if self.array.flags.c_contiguous else _ops_shape.Clone.apply(self)

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """This tensor converted, as PyTorch's ``to``: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
        ``to(other)`` (its dtype), keywords ``device=, dtype=, non_blocking=, copy=``.

        Itself when nothing changes (unless ``copy=True``); a differentiable copy otherwise.
        Devices other than the CPU raise ``DeviceError``.
        """
        dtype, copy = _devices.parse_to("to", args, kwargs)
        if dtype is None or dtype == self.array.dtype:
            return _ops_shape.Clone.apply(self) if copy else self
        return _elementwise.Cast.apply(self, dtype)

    def float(self) -> "Tensor":
        return self.to(np.float32)

    def double(self) -> "Tensor":
        return self.to(np.float64)

    def long(self) -> "Tensor":
        return self.to(np.int64)

    # -- in-place ------------------------------------------------------------------
    def add_(self, other: Any, alpha: Any = 1) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Add, "add_", other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Sub, "sub_", other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Mul, "mul_", other)

    def div_(self, other: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Div, "div_", other)

    def pow_(self, exponent: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Pow, "pow_", exponent)

    # ``x += y`` and friends write into x (Python would otherwise rebind the name to a
    # new tensor, so ``param -= lr * param.grad`` would leave the parameter unchanged)
    def __iadd__(self, other: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Add, "+= (add_)", other)

    def __isub__(self, other: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Sub, "-= (sub_)", other)

    def __imul__(self, other: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Mul, "*= (mul_)", other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Div, "/= (div_)", other)

    def __ipow__(self, exponent: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _elementwise.Pow, "**= (pow_)", exponent)

    def fill_(self, value: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _inplace.Fill, "fill_", value)

    def zero_(self) -> "Tensor":
        return _inplace.apply_inplace(self, _inplace.Fill, "zero_", 0.0)

    def copy_(self, source: Any) -> "Tensor":
        return _inplace.apply_inplace(self, _inplace.Fill, "copy_", source)

    def __setitem__(self, index: Any, value: Any) -> None:
        _inplace.apply_inplace(self, _inplace.SetItem, "__setitem__", value, _ops_shape.as_index(index))

    # -- more ops (ops/indexing, sorting, math, rearrange, ...): methods taking sizes as *args ---
    # (methods that only call an op are bound at the end of this file)
    def repeat(self, *sizes: Any) -> "Tensor":
        return _rearrange.repeat(self, *sizes)

    def tile(self, *dims: Any) -> "Tensor":
        return _rearrange.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)

    def flip(self, *dims: Any) -> "Tensor":
        return _rearrange.flip(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)

    def where(self, condition: Any, other: Any) -> "Tensor":
        """``where(condition, self, other)``."""
        return _elementwise.where(condition, self, other)

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.view(other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    # new_*: a new leaf with this tensor's dtype (unless given), as PyTorch's
    def new_tensor(
        self, data: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
    ) -> "Tensor":
        _devices.check_device(device, "new_tensor")
        return Tensor(data, dtype=self.array.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_full(
        self, size: Any, fill_value: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
    ) -> "Tensor":
        return self._new_filled("new_full", (size,), fill_value, dtype, device, requires_grad)

    def new_zeros(
        self, *size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
    ) -> "Tensor":
        return self._new_filled("new_zeros", size, 0, dtype, device, requires_grad)

    def new_ones(
        self, *size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
    ) -> "Tensor":
        return self._new_filled("new_ones", size, 1, dtype, device, requires_grad)

    def new_empty(
        self, *size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
    ) -> "Tensor":
        """Zeros here (PyTorch leaves the memory uninitialised)."""
        return self._new_filled("new_empty", size, 0, dtype, device, requires_grad)

    def _new_filled(
        self, op: str, size: tuple, fill_value: Any, dtype: Any, device: DeviceLike, requires_grad: bool
    ) -> "Tensor":
        _devices.check_device(device, op)
        shape = _ops_shape._sizes(op, size)
        dtype = self.array.dtype if dtype is None else _check_dtype(dtype)
        return Tensor(np.full(shape, fill_value, dtype=dtype), requires_grad=requires_grad)

    # in-place shape changes: the tensor takes a view of its own memory
    def unsqueeze_(self, dim: int) -> "Tensor":
        dim = _ops_shape.normalize_dim("unsqueeze_", dim, self.ndim + 1, self.shape)
        shape = self.shape[:dim] + (1,) + self.shape[dim:]
        return _inplace.apply_inplace(self, _ops_shape.Reshape, "unsqueeze_", shape)

    def squeeze_(self, dim: Dim = None) -> "Tensor":
        shape = _ops_shape.squeeze(self.detach(), dim).shape
        return _inplace.apply_inplace(self, _ops_shape.Reshape, "squeeze_", shape)

    def transpose_(self, dim0: int, dim1: int) -> "Tensor":
        return self._swap_dims_in_place("transpose_", dim0, dim1)

    def swapaxes_(self, axis0: int, axis1: int) -> "Tensor":
        return self._swap_dims_in_place("swapaxes_", axis0, axis1)

    swapdims_ = swapaxes_

    def t_(self) -> "Tensor":
        _rearrange.t(self.detach())  # checks the rank
        return self._swap_dims_in_place("t_", 0, 1) if self.ndim == 2 else self

    def _swap_dims_in_place(self, name: str, dim0: int, dim1: int) -> "Tensor":
        order = list(range(self.ndim))
        first = _ops_shape.normalize_dim(name, dim0, self.ndim, self.shape)
        second = _ops_shape.normalize_dim(name, dim1, self.ndim, self.shape)
        order[first], order[second] = order[second], order[first]
        return _inplace.apply_inplace(self, _ops_shape.Permute, name, tuple(order))

    # -- devices, dtypes and random fills (PyTorch's CPU tensor API) --------------------
    # (last in the class: the methods named int/bool/type shadow those builtins below them;
    # the random fills import ``sampling`` when called, as it imports this module)
    @property
    def device(self) -> _devices.device:
        """Where this tensor lives: ``device(type='cpu')`` (this build computes on the CPU)."""
        return _CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    def get_device(self) -> int:
        """-1, PyTorch's answer for a CPU tensor."""
        return -1

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, device: DeviceLike = None, non_blocking: bool = False) -> "Tensor":
        raise _devices.cuda_error("Tensor.cuda()")

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return self.array.itemsize

    @property
    def itemsize(self) -> int:
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        return self.array.nbytes

    @property
    def is_sparse(self) -> bool:
        return False

    def pin_memory(self, device: DeviceLike = None) -> "Tensor":
        """Itself: there is no accelerator to copy to, so nothing to pin."""
        return self

    def ndimension(self) -> int:
        return self.array.ndim

    def nelement(self) -> int:
        return self.array.size

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """``x.type()``: PyTorch's type string (``'torch.FloatTensor'``); ``x.type(t)``: converted to
        ``t`` (a dtype, such a string or a legacy class like ``autograd_core.LongTensor``)."""
        if dtype is None:
            return _dtypes.type_string(self.array.dtype)
        return self.to(_dtypes.parse_type(dtype, "Tensor.type"))

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.array.dtype)

    def half(self) -> "Tensor":
        return self.to(np.float16)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def short(self) -> "Tensor":
        return self.to(np.int16)

    def char(self) -> "Tensor":
        return self.to(np.int8)

    def byte(self) -> "Tensor":
        return self.to(np.uint8)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with samples from U[a, b), in place."""
        from . import sampling as _sampling
        return _sampling.fill_(self, "uniform_", generator, "uniform", a, b)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with samples from N(mean, std^2), in place."""
        from . import sampling as _sampling
        return _sampling.fill_(self, "normal_", generator, "normal", mean, std)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> "Tensor":
        """Fill with 1 with probability ``p`` (a number or a tensor broadcast to this one), else 0."""
        from . import sampling as _sampling
        return _sampling.bernoulli_(self, p, generator)

    def random_(self, *bounds: Any, generator: Any = None) -> "Tensor":
        """Fill with integers: ``random_(to)`` from [0, to), ``random_(from, to)``, or ``random_()``
        from [0, 2^mantissa] for floats and [0, max] for integers."""
        from . import sampling as _sampling
        return _sampling.random_(self, bounds, generator)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with samples of density ``lambd * exp(-lambd x)``, in place."""
        from . import sampling as _sampling
        return _sampling.fill_(self, "exponential_", generator, "exponential", lambd)

    def geometric_(self, p: float, *, generator: Any = None) -> "Tensor":
        """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
        from . import sampling as _sampling
        return _sampling.fill_(self, "geometric_", generator, "geometric", p)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> "Tensor":
        """Fill with ``exp(N(mean, std^2))`` samples, in place."""
        from . import sampling as _sampling
        return _sampling.fill_(self, "log_normal_", generator, "lognormal", mean, std)

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with Cauchy(median, sigma) samples, in place."""
        from . import sampling as _sampling
        return _sampling.cauchy_(self, median, sigma, generator)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> "Tensor":
        """0/1 samples, each 1 with the probability this tensor holds (or ``p``)."""
        from . import sampling as _sampling
        return _sampling.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> "Tensor":
        """Indices drawn with the weights in this tensor's last dim (see ``autograd_core.multinomial``)."""
        from . import sampling as _sampling
        return _sampling.multinomial(self, num_samples, replacement, generator=generator)


from . import engine as _engine  # noqa: E402  (these modules import Tensor)
from . import inplace as _inplace  # noqa: E402
from . import printing as _printing  # noqa: E402
from .ops import counting as _counting  # noqa: E402
from .ops import cumulative as _cumulative  # noqa: E402
from .ops import elementwise as _elementwise  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import logical as _logical  # noqa: E402
from .ops import math as _math  # noqa: E402
from .ops import matrix as _matrix  # noqa: E402
from .ops import rearrange as _rearrange  # noqa: E402
from .ops import reduce as _reduce  # noqa: E402
from .ops import rounding as _rounding  # noqa: E402
from .ops import shape as _ops_shape  # noqa: E402
from .ops import sorting as _sorting  # noqa: E402
from .ops import special as _special  # noqa: E402
from .ops import stacking as _stacking  # noqa: E402

# -- op methods: the op's own function is the method (its signature and docstring) ----------
_METHODS = {
    _indexing: "gather scatter scatter_add index_select masked_fill masked_select tril triu nonzero argwhere take "
    "take_along_dim index_add index_copy index_fill masked_scatter index_put put",
    _sorting: "sort argsort msort topk kthvalue median mode quantile nanquantile",
    _cumulative: "cumsum cumprod prod diff cummax cummin logcumsumexp",
    _counting: "unique bincount count_nonzero histc histogram unique_consecutive",
    _matrix: "diag diagonal diag_embed trace kron",
    _elementwise: "maximum minimum clamp_min clamp_max",
    _reduce: "amax amin aminmax nansum nanmean cov corrcoef sum_to_size",
    _special: "erfc erfinv",
    _linalg: "mm bmm mv dot vdot inner outer ger addmm baddbmm addmv norm dist inverse det matrix_power "
    "cross logdet slogdet renorm addbmm addr",
    _rearrange: "t swapaxes movedim narrow select unflatten unbind roll fliplr flipud rot90 repeat_interleave unfold",
    _stacking: "tensor_split hsplit vsplit dsplit",
    _math: "tan asin acos atan sinh cosh atan2 log1p expm1 log2 log10 rsqrt reciprocal square hypot lerp logaddexp "
    "xlogy logit nan_to_num signbit deg2rad rad2deg addcmul addcdiv fmax fmin heaviside gcd lcm copysign exp2 "
    "float_power frexp ldexp logaddexp2 sinc",
    _rounding: "floor ceil trunc fix round sign frac fmod remainder floor_divide",
    _logical: "isnan isinf isfinite isposinf isneginf isclose allclose equal logical_and logical_or logical_xor "
    "logical_not bitwise_and bitwise_or bitwise_xor bitwise_not all any",
}
for _module, _names in _METHODS.items():
    for _name in _names.split():
        setattr(Tensor, _name, getattr(_module, _name))
Tensor.swapdims, Tensor.moveaxis = _rearrange.swapaxes, _rearrange.movedim
Tensor.sgn, Tensor.true_divide, Tensor.absolute = _rounding.sign, Tensor.div, Tensor.abs
Tensor.arcsin, Tensor.arccos, Tensor.arctan, Tensor.arctan2 = _math.asin, _math.acos, _math.atan, _math.atan2
Tensor.__and__ = Tensor.__rand__ = _logical.bitwise_and
Tensor.__or__ = Tensor.__ror__ = _logical.bitwise_or
Tensor.__xor__ = Tensor.__rxor__ = _logical.bitwise_xor
Tensor.__invert__ = _logical.bitwise_not
Tensor.__floordiv__, Tensor.__mod__ = _rounding.floor_divide, _rounding.remainder
Tensor.__rfloordiv__ = lambda self, other: _rounding.floor_divide(other, self)
Tensor.__rmod__ = lambda self, other: _rounding.remainder(other, self)


def _in_place(name: str, op: Callable) -> Callable:
    """``x.exp_()`` and friends: the out-of-place op's result written into x by ``apply_inplace``."""
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        compute = (lambda tensor, *rest: op(tensor, *rest, **kwargs)) if kwargs else op
        return _inplace.apply_inplace(self, compute, name, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In place: writes the result of ``{op.__name__}`` into this tensor and returns it."
    return method


for _name in (
    "exp log sqrt abs neg negative sin cos tan asin acos atan sinh cosh tanh sigmoid relu erf erfc erfinv arcsin "
    "arccos arctan arctan2 log1p expm1 log2 log10 rsqrt multiply divide subtract "
    "reciprocal square floor ceil trunc fix round sign frac clamp clip clamp_min clamp_max atan2 hypot fmod remainder "
    "lerp floor_divide logit nan_to_num deg2rad rad2deg addcmul addcdiv xlogy sgn true_divide index_add index_copy "
    "index_fill masked_scatter copysign exp2 float_power ldexp sinc renorm index_put put addbmm addr absolute "
    "masked_fill scatter scatter_add tril triu cumsum cumprod logical_and logical_or logical_xor logical_not "
    "bitwise_and bitwise_or bitwise_xor bitwise_not"
).split():
    setattr(Tensor, _name + "_", _in_place(_name + "_", getattr(Tensor, _name)))
Tensor.fill_diagonal_ = _in_place("fill_diagonal_", _indexing.fill_diagonal)
for _name, _op in {"__iand__": "__and__", "__ior__": "__or__", "__ixor__": "__xor__", "__ifloordiv__": "__floordiv__",
                   "__imod__": "__mod__"}.items():
    setattr(Tensor, _name, _in_place(_name, getattr(Tensor, _op)))
