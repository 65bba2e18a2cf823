"""``autograd_core.backends``: the ``torch.backends`` switches programs set, on a CPU-only build.

``backends.mps.is_available()`` and ``backends.cuda.is_built()`` are False. Settings such
as ``backends.cudnn.benchmark = True``, ``backends.cudnn.deterministic = True`` or
``backends.cuda.matmul.allow_tf32 = True`` are accepted and change nothing: there is no
cuDNN or TF32 here, and every op of this build is deterministic. ``backends.mkl.is_available()``
says whether the optional MKL serves the recurrent layers' products (``autograd_core.blas``).
"""
from __future__ import annotations

from . import cuda, cudnn, mkl, mps

_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """PyTorch's switch to deterministic kernels: recorded; every op of this build is deterministic anyway."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: mode must be a bool, got {type(mode).__name__}")
    _deterministic.update(mode=mode, warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


__all__ = [
    "cuda", "cudnn", "mkl", "mps", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
]
