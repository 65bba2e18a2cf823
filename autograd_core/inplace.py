"""In-place ops (``add_``, ``fill_``, ``x[i] = v`` ...) through one function.

An in-place op runs its out-of-place ``Function`` on an alias of the tensor, writes
the result into the tensor's own array and bumps its version counter. When a graph is
being recorded the tensor's ``grad_fn`` moves to the new node, so later ops see the
new value; a backward that needs the overwritten value finds a stale version and
raises instead of computing a wrong gradient.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DtypeError, GraphError, ShapeError
from .function import Function
from .grad_mode import _per_thread
from .tensor import Tensor


def apply_inplace(target: Tensor, function: Any, name: str, *args: Any) -> Tensor:
    """Compute ``function(target, *args)`` and store the result in ``target``.

    ``function`` is a ``Function`` subclass or a function of ``(tensor, *args)`` (e.g. the
    out-of-place method ``Tensor.exp`` for ``exp_``). A view Function (``Reshape``,
    ``Permute``) changes the tensor's shape instead (``unsqueeze_``, ``t_``).
    """
    compute = function.apply if isinstance(function, type) else function
    is_view = getattr(function, "is_view", False)
    if not target.array.flags.writeable:
        raise GraphError(
            f"{name}: this tensor (shape {target.shape}) is a read-only broadcast view "
            "(from expand/broadcast_to); clone() it before writing to it."
        )
    recording = _per_thread.state.enabled and (
        target._requires_grad or any(isinstance(arg, Tensor) and arg._requires_grad for arg in args)
    )
    if recording and target._requires_grad and target.grad_fn is None:
        raise GraphError(
            f"{name}: a leaf tensor that requires grad (shape {target.shape}) cannot be "
            "modified in place while recording, since backward may need its old value. Do "
            "it inside `with autograd_core.no_grad():` (as optimisers do) or use the "
            "out-of-place op."
        )
    if recording and target._base is not None:
        raise GraphError(
            f"{name}: in-place writes into a view (a slice, reshape or transpose of another "
            f"tensor, here shape {target.shape}) are not recorded for autograd. Write into "
            "the base tensor with index assignment, or clone() the view first."
        )
    if recording and function not in _OVERWRITING and not is_view:
        # the op may save its input for backward: give it the old value, which the write
        # below destroys (as PyTorch saves a copy of ``self`` for ``mul_``)
        alias = Tensor._make(target.array.copy(), target._requires_grad, target.grad_fn)
    else:
        alias = Tensor._make(target.array, target._requires_grad, target.grad_fn)
        alias._version = target._version
    result = compute(alias, *args)
    if is_view:  # a shape op (unsqueeze_, t_ ...): the tensor takes the view's layout of its memory
        target.array = result.array
    elif result.shape != target.shape:
        raise ShapeError(
            f"{name}: the result has shape {result.shape} but the tensor being modified has "
            f"shape {target.shape}; an in-place op cannot change the shape. Use the "
            "out-of-place op instead."
        )
    elif not np.can_cast(result.array.dtype, target.array.dtype, casting="same_kind"):
        raise DtypeError(
            f"{name}: the result is {result.array.dtype} and cannot be stored in this "
            f"{target.array.dtype} tensor; convert the tensor first (e.g. x = x.float())."
        )
    else:
        np.copyto(target.array, result.array, casting="same_kind")
    target._version.value += 1
    if result.grad_fn is not None:
        _move_retained_grad(target, result.grad_fn)
        target.grad_fn = result.grad_fn
        target._requires_grad = True
    return target


def _move_retained_grad(target: Tensor, node: Function) -> None:
    """``retain_grad()`` follows the tensor to its new value, as in PyTorch (hooks stay)."""
    old = target.grad_fn
    if old is not None and old._retained is not None and old._retained() is target:
        node._retained, old._retained = old._retained, None


def _value(x: Any) -> Any:
    return x.array if isinstance(x, Tensor) else x


class Fill(Function):
    """``x.fill_(v)`` / ``x.copy_(src)``: every element becomes ``v`` (broadcast)."""

    @staticmethod
    def forward(ctx: Function, target: Tensor, value: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(_value(value), dtype=target.array.dtype), target.array.shape).copy()

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # the old value is overwritten: it gets no gradient; the new value gets all of it
        return None, grad_output


class SetItem(Function):
    """``x[index] = value``."""

    @staticmethod
    def forward(ctx: Function, target: Tensor, value: Any, index: Any) -> np.ndarray:
        ctx.index = index
        out = target.array.copy()
        try:
            out[index] = _value(value)
        except (ValueError, IndexError) as error:
            raise ShapeError(
                f"__setitem__: cannot assign a value of shape {np.shape(_value(value))} to "
                f"index {index!r} of a tensor of shape {target.shape}: {error}"
            ) from None
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d(out)/d(target) is 1 outside the written region, 0 inside; d(out)/d(value) picks it
        keep = np.ones(grad_output.shape, dtype=grad_output.dtype)
        keep[ctx.index] = 0
        return grad_output * keep, grad_output[ctx.index], None


_OVERWRITING = (Fill, SetItem)  # their backward never reads the old value
