"""Numba kernels with bit-identical NumPy twins (see ``jit``). Nothing here compiles, or
even imports Numba, until first use."""

from .jit import get_mode, set_mode, wait_for_kernels

__all__ = ["get_mode", "set_mode", "wait_for_kernels"]
