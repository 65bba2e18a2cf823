"""Convolution speed beside PyTorch CPU in one run, and the kernels' compile cost.

    python benchmarks/bench_conv.py

Targets (issue 5): (a) conv2d forward+backward, batch 32, 3->32 channels, 32x32, 3x3,
pad 1: at most 1.3x PyTorch; (b) a LeNet-5 training step (1x28x28, batch 64, nn.optim.SGD)
at most 1.5x PyTorch; the first LeNet step from the on-disk kernel cache under 0.5 s
(reported for both kernel modes, see ``autograd_core/kernels/jit.py``).
Prints which kernel scheme each shape runs. Writes benchmarks/results/conv.json.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

if "--threads" in sys.argv:  # before NumPy loads BLAS
    THREADS = sys.argv[sys.argv.index("--threads") + 1]
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = THREADS
else:
    THREADS = None

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import autograd_core as ag
from autograd_core.kernels.conv import scheme
from benchmarks.common import median_time, report, torch_lenet5

try:
    import torch

    if THREADS:
        torch.set_num_threads(int(THREADS))
except ImportError:
    torch = None

# (name, batch, in, out, size, kernel, stride, padding, input requires grad, target)
SHAPES = [
    ("(a) 3->32, 32x32, 3x3, pad 1, batch 32", 32, 3, 32, 32, 3, 1, 1, True, 1.3),
    ("    same, input without grad (first layer)", 32, 3, 32, 32, 3, 1, 1, False, None),
    ("LeNet conv1 1->6, 28x28, 5x5, pad 2, b 64", 64, 1, 6, 28, 5, 1, 2, False, None),
    ("LeNet conv2 6->16, 14x14, 5x5, b 64", 64, 6, 16, 14, 5, 1, 0, True, None),
    ("32->64, 16x16, 3x3, stride 2, pad 1, b 32", 32, 32, 64, 16, 3, 2, 1, True, None),
    ("64->64, 16x16, 1x1, b 32", 32, 64, 64, 16, 1, 1, 0, True, None),
]


def conv_row(
    name: str,
    batch: int,
    c_in: int,
    c_out: int,
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    input_grad: bool,
    target: float | None,
) -> dict:
    """One SHAPES entry: conv2d + bias, forward and backward, both engines on the same arrays."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, c_in, size, size)).astype(np.float32)
    w_np = rng.standard_normal((c_out, c_in, kernel, kernel)).astype(np.float32) * 0.1
    b_np = rng.standard_normal(c_out).astype(np.float32)
    x = ag.tensor(x_np, requires_grad=input_grad)
    w, b = ag.tensor(w_np, requires_grad=True), ag.tensor(b_np, requires_grad=True)

    def ours() -> None:
        ag.conv2d(x, w, b, stride=stride, padding=padding).sum().backward()

    out = (size + 2 * padding - kernel) // stride + 1
    used = scheme((kernel, kernel), (stride, stride), (padding, padding), (out, out))
    row = {"name": name, "scheme": used, "ours": median_time(ours), "target": target}
    if torch is not None:
        tx = torch.tensor(x_np, requires_grad=input_grad)
        tw, tb = torch.tensor(w_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)

        def theirs() -> None:
            torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding).sum().backward()

        row["theirs"] = median_time(theirs)
    return row


def lenet_row() -> dict:
    """(b) the LeNet-5 training step: zero_grad, forward, cross-entropy, backward, SGD step."""
    import nn
    from nn.models import LeNet5

    rng = np.random.default_rng(0)
    images = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, size=64)
    model = LeNet5()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.01)
    x, y = ag.tensor(images), ag.tensor(labels)

    def ours() -> None:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    row = {
        "name": "(b) LeNet-5 training step, batch 64, SGD",
        "scheme": "per layer above",
        "ours": median_time(ours),
        "target": 1.5,
    }
    if torch is not None:
        reference = torch_lenet5(torch, weights_from=model)  # the same network and weights
        reference_optimizer = torch.optim.SGD(reference.parameters(), lr=0.01)
        tx, ty = torch.tensor(images), torch.tensor(labels)

        def theirs() -> None:  # the same step on both sides
            reference_optimizer.zero_grad()
            torch.nn.functional.cross_entropy(reference(tx), ty).backward()
            reference_optimizer.step()

        row["theirs"] = median_time(theirs)
    return row


FIRST_CALL = """
import time
import autograd_core as ag
from autograd_core.kernels import jit
{setup}
start = time.perf_counter()
durations = []
for _ in range(20):
    began = time.perf_counter()
    step()
    durations.append(time.perf_counter() - began)
twenty = time.perf_counter() - start
jit.wait_for_kernels()
serving = time.perf_counter() - start
print(durations[0], serving, twenty, sorted(durations)[10])
"""
CONV_STEP = """
x, w = ag.randn(32, 3, 32, 32), ag.randn(32, 3, 3, 3, requires_grad=True)
def step():
    w.grad = None
    ag.conv2d(x, w, padding=1).sum().backward()
"""
LENET_STEP = """
import nn
from nn.models import LeNet5
model, x, y = LeNet5(), ag.randn(64, 1, 28, 28), ag.tensor(list(range(10)) * 6 + [0, 1, 2, 3])
optimizer = nn.optim.SGD(model.parameters(), lr=0.01)
def step():
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
"""


def first_calls(setup: str, mode: str, cache_dir: str) -> dict:
    """20 steps in a fresh interpreter with kernel mode ``mode`` and Numba cache ``cache_dir``:
    the first step's seconds, when the Numba code served every kernel (from the first step's
    start), the 20 steps' total and their median."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONPATH=ROOT, AUTOGRAD_CORE_JIT=mode)
    command = [sys.executable, "-c", FIRST_CALL.format(setup=setup)]
    output = subprocess.check_output(command, env=env, text=True, cwd=ROOT, stderr=subprocess.DEVNULL)
    first, serving, twenty, median = map(float, output.split())
    return {"first": first, "serving": serving, "twenty": twenty, "median": median}


def compile_rows() -> list[dict]:
    """Per model and kernel mode: a fresh cache (cold), then the same cache again (cached)."""
    rows = []
    for name, setup in (("conv2d (a) fwd+bwd", CONV_STEP), ("LeNet-5 step (b)", LENET_STEP)):
        for mode in ("background", "wait"):
            with tempfile.TemporaryDirectory() as cache_dir:
                for cache in ("cold", "cached"):
                    rows.append({"name": name, "mode": mode, "cache": cache, **first_calls(setup, mode, cache_dir)})
    return rows


def main() -> None:
    rows = [conv_row(*shape) for shape in SHAPES]
    rows.append(lenet_row())
    threads = f", {THREADS} thread(s)" if THREADS else ""
    report(
        f"Convolution: forward + backward, float32 (ours / PyTorch CPU{threads})",
        rows,
        os.path.join(ROOT, "benchmarks", "results", f"conv{'_' + THREADS + 'thread' if THREADS else ''}.json"),
    )
    print("\nkernel scheme per shape:")
    for row in rows:
        print(f"  {row['name']:48s} {row['scheme']}")
    print(
        "\nfirst calls in a fresh process (target: the first LeNet step under 0.5 s from cache)."
        "\n  background: the kernels' NumPy twins run while Numba loads the kernels (cached) or compiles them (cold)"
        "\n  in a background thread; wait: the first call waits for Numba (its usual behaviour)."
        "\n  'Numba serving' counts from the first step's start until the Numba code runs every kernel."
    )
    print(f"  {'':20s} {'mode':10s} {'cache':6s} {'first step':>10s} {'Numba serving':>13s} {'20 steps':>9s} {'median':>8s}")
    for row in compile_rows():
        print(
            f"  {row['name']:20s} {row['mode']:10s} {row['cache']:6s} {row['first']:9.3f}s {row['serving']:12.2f}s"
            f" {row['twenty']:8.2f}s {row['median'] * 1000:6.1f}ms"
        )


if __name__ == "__main__":
    main()
