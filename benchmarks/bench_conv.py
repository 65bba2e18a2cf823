"""Convolution speed beside PyTorch CPU in one run, and the kernels' compile cost.

    python benchmarks/bench_conv.py

    python benchmarks/bench_conv.py --convnet     # only the CIFAR-sized convnet (step and memory)

Targets (issue 5): (a) conv2d forward+backward, batch 32, 3->32 channels, 32x32, 3x3,
pad 1: at most 1.3x PyTorch; (b) a LeNet-5 training step (1x28x28, batch 64, nn.optim.SGD)
at most 1.5x PyTorch; the first LeNet step from the on-disk kernel cache under 0.5 s
(reported for both kernel modes, see ``autograd_core/kernels/jit.py``). Issue 17: (c) the
CIFAR-sized convnet (``benchmarks.common.cifar_convnet``: 3->64->64, pool, ->128, BatchNorm,
global average pool; batch 32, 3x32x32, SGD) at most 1.0x PyTorch, and its training step's
peak memory at most 1.5x PyTorch's (``common.peak_step_memory``).

Both engines run on one thread unless ``--threads N`` says otherwise (the issue-17 targets are
for one thread); the two training steps are timed in interleaved rounds on CPU time
(``common.interleaved_samples``), from the same weights, with their first losses compared.
Prints which kernel scheme each shape runs. Writes benchmarks/results/conv*.json.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any

# before NumPy loads BLAS
THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = THREADS

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import autograd_core as ag  # noqa: E402
from autograd_core.kernels.conv import scheme  # noqa: E402
from benchmarks.common import (  # noqa: E402
    cifar_convnet,
    compared,
    interleaved_samples,
    median_time,
    peak_step_memory,
    report,
    torch_lenet5,
)

try:
    import torch

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
    ("convnet conv2 64->64, 32x32, 3x3, pad 1, b 32", 32, 64, 64, 32, 3, 1, 1, True, None),
    ("convnet conv3 64->128, 16x16, 3x3, pad 1, b 32", 32, 64, 128, 16, 3, 1, 1, True, None),
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
    used = scheme((kernel, kernel), (stride, stride), (padding, padding), (out, out), w_np.shape)
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


CONVNET_BATCH = 32
#: Builds the convnet step for ``peak_step_memory``: {engine} is ``ours`` or ``theirs``.
CONVNET_MEMORY_SETUP = """
import numpy as np
from benchmarks.bench_conv import convnet_steps
small_step = convnet_steps(2)[{engine}]
step = convnet_steps({batch})[{engine}]
"""


def convnet_steps(batch: int) -> dict:
    """Training steps (zero_grad, forward, cross-entropy, backward, SGD) of the convnet on one
    batch of ``batch`` images, ours and (when PyTorch is there) PyTorch's from the same weights:
    {"ours": step, "theirs": step}; each step returns its loss."""
    import nn

    rng = np.random.default_rng(0)
    images = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, size=batch)
    ag.manual_seed(0)
    model = cifar_convnet(nn)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.01)
    x, y = ag.tensor(images), ag.tensor(labels)

    def ours() -> Any:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    steps = {"ours": ours}
    if torch is not None:
        reference = cifar_convnet(torch.nn)
        reference.load_state_dict({name: torch.tensor(value.array) for name, value in model.state_dict().items()})
        reference_optimizer = torch.optim.SGD(reference.parameters(), lr=0.01)
        tx, ty = torch.tensor(images), torch.tensor(labels)

        def theirs() -> Any:
            reference_optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(reference(tx), ty)
            loss.backward()
            reference_optimizer.step()
            return loss

        steps["theirs"] = theirs
    return steps


def convnet_rows(rounds: int) -> tuple[list[dict], dict]:
    """(c) the convnet's training step (interleaved rounds, CPU time at one thread) and the
    peak memory of its step for both engines."""
    steps = convnet_steps(CONVNET_BATCH)
    functions = [steps["ours"]] + ([steps["theirs"]] if "theirs" in steps else [])
    if len(functions) == 2:
        first = [float(function().item()) for function in functions]
        if abs(first[0] - first[1]) > 1e-4 * max(1.0, abs(first[1])):
            raise SystemExit(f"bench_conv: the convnet's first losses differ ({first[0]} vs {first[1]}): not one step")
    clock = time.process_time if THREADS == "1" else time.perf_counter
    ours, *theirs = interleaved_samples(functions, rounds, clock)
    name = f"(c) CIFAR convnet training step, batch {CONVNET_BATCH}, SGD"
    rows = [compared(name, ours, theirs[0] if theirs else None, 1.0, scheme="per layer above")]
    memory = {
        engine: peak_step_memory(CONVNET_MEMORY_SETUP.format(engine=repr(engine), batch=CONVNET_BATCH))
        for engine in steps
    }
    return rows, memory


def print_memory(title: str, memory: dict, target: float) -> None:
    """One line: both engines' peak step memory in MiB and their ratio."""
    ours, theirs = memory.get("ours"), memory.get("theirs")
    if ours is None:
        print(f"\n{title}: not measured (needs Linux's /proc/self/clear_refs)")
        return
    ratio = f"{ours / theirs:.2f} (target <= {target})" if theirs else "n/a"
    their_text = f"{theirs / 2**20:.1f} MiB" if theirs else "n/a"
    print(f"\n{title}: ours {ours / 2**20:.1f} MiB, PyTorch {their_text}, ratio {ratio}")


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
    rounds = 15
    if "--convnet" in sys.argv:
        rows, memory = convnet_rows(rounds)
        report(f"CIFAR convnet, float32, {THREADS} thread(s), medians of {rounds} interleaved rounds", rows)
        print_memory("convnet training step, peak memory beyond the model and batch", memory, 1.5)
        return
    rows = [conv_row(*shape) for shape in SHAPES]
    rows.append(lenet_row())
    convnet, memory = convnet_rows(rounds)
    rows += convnet
    report(
        f"Convolution: forward + backward, float32 (ours / PyTorch CPU, {THREADS} thread(s))",
        rows,
        os.path.join(ROOT, "benchmarks", "results", f"conv_{THREADS}thread.json"),
    )
    print_memory("(c) convnet training step, peak memory beyond the model and batch", memory, 1.5)
    print("\nkernel scheme per shape:")
    for row in rows:
        print(f"  {row['name']:48s} {row['scheme']}")
    print(
        "\nfirst calls in a fresh process (target: the first LeNet step under 0.5 s from cache)."
        "\n  background: the kernels' NumPy twins run while Numba loads the kernels (cached) or compiles them (cold)"
        "\n  in a background thread; wait: the first call waits for Numba (its usual behaviour)."
        "\n  'Numba serving' counts from the first step's start until the Numba code runs every kernel."
    )
    print(
        f"  {'':20s} {'mode':10s} {'cache':6s} {'first step':>10s} {'Numba serving':>13s} {'20 steps':>9s}"
        f" {'median':>8s}"
    )
    for row in compile_rows():
        print(
            f"  {row['name']:20s} {row['mode']:10s} {row['cache']:6s} {row['first']:9.3f}s {row['serving']:12.2f}s"
            f" {row['twenty']:8.2f}s {row['median'] * 1000:6.1f}ms"
        )


if __name__ == "__main__":
    main()
