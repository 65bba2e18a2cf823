"""Whole derivatives of a function, as ``torch.autograd.functional``: ``jacobian``, ``hessian``,
``vjp``, ``jvp``, ``hvp``, ``vhp``.

    >>> jacobian(lambda x: x ** 2, ag.tensor([1.0, 2.0]))          # (2, 2): diag(2x)
    >>> vjp(f, x, v)                                               # (f(x), v^T J)

``func`` takes the input tensor(s) and returns a tensor or a tuple of tensors. Inputs
given as a tuple give results per input (and per output: ``jacobian(f, (a, b))[i][j]``
is output i by input j); a single tensor gives a single result, as in PyTorch. Every
function works on reverse mode only: ``jvp`` and ``hvp`` use the double-backward trick
(as PyTorch's do), ``vectorize`` and the forward-mode ``strategy`` are accepted and
compute the same numbers. ``create_graph=True`` returns results that can be
differentiated again; ``strict=True`` raises when an output does not depend on an input
instead of returning zeros.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import creation
from ..engine import grad as _grad
from ..grad_mode import enable_grad
from ..ops.shape import stack
from ..tensor import Tensor

Inputs = Any  # a Tensor or a tuple of Tensors


def _as_tuple(value: Any, what: str, op: str) -> tuple[bool, tuple]:
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for position, item in enumerate(values):
        if not isinstance(item, Tensor):
            where = f"{what}[{position}]" if is_tuple else what
            raise TypeError(
                f"{op}: {where} must be a Tensor ({what} may be a Tensor or a tuple of Tensors), "
                f"got {type(item).__name__}"
            )
    return is_tuple, values


def _outputs_of(func: Callable, inputs: tuple, op: str) -> tuple[bool, tuple]:
    outputs = func(*inputs)
    if not isinstance(outputs, (Tensor, tuple, list)):
        raise TypeError(
            f"{op}: the function must return a Tensor or a tuple of Tensors, got {type(outputs).__name__}"
        )
    return _as_tuple(outputs, "the function's outputs", op)


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad: fresh leaves, or (with ``create_graph``) graph-connected copies
    of inputs that already require grad, so the result can be differentiated with respect to them."""
    return tuple(
        x.clone() if create_graph and x.requires_grad else x.detach().requires_grad_(True) for x in inputs
    )


def _finish(values: tuple, create_graph: bool) -> tuple:
    return tuple(value if create_graph or value is None else value.detach() for value in values)


def _single(values: tuple, is_tuple: bool) -> Any:
    return values if is_tuple else values[0]


def _check_v(v: Any, against: tuple, op: str, against_name: str) -> tuple:
    _, vs = _as_tuple(v, "v", op)
    if len(vs) != len(against):
        raise RuntimeError(f"{op}: v has {len(vs)} tensors but the {against_name} has {len(against)}; give one each")
    for position, (vector, target) in enumerate(zip(vs, against)):
        if vector.shape != target.shape:
            raise RuntimeError(
                f"{op}: v[{position}] has shape {vector.shape} but the {against_name}[{position}] has shape "
                f"{target.shape}; they must match."
            )
    return vs


def _implied_v(values: tuple, op: str, what: str) -> None:
    if len(values) != 1 or values[0].numel() != 1:
        raise RuntimeError(
            f"{op}: v can be left out only when the {what} is a single one-element Tensor; pass v of the "
            f"{what}'s shape."
        )


def _vjp(outputs: Sequence[Tensor], inputs: Sequence[Tensor], grad_outputs: Any, create_graph: bool) -> list:
    """``grad`` of the outputs that require grad (None for inputs they do not reach)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    wanted = [position for position, x in enumerate(inputs) if x.requires_grad]
    results: list = [None] * len(inputs)
    if not pairs or not wanted:
        return results
    found = _grad(
        [out for out, _ in pairs], [inputs[i] for i in wanted], [g for _, g in pairs],
        retain_graph=True, create_graph=create_graph, allow_unused=True,
    )
    for position, gradient in zip(wanted, found):
        results[position] = gradient
    return results


def _fill_zeros(gradients: list, like: tuple, strict: bool, op: str, independent: str) -> tuple:
    filled = []
    for position, (gradient, reference) in enumerate(zip(gradients, like)):
        if gradient is None:
            if strict:
                raise RuntimeError(f"{op}: {independent.format(position)}; this is not allowed in strict mode.")
            gradient = creation.zeros_like(reference)
        filled.append(gradient)
    return tuple(filled)


_INDEPENDENT_INPUT = "the output of the function does not depend on input {}"
_INDEPENDENT_OUTPUT = "output {} of the function does not depend on the input"


def vjp(func: Callable, inputs: Inputs, v: Inputs = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``: the vector-Jacobian product, one result per input.

    ``v`` has the outputs' shapes (it may be left out for a single one-element output).
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        is_outputs_tuple, outputs = _outputs_of(func, inputs, "vjp")
        if v is None:
            _implied_v(outputs, "vjp", "function's output")
            vs = None
        else:
            vs = _check_v(v, outputs, "vjp", "output")
        found = _vjp(outputs, inputs, vs, create_graph)
        result = _fill_zeros(found, inputs, strict, "vjp", _INDEPENDENT_INPUT)
    return (
        _single(_finish(outputs, create_graph), is_outputs_tuple),
        _single(_finish(result, create_graph), is_inputs_tuple),
    )


def jvp(func: Callable, inputs: Inputs, v: Inputs = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), J v)``: the Jacobian-vector product, one result per output.

    ``v`` has the inputs' shapes (it may be left out for a single one-element input).
    Computed by the double-backward trick: ``J v = d/du (u^T J) v``.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        vs = _v_for_inputs(v, inputs, "jvp")
        is_outputs_tuple, outputs = _outputs_of(func, inputs, "jvp")
        transposed, found = _by_double_backward(outputs, inputs, vs, create_graph)
        if strict:
            _fill_zeros(transposed, inputs, True, "jvp", _INDEPENDENT_INPUT)
        result = _fill_zeros(found, outputs, strict, "jvp", _INDEPENDENT_OUTPUT)
    return (
        _single(_finish(outputs, create_graph), is_outputs_tuple),
        _single(_finish(result, create_graph), is_outputs_tuple),
    )


def _by_double_backward(ys: Sequence[Tensor], xs: tuple, vs: tuple | None, create_graph: bool) -> tuple[list, list]:
    """``(u^T J, J v)`` for ``J = d ys / d xs``: ``u^T J`` is linear in ``u``, so differentiating it
    with respect to ``u`` (zeros that require grad) in direction ``v`` gives ``J v``."""
    dummies = tuple(creation.zeros_like(y, requires_grad=y.dtype.kind == "f") for y in ys)
    transposed = _vjp(ys, xs, dummies, create_graph=True)
    used = [(g, v_i) for g, v_i in zip(transposed, vs or (None,) * len(xs)) if g is not None]
    found = _vjp([g for g, _ in used], dummies, [v_i for _, v_i in used] if vs else None, create_graph)
    return transposed, found


def jacobian(
    func: Callable, inputs: Inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian: for output i and input j a tensor of shape ``outputs[i].shape + inputs[j].shape``.

    A single input and output give that tensor; a tuple of inputs (outputs) gives a tuple
    over them; both tuples give a tuple of tuples ``[output][input]``.
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        is_outputs_tuple, outputs = _outputs_of(func, inputs, "jacobian")
        rows_per_output = []
        for index, output in enumerate(outputs):
            per_input: list[list] = [[] for _ in inputs]
            for element in range(output.numel()):
                one_hot = creation.zeros(output.numel(), dtype=output.dtype)
                one_hot.array[element] = 1
                found = _vjp([output], inputs, [one_hot.reshape(output.shape)], create_graph)
                for position, gradient in enumerate(found):
                    if gradient is None and strict:
                        raise RuntimeError(
                            f"jacobian: output {index} of the function does not depend on input {position}; "
                            "this is not allowed in strict mode."
                        )
                    per_input[position].append(gradient)
            rows_per_output.append(tuple(
                _rows_to_jacobian(rows, output, x) for rows, x in zip(per_input, inputs)
            ))
        jacobians = tuple(_finish(row, create_graph) for row in rows_per_output)
    if not is_outputs_tuple:
        return _single(jacobians[0], is_inputs_tuple)
    return tuple(_single(row, is_inputs_tuple) for row in jacobians)


def _rows_to_jacobian(rows: list, output: Tensor, x: Tensor) -> Tensor:
    """Stack one gradient per output element into ``output.shape + x.shape`` (zeros for None)."""
    shape = tuple(output.shape) + tuple(x.shape)
    if not rows or all(row is None for row in rows):
        return creation.zeros(shape, dtype=x.dtype)
    filled = [creation.zeros_like(x) if row is None else row for row in rows]
    return stack(filled, 0).reshape(shape)


def hessian(
    func: Callable, inputs: Inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a function with a single one-element output: ``inputs[i].shape + inputs[j].shape``.

    A tuple of inputs gives a tuple of tuples ``[i][j]``.
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def scalar_output(*args: Tensor) -> Tensor:
        return _scalar_output(func, args, "hessian").reshape(())

    def gradient(*args: Tensor) -> Any:
        return jacobian(scalar_output, args, create_graph=True, strict=strict)

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy)
    if not is_inputs_tuple:
        return result[0][0]
    return result


def _scalar_output(func: Callable, inputs: tuple, op: str) -> Tensor:
    _, outputs = _outputs_of(func, inputs, op)
    if len(outputs) != 1 or outputs[0].numel() != 1:
        shapes = [tuple(out.shape) for out in outputs]
        raise RuntimeError(f"{op}: the function must return a single one-element Tensor, got shapes {shapes}")
    return outputs[0]


def _gradient_of(func: Callable, inputs: Inputs, v: Inputs, create_graph: bool, strict: bool, op: str) -> tuple:
    """What hvp and vhp start from: the prepared inputs, v, the one-element output and its gradient
    (with a graph, to be differentiated again)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", op)
    inputs = _prepare(inputs, create_graph)
    vs = _v_for_inputs(v, inputs, op)
    output = _scalar_output(func, inputs, op)
    gradient = _fill_zeros(_vjp([output], inputs, None, True), inputs, strict, op, _INDEPENDENT_INPUT)
    return is_inputs_tuple, inputs, vs, output, gradient


_INDEPENDENT_GRADIENT = "the gradient does not depend on input {}"


def vhp(func: Callable, inputs: Inputs, v: Inputs = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T H)`` for a function with a single one-element output."""
    with enable_grad():
        is_inputs_tuple, inputs, vs, output, gradient = _gradient_of(func, inputs, v, create_graph, strict, "vhp")
        found = _vjp(gradient, inputs, vs, create_graph)
        result = _fill_zeros(found, inputs, strict, "vhp", _INDEPENDENT_GRADIENT)
    return _finish((output,), create_graph)[0], _single(_finish(result, create_graph), is_inputs_tuple)


def hvp(func: Callable, inputs: Inputs, v: Inputs = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), H v)`` for a function with a single one-element output (by double backward;
    for twice continuously differentiable functions it equals ``vhp``, which is cheaper)."""
    with enable_grad():
        is_inputs_tuple, inputs, vs, output, gradient = _gradient_of(func, inputs, v, create_graph, strict, "hvp")
        _, found = _by_double_backward(gradient, inputs, vs, create_graph)
        result = _fill_zeros(found, inputs, strict, "hvp", _INDEPENDENT_GRADIENT)
    return _finish((output,), create_graph)[0], _single(_finish(result, create_graph), is_inputs_tuple)


def _v_for_inputs(v: Any, inputs: tuple, op: str) -> tuple | None:
    """``v`` checked against the inputs' shapes; None is allowed for a single one-element input."""
    if v is None:
        _implied_v(inputs, op, "input")
        return None
    return _check_v(v, inputs, op, "input")
