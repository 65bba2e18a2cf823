"""``Scalar`` beside micrograd (PyPI) on micrograd's own moons demo, in one run.

    pip install micrograd        # only for this benchmark; skipped with a message if absent
    python benchmarks/bench_scalar.py [--rounds 3] [--repeats 5] [--clock cpu]

The model is micrograd's demo model: an MLP 2-16-16-1 (ReLU hidden layers, linear
output) on 100 two-moons points. One step = forward on all points + mean hinge loss
+ L2 penalty + backward + SGD update, with the demo's learning-rate schedule. Both
engines run the same step code and start from the same weights, so their losses
must agree (checked). Figures are seconds per step with Python's cyclic garbage
collector on (as users run it), then off. The engines take turns: each round times
``--repeats`` steps of one engine after a full collection, then of the other, so a
load change on a shared machine hits both; the table shows the medians over rounds
and each round's ratio is printed too. ``--clock cpu`` times CPU seconds of this
process instead of wall-clock seconds: both engines are single-threaded Python, so on
a machine shared with other jobs that measures the same work without the waiting.

Targets (issue 3): at least 10x faster than micrograd with the GC on (ratio <= 0.1),
and faster with it off (ratio < 1). Writes benchmarks/results/scalar.json.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import sys
import time
from typing import Any, Callable, Sequence

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from autograd_core.scalar import Scalar  # noqa: E402
from benchmarks.common import median_time, report  # noqa: E402

try:
    from micrograd.engine import Value
    from micrograd.nn import MLP as MicrogradMLP
except ImportError:
    Value = MicrogradMLP = None

SIZES = [2, 16, 16, 1]
STEPS_IN_SCHEDULE = 100  # the demo's learning rate falls from 1.0 to 0.1 over 100 steps


def two_moons(count: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list, list]:
    """Two interleaved half circles with labels -1 and +1 (as Python floats)."""
    rng = np.random.default_rng(seed)
    upper = count // 2
    angles_upper = np.linspace(0.0, math.pi, upper)
    angles_lower = np.linspace(0.0, math.pi, count - upper)
    points = np.concatenate([
        np.stack([np.cos(angles_upper), np.sin(angles_upper)], axis=1),
        np.stack([1.0 - np.cos(angles_lower), 0.5 - np.sin(angles_lower)], axis=1),
    ])
    points += rng.normal(scale=noise, size=points.shape)
    labels = np.concatenate([-np.ones(upper), np.ones(count - upper)])
    return points.tolist(), labels.tolist()


class ScalarMLP:
    """micrograd's MLP written over ``Scalar``: each neuron is ``relu(sum(w_i x_i) + b)``
    (no ReLU on the output layer), summed with the builtin ``sum`` as micrograd does."""

    def __init__(self, layers: Sequence[Sequence[tuple[list[float], float]]]) -> None:
        # layers[l][n] = (weights, bias) of neuron n in layer l
        self.layers = [
            [([Scalar(w) for w in weights], Scalar(bias)) for weights, bias in layer] for layer in layers
        ]

    def __call__(self, inputs: list) -> Any:
        last = len(self.layers) - 1
        for depth, layer in enumerate(self.layers):
            outputs = []
            for weights, bias in layer:
                activation = sum((w * x for w, x in zip(weights, inputs)), bias)
                outputs.append(activation.relu() if depth < last else activation)
            inputs = outputs
        return inputs[0]

    def parameters(self) -> list[Scalar]:
        return [p for layer in self.layers for weights, bias in layer for p in (*weights, bias)]


def initial_weights(seed: int = 1337) -> list:
    """Uniform(-1, 1) weights and zero biases, layer by layer, as micrograd initialises them."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1.0, 1.0) for _ in range(fan_in)], 0.0) for _ in range(fan_out)]
        for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:])
    ]


def micrograd_model(weights: list) -> Any:
    model = MicrogradMLP(SIZES[0], SIZES[1:])
    for layer, layer_weights in zip(model.layers, weights):
        for neuron, (neuron_weights, bias) in zip(layer.neurons, layer_weights):
            for value, weight in zip(neuron.w, neuron_weights):
                value.data = weight
            neuron.b.data = bias
    return model


def training_step(model: Any, make_value: Callable[[float], Any], points: list, labels: list) -> Callable[[], float]:
    """The demo's step as a closure over a step counter: returns the loss before the update."""
    parameters = model.parameters()
    counter = [0]

    def step() -> float:
        inputs = [[make_value(coordinate) for coordinate in point] for point in points]
        scores = [model(point) for point in inputs]
        hinge = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
        data_loss = sum(hinge) * (1.0 / len(hinge))
        penalty = 1e-4 * sum(p * p for p in parameters)
        loss = data_loss + penalty
        for p in parameters:
            p.grad = 0.0
        loss.backward()
        learning_rate = 1.0 - 0.9 * (counter[0] % STEPS_IN_SCHEDULE) / STEPS_IN_SCHEDULE
        for p in parameters:
            p.data -= learning_rate * p.grad
        counter[0] += 1
        return loss.data

    return step


def seconds_per_step(step: Callable[[], float], gc_enabled: bool, repeats: int, clock: Callable[[], float]) -> float:
    """Median seconds per step, after a full collection. One engine at a time, never
    interleaved step by step: with the GC on, a collection during one engine's step
    would otherwise also walk the other engine's garbage."""
    gc.collect()
    if gc_enabled:
        gc.enable()
    else:
        gc.disable()
    try:
        return median_time(step, repeats=repeats, min_seconds=0.0, clock=clock)
    finally:
        gc.enable()
        gc.collect()  # micrograd's graphs are reference cycles: free them before the next measurement


def compare(
    ours: Callable[[], float], theirs: Callable[[], float] | None, gc_enabled: bool, rounds: int, repeats: int,
    clock: Callable[[], float],
) -> dict:
    """Medians over ``rounds`` turns of each engine, and the ratio ours / theirs of every round."""
    ours_times, theirs_times = [], []
    for _ in range(rounds):
        ours_times.append(seconds_per_step(ours, gc_enabled, repeats, clock))
        if theirs is not None:
            theirs_times.append(seconds_per_step(theirs, gc_enabled, repeats, clock))
    row = {"ours": statistics.median(ours_times), "ours_rounds": ours_times}
    if theirs is not None:
        row.update(
            theirs=statistics.median(theirs_times),
            theirs_rounds=theirs_times,
            round_ratios=[mine / other for mine, other in zip(ours_times, theirs_times)],
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="turns each engine takes per figure (median taken)")
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per turn (median taken)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall-clock or this process's CPU seconds")
    args = parser.parse_args()
    points, labels = two_moons()
    weights = initial_weights()

    ours = training_step(ScalarMLP(weights), Scalar, points, labels)
    if Value is None:
        print("micrograd is not installed (pip install micrograd): timing Scalar alone.")
        theirs = None
    else:
        theirs = training_step(micrograd_model(weights), Value, points, labels)
        for _ in range(3):  # same weights, same step code: the losses must agree
            ours_loss, theirs_loss = ours(), theirs()
            if not math.isclose(ours_loss, theirs_loss, rel_tol=1e-9):
                raise SystemExit(f"losses differ: Scalar {ours_loss!r}, micrograd {theirs_loss!r}")
        print(f"losses agree over 3 steps (last: {ours_loss:.6f})")

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    rows = []
    for gc_enabled, target in ((True, 0.1), (False, 1.0)):
        name = f"moons MLP 2-16-16-1 step, GC {'on' if gc_enabled else 'off'}"
        row = {"name": name, "target": target, "clock": args.clock}
        row.update(compare(ours, theirs, gc_enabled, args.rounds, args.repeats, clock))
        if theirs is not None:
            print(f"{name}: ratio per round {', '.join(f'{ratio:.3f}' for ratio in row['round_ratios'])}")
        rows.append(row)
    print(f"load average (1, 5, 15 min): {', '.join(f'{load:.2f}' for load in os.getloadavg())}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "scalar.json")
    title = f"Scalar vs micrograd: {args.clock} seconds per training step (ratio = ours / micrograd)"
    report(title, rows, path, baseline="micrograd")


if __name__ == "__main__":
    main()
