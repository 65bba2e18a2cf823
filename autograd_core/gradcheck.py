"""``gradcheck`` / ``gradgradcheck``: compare autograd with central differences in float64.

The analytical Jacobian comes from one ``grad()`` call per output element; the
numerical one from ``(f(x + eps) - f(x - eps)) / (2 eps)`` per input element. A
mismatch reports the worst element: which input and output, where, both values.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import grad
from .errors import DtypeError
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree."""


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _checked_inputs(inputs: Sequence[Any]) -> list[int]:
    positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not positions:
        raise GradcheckError("gradcheck: no input requires grad, so there is nothing to check")
    for i in positions:
        if inputs[i].dtype != np.float64:
            raise DtypeError(
                f"gradcheck: input {i} is {inputs[i].dtype}; central differences need float64 "
                "inputs to be meaningful. Pass x.double() (or dtype=float64)."
            )
    return positions


def _outputs(func: Callable, inputs: Sequence[Any]) -> tuple[Tensor, ...]:
    return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o.dtype.kind == "f")


def _analytical(func: Callable, inputs: Sequence[Any], positions: list[int]) -> list[list[np.ndarray]]:
    """jacobians[k][j]: d output k / d input j as an array (output.size, input.size)."""
    outputs = _outputs(func, inputs)
    wrt = [inputs[i] for i in positions]
    jacobians = []
    for output in outputs:
        rows = [np.zeros((output.numel(), x.numel())) for x in wrt]
        if output.requires_grad:
            for element in range(output.numel()):
                selector = np.zeros(output.shape, dtype=output.dtype)
                selector.flat[element] = 1.0
                grads = grad(output, wrt, Tensor._make(selector, False, None), retain_graph=True, allow_unused=True)
                for j, gradient in enumerate(grads):
                    if gradient is not None:
                        rows[j][element] = gradient.array.reshape(-1)
        jacobians.append(rows)
    return jacobians


def _numerical(func: Callable, inputs: Sequence[Any], positions: list[int], eps: float) -> list[list[np.ndarray]]:
    with no_grad():
        outputs = _outputs(func, inputs)
        jacobians = [[np.zeros((o.numel(), inputs[i].numel())) for i in positions] for o in outputs]
        for j, i in enumerate(positions):
            values = inputs[i].array
            for element in range(values.size):
                original = values.flat[element]
                values.flat[element] = original + eps
                plus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]
                values.flat[element] = original - eps
                minus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]
                values.flat[element] = original
                for k in range(len(outputs)):
                    jacobians[k][j][:, element] = (plus[k] - minus[k]) / (2 * eps)
    return jacobians


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of ``func(*inputs)`` w.r.t. every float64 input that requires grad.

    Passes when ``|analytical - numerical| <= atol + rtol * |numerical|`` everywhere.
    Returns True, or raises ``GradcheckError`` (False if ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    positions = _checked_inputs(inputs)
    analytical = _analytical(func, inputs, positions)
    numerical = _numerical(func, inputs, positions, eps)
    if [[a.shape for a in rows] for rows in analytical] != [[n.shape for n in rows] for rows in numerical]:
        raise GradcheckError(
            f"gradcheck: func returned {len(analytical)} float outputs when recording the graph "
            f"but {len(numerical)} (or other shapes) under no_grad; it must return the same "
            "outputs in both modes."
        )
    worst = None
    for k, (rows_a, rows_n) in enumerate(zip(analytical, numerical)):
        for j, (jac_a, jac_n) in enumerate(zip(rows_a, rows_n)):
            excess = np.abs(jac_a - jac_n) - (atol + rtol * np.abs(jac_n))
            if excess.size and (worst is None or excess.max() > worst[0]):
                out_el, in_el = np.unravel_index(np.argmax(excess), excess.shape)
                worst = (excess.max(), k, positions[j], out_el, in_el, jac_a[out_el, in_el], jac_n[out_el, in_el])
    if worst is None or worst[0] <= 0:
        return True
    _, k, i, out_el, in_el, value_a, value_n = worst
    output_shape = _outputs(func, inputs)[k].shape
    message = (
        f"gradcheck: gradients disagree. Worst element: d output {k}{_position(out_el, output_shape)} / "
        f"d input {i}{_position(in_el, inputs[i].shape)}: analytical {value_a:.8g}, "
        f"numerical {value_n:.8g} (difference {abs(value_a - value_n):.3g}; atol={atol}, rtol={rtol})."
    )
    if raise_exception:
        raise GradcheckError(message)
    return False


def _position(flat_index: int, shape: tuple) -> str:
    """``[1, 2]`` for element (1, 2) of a tensor of ``shape`` (``[]`` for a 0-d one)."""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the map (inputs, grad_outputs) ->
    vector-Jacobian product, built with ``create_graph=True``. Random float64
    ``grad_outputs`` are drawn when not given."""
    inputs = _as_tuple(inputs)
    positions = _checked_inputs(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)

    def first_derivatives(*values: Any) -> tuple:
        with enable_grad():  # also when gradcheck evaluates it under no_grad for differences
            outs = _outputs(func, values[:count])
            pairs = [(o, g) for o, g in zip(outs, values[count:]) if o.requires_grad]
            grads = grad(
                [o for o, _ in pairs], [values[i] for i in positions], [g for _, g in pairs],
                create_graph=True, allow_unused=True,
            )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
