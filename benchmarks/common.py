"""Shared benchmark plumbing: median-of-repeats timing, a ratio table, JSON output.

Machines are shared and noisy: each figure is the median of several repetitions,
and each repetition times a loop long enough to dwarf timer overhead.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

from autograd_core.kernels.jit import wait_for_kernels


def warm_up(
    function: Callable[[], Any], clock: Callable[[], float] = time.perf_counter, min_seconds: float = 0.05
) -> int:
    """Run ``function`` until it is warm and return how many calls a timed loop needs to
    last ``min_seconds``. The first call fills caches and asks for the Numba kernels, which
    load in the background: wait for them, so the loops time the Numba code, not the twins."""
    function()
    wait_for_kernels()
    loops = 1
    while True:
        start = clock()
        for _ in range(loops):
            function()
        if clock() - start >= min_seconds:
            return loops
        loops *= 2


def torch_lenet5(torch: Any, weights_from: Any = None) -> Any:
    """``nn.models.LeNet5`` as a ``torch.nn.Sequential`` (the same layers in the same order),
    with the weights of ``weights_from`` (one of our LeNet5s) when given. ``torch`` is passed
    in: nothing here imports it."""
    reference = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(400, 120),
        torch.nn.ReLU(),
        torch.nn.Linear(120, 84),
        torch.nn.ReLU(),
        torch.nn.Linear(84, 10),
    )
    if weights_from is not None:
        positions = {"conv1": 0, "conv2": 3, "fc1": 7, "fc2": 9, "fc3": 11}
        reference.load_state_dict(
            {
                f"{positions[name.split('.')[0]]}.{name.split('.')[1]}": torch.tensor(value.array)
                for name, value in weights_from.state_dict().items()
            }
        )
    return reference


def cifar_convnet(layers: Any) -> Any:
    """The CIFAR-sized convnet of issue 17 from ``layers`` (``nn`` or ``torch.nn``: the same
    names, so both engines build the same network, whose ``state_dict`` keys agree):
    Conv 3->64, BN, ReLU, Conv 64->64, BN, ReLU, MaxPool 2, Conv 64->128, BN, ReLU,
    AdaptiveAvgPool 1, Flatten, Linear 128->10, for (N, 3, 32, 32) inputs."""
    return layers.Sequential(
        layers.Conv2d(3, 64, 3, padding=1), layers.BatchNorm2d(64), layers.ReLU(),
        layers.Conv2d(64, 64, 3, padding=1), layers.BatchNorm2d(64), layers.ReLU(), layers.MaxPool2d(2),
        layers.Conv2d(64, 128, 3, padding=1), layers.BatchNorm2d(128), layers.ReLU(),
        layers.AdaptiveAvgPool2d(1), layers.Flatten(), layers.Linear(128, 10),
    )


def interleaved_samples(
    functions: list[Callable[[], Any]], rounds: int, clock: Callable[[], float] = time.process_time,
    min_seconds: float = 0.05,
) -> list[list[float]]:
    """Seconds per call of each function, one sample per round, the functions timed in turn
    within every round (ours, theirs, ours, ...) so that a busy spell of a shared machine
    slows both alike. With one thread, ``time.process_time`` (this process's CPU time, page
    faults included) is the clock that other jobs disturb least."""
    loops = [warm_up(function, clock, min_seconds) for function in functions]
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for function, count, times in zip(functions, loops, samples):
            start = clock()
            for _ in range(count):
                function()
            times.append((clock() - start) / count)
    return samples


def compared(
    name: str, ours: list[float], theirs: list[float] | None, target: float | None = None, **extra: Any
) -> dict:
    """A ``report`` row from interleaved samples: both medians, and the spread of the per-round
    ratios (their quartiles: the ratio a rerun is likely to land in)."""
    row = {"name": name, "ours": statistics.median(ours), "target": target, **extra}
    if theirs:
        row["theirs"] = statistics.median(theirs)
        ratios = sorted(a / b for a, b in zip(ours, theirs))
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        row["spread"] = [quartiles[0], quartiles[-1]]
    return row


PEAK_MEMORY_SCRIPT = """
import gc, os, sys
sys.path.insert(0, {root!r})
{setup}
def resident(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field))
small_step()  # loads the kernels (and PyTorch's primitives) and fills caches at a small size
small_step()
wait = getattr(sys.modules.get("autograd_core.kernels.jit"), "wait_for_kernels", None)
if wait:
    wait()
gc.collect()
before = resident("VmRSS:")
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # resets the peak (VmHWM) to the present resident size
step()
step()
print(resident("VmHWM:") - before)
"""


def peak_step_memory(setup: str) -> int | None:
    """Bytes a training step needs at its peak beyond what the process held before it, measured
    the same way for both engines: in a fresh interpreter, ``setup`` (code that defines
    ``small_step()`` and ``step()``, the model and batch built before) runs ``small_step`` twice
    so that Numba, PyTorch's primitives and other one-off loads are done, then the peak resident
    size is reset (``/proc/self/clear_refs``) and two ``step()`` calls run: the result is the
    peak resident size (VmHWM) during them minus the resident size before them. It counts
    every allocation the operating system sees (NumPy's, PyTorch's allocator, scratch pools
    kept between steps). None where ``/proc`` has no such files (not Linux)."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = PEAK_MEMORY_SCRIPT.format(root=root, setup=setup)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    output = subprocess.check_output([sys.executable, "-c", script], text=True, env=env, cwd=root)
    return int(output.split()[-1])


def median_time(
    function: Callable[[], Any],
    repeats: int = 7,
    min_seconds: float = 0.05,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Median seconds per call of ``function`` over ``repeats`` timed loops.

    ``clock=time.process_time`` counts only this process's CPU time, for single-threaded
    code on a machine shared with other jobs."""
    loops = warm_up(function, clock, min_seconds)
    samples = []
    for _ in range(repeats):
        start = clock()
        for _ in range(loops):
            function()
        samples.append((clock() - start) / loops)
    return statistics.median(samples)


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:8.2f} {unit}"
    return f"{seconds / 1e-9:8.1f} ns"


def numpy_blas() -> str:
    """NumPy's BLAS as it runs here: library, version and the kernels it chose (threadpoolctl), and
    whether ``OPENBLAS_CORETYPE`` pinned them (a pinned older core can halve the products' speed:
    on a Zen 5 EPYC, Haswell's AVX2 kernels ran at 0.55x of the SkylakeX ones OpenBLAS picks itself)."""
    try:
        import numpy  # noqa: F401 - loads NumPy's BLAS
        from threadpoolctl import threadpool_info
    except ImportError:
        return "NumPy's BLAS: unknown (threadpoolctl is not installed)"
    blases = [info for info in threadpool_info() if info.get("user_api") == "blas"]
    # NumPy's own (its wheel's folder names it) before any other loaded BLAS (torch's MKL, say)
    blases.sort(key=lambda info: "numpy" not in info["filepath"])
    if not blases:
        return "NumPy's BLAS: unknown"
    info = blases[0]
    text = f"NumPy's BLAS: {info['internal_api']} {info.get('version')}, {info.get('architecture')} kernels"
    pinned = os.environ.get("OPENBLAS_CORETYPE")
    if pinned and info["internal_api"] == "openblas":
        text += f" (pinned by OPENBLAS_CORETYPE={pinned}: unset it, and OPENBLAS_L2_SIZE, to let OpenBLAS choose)"
    return text


def report(title: str, rows: list[dict], path: str | None = None, baseline: str = "PyTorch") -> None:
    """Print ``rows`` (name, ours, theirs, target) as a table with ratios and the BLAS line; save JSON."""
    blas = numpy_blas()
    print(f"\n{title}\n{blas}")
    print(f"{'case':48s} {'autograd-core':>13s} {baseline:>13s} {'ratio':>7s} {'target':>7s}  per-round ratio q1-q3")
    for row in rows:
        theirs = row.get("theirs")
        ratio = row["ours"] / theirs if theirs else float("nan")
        row["ratio"] = ratio
        target = row.get("target")
        mark = "" if target is None or ratio != ratio else ("  ok" if ratio <= target else "  MISS")
        spread = f"  {row['spread'][0]:.2f}-{row['spread'][1]:.2f}" if row.get("spread") else ""
        print(
            f"{row['name']:48s} {format_seconds(row['ours']):>13s} "
            f"{format_seconds(theirs) if theirs else 'n/a':>13s} {ratio:7.2f} "
            f"{(f'{target:.2f}' if target else ''):>7s}{mark:6s}{spread}"
        )
    if path:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            machine = {"machine": platform.platform(), "cpus": os.cpu_count(), "blas": blas}
            json.dump({"title": title, "baseline": baseline, **machine, "rows": rows}, handle, indent=2)
