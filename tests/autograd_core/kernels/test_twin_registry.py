"""Every kernel in ``autograd_core/kernels/`` has a NumPy twin and a bit-identity test.

A kernel module's twin tests name the kernels they cover in a module-level
``TWINS_TESTED`` set; this test imports every kernel module (so every ``Kernel`` is
registered) and every test module beside this one, and fails for a kernel that is not
covered, naming it and where to add the test.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import autograd_core.kernels
from autograd_core.kernels import jit


def _all_kernels() -> set:
    for module in pkgutil.iter_modules(autograd_core.kernels.__path__):
        importlib.import_module(f"autograd_core.kernels.{module.name}")
    return set(jit._kernels)


def _tested_kernels() -> set:
    tested: set = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        module = importlib.import_module(f"{__package__}.{path.stem}")
        tested |= set(getattr(module, "TWINS_TESTED", ()))
    return tested


def test_every_kernel_has_a_twin_and_a_bit_identity_test():
    kernels = {kernel for kernel in _all_kernels() if kernel.__module__.startswith("autograd_core.kernels.")}
    assert len(kernels) >= 16  # conv 4, pool 6, erf 1, recurrent 4, sgd 1, and whatever came later
    without_twin = sorted(f"{k.__module__}.{k.__name__}" for k in kernels if k.numpy is None)
    assert not without_twin, f"kernels without a NumPy twin (add one with @kernel.twin): {without_twin}"
    untested = sorted(f"{k.__module__}.{k.__name__}" for k in kernels - _tested_kernels())
    assert not untested, (
        f"kernels without a bit-identity test: {untested}; test twin == Numba in tests/autograd_core/kernels/ "
        "and list the kernel in that module's TWINS_TESTED"
    )
