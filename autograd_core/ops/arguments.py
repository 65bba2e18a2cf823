"""How the layer ops (convolution, pooling, linear, recurrent) check their arguments.

One place for what every layer op asks of its inputs and every sliding-window op of its
geometry, so all of them raise the same error for the same mistake:

* a tensor argument that is not a Tensor (a NumPy array, a list) is a ``TypeError``
  that says to wrap it with ``autograd_core.tensor(x)``, as PyTorch raises a TypeError;
* an input whose dtype differs from the layer's weight is a ``DtypeError`` naming both
  dtypes and both fixes (PyTorch refuses too; promoting would run at float64 speed);
* a kernel_size / stride / padding / dilation that is not an int or a tuple of ints is
  a ``TypeError`` (PyTorch's argument parser raises one); the right type with a value
  that cannot work (stride 0, negative padding, a tuple of the wrong length) is a
  ``ValueError`` (PyTorch: RuntimeError); an input the geometry does not fit is a
  ``ShapeError`` (raised by the op, which knows how to describe it).

``op`` in every message is the caller's name: the functional (``"conv2d"``) or, when a
module calls its functional, the module (``Conv2d(3, 8, kernel_size=(3, 3), ...)``). A
module passes ``name=LayerName(self)``, which formats its description only when a message
is built (a Conv2d's takes 1.5-5 us, more than some checks it would label).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DtypeError
from ..tensor import Tensor
from ..types import Pair


# -- names -----------------------------------------------------------------------------
class LayerName:
    """What error messages call the module calling its functional: ``str()`` (an f-string)
    asks ``layer._describe()`` for the text then, so a forward that raises formats it, and
    one that does not pays for this small object only."""

    __slots__ = ("layer",)

    def __init__(self, layer: Any) -> None:
        self.layer = layer

    def __str__(self) -> str:
        return self.layer._describe()

    __repr__ = __str__


# -- tensors -----------------------------------------------------------------------------
_CONVERSIONS = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


def require_tensor(op: str, value: Any, what: str = "input") -> None:
    """A TypeError unless ``value`` is a Tensor."""
    if not isinstance(value, Tensor):
        kind = type(value).__module__.replace("builtins", "").strip(".")
        kind = f"{kind}.{type(value).__name__}" if kind else type(value).__name__
        raise TypeError(f"{op}: {what} must be a Tensor, got {kind}; wrap it with autograd_core.tensor(x)")


def require_float(op: str, tensor: Tensor, what: str = "input") -> None:
    """A DtypeError unless ``tensor`` is float32 or float64."""
    if tensor.dtype not in _CONVERSIONS:
        raise DtypeError(
            f"{op}: {what} must be a float32 or float64 Tensor, got {tensor.dtype}; convert it with x.float()"
        )


def require_same_dtype(
    op: str, tensor: Tensor, reference: Tensor, what: str = "input", reference_what: str = "weight"
) -> None:
    """A DtypeError unless ``tensor`` has ``reference``'s dtype (a layer's input and its weight)."""
    if tensor.dtype == reference.dtype:
        return
    fixes = []
    if reference.dtype in _CONVERSIONS:
        fixes.append(f"the {what} with x.{_CONVERSIONS[reference.dtype]}()")
    if tensor.dtype in _CONVERSIONS:
        fixes.append(f"the model with model.{_CONVERSIONS[tensor.dtype]}()")
    raise DtypeError(
        f"{op}: {what} is {tensor.dtype} but {reference_what} is {reference.dtype}; "
        f"convert {' or '.join(fixes) or 'one of them'}"
    )


# -- geometry ----------------------------------------------------------------------------
def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def int_tuple(op: str, name: str, value: Any, dims: int, minimum: int = 0) -> tuple[int, ...]:
    """``value`` (an int, or a tuple/list of 1 or ``dims`` ints, as PyTorch takes them) as a
    tuple of ``dims`` ints, each at least ``minimum``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    expected = f"an int or a tuple of {dims} ints" if dims > 1 else "an int"
    if not all(_is_int(v) for v in values):
        raise TypeError(f"{op}: {name} must be {expected}, got {value!r}")
    if len(values) == 1:
        values = values * dims
    if len(values) != dims:
        raise ValueError(f"{op}: {name} must be {expected}, got {value!r} ({len(values)} values)")
    if min(values) < minimum:
        bound = "positive" if minimum == 1 else f"at least {minimum}" if minimum else "non-negative"
        raise ValueError(f"{op}: {name} must be {bound}, got {value!r}")
    return tuple(int(v) for v in values)


def lift_to_2d(values: tuple[int, ...], fill: int) -> Pair:
    """A 1-d geometry value as the 2-d one of a height-1 image: ``(k,)`` -> ``(fill, k)``.

    1-d convolution and pooling run as their 2-d forms on ``(N, C, 1, L)``; the height
    gets kernel/stride/dilation 1 and padding 0 (``fill``).
    """
    return (fill, values[0]) if len(values) == 1 else (values[0], values[1])


def window_count(
    size: int, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """How many windows of ``kernel`` taps ``dilation`` apart, ``stride`` apart, fit along a
    dim of ``size`` padded by ``pad_before``/``pad_after``: PyTorch's output size

        out = floor((W + P_before + P_after - D*(F-1) - 1) / S) + 1     (ceil under ceil_mode)

    where under ``ceil_mode`` the last window must start inside the input or the left
    padding (else it is dropped), as PyTorch's pooling. 0 or less: no window fits.
    """
    reach = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return reach // stride + 1
    out = -(-reach // stride) + 1
    if (out - 1) * stride >= size + pad_before:
        out -= 1
    return out


__all__ = [
    "LayerName", "int_tuple", "lift_to_2d", "require_float", "require_same_dtype", "require_tensor", "window_count"
]
