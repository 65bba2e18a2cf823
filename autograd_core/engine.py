"""Reverse-mode traversal: ``backward()`` and ``grad()``.

The graph is walked iteratively (no recursion, so a chain of a million ops works).
Each node runs only once its gradient is complete: dependency counts are taken first
(Kahn's algorithm), so every path's contribution is summed before the node propagates.
The three mechanisms ops never re-implement live here: summing a broadcast gradient
back to its input's shape (``_fit_gradient``), calling hooks, and accumulating into
leaves (``_accumulate``). One graph entry's share of the work is ``backward_step``;
``backward``, ``grad`` and backward stepping (``viz.stepping``) all take their steps
through it, on a ``Traversal`` started from ``backward_roots``. A backward that records
nothing (``create_graph=False``) passes ndarrays from step to step and runs the ops'
``backward_arrays`` where they have one (``Function``); the gradients the API hands out
(hooks, ``.grad``, ``grad()``'s results, the stepper's) are Tensors all the same.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import anomaly
from .errors import GraphError, ShapeError
from .function import Function
from .grad_mode import _per_thread
from .tensor import Tensor

TensorOrTensors = Any


def backward(
    tensors: TensorOrTensors,
    grad_tensors: TensorOrTensors = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: TensorOrTensors = None,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of every leaf they depend on, or
    (with ``inputs``) into the ``.grad`` of those tensors only, leaves or not."""
    roots, root_grads = backward_roots("backward", tensors, grad_tensors)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        _run(roots, root_grads, retain, create_graph, None)
        return
    inputs = _differentiated("backward", inputs)
    if not inputs:
        raise GraphError("backward: inputs is empty; pass the tensors to accumulate gradients into, or leave it out")
    unique = list({id(tensor): tensor for tensor in inputs}.values())
    found = _run(roots, root_grads, retain, create_graph, {_entry(tensor): None for tensor in unique})
    for tensor in unique:
        gradient = found[_entry(tensor)]
        if gradient is not None:  # an input the outputs do not depend on keeps its .grad, as PyTorch
            _accumulate(tensor, gradient, create_graph)


def _entry(tensor: Tensor) -> Any:
    """A tensor's place in the graph: its ``grad_fn``, or the tensor itself for a leaf."""
    return tensor.grad_fn if tensor.grad_fn is not None else tensor


def _differentiated(caller: str, inputs: TensorOrTensors) -> tuple[Tensor, ...]:
    """``inputs`` as a tuple of tensors that require grad, or the error that says which does not."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for position, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{caller}: input {position} is of type {type(tensor).__name__}, not a Tensor")
        if not tensor.requires_grad:
            fix = (
                "create it with requires_grad=True."
                if tensor.dtype.kind == "f"
                else f"it is {tensor.dtype}, and only floating point tensors can require grad."
            )
            raise GraphError(
                f"{caller}: input {position} (shape {tensor.shape}) does not require grad, so no "
                f"gradient can be taken with respect to it; {fix}"
            )
    return inputs


def grad(
    outputs: TensorOrTensors,
    inputs: TensorOrTensors,
    grad_outputs: TensorOrTensors = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) as a tuple, leaving every ``.grad`` untouched.

    ``grad_outputs`` weights each output (required for non-scalar outputs), so the
    result is a vector-Jacobian product. With ``create_graph=True`` the returned
    gradients are themselves differentiable (Hessian-vector products, penalties).
    """
    roots, root_grads = backward_roots("grad", outputs, grad_outputs)
    inputs = _differentiated("grad", inputs)
    targets = {_entry(tensor): None for tensor in inputs}
    found = _run(roots, root_grads, create_graph if retain_graph is None else retain_graph, create_graph, targets)
    results = []
    for position, tensor in enumerate(inputs):
        gradient = found[_entry(tensor)]
        if gradient is None and not allow_unused:
            raise GraphError(
                f"grad: input {position} (shape {tensor.shape}) was not used to compute the "
                "outputs, so it has no gradient. Pass allow_unused=True to get None for it."
            )
        results.append(gradient)
    return tuple(results)


def backward_roots(caller: str, tensors: Any, gradients: Any) -> tuple[list, list]:
    """The graph entries to start a backward pass from and their (checked) gradients.

    ``tensors`` and ``gradients`` as ``backward`` takes them; errors name ``caller``.
    Each entry is a tensor's ``grad_fn``, or the tensor itself for a leaf.
    """
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
        # one output: a gradient in a one-element list or tuple, or the gradient itself
        # (a Tensor, an ndarray or nested lists of numbers)
        if not (isinstance(gradients, (list, tuple)) and len(gradients) == 1 and _is_gradient(gradients[0])):
            gradients = (gradients,)
    else:
        tensors = tuple(tensors)
        if gradients is None:
            gradients = (None,) * len(tensors)
        elif isinstance(gradients, Tensor) or not isinstance(gradients, (list, tuple)):
            gradients = (gradients,)
    if len(gradients) != len(tensors):
        raise GraphError(
            f"{caller}: got {len(tensors)} outputs but {len(gradients)} gradients; pass one "
            "gradient (or None) per output."
        )
    roots, root_grads = [], []
    for tensor, gradient in zip(tensors, gradients):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{caller}: outputs must be Tensors, got one of type {type(tensor).__name__}")
        if not tensor.requires_grad:
            raise GraphError(
                f"{caller}: the tensor (shape {tensor.shape}) does not require grad and has no "
                "grad_fn, so there is nothing to differentiate. Set requires_grad=True on the "
                "leaf tensors you want gradients for, and do not compute it under no_grad()."
            )
        if gradient is None:
            if tensor.array.size != 1:
                raise GraphError(
                    f"{caller}: a gradient can be implied only for a one-element output, but this "
                    f"one has shape {tensor.shape}. Pass gradient=<tensor of shape {tensor.shape}> "
                    "or reduce it first, e.g. y.sum().backward()."
                )
            gradient = Tensor._make(np.ones(tensor.array.shape, tensor.array.dtype), False, None)
        else:
            if not isinstance(gradient, Tensor):
                gradient = Tensor._make(np.asarray(gradient, dtype=tensor.dtype), False, None)
            if gradient.shape != tensor.shape:
                raise ShapeError(
                    f"{caller}: gradient has shape {gradient.shape} but the output has shape "
                    f"{tensor.shape}; they must match."
                )
        roots.append(tensor.grad_fn if tensor.grad_fn is not None else tensor)
        root_grads.append(gradient)
    return roots, root_grads


def _is_gradient(value: Any) -> bool:
    return value is None or isinstance(value, (Tensor, np.ndarray))


class Traversal:
    """Kahn's algorithm over a backward graph, one entry at a time.

    ``pop()`` returns an entry whose gradient is complete (every path into it has
    contributed) together with that gradient, or None when done; ``push(entry,
    child_grads)`` hands the gradients for ``children(entry)`` back. Tensor backward,
    ``grad()``, ``Scalar.backward`` and backward stepping all drive this one class, so
    the graph is ordered by exactly one piece of code.
    """

    __slots__ = ("children", "dependencies", "parents", "buffers", "ready", "owned")

    def __init__(
        self, roots: Sequence[Any], root_grads: Sequence[Any], children: Any, track_parents: bool = False,
        track_owned: bool = False,
    ) -> None:
        self.children = children
        dependencies: dict[Any, int] = {}
        parents: dict[Any, list] | None = {} if track_parents else None
        unique_roots = list(dict.fromkeys(roots))
        stack = list(unique_roots)
        seen = set(stack)
        while stack:  # count the edges into every reachable entry
            entry = stack.pop()
            for child in children(entry):
                if child is None:
                    continue
                if child in seen:
                    try:
                        dependencies[child] += 1
                    except KeyError:  # a root that another root depends on: its first edge
                        dependencies[child] = 1
                else:
                    dependencies[child] = 1
                    seen.add(child)
                    stack.append(child)
                if parents is not None:
                    parents.setdefault(child, []).append(entry)
        self.dependencies = dependencies
        self.parents = parents
        self.buffers: dict[Any, Any] = {}
        for root, gradient in zip(roots, root_grads):
            self.buffers[root] = self.buffers[root] + gradient if root in self.buffers else gradient
        self.ready = [root for root in unique_roots if root not in dependencies]
        #: (``track_owned``) the entries whose buffered gradient is an array only the traversal refers
        #: to: a sum it made, or a node's ``fresh_gradients``; None: not tracked
        self.owned: set | None = set() if track_owned else None

    def pop(self) -> tuple[Any, Any] | None:
        if not self.ready:
            return None
        entry = self.ready.pop()
        return entry, self.buffers.pop(entry, None)

    def push(self, entry: Any, child_grads: Sequence[Any] | None) -> None:
        buffers, dependencies, ready, owned = self.buffers, self.dependencies, self.ready, self.owned
        for position, child in enumerate(self.children(entry)):
            if child is None:
                continue
            if child_grads is not None:
                gradient = child_grads[position]
                if gradient is not None:
                    if child in buffers:
                        buffers[child] = buffers[child] + gradient
                        if owned is not None:
                            owned.add(child)
                    else:
                        buffers[child] = gradient
                        if owned is not None and position in entry.fresh_gradients:
                            owned.add(child)
            remaining = dependencies[child] - 1
            dependencies[child] = remaining
            if remaining == 0:
                ready.append(child)

    def ancestors(self, targets: Any) -> set:
        """Entries from which some target can be reached (needs ``track_parents``)."""
        needed = set(targets)
        stack = list(targets)
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent not in needed:
                    needed.add(parent)
                    stack.append(parent)
        return needed


def tensor_children(entry: Any) -> tuple:
    """Where a Tensor graph entry's gradient goes: a ``Function``'s inputs (None for inputs
    that take no gradient), nothing for a leaf tensor. The ``children`` of a ``Traversal``."""
    return entry._next if isinstance(entry, Function) else ()


def _run(roots: list, root_grads: list, retain_graph: bool, create_graph: bool, targets: dict | None) -> dict | None:
    """The loop shared by ``backward`` and ``grad``.

    ``targets`` (for ``grad``) maps the graph entries whose gradients are wanted to
    None; they are filled in and returned, and leaves' ``.grad`` are left alone.
    """
    arrays = not create_graph  # a backward that records nothing passes ndarrays between its steps
    if arrays:
        root_grads = [gradient.array for gradient in root_grads]
    # a leaf's first .grad may take an array only the traversal refers to (a plain backward into .grad)
    traversal = Traversal(
        roots, root_grads, tensor_children, track_parents=targets is not None, track_owned=arrays and targets is None
    )
    needed = traversal.ancestors(targets) if targets is not None else None
    pop = traversal.pop
    state = _per_thread.state  # the mode switched directly (set_grad_enabled's object costs ~1 us)
    grad_mode, state.enabled = state.enabled, create_graph
    try:  # inf/nan in gradients are the user's to see (or detect_anomaly's to name), not NumPy warnings
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            while (item := pop()) is not None:
                entry, gradient = item
                if needed is not None and entry not in needed:
                    continue  # grad(): nothing wanted lies below this entry
                backward_step(traversal, entry, gradient, create_graph, retain_graph, targets, arrays)
    finally:
        state.enabled = grad_mode
    if arrays and targets is not None:
        return {entry: None if found is None else _tensor(found) for entry, found in targets.items()}
    return targets


def _tensor(array: np.ndarray) -> Tensor:
    """A gradient array as the Tensor the API hands out (recording nothing)."""
    return Tensor._make(array, False, None)


def backward_step(
    traversal: Traversal,
    entry: Any,
    gradient: Tensor | None,
    create_graph: bool = False,
    retain_graph: bool = False,
    targets: dict | None = None,
    arrays: bool = False,
) -> tuple[Tensor | None, list | None]:
    """Backward through one Tensor graph entry, just popped from ``traversal`` with its complete ``gradient``.

    A leaf tensor: its hooks run, then the gradient is accumulated into ``.grad`` (for
    ``grad()``: recorded in ``targets`` instead). An op node (a ``Function``): its hooks
    run, a retained ``.grad`` is filled in, its backward gives each input's gradient,
    fitted to that input's shape and dtype, and these are pushed into ``traversal`` (an
    input whose gradient is now complete becomes ready); then its saved values are freed
    unless ``retain_graph``. Run it under ``set_grad_enabled(create_graph)``.

    Returns the gradient the entry propagated (after its hooks) and what each input
    received (a list aligned with ``tensor_children(entry)``; None for a leaf, or when no
    gradient reached the entry).

    ``arrays`` (a backward that records nothing): the gradients are ndarrays, in and out, and
    ops with a ``backward_arrays`` compute on them; hooks still see and return Tensors.
    """
    if not isinstance(entry, Function):  # a leaf tensor
        if gradient is not None:
            owned = traversal.owned is not None and entry in traversal.owned
            if entry._hooks:  # a hook may keep the array it was shown
                gradient, owned = _call_hooks(entry._hooks, gradient, arrays), False
            if targets is None:
                _accumulate(entry, gradient, create_graph, owned)
            else:
                targets[entry] = gradient
        return gradient, None
    received = None
    if gradient is not None:
        if entry._pre_hooks:
            gradient = _call_hooks(entry._pre_hooks, gradient, arrays)
        if entry._retained is not None:
            retained = entry._retained()
            if retained is not None:
                _accumulate(retained, gradient, create_graph)
        if targets is not None and entry in targets:
            targets[entry] = gradient
        received = input_gradients(entry, gradient, arrays)
        if entry._trace is not None or _per_thread.state.anomaly:
            anomaly.check_gradients(entry, received)
    traversal.push(entry, received)
    if not retain_graph:
        entry._release()
    return gradient, received


def input_gradients(node: Function, gradient: Any, arrays: bool = False) -> list:
    """The chain rule at one op node: its backward applied to ``gradient`` (d root / d output),
    each input's share fitted to that input's shape and dtype (None where an input takes no
    gradient). Pure: no hooks, no accumulation, nothing freed. ``arrays``: ``gradient`` and
    the results are ndarrays, and the op's ``backward_arrays`` runs where it has one."""
    if not arrays:
        input_grads = node.backward(node, gradient)
    elif node.backward_arrays is not None:
        input_grads = node.backward_arrays(node, gradient)
    else:
        input_grads = node.backward(node, _tensor(gradient))
    if type(input_grads) is not tuple:
        input_grads = tuple(input_grads) if isinstance(input_grads, list) else (input_grads,)
    if len(input_grads) != len(node._next):
        raise GraphError(
            f"{node.name()}: backward returned {len(input_grads)} gradients but forward took "
            f"{len(node._next)} inputs; return one per input (None for non-tensors)."
        )
    fitted = []
    for position, (input_grad, child) in enumerate(zip(input_grads, node._next)):
        if input_grad is None or child is None:
            fitted.append(None)
            continue
        if arrays:
            data = input_grad.array if isinstance(input_grad, Tensor) else np.asarray(input_grad)
        else:
            if not isinstance(input_grad, Tensor):
                input_grad = Tensor._make(np.asarray(input_grad), False, None)
            data = input_grad.array
        if isinstance(child, Function):  # the gradient must match what the child produced
            shape, dtype = child._shape, child._dtype
        else:  # a leaf tensor
            shape, dtype = child.array.shape, child.array.dtype
        if data.shape != shape or data.dtype != dtype:
            if arrays:
                data = _fit_array(node, position, data, shape, dtype)
            else:
                input_grad = _fit_gradient(node, position, input_grad, shape, dtype)
        fitted.append(data if arrays else input_grad)
    return fitted


def _fit_gradient(node: Function, position: int, gradient: Tensor, shape: tuple, dtype: np.dtype) -> Tensor:
    """Sum a broadcast gradient back to the input's shape and match its dtype (recorded under
    ``create_graph``; ``_fit_array`` for a plain backward's arrays).

    The one place un-broadcasting happens: ops may return gradients in the output's
    (broadcast) shape and never reduce them themselves.
    """
    if gradient.array.shape != shape:
        from .ops.shape import sum_to

        _check_fits(node, position, gradient.shape, shape)
        gradient = sum_to(gradient, shape)
    if gradient.array.dtype != dtype:
        gradient = gradient.to(dtype)
    return gradient


def _fit_array(node: Function, position: int, gradient: np.ndarray, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """``_fit_gradient`` of a plain backward's ndarray."""
    if gradient.shape != shape:
        from .ops.shape import sum_to_array

        _check_fits(node, position, gradient.shape, shape)
        gradient = sum_to_array(gradient, shape)
    return gradient if gradient.dtype == dtype else gradient.astype(dtype)


def _check_fits(node: Function, position: int, from_shape: tuple, shape: tuple) -> None:
    """A GraphError naming the op unless a gradient of ``from_shape`` sums back to ``shape``."""
    from .ops.shape import check_sum_to

    try:
        check_sum_to(from_shape, shape)
    except ShapeError:
        raise GraphError(
            f"{node.name()}: backward returned a gradient of shape {tuple(from_shape)} for "
            f"input {position} of shape {shape}, which cannot be summed back to it."
        ) from None


def _call_hooks(hooks: list | None, gradient: Any, arrays: bool = False) -> Any:
    """Run the hooks on ``gradient`` in order, each may replace it; ``arrays``: the gradient is an
    ndarray, handed to the hooks as a Tensor (and back)."""
    if arrays:
        return _call_hooks(hooks, _tensor(gradient)).array
    if hooks:
        for hook in tuple(hooks):
            replaced = hook(gradient)
            if replaced is not None:
                if not isinstance(replaced, Tensor) or replaced.shape != gradient.shape:
                    got = (
                        f"a Tensor of shape {replaced.shape}"
                        if isinstance(replaced, Tensor)
                        else f"a value of type {type(replaced).__name__}"
                    )
                    raise GraphError(
                        f"hook {getattr(hook, '__name__', hook)!r} must return None or a Tensor "
                        f"of shape {gradient.shape} (the gradient's), got {got}."
                    )
                gradient = replaced
    return gradient


def _accumulate(tensor: Tensor, gradient: Tensor, create_graph: bool, owned: bool = False) -> None:
    """Add ``gradient`` into ``tensor.grad``.

    The first gradient is stored as a fresh array (a copy, or a differentiable clone
    under ``create_graph``), so ``.grad`` never aliases a user's tensor or another
    leaf's gradient; an ``owned`` array (one only the engine refers to: ``Traversal.owned``)
    is that already and is taken as it is. Later ones are added in place unless the graph
    is being recorded.
    """
    if create_graph:
        tensor.grad = gradient.to(tensor.dtype).clone() if tensor.grad is None else tensor.grad + gradient
        return
    data = gradient.array if isinstance(gradient, Tensor) else gradient  # a plain backward's array
    if tensor.grad is None:
        flags = data.flags if owned and type(data) is np.ndarray else None
        if flags is not None and flags.c_contiguous and flags.writeable and data.dtype == tensor.array.dtype:
            tensor.grad = Tensor._make(data, False, None)  # C-contiguous, as a copy would be
            return
        tensor.grad = Tensor._make(np.array(data, dtype=tensor.array.dtype), False, None)
    elif tensor.grad.requires_grad or not tensor.grad.array.flags.writeable:
        tensor.grad = Tensor._make(tensor.grad.array + data, False, None)
    else:
        tensor.grad.array += data
        tensor.grad._version.value += 1
