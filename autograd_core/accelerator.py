"""``autograd_core.accelerator``: as ``torch.accelerator`` on a machine without one.

    >>> import autograd_core as ag
    >>> ag.accelerator.current_accelerator().type if ag.accelerator.is_available() else "cpu"
    'cpu'
"""
from __future__ import annotations

from typing import Any


def is_available() -> bool:
    """False: this build computes on the CPU only."""
    return False


def current_accelerator(check_available: bool = False) -> Any:
    """None: there is no accelerator (PyTorch's answer on a CPU-only machine)."""
    return None


def device_count() -> int:
    return 0
