"""``torch.nn.utils``'s helpers: gradient clipping and parameters as one vector.

``clip_grad_norm_`` and ``clip_grad_value_`` change the ``.grad`` arrays of the given
parameters in place (bumping their version counters) and skip parameters whose ``.grad``
is None. ``parameters_to_vector`` / ``vector_to_parameters`` flatten parameters into one
vector and back.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Union

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.unsupported import missing_attribute

Parameters = Union[Tensor, Iterable[Tensor]]


def _gradients(parameters: Parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [param.grad for param in parameters if param.grad is not None]


def _writeable(param_grad: Tensor) -> np.ndarray:
    """The gradient's array, ready to be written (a read-only one is replaced by a copy)."""
    if not param_grad.array.flags.writeable:
        param_grad.array = param_grad.array.copy()
    return param_grad.array


def _vector_norm(values: np.ndarray, norm_type: float) -> float:
    """``torch.linalg.vector_norm(values, norm_type)`` of all elements."""
    flat = values.reshape(-1)
    if flat.size == 0:
        return 0.0
    if norm_type == 2.0:
        return float(np.sqrt(np.dot(flat, flat))) if flat.dtype.kind == "f" else float(np.linalg.norm(flat))
    if norm_type == math.inf:
        return float(np.max(np.abs(flat)))
    if norm_type == -math.inf:
        return float(np.min(np.abs(flat)))
    if norm_type == 0:
        return float(np.count_nonzero(flat))
    if norm_type == 1.0:
        return float(np.sum(np.abs(flat)))
    return float(np.sum(np.abs(flat) ** norm_type) ** (1.0 / norm_type))


def clip_grad_norm_(
    parameters: Parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Tensor:
    """Scale the gradients so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of the per-parameter gradient norms (the
    norm of all gradients concatenated); ``norm_type`` may be ``float('inf')``. Every
    gradient is multiplied by ``min(1, max_norm / (total_norm + 1e-6))``.

    Returns:
        the total norm before clipping, a 0-d Tensor in the gradients' dtype.
    Raises:
        RuntimeError: when the total norm is NaN or infinite and ``error_if_nonfinite``.
    """
    norm_type = float(norm_type)
    grads = _gradients(parameters)
    if not grads:
        return Tensor(0.0)
    dtype = np.result_type(*[grad.array.dtype for grad in grads])
    norms = np.array([_vector_norm(grad.array, norm_type) for grad in grads], dtype=dtype)
    total_norm = dtype.type(_vector_norm(norms, norm_type))
    if error_if_nonfinite and not np.isfinite(total_norm):
        raise RuntimeError(
            f"clip_grad_norm_: The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite ({total_norm}), so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    clip_coef = min(max_norm / (total_norm + dtype.type(1e-6)), 1.0)
    for grad in grads:
        array = _writeable(grad)
        with np.errstate(invalid="ignore"):  # inf * 0 is NaN, silently, as in PyTorch
            array *= array.dtype.type(clip_coef)
        grad._version.value += 1
    return Tensor(np.asarray(total_norm, dtype=dtype))


def clip_grad_value_(parameters: Parameters, clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for grad in _gradients(parameters):
        array = _writeable(grad)
        np.clip(array, -clip_value, clip_value, out=array)
        grad._version.value += 1


# -- parameters as one vector ----------------------------------------------------------------
def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and joined into one 1-D tensor (differentiable, a copy)."""
    flat = [param.reshape(-1) for param in _tensors("parameters_to_vector", parameters)]
    return ag.cat(flat) if flat else ag.zeros(0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter its slice of ``vec`` (the inverse of ``parameters_to_vector``).

    As in PyTorch, each parameter's ``.data`` becomes a view of ``vec``: no gradient flows.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor for vec, got {type(vec).__name__}")
    params = _tensors("vector_to_parameters", parameters)
    needed = sum(param.numel() for param in params)
    if vec.ndim != 1 or vec.numel() != needed:
        raise ShapeError(
            f"vector_to_parameters: vec has shape {tuple(vec.shape)} but the parameters hold {needed} values; "
            "pass a 1-D tensor from parameters_to_vector of the same parameters."
        )
    start = 0
    for param in params:
        param.data = vec.detach()[start:start + param.numel()].reshape(param.shape)
        start += param.numel()


def _tensors(op: str, parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        raise TypeError(f"{op}: expected an iterable of Tensors (as model.parameters()), got a Tensor; use a list")
    params = list(parameters)
    for position, param in enumerate(params):
        if not isinstance(param, Tensor):
            raise TypeError(f"{op}: parameter {position} is a {type(param).__name__}, not a Tensor")
    return params


def __getattr__(name: str) -> Any:
    """PyTorch's nn.utils names this project lacks fail naming what to use (``autograd_core/unsupported.py``)."""
    raise missing_attribute(__name__, name)
