"""A damaged Numba disk cache never breaks a kernel call, in any kernel mode.

Each damage (random bytes, a truncated file, an empty file) is done to the index
(``.nbi``) or the data (``.nbc``) of a cached kernel in a temporary cache folder; the
kernel must then give the right numbers (in ``wait`` mode at once, in ``background``
mode through the twin and then the Numba code, not the twin forever), report the damage
once with a ``KernelCacheWarning``, and leave a repaired entry that a fresh dispatcher
loads from disk. Everything runs in subprocesses (Numba's cache folder is per process).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent("""
    import json, math, os, shutil, sys, warnings
    import numpy as np
    import numba
    from autograd_core.kernels import jit
    from autograd_core.kernels.special import _erf_flat

    mode, root = sys.argv[1], sys.argv[2]
    values = np.linspace(-2, 2, 7)
    expected = np.array([math.erf(value) for value in values])

    def fresh_kernel():
        kernel = jit.Kernel(_erf_flat.py_func, _erf_flat.options)
        kernel.twin(_erf_flat.numpy)
        return kernel

    numba.config.CACHE_DIR = pristine = os.path.join(root, "pristine")
    jit.set_mode("wait")
    fresh_kernel()(values, np.empty(7))  # compiles and writes the cache entry
    jit.set_mode(mode)
    rng = np.random.default_rng(0)
    results = {}
    for damage in ("random bytes", "truncated", "empty"):
        for suffix in (".nbi", ".nbc"):
            numba.config.CACHE_DIR = folder = os.path.join(root, damage.replace(" ", "_") + suffix)
            shutil.copytree(pristine, folder)
            for directory, _, names in os.walk(folder):
                for name in names:
                    if name.endswith(suffix):
                        path = os.path.join(directory, name)
                        data = open(path, "rb").read()
                        damaged = {"random bytes": rng.bytes(len(data)), "truncated": data[: len(data) // 3],
                                   "empty": b""}[damage]
                        open(path, "wb").write(damaged)
            jit._reported.clear()
            kernel = fresh_kernel()
            outputs = []
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for _ in range(3):
                    out = np.empty(7)
                    kernel(values, out)
                    outputs.append(out)
                    jit.wait_for_kernels(timeout=240)
            reloaded = jit.compile_kernel(_erf_flat.py_func, _erf_flat.options)
            reloaded.compile((numba.float64[::1], numba.float64[::1]))
            results[damage + " " + suffix] = {
                "right numbers": all(np.array_equal(out, expected) for out in outputs),
                "warnings": [str(w.message)[:60] for w in caught if issubclass(w.category, jit.KernelCacheWarning)],
                "other warnings": [str(w.message) for w in caught if w.category is not jit.KernelCacheWarning],
                "numba code serves": mode == "wait" or bool(kernel._ready),
                "repaired entry loads from disk": sum(reloaded.stats.cache_hits.values()) == 1,
                "loader failures": [repr(error) for _, _, error in jit._loader.failures],
            }
    print(json.dumps(results))
""")


@pytest.mark.parametrize("mode", ["wait", "background"])
def test_damaged_cache_entries_are_compiled_afresh_repaired_and_reported_once(tmp_path, mode):
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]), "NUMBA_CACHE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(tmp_path)], env=environment,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert len(results) == 6
    for case, outcome in results.items():
        assert outcome["right numbers"] and outcome["numba code serves"], case
        assert outcome["repaired entry loads from disk"], case
        assert len(outcome["warnings"]) == 1, case
        assert outcome["warnings"][0].startswith("kernel _erf_flat: Numba's disk"), case
        assert not outcome["other warnings"] and not outcome["loader failures"], case
