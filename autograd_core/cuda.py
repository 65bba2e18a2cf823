"""``autograd_core.cuda``: what ``torch.cuda`` answers on a machine without CUDA.

This build computes on the CPU only: ``is_available()`` is False and ``device_count()``
is 0. As in PyTorch without CUDA, seeding (``manual_seed``, ``manual_seed_all``) and
``empty_cache()`` do nothing, so seeding helpers written for GPUs run; calls that need a
GPU (``current_device``, ``synchronize``, ``get_device_name`` ...) raise ``DeviceError``.
"""
from __future__ import annotations

from typing import Any, NoReturn

from .devices import cuda_error
from .unsupported import missing_attribute


def is_available() -> bool:
    """False: this build has no CUDA."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Does nothing (there is no CUDA generator), as PyTorch does without CUDA."""


def manual_seed_all(seed: int) -> None:
    """Does nothing (there is no CUDA generator), as PyTorch does without CUDA."""


def seed() -> None:
    """Does nothing (there is no CUDA generator), as PyTorch does without CUDA."""


def seed_all() -> None:
    """Does nothing (there is no CUDA generator), as PyTorch does without CUDA."""


def empty_cache() -> None:
    """Does nothing: there is no CUDA memory to release."""


def _needs_cuda(name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> NoReturn:
        raise cuda_error(f"cuda.{name}()")

    call.__name__ = name
    call.__doc__ = f"Raises DeviceError: ``cuda.{name}`` needs a GPU and this build runs on the CPU only."
    return call


current_device = _needs_cuda("current_device")
set_device = _needs_cuda("set_device")
synchronize = _needs_cuda("synchronize")
get_device_name = _needs_cuda("get_device_name")
get_device_properties = _needs_cuda("get_device_properties")
get_device_capability = _needs_cuda("get_device_capability")
memory_allocated = _needs_cuda("memory_allocated")
max_memory_allocated = _needs_cuda("max_memory_allocated")
memory_reserved = _needs_cuda("memory_reserved")


def __getattr__(name: str) -> Any:
    """CUDA-only names (``cuda.amp``, ``cuda.Event`` ...) fail naming what to do (``unsupported.py``)."""
    raise missing_attribute(__name__, name)
