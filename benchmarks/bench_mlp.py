"""One training step of the MLP 784-256-128-10 (float32) beside PyTorch, in one run.

    python benchmarks/bench_mlp.py                 # one thread each (the issue-17 targets' setting)
    python benchmarks/bench_mlp.py --threads 0     # threads as each library defaults
    python benchmarks/bench_mlp.py --profile       # also: where our step's time goes (cProfile)
    python benchmarks/bench_mlp.py --wide          # also: 784-4096-4096-10 at batch 512 against sgemm's peak

A step is zero_grad + forward + cross-entropy + backward + SGD update (lr 0.01), on the
same batch from the same initial weights in both libraries (the losses are checked to
agree). Each figure is the median seconds per step over rounds that alternate between
the two libraries (see ``interleaved_medians``).
Also shown, for reference: forward only, and a hand-written NumPy step (the same
matmuls with no graph at all), the floor this engine's step could reach.

Batches 1, 128 and 1024 (``--batches``). Targets: issue 4, our step at most 1.25x PyTorch's on
2 cores; issue 17, at most 1.1x at one thread for all three batch sizes. ``--wide`` shows how
close a GEMM-bound step comes to the machine's matrix product: both engines' step in GF/s
against the peak of their own sgemm (a 2048-cube product, NumPy's BLAS and PyTorch's).
With one thread the clock is CPU time. Writes benchmarks/results/mlp.json.

Other BLAS builds from PyPI, measured (one thread, best of 5, busy 2-core AMD EPYC with
AVX-512, 2026-12; GF/s for 2048^3 / 512x784x4096 / 32x512x2048 / 64x576x1024 products):
NumPy's bundled OpenBLAS 0.3.31 95.6 / 95.2 / 70.1 / 77.9; the ``blis`` wheel 24.4 / 33.1 /
18.6 / 25.1; MKL (as PyTorch ships it) 77.6 / 51.1 / 67.1 / 69.8. A NumPy built on MKL is not
on PyPI for NumPy 2 (``intel-numpy`` stops at 1.21), and MKL was the slower one here anyway,
so the dependencies stay as they are: NumPy's own OpenBLAS serves users best.
"""
from __future__ import annotations

import argparse
import os
import sys

# BLAS reads its thread count when NumPy is first imported; "--threads 0": each library's default
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
if _threads != "0":
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_variable] = _threads

import cProfile  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository root
import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from benchmarks.common import compared, interleaved_samples, report  # noqa: E402
from nn.train_mnist import MLP  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

SIZES, WIDE_SIZES, WIDE_BATCH, LR = (784, 256, 128, 10), (784, 4096, 4096, 10), 512, 0.01
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_batch(batch: int, sizes: tuple = SIZES) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch, sizes[0])).astype(np.float32), rng.integers(0, sizes[-1], batch)


def ours(inputs: np.ndarray, labels: np.ndarray, sizes: tuple = SIZES) -> tuple:
    ag.manual_seed(0)
    model = MLP(sizes)
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
    sizes = (model.fc1.in_features, model.fc1.out_features, model.fc2.out_features, model.fc3.out_features)
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
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
    batch = len(inputs)
    rows = np.arange(batch)

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
        grad /= batch
        for number in (2, 1, 0):
            layer_input = activations[number]  # one row: the outer product, as nn.Linear's backward
            grad_weight = np.multiply(grad.T, layer_input) if batch == 1 else grad.T @ layer_input
            grad_bias = grad.sum(0)
            if number:
                grad = (grad @ weights[number]) * (activations[number] > 0)
            weights[number] -= LR * grad_weight
            biases[number] -= LR * grad_bias

    return step


def step_flops(sizes: tuple, batch: int) -> float:
    """Multiply-adds x 2 of one training step's matrix products: the forward's, the weight
    gradients' and the input gradients' (none for the first layer, whose input needs none)."""
    forward = sum(2 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 3 * forward - 2 * batch * sizes[0] * sizes[1]


def sgemm_peaks(size: int = 2048, repeats: int = 5) -> tuple[float, float | None]:
    """GF/s of a size-cube float32 product with NumPy's BLAS and with PyTorch's (the best of
    ``repeats``: the peak, not the typical)."""
    clock = time.process_time if _threads == "1" else time.perf_counter
    a, b = np.random.default_rng(0).standard_normal((2, size, size)).astype(np.float32)
    out = np.empty_like(a)

    def best(product) -> float:
        product()
        times = []
        for _ in range(repeats):
            start = clock()
            product()
            times.append(clock() - start)
        return 2 * size**3 / min(times) / 1e9

    theirs = None
    if torch is not None:
        ta, tb, tout = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(out)
        theirs = best(lambda: torch.mm(ta, tb, out=tout))
    return best(lambda: np.matmul(a, b, out=out)), theirs


def wide_report(rounds: int) -> None:
    """--wide: the GEMM-bound MLP, both engines' GF/s and their fractions of their sgemm peak."""
    inputs, labels = make_batch(WIDE_BATCH, WIDE_SIZES)
    model, our_step, _ = ours(inputs, labels, WIDE_SIZES)
    functions = [our_step] + ([theirs(model, inputs, labels)[0]] if torch is not None else [])
    clock = time.process_time if _threads == "1" else time.perf_counter
    samples = interleaved_samples(functions, rounds, clock)
    name = f"wide MLP {'-'.join(map(str, WIDE_SIZES))} step, batch {WIDE_BATCH}"
    report(f"GEMM-bound MLP ({rounds} interleaved rounds)", [compared(name, samples[0], samples[1] if torch else None)])
    flops = step_flops(WIDE_SIZES, WIDE_BATCH)
    numpy_peak, torch_peak = sgemm_peaks()
    ours_rate = flops / float(np.median(samples[0])) / 1e9
    print(f"  step: {flops / 1e9:.1f} GFLOP of matrix products")
    print(f"  ours:    {ours_rate:6.1f} GF/s = {ours_rate / numpy_peak:.0%} of NumPy's sgemm peak "
          f"({numpy_peak:.1f} GF/s)")
    if torch is not None:
        torch_rate = flops / float(np.median(samples[1])) / 1e9
        print(f"  PyTorch: {torch_rate:6.1f} GF/s = {torch_rate / torch_peak:.0%} of its sgemm peak "
              f"({torch_peak:.1f} GF/s)")
        print(f"  sgemm peaks, NumPy's / PyTorch's: {numpy_peak / torch_peak:.2f} (above 1: NumPy's is faster here)")


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


def batch_rows(batch: int, rounds: int) -> tuple[list[dict], callable]:
    """Rows for one batch size: the training step (target 1.1), forward only and the NumPy floor."""
    inputs, labels = make_batch(batch)
    model, our_step, our_forward = ours(inputs, labels)
    cases = [our_step, our_forward, numpy_step(model, inputs, labels)]
    if torch is not None:
        their_step, their_forward = theirs(model, inputs, labels)
        our_loss, their_loss = float(our_step().item()), float(their_step().item())
        if abs(our_loss - their_loss) > 1e-4 * max(1.0, abs(their_loss)):
            raise SystemExit(f"bench_mlp: first losses differ (ours {our_loss}, PyTorch {their_loss}): not one step")
        cases += [their_step, their_forward]
    clock = time.process_time if _threads == "1" else time.perf_counter
    samples = interleaved_samples(cases, rounds, clock)
    step, forward, floor = samples[:3]
    torch_step, torch_forward = samples[3:] if torch is not None else (None, None)
    rows = [
        compared(f"train step: fwd + bwd + SGD (batch {batch})", step, torch_step, 1.1),
        compared(f"  forward only, no_grad (batch {batch})", forward, torch_forward),
        compared(f"  hand-written NumPy step (batch {batch}; a floor)", floor, torch_step),
    ]
    return rows, our_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads (0: each library's)")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 128, 1024])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--wide", action="store_true")
    args = parser.parse_args()
    if torch is not None and args.threads:
        torch.set_num_threads(args.threads)
    threads = f"threads: BLAS {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, " + (
        f"torch {torch.get_num_threads()}" if torch is not None else "no torch")
    rows, floors = [], []
    for batch in args.batches:
        batch_rows_, step = batch_rows(batch, args.repeats)
        rows += batch_rows_
        floors.append((batch, batch_rows_[0]["ours"], batch_rows_[2]["ours"]))
    title = f"MLP 784-256-128-10 float32, medians of {args.repeats} interleaved rounds ({threads})"
    report(title, rows, "benchmarks/results/mlp.json")
    for batch, step_time, floor in floors:
        print(f"batch {batch}: our step spends {1 - floor / step_time:.0%} of its time outside the NumPy work "
              f"the step needs ({(step_time - floor) * 1e3:.3f} ms of {step_time * 1e3:.3f} ms)")
    if args.wide:
        wide_report(max(3, args.repeats // 3))
    if args.profile:
        profile_step(step)


if __name__ == "__main__":
    main()
