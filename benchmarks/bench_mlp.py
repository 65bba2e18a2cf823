"""One training step of the MLP 784-256-128-10 (batch 128, float32) beside PyTorch, in one run.

    python benchmarks/bench_mlp.py                 # threads as each library defaults
    python benchmarks/bench_mlp.py --threads 1     # BLAS and PyTorch limited to 1 thread
    python benchmarks/bench_mlp.py --profile       # also: where our step's time goes (cProfile)

A step is zero_grad + forward + cross-entropy + backward + SGD update (lr 0.01), on the
same batch from the same initial weights in both libraries (the losses are checked to
agree). Each figure is the median seconds per step over rounds that alternate between
the two libraries (see ``interleaved_medians``).
Also shown, for reference: forward only, and a hand-written NumPy step (the same
matmuls with no graph at all), the floor this engine's step could reach.

Target (issue 4): our step at most 1.25x PyTorch's on 2 cores. Writes benchmarks/results/mlp.json.
"""
from __future__ import annotations

import argparse
import os
import sys

if "--threads" in sys.argv:  # BLAS reads its thread count when NumPy is first imported
    _threads = sys.argv[sys.argv.index("--threads") + 1]
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_variable] = _threads

import cProfile  # noqa: E402
import pstats  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository root
from benchmarks.common import median_time, report  # noqa: E402

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from nn.train_mnist import MLP  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

BATCH, SIZES, LR = 128, (784, 256, 128, 10), 0.01
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], BATCH)


def ours(inputs: np.ndarray, labels: np.ndarray) -> tuple:
    ag.manual_seed(0)
    model = MLP(SIZES)
    optimizer = nn.optim.SGD(model.parameters(), lr=LR)
    x, y = ag.from_numpy(inputs), ag.from_numpy(labels)

    def step() -> float:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    def forward() -> None:
        with ag.no_grad():
            model(x)

    return model, step, forward


def theirs(model: MLP, inputs: np.ndarray, labels: np.ndarray) -> tuple:
    layers = [torch.nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
    torch_model = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2])
    with torch.no_grad():
        for layer, ours_layer in zip(layers, (model.fc1, model.fc2, model.fc3)):
            layer.weight.copy_(torch.from_numpy(ours_layer.weight.array))
            layer.bias.copy_(torch.from_numpy(ours_layer.bias.array))
    optimizer = torch.optim.SGD(torch_model.parameters(), lr=LR)
    x, y = torch.from_numpy(inputs), torch.from_numpy(labels)

    def step() -> float:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(torch_model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    def forward() -> None:
        with torch.no_grad():
            torch_model(x)

    return step, forward


def numpy_step(model: MLP, inputs: np.ndarray, labels: np.ndarray):
    """The same step written by hand in NumPy (no graph, no Tensor objects): the floor for our engine."""
    weights = [layer.weight.array.copy() for layer in (model.fc1, model.fc2, model.fc3)]
    biases = [layer.bias.array.copy() for layer in (model.fc1, model.fc2, model.fc3)]
    rows = np.arange(BATCH)

    def step() -> None:
        activations = [inputs]
        for number, (weight, bias) in enumerate(zip(weights, biases)):
            out = activations[-1] @ weight.T + bias
            activations.append(np.maximum(out, 0) if number < 2 else out)
        logits = activations[-1]
        shifted = logits - logits.max(1, keepdims=True)
        probabilities = np.exp(shifted)
        probabilities /= probabilities.sum(1, keepdims=True)
        grad = probabilities
        grad[rows, labels] -= 1
        grad /= BATCH
        for number in (2, 1, 0):
            grad_weight, grad_bias = grad.T @ activations[number], grad.sum(0)
            if number:
                grad = (grad @ weights[number]) * (activations[number] > 0)
            weights[number] -= LR * grad_weight
            biases[number] -= LR * grad_bias

    return step


def interleaved_medians(cases: list, rounds: int) -> list[float | None]:
    """Median seconds per call of each case, timed in alternating rounds so that a busy spell of a
    shared machine slows every case alike rather than whichever ran during it."""
    samples: list[list[float]] = [[] for _ in cases]
    for _ in range(rounds):
        for case, times in zip(cases, samples):
            if case is not None:
                times.append(median_time(case, repeats=3))
    return [float(np.median(times)) if times else None for times in samples]


def profile_step(step, steps: int = 200) -> None:
    """cProfile our step; print the top functions and the time per source file."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())
    print(f"\ncProfile of {steps} steps of ours: {total / steps * 1e3:.3f} ms/step under the profiler")
    by_file: dict[str, float] = {}
    for (filename, _, _), row in stats.stats.items():
        key = "C builtins" if filename == "~" else os.path.relpath(filename, ROOT).split("site-packages/")[-1]
        by_file[key] = by_file.get(key, 0.0) + row[2]
    print(f"{'own time by file':60s} {'ms/step':>8s} {'share':>6s}")
    for name, seconds in sorted(by_file.items(), key=lambda item: -item[1])[:12]:
        print(f"{name[-60:]:60s} {seconds / steps * 1e3:8.3f} {seconds / total:6.1%}")
    stats.sort_stats("tottime").print_stats(14)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=None, help="BLAS and PyTorch threads (default: each library's)")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if torch is not None and args.threads:
        torch.set_num_threads(args.threads)
    inputs, labels = make_batch()
    model, our_step, our_forward = ours(inputs, labels)
    if torch is not None:
        their_step, their_forward = theirs(model, inputs, labels)
        our_loss, their_loss = float(our_step().item()), float(their_step().item())
        if abs(our_loss - their_loss) > 1e-4 * max(1.0, abs(their_loss)):
            raise SystemExit(f"bench_mlp: the first losses differ (ours {our_loss}, PyTorch {their_loss}): not the same step")
    threads = f"threads: BLAS {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, " + (
        f"torch {torch.get_num_threads()}" if torch is not None else "no torch")
    floor_step = numpy_step(model, inputs, labels)
    step, torch_step, floor = interleaved_medians([our_step, their_step if torch else None, floor_step], args.repeats)
    forward, torch_forward = interleaved_medians([our_forward, their_forward if torch else None], args.repeats)
    rows = [
        {"name": "train step: fwd + bwd + SGD (batch 128)", "ours": step, "theirs": torch_step, "target": 1.25},
        {"name": "forward only, no_grad (batch 128)", "ours": forward, "theirs": torch_forward},
        {"name": "hand-written NumPy step (no graph; a floor)", "ours": floor, "theirs": torch_step},
    ]
    report(f"MLP 784-256-128-10 float32, median of {args.repeats} alternating rounds ({threads}, {os.cpu_count()} CPUs)", rows,
           "benchmarks/results/mlp.json")
    print(f"\nour step spends {1 - floor / step:.0%} of its time outside the NumPy work the step needs "
          f"({(step - floor) * 1e3:.3f} ms of {step * 1e3:.3f} ms)")
    if args.profile:
        profile_step(our_step)


if __name__ == "__main__":
    main()
