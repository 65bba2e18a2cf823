"""``lazy_njit``: compile a kernel with Numba on its first call, cached on disk when possible.

Importing a module of kernels costs nothing: Numba itself is imported at the first
call. ``cache=True`` is used when Numba can find a writable cache folder (the package's
``__pycache__`` or ``NUMBA_CACHE_DIR``); when it cannot (a read-only install), the
kernel is compiled without a disk cache instead of failing.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable


def lazy_njit(**options: Any) -> Callable[[Callable], Callable]:
    """Decorator: ``numba.njit(cache=True, **options)`` applied at the first call."""

    def decorate(py_func: Callable) -> Callable:
        compiled: list[Callable] = []

        @functools.wraps(py_func)
        def kernel(*args: Any) -> Any:
            if not compiled:
                compiled.append(compile_kernel(py_func, options))
            return compiled[0](*args)

        kernel.py_func = py_func  # type: ignore[attr-defined]
        return kernel

    return decorate


def compile_kernel(py_func: Callable, options: dict) -> Callable:
    import numba

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            return numba.njit(cache=True, **options)(py_func)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(cache=False, **options)(py_func)
