"""Shared benchmark plumbing: median-of-repeats timing, a ratio table, JSON output.

Machines are shared and noisy: each figure is the median of several repetitions,
and each repetition times a loop long enough to dwarf timer overhead.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
from typing import Any, Callable

from autograd_core.kernels.jit import wait_for_kernels


def warm_up(function: Callable[[], Any], clock: Callable[[], float] = time.perf_counter, min_seconds: float = 0.05) -> int:
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


def median_time(
    function: Callable[[], Any], repeats: int = 7, min_seconds: float = 0.05, clock: Callable[[], float] = time.perf_counter
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


def report(title: str, rows: list[dict], path: str | None = None, baseline: str = "PyTorch") -> None:
    """Print ``rows`` (name, ours, theirs, target) as a table with ratios; save JSON."""
    print(f"\n{title}")
    print(f"{'case':48s} {'autograd-core':>13s} {baseline:>13s} {'ratio':>7s} {'target':>7s}")
    for row in rows:
        theirs = row.get("theirs")
        ratio = row["ours"] / theirs if theirs else float("nan")
        row["ratio"] = ratio
        target = row.get("target")
        mark = "" if target is None or ratio != ratio else ("  ok" if ratio <= target else "  MISS")
        print(
            f"{row['name']:48s} {format_seconds(row['ours']):>13s} "
            f"{format_seconds(theirs) if theirs else 'n/a':>13s} {ratio:7.2f} "
            f"{(f'{target:.2f}' if target else ''):>7s}{mark}"
        )
    if path:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            json.dump({"title": title, "baseline": baseline, "machine": platform.platform(), "cpus": os.cpu_count(), "rows": rows}, handle, indent=2)
