"""Pooling forward+backward, this engine beside PyTorch CPU in one run; the Numba
kernels beside their plain NumPy (strided-view) references; first-call compile time.

    python benchmarks/bench_pool.py

Cases (issue 5): max_pool2d 2x2 and avg_pool2d 2x2 on float32 (64, 6, 28, 28) (LeNet's
first pooling) and (32, 32, 32, 32). Writes benchmarks/results/pool*.json.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_core as ag
from autograd_core.kernels import pool as kernels
from autograd_core.ops import pool
from benchmarks.common import median_time, report

try:
    import torch
    import torch.nn.functional as TF
except ImportError:
    torch = None

SHAPES = [(64, 6, 28, 28), (32, 32, 32, 32)]
OPS = ["max_pool2d", "avg_pool2d"]


def engine_cases() -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        x_np = rng.standard_normal(shape).astype(np.float32)
        upstream_np = rng.standard_normal(shape[:2] + (shape[2] // 2, shape[3] // 2)).astype(np.float32)
        for name in OPS:
            x, upstream = ag.tensor(x_np, requires_grad=True), ag.tensor(upstream_np)

            def ours() -> None:
                x.grad = None
                getattr(pool, name)(x, 2).backward(upstream)

            row = {"name": f"{name} 2x2 fwd+bwd {shape}", "ours": median_time(ours)}
            if torch is not None:
                tx, tupstream = torch.tensor(x_np, requires_grad=True), torch.tensor(upstream_np)

                def theirs() -> None:
                    tx.grad = None
                    getattr(TF, name)(tx, 2).backward(tupstream)

                row["theirs"] = median_time(theirs)
            rows.append(row)
    return rows


def kernel_cases() -> list[dict]:
    """Forward + backward on ndarrays: the Numba kernels against the NumPy references."""
    rows = []
    rng = np.random.default_rng(1)
    geometry = dict(kernel=(2, 2), stride=(2, 2), padding=(0, 0))
    for shape in SHAPES:
        planes = rng.standard_normal((shape[0] * shape[1],) + shape[2:]).astype(np.float32)
        out_size = (shape[2] // 2, shape[3] // 2)
        grad = rng.standard_normal((planes.shape[0],) + out_size).astype(np.float32)
        plane_size = shape[2] * shape[3]
        divisors = kernels.avg_pool_divisors(shape[2:], (2, 2), (2, 2), (0, 0), out_size, True, None)

        def max_numba() -> None:  # the 2x2 stride-2 fast path max_pool2d(x, 2) runs
            _, offsets = kernels.max_pool_2x2(planes)
            kernels.max_pool_2x2_backward(grad, offsets, shape[2:])

        def max_numpy() -> None:
            _, indices = kernels.max_pool_reference(planes, (2, 2), (2, 2), (0, 0), (1, 1), out_size)
            kernels.scatter_add_planes_reference(
                grad.reshape(len(grad), -1), indices.reshape(len(grad), -1), plane_size
            )

        def avg_numba() -> None:
            kernels.avg_pool(planes, **geometry, divisors=divisors)
            kernels.avg_pool_backward(grad, **geometry, divisors=divisors, in_size=shape[2:])

        def avg_numpy() -> None:
            kernels.avg_pool_reference(planes, **geometry, divisors=divisors)
            kernels.avg_pool_backward_reference(grad, **geometry, divisors=divisors, in_size=shape[2:])

        rows.append(
            {
                "name": f"max 2x2 kernels fwd+bwd {shape}",
                "ours": median_time(max_numba),
                "theirs": median_time(max_numpy),
            }
        )
        rows.append(
            {
                "name": f"avg 2x2 kernels fwd+bwd {shape}",
                "ours": median_time(avg_numba),
                "theirs": median_time(avg_numpy),
            }
        )
    return rows


def first_call_seconds(cache_dir: str, mode: str) -> float:
    """A fresh interpreter's first max_pool2d + avg_pool2d forward+backward, with kernel mode
    ``mode`` ('wait': compile or load from the cache first; 'background': the NumPy twins run)."""
    script = (
        "import time, autograd_core as ag; from autograd_core.ops import pool; "
        "x = ag.randn(2, 3, 8, 8, requires_grad=True); s = time.perf_counter(); "
        "pool.max_pool2d(x, 2).sum().backward(); pool.avg_pool2d(x, 2).sum().backward(); "
        "print(time.perf_counter() - s)"
    )
    environment = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, AUTOGRAD_CORE_JIT=mode)
    return float(subprocess.check_output([sys.executable, "-c", script], text=True, env=environment))


def main() -> None:
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    report("Pooling forward+backward, float32 (median of 7 repeats)", engine_cases(), "benchmarks/results/pool.json")
    if torch is not None:  # our kernels are serial: PyTorch on one thread too, for the per-core cost
        torch.set_num_threads(1)
        report(
            "Pooling forward+backward, float32, PyTorch on 1 thread",
            engine_cases(),
            "benchmarks/results/pool_1thread.json",
            baseline="PyTorch 1 thr",
        )
        torch.set_num_threads(os.cpu_count() or 1)
    report(
        "Pooling kernels: Numba (used) vs the NumPy strided-view references",
        kernel_cases(),
        "benchmarks/results/pool_kernels.json",
        baseline="NumPy",
    )
    print(
        "\nscheme, every shape: serial Numba direct loops. max 2x2 stride 2 (both shapes above): branch-free"
        " window max with an int8 offset per window, backward zeroes each row pair and puts the gradient at"
        " the offset; other max pools: argmax as a flat index + scatter-add. avg: window sums and their"
        " transpose. The NumPy strided-view references above are the alternative measured."
        " adaptive_avg_pool: a reshape and a mean where the windows divide the input (global pooling too),"
        " else one averaging matrix per dim (BLAS matmul)."
    )
    for mode in ("wait", "background"):
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = first_call_seconds(cache_dir, mode)
            warm = first_call_seconds(cache_dir, mode)
        print(
            f"\nfirst call, max+avg pool fwd+bwd, kernel mode {mode!r}: "
            f"{cold:.2f} s (fresh cache), {warm:.2f} s (cached)"
        )


if __name__ == "__main__":
    main()
