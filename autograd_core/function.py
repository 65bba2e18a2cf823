"""``Function``: one differentiable op, and the graph node it leaves behind.

An op is a subclass with two static methods side by side::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):                  # a, b: Tensors (or Python numbers)
            ctx.save_for_backward(a, b)
            return a.array * b.array               # an ndarray
        @staticmethod
        def backward(ctx, grad_output):          # grad_output: Tensor
            a, b = ctx.saved_tensors
            return grad_output * b, grad_output * a   # d(a*b)/da = b, d(a*b)/db = a

``forward`` computes with NumPy (it runs with grad recording off and returns an
ndarray or a Tensor). ``backward`` returns one gradient per positional argument of
``forward`` (``None`` for non-tensors); writing it with Tensor ops makes it
differentiable, so ``create_graph=True`` gives higher-order gradients. Gradients may
have the broadcast shape of the output: the engine sums them back to each input's
shape in one place (``engine._fit_gradient``).

``Mul.apply(a, b)`` runs the op. When recording, the ``ctx`` object becomes the
output's ``grad_fn``: it holds the edges to the inputs' nodes and the saved values.

An op may also define ``backward_arrays(ctx, grad_output)``: the same gradients for a backward
that records nothing (``create_graph=False``, the usual ``loss.backward()``), computed on
ndarrays and returned as ndarrays, so the chain rule costs a NumPy call per input instead of a
Tensor op each (the Tensor ops of ``backward`` were most of a small graph's backward). The
engine uses it where it is defined and ``backward`` everywhere else.

``fresh_gradients`` names the inputs whose gradient that plain backward returns as an array of its
own (made for it, shared with nothing). A leaf's first ``.grad`` is then that array itself rather
than a copy; ops that pass ``grad_output`` through (an add, a view) must not list it. A test walks
the ops that declare it and checks that the arrays share memory with nothing else
(``tests/autograd_core/test_engine.py``).
"""
from __future__ import annotations

import traceback
from typing import Any, ClassVar

import numpy as np

from .errors import DtypeError, GraphError, ShapeError
from .grad_mode import _per_thread
from .tensor import Tensor

_RELEASED = object()  # marks saved values freed by a backward without retain_graph
_FLOAT32 = np.dtype(np.float32)  # the (native byte order) float32 every float32 array's dtype is


class Function:
    """Base class of every op; an instance is a node of the backward graph."""

    #: The backward needs the op's own output (``ctx.output``), e.g. exp, tanh.
    saves_output: ClassVar[bool] = False
    #: The output may share memory with the first input (reshape, transpose, slicing):
    #: it then shares that input's version counter, so in-place writes are tracked.
    is_view: ClassVar[bool] = False
    #: The output dtype is exactly what forward returns (``Cast``); other ops turn a
    #: float64 that NumPy promoted from integers into float32, as PyTorch does.
    exact_dtype: ClassVar[bool] = False
    #: Optional ``(ctx, grad_output: ndarray) -> ndarrays``: ``backward`` on arrays, for a backward
    #: that records nothing (see the module docstring); None: the engine calls ``backward``.
    backward_arrays: ClassVar[Any] = None
    #: Positions of the inputs whose gradient a backward that records nothing returns as a new array
    #: that nothing else refers to (not grad_output or a view of it, not another input's, not kept):
    #: a leaf's first ``.grad`` then takes it as it is instead of a copy (a weight's: 15 us at 256x784).
    fresh_gradients: ClassVar[tuple[int, ...]] = ()

    # The four every recorded node gets are slots (a subclass's own attributes go to its __dict__):
    # as instance-dict entries, CPython 3.11 kept a + b's stores of _shape and _dtype unspecialised
    # once no-grad calls had come first (1.45 -> 1.55 us)
    __slots__ = ("needs_input_grad", "_next", "_shape", "_dtype", "__dict__", "__weakref__")
    needs_input_grad: tuple[bool, ...]
    _next: tuple[Any, ...]  # per positional input: its grad_fn, the leaf Tensor, or None
    _shape: tuple[int, ...]  # the output's shape and dtype: what a gradient flowing
    _dtype: np.dtype  # into this node must have (the engine fits gradients to it)
    # defaults, set on a node only when used
    _saved: Any = None
    _output: Any = None
    _pre_hooks: Any = None
    _retained: Any = None
    _trace: Any = None

    @staticmethod
    def forward(ctx: "Function", *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a Function subclass must define a static forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: "Function", grad_output: Tensor) -> Any:
        raise TypeError("a Function subclass must define a static backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run ``forward`` on ``args`` and, when any input requires grad, record the node."""
        state = _per_thread.state  # this thread's grad and anomaly modes
        node = object.__new__(cls)
        record = False
        if state.enabled:
            if len(args) == 2:  # binary ops, the most common: no comprehension (its frame was ~1/10 of a + b)
                first, second = args
                needs = (
                    isinstance(first, Tensor) and first._requires_grad,
                    isinstance(second, Tensor) and second._requires_grad,
                )
            elif len(args) == 1:  # unary ops (tanh, exp, ...): as for binary ones
                needs = (isinstance(args[0], Tensor) and args[0]._requires_grad,)
            else:
                needs = tuple([isinstance(arg, Tensor) and arg._requires_grad for arg in args])
            record = True in needs
        if record:
            node.needs_input_grad = needs
            state.enabled = False  # forward records nothing (without an input that requires grad it cannot)
        else:
            try:
                node.needs_input_grad = _NO_GRAD[len(args)]
            except IndexError:  # cat/stack of 64 or more tensors (costs nothing when not raised)
                node.needs_input_grad = (False,) * len(args)
        try:
            if kwargs:
                out = cls.forward(node, *args, **kwargs)
            elif len(args) == 2:  # a direct call: one through *args costs ~65 ns more (~1/20 of a + b)
                out = cls.forward(node, args[0], args[1])
            else:
                out = cls.forward(node, *args)
        except (ValueError, TypeError) as error:
            named = _named_error(cls, args, error)
            if named is None:
                raise
            raise named from None
        finally:
            if record:
                state.enabled = True
        if type(out) is not np.ndarray:
            out = out.array if isinstance(out, Tensor) else np.asarray(out)
        dtype = out.dtype
        if dtype is not _FLOAT32:  # float32, the common case, needs neither check (nor the look-up of its char)
            if dtype.char in "de" and not cls.exact_dtype and not _any_of_dtype(args, dtype.char):
                # int tensor * 0.5 is float32, as in PyTorch; so is a float function of bools or 8-bit
                # integers, which NumPy computes in float16: computed again from float32 inputs
                out = out.astype(np.float32) if dtype.char == "d" else _in_float32(cls, node, args, kwargs)
                dtype = out.dtype
            if record and dtype.kind != "f":
                record = False
        if not record:
            result = Tensor._make(out, False, None)
            if cls.is_view and np.may_share_memory(out, args[0].array):
                _share_version(result, args[0])
            return result
        result = Tensor._make(out, True, node)
        if cls.is_view and np.may_share_memory(out, args[0].array):
            _share_version(result, args[0])
        if len(args) == 2:  # as above: two edges without a loop or a call
            node._next = (
                (first.grad_fn or first) if needs[0] else None, (second.grad_fn or second) if needs[1] else None
            )
            if (needs[0] and first._base is not None) or (needs[1] and second._base is not None):
                _check_views(cls, args, needs)
        else:
            node._next = tuple([(arg.grad_fn or arg) if need else None for arg, need in zip(args, needs)])
            _check_views(cls, args, needs)
        node._shape = out.shape
        node._dtype = dtype
        if state.anomaly:
            node._trace = traceback.extract_stack()[:-1]
        if cls.saves_output:
            node._output = (out, result._version, result._version.value)
        return result

    # -- what forward/backward use -------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep tensors (or other values) for backward; in-place changes are detected."""
        if True in self.needs_input_grad:
            self._saved = tuple(
                [(value, value._version.value) if isinstance(value, Tensor) else (value, None) for value in values]
            )

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The values given to ``save_for_backward``, checked against in-place changes."""
        saved = self._saved
        if saved is _RELEASED:
            raise _freed_error(self)
        if saved is None:
            return ()
        for position, (value, version) in enumerate(saved):
            if version is not None and value._version.value != version:
                raise _modified_error(self, f"input {position}", version, value._version.value)
        return tuple(value for value, _ in saved)

    @property
    def output(self) -> Tensor:
        """The op's own output (for ops with ``saves_output``), differentiable through this node."""
        if self._output is _RELEASED:
            raise _freed_error(self)
        data, counter, version = self._output
        if counter.value != version:
            raise _modified_error(self, "its output", version, counter.value)
        if _per_thread.state.enabled:
            return Tensor._make(data, True, self)
        return Tensor._make(data, False, None)

    # -- introspection -------------------------------------------------------------
    def name(self) -> str:
        """``MulBackward`` for the op ``Mul``."""
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch-style ``((node, 0), ...)``; a leaf input shows as ``AccumulateGrad``."""
        return tuple(
            (AccumulateGrad(entry) if isinstance(entry, Tensor) else entry, 0)
            for entry in self._next
        )

    def register_hook(self, hook: Any) -> "RemovableHandle":
        """Call ``hook(grad_output)`` before this node's backward; it may return a new grad."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        return RemovableHandle(self._pre_hooks, hook)

    def _release(self) -> None:
        """Free saved values after a backward that does not retain the graph."""
        if self._saved is not None:
            self._saved = _RELEASED
        if self._output is not None:
            self._output = _RELEASED

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """How a leaf tensor appears in ``next_functions``: gradients accumulate into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    next_functions: tuple = ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    __slots__ = ("hooks", "hook")

    def __init__(self, hooks: list, hook: Any) -> None:
        self.hooks = hooks
        self.hook = hook
        hooks.append(hook)

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


def _check_views(cls: type, args: tuple, needs: tuple) -> None:
    """Refuse an input that requires grad and is a view made stale by an in-place op on its base
    after the view was taken."""
    for arg, need in zip(args, needs):
        if need and arg._base is not None and arg._base.grad_fn is not arg._view_of_fn:
            raise _stale_view_error(cls, arg)


def _named_error(cls: type, args: tuple, error: Exception) -> Exception | None:
    """NumPy's broadcasting and operand-type errors as this engine's, named for the op; None for others."""
    if isinstance(error, ValueError) and str(error).startswith("operands could not be broadcast"):
        shapes = " and ".join(str(_shape_of(arg)) for arg in args)
        return ShapeError(
            f"{cls.__name__.lower()}: shapes {shapes} cannot be broadcast together "
            "(NumPy rules: trailing dims must match or be 1). Reshape or unsqueeze "
            "an input so the shapes line up."
        )
    # e.g. tensor + "a": NumPy's own message, named for the op
    if isinstance(error, TypeError) and (type(error).__module__.startswith("numpy") or "ufunc" in str(error)):
        kinds = ", ".join(type(arg).__name__ for arg in args)
        return DtypeError(
            f"{cls.__name__.lower()}: unsupported operands ({kinds}): {error}. Use Tensors or "
            "Python numbers (a Scalar's value is scalar.data)."
        )
    return None


def _share_version(view: Tensor, source: Tensor) -> None:
    """A view op's output shares its input's memory: it shares the version counter too."""
    view._version = source._version
    view._base = source if source._base is None else source._base
    view._view_of_fn = view._base.grad_fn


def _any_of_dtype(args: tuple, char: str) -> bool:
    """Whether a float64 (``char`` 'd') or float16 ('e') result comes from a tensor or array of
    that dtype (kept), rather than from NumPy promoting integers combined with a Python float
    (float64) or bools and small integers in a float function (float16): those become float32."""
    for arg in args:
        if isinstance(arg, (Tensor, np.ndarray)) and arg.dtype.char == char:
            return True
    return False


def _in_float32(cls: type, node: Function, args: tuple, kwargs: dict) -> np.ndarray:
    """``cls.forward`` again with its bool and 8-bit integer tensors as float32 (no input requires grad)."""
    widened = [
        Tensor._make(arg.array.astype(np.float32), False, None)
        if isinstance(arg, Tensor) and arg.array.dtype.itemsize == 1 else arg
        for arg in args
    ]
    out = cls.forward(node, *widened, **kwargs)
    return out.array if isinstance(out, Tensor) else np.asarray(out, dtype=np.float32)


_NO_GRAD = [(False,) * count for count in range(64)]


def _shape_of(arg: Any) -> Any:
    if isinstance(arg, Tensor):
        return arg.array.shape
    return np.shape(arg)


def _stale_view_error(cls: type, view: Tensor) -> GraphError:
    return GraphError(
        f"{cls.__name__.lower()}: an input (shape {view.shape}) is a view of a tensor (shape "
        f"{view._base.shape}) that was modified in place after the view was taken, so the "
        "view's gradient path is out of date. Take the view again after the in-place op "
        "(or clone() it before the in-place op if you want the old values)."
    )


def _freed_error(node: Function) -> GraphError:
    return GraphError(
        f"{node.name()}: trying to backward through the graph a second time, but its saved "
        "values were already freed by the first backward. Pass retain_graph=True to the "
        "first backward() or grad() call if you need to backward through it again."
    )


def _modified_error(node: Function, what: str, saved: int, now: int) -> GraphError:
    return GraphError(
        f"{node.name()}: a tensor needed for its gradient ({what}) was modified by an "
        f"in-place operation: it was saved at version {saved} and is now at version {now}. "
        "Use the out-of-place op (e.g. x = x + 1 instead of x.add_(1)) or clone() the "
        "tensor before changing it."
    )


__all__ = ["Function", "AccumulateGrad", "RemovableHandle"]
